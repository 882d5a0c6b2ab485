package io.jcontainer.linux.plan;

import io.jcontainer.Capability;
import io.jcontainer.ContainerSpec;
import io.jcontainer.IdMap;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Mount;
import io.jcontainer.Namespace;
import io.jcontainer.linux.HostInfo;
import io.jcontainer.linux.rootfs.Passwd;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.jcontainer.linux.plan.Op.IN_ROOT;
import static io.jcontainer.linux.plan.Op.MKDIR;
import static io.jcontainer.linux.plan.Op.MKFILE;
import static io.jcontainer.linux.plan.Op.MS_BIND;
import static io.jcontainer.linux.plan.Op.MS_NODEV;
import static io.jcontainer.linux.plan.Op.MS_NOEXEC;
import static io.jcontainer.linux.plan.Op.MS_NOSUID;
import static io.jcontainer.linux.plan.Op.MS_RDONLY;
import static io.jcontainer.linux.plan.Op.MS_REC;
import static io.jcontainer.linux.plan.Op.OPTIONAL;

/**
 * Turns a {@link ContainerSpec} into a {@link Plan}: all of jcontainer's policy lives here, in
 * Java, where it is tested without root; the launcher only executes the result.
 *
 * <p>The child's setup, in order, and why that order:
 * <ol>
 *   <li>cgroup namespace — after the launcher has placed the child in its cgroup, so the
 *       sandbox's own cgroup becomes its root;</li>
 *   <li>hostname, loopback — need CAP_SYS_ADMIN/CAP_NET_ADMIN, which later steps drop;</li>
 *   <li>mount propagation private — before any mount, so none reaches the host;</li>
 *   <li>the new root at the runtime's mount point, then /proc, /dev, /sys, user mounts, masked
 *       and read-only paths — every target resolved inside the root (RESOLVE_IN_ROOT), so
 *       symlinks in the image cannot redirect them; the root is made read-only last, since
 *       mount points may need creating;</li>
 *   <li>pivot_root, old root detached — never chroot (escapable, see the seed);</li>
 *   <li>session, rlimits, no_new_privs, then seccomp (before the uid change when
 *       no_new_privs is off: loading a filter then needs CAP_SYS_ADMIN);</li>
 *   <li>bounding set dropped while still privileged, groups/gid/uid, then the final
 *       capability sets;</li>
 *   <li>every descriptor but 0–2 close-on-exec; exec.</li>
 * </ol>
 */
public final class PlanCompiler {
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Docker's masked paths (see docs/security.md). */
    public static final List<String> DEFAULT_MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    public static final List<String> DEFAULT_READONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private static final String[] DEVICES = {"null", "zero", "full", "random", "urandom", "tty"};

    /** What the runtime decided outside the spec: the resolved user, cgroups, the seccomp filter. */
    public record Inputs(Passwd.User user, List<String> cgroupProcsFiles, byte[] seccompFilter, int seccompFlags,
                         String defaultHostname) {
        public Inputs {
            cgroupProcsFiles = List.copyOf(cgroupProcsFiles);
        }

        public static Inputs of(Passwd.User user) {
            return new Inputs(user, List.of(), null, 0, "sandbox");
        }
    }

    private final HostInfo host;

    public PlanCompiler(HostInfo host) {
        this.host = host;
    }

    public Plan compile(ContainerSpec spec, Inputs in) {
        long clone = Plan.CLONE_NEWNS;
        if (spec.has(Namespace.PID)) clone |= Plan.CLONE_NEWPID;
        if (spec.has(Namespace.NET)) clone |= Plan.CLONE_NEWNET;
        if (spec.has(Namespace.UTS)) clone |= Plan.CLONE_NEWUTS;
        if (spec.has(Namespace.IPC)) clone |= Plan.CLONE_NEWIPC;
        if (spec.has(Namespace.USER)) clone |= Plan.CLONE_NEWUSER;
        if (spec.has(Namespace.TIME)) {
            if (!host.timeNamespace())
                throw new InvalidSpecException("namespaces", "TIME namespaces need Linux 5.6 or later; this kernel has none");
            clone |= Plan.CLONE_NEWTIME;
        }
        if (!spec.has(Namespace.USER) && !host.isRoot())
            throw new InvalidSpecException("namespaces", "a non-root JVM needs the USER namespace for the others (uid " + host.euid() + ")");

        List<Op> parent = new ArrayList<>();
        IdMaps maps = idMaps(spec);
        if (spec.has(Namespace.USER)) {
            // setgroups must be denied before an unprivileged writer may set gid_map (user_namespaces(7)).
            if (!host.isRoot()) parent.add(new Op.WritePid("/proc/%p/setgroups", "deny"));
            parent.add(new Op.WritePid("/proc/%p/uid_map", maps.uidText()));
            parent.add(new Op.WritePid("/proc/%p/gid_map", maps.gidText()));
        }
        for (String procs : in.cgroupProcsFiles()) parent.add(new Op.WritePid(procs, "%p"));

        List<Op> c = new ArrayList<>();
        if (spec.has(Namespace.CGROUP)) c.add(new Op.Unshare((int) Plan.CLONE_NEWCGROUP, "cgroup"));
        // As docker: a UTS namespace without a name gets the short container id, not the host's name.
        String hostname = spec.hostname() != null ? spec.hostname() : spec.has(Namespace.UTS) ? in.defaultHostname() : null;
        if (hostname != null) c.add(new Op.Hostname(hostname));
        if (spec.domainname() != null) c.add(new Op.Domainname(spec.domainname()));
        if (spec.has(Namespace.NET)) c.add(new Op.LoopbackUp());

        // ---- the file system ----
        c.add(new Op.MakePrivate("/"));
        String mnt = host.rootMount().toString();
        if (spec.rootfs() != null) {
            c.add(new Op.Mount(spec.rootfs().toString(), mnt, "", MS_BIND | MS_REC, "", 0));
            c.add(new Op.RootOpen(mnt));
        } else {
            defaultRoot(c, mnt, hostname != null ? hostname : "localhost");
        }
        if (spec.has(Namespace.PID) || !spec.has(Namespace.USER)) {
            c.add(new Op.Mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
        } else {
            // A fresh procfs needs a PID namespace owned by the new user namespace; without one,
            // show the host's (it is the host's PID namespace anyway), read-mostly and masked below.
            c.add(new Op.Mount("/proc", "/proc", "", MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
        }
        dev(c, spec, maps);
        if (spec.has(Namespace.NET)) {
            c.add(new Op.Mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
        } else {
            // sysfs can only be mounted fresh by the owner of the network namespace: bind the host's, read-only.
            c.add(new Op.Mount("/sys", "/sys", "", MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
        }
        for (Mount m : spec.mounts()) c.add(mountOp(m));
        if (spec.has(Namespace.USER) && maps.uidMapped(0) && maps.gidMapped(0)) switchToNamespaceRoot(c);
        List<String> masked = spec.maskedPaths() != null ? spec.maskedPaths() : defaultMasked();
        for (String p : masked) c.add(new Op.MaskPath(p));
        List<String> readonly = spec.readonlyPaths() != null ? spec.readonlyPaths() : DEFAULT_READONLY;
        for (String p : readonly) c.add(new Op.Remount(p, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, IN_ROOT | OPTIONAL));
        String cwd = spec.workingDir() != null ? spec.workingDir() : "/";
        if (!cwd.equals("/")) c.add(new Op.Mkdir(cwd, 0755));
        if (spec.readOnlyRoot()) c.add(new Op.Remount("/", MS_RDONLY, IN_ROOT | Op.NO_SELF_BIND));
        c.add(new Op.PivotRoot(mnt));
        c.add(new Op.Chdir(cwd));

        // ---- the process ----
        c.add(new Op.Setsid());
        c.add(new Op.Umask(022));
        for (var r : spec.rlimits())
            c.add(new Op.Rlimit(r.name(), r.resource(), r.soft() == io.jcontainer.Rlimit.UNLIMITED ? -1L : r.soft(),
                    r.hard() == io.jcontainer.Rlimit.UNLIMITED ? -1L : r.hard()));
        boolean nnp = spec.noNewPrivileges();
        if (nnp) c.add(new Op.NoNewPrivs());
        Op seccomp = in.seccompFilter() == null ? null : new Op.Seccomp(in.seccompFlags(), in.seccompFilter());
        if (seccomp != null && !nnp) c.add(seccomp);

        long keep = capMask(spec);
        Passwd.User user = in.user();
        // The bounding set can only shrink with CAP_SETPCAP, which a non-root uid loses: drop it first.
        c.add(new Op.Caps(keep, Op.Caps.UNCHANGED, Op.Caps.UNCHANGED, Op.Caps.UNCHANGED, Op.Caps.UNCHANGED));
        boolean setgroupsAllowed = !spec.has(Namespace.USER) || host.isRoot();
        if (setgroupsAllowed) c.add(new Op.Setgroups(user.groups()));
        c.add(new Op.Setresgid(user.gid()));
        c.add(new Op.Setresuid(user.uid()));
        // Root keeps the allowed set; another uid gets none in effect (as docker: no ambient caps).
        long sets = user.uid() == 0 ? keep : 0;
        c.add(new Op.Caps(-1L, sets, sets, 0, 0));
        if (seccomp != null && nnp) c.add(seccomp);
        c.add(new Op.CloseFds());
        // Last, so init runs with exactly the payload's credentials, capabilities and filter.
        if (spec.init()) c.add(new Op.Init());
        c.add(new Op.Exec(spec.command().getFirst(), spec.command(), environment(spec, user, hostname)));

        int flags = Plan.NOT_DUMPABLE | (spec.detached() ? 0 : Plan.KILL_ON_EOF);
        return new Plan(clone, flags, List.of(), parent, c);
    }

    /**
     * After clone the child keeps its host ids, which explicit maps may not cover (0 -> 100000
     * leaves host root unmapped): it could not create files on what it mounts (EOVERFLOW). So it
     * becomes root of its namespace, as runc does, right after the new root is open — but then it
     * may no longer traverse root-only host directories, so every host path a later mount needs
     * is opened before the switch ({@link Op.Hold}) and referred to as {@code "@N"}.
     */
    private static void switchToNamespaceRoot(List<Op> c) {
        int rootOpen = -1;
        for (int i = 0; i < c.size(); i++) if (c.get(i) instanceof Op.RootOpen) rootOpen = i;
        List<Op> holds = new ArrayList<>();
        for (int i = rootOpen + 1; i < c.size(); i++) {
            if (c.get(i) instanceof Op.Mount m && (m.flags() & MS_BIND) != 0 && m.source().startsWith("/")) {
                c.set(i, new Op.Mount("@" + holds.size(), m.target(), m.fstype(), m.flags(), m.data(), m.mflags() & ~OPTIONAL));
                holds.add(new Op.Hold(m.source(), (m.mflags() & OPTIONAL) != 0));
            }
        }
        c.addAll(rootOpen + 1, List.of(new Op.Setresgid(0), new Op.Setresuid(0)));
        c.addAll(rootOpen, holds);
    }

    private List<String> defaultMasked() {
        List<String> m = new ArrayList<>(DEFAULT_MASKED);
        m.addAll(host.thermalThrottleDirs());
        return m;
    }

    /**
     * The embedded default root: a fresh tmpfs holding the host's /usr, /bin, /lib* (read-only,
     * nosuid) and a generated /etc. Nothing of the host's /etc, /home, /root, /var or /tmp is
     * visible. See docs/default-root.md.
     */
    private void defaultRoot(List<Op> c, String mnt, String hostname) {
        c.add(new Op.Mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64m", 0));
        c.add(new Op.RootOpen(mnt));
        for (HostInfo.HostDir d : host.hostDirs()) {
            if (d.symlinkTarget() != null) c.add(new Op.Symlink(d.symlinkTarget(), d.path()));
            else c.add(new Op.Mount(d.path(), d.path(), "", MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV, "", IN_ROOT | MKDIR));
        }
        for (String f : host.hostEtcFiles()) {
            boolean dir = Files.isDirectory(java.nio.file.Path.of(f), LinkOption.NOFOLLOW_LINKS);
            c.add(new Op.Mount(f, f, "", MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV, "", IN_ROOT | (dir ? MKDIR : MKFILE) | OPTIONAL));
        }
        c.add(new Op.WriteFile("/etc/passwd", 0644, DEFAULT_PASSWD.getBytes(StandardCharsets.UTF_8)));
        c.add(new Op.WriteFile("/etc/group", 0644, DEFAULT_GROUP.getBytes(StandardCharsets.UTF_8)));
        c.add(new Op.WriteFile("/etc/hostname", 0644, (hostname + "\n").getBytes(StandardCharsets.UTF_8)));
        c.add(new Op.WriteFile("/etc/hosts", 0644, ("127.0.0.1\tlocalhost " + hostname + "\n::1\tlocalhost ip6-localhost\n").getBytes(StandardCharsets.UTF_8)));
        c.add(new Op.WriteFile("/etc/nsswitch.conf", 0644, "passwd: files\ngroup: files\nhosts: files\n".getBytes(StandardCharsets.UTF_8)));
        c.add(new Op.Mkdir("/tmp", 01777));
        c.add(new Op.Mkdir("/root", 0700));
    }

    /** /etc/passwd and /etc/group of the default root. */
    public static final String DEFAULT_PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
    public static final String DEFAULT_GROUP = "root:x:0:\nnogroup:x:65534:\n";

    /** A minimal /dev: tmpfs, the six safe devices bound from the host, devpts, shm, mqueue, links. */
    private void dev(List<Op> c, ContainerSpec spec, IdMaps maps) {
        c.add(new Op.Mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC | Op.MS_STRICTATIME, "mode=755,size=65536k", IN_ROOT | MKDIR));
        for (String d : DEVICES)
            c.add(new Op.Mount("/dev/" + d, "/dev/" + d, "", MS_BIND, "", IN_ROOT | MKFILE));
        // gid=5 (tty) only where that group exists inside: an unmapped gid makes the mount fail.
        String ptsOpts = "newinstance,ptmxmode=0666,mode=0620" + (maps.gidMapped(5) ? ",gid=5" : "");
        c.add(new Op.Mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, ptsOpts, IN_ROOT | MKDIR));
        c.add(new Op.Symlink("pts/ptmx", "/dev/ptmx"));
        c.add(new Op.Mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k", IN_ROOT | MKDIR));
        if (spec.has(Namespace.IPC))
            c.add(new Op.Mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
        c.add(new Op.Symlink("/proc/self/fd", "/dev/fd"));
        c.add(new Op.Symlink("/proc/self/fd/0", "/dev/stdin"));
        c.add(new Op.Symlink("/proc/self/fd/1", "/dev/stdout"));
        c.add(new Op.Symlink("/proc/self/fd/2", "/dev/stderr"));
    }

    private static Op mountOp(Mount m) {
        return switch (m) {
            case Mount.Bind b -> {
                boolean dir = Files.isDirectory(b.source());
                if (!Files.exists(b.source()))
                    throw new InvalidSpecException("mount", "bind source " + b.source() + " does not exist");
                long flags = MS_BIND | (b.recursive() ? MS_REC : 0) | (b.readOnly() ? MS_RDONLY : 0);
                yield new Op.Mount(b.source().toString(), b.target(), "", flags, "", IN_ROOT | (dir ? MKDIR : MKFILE));
            }
            case Mount.Tmpfs t -> {
                StringBuilder opts = new StringBuilder("mode=").append(Integer.toOctalString(t.mode()));
                if (t.size() != null) opts.append(",size=").append(t.size().bytes());
                long flags = MS_NOSUID | MS_NODEV | (t.readOnly() ? MS_RDONLY : 0) | (t.noExec() ? MS_NOEXEC : 0);
                yield new Op.Mount("tmpfs", t.target(), "tmpfs", flags, opts.toString(), IN_ROOT | MKDIR);
            }
        };
    }

    private static long capMask(ContainerSpec spec) {
        long m = 0;
        for (Capability cap : spec.capabilities()) m |= 1L << cap.number();
        return m;
    }

    private static List<String> environment(ContainerSpec spec, Passwd.User user, String hostname) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        if (hostname != null) env.put("HOSTNAME", hostname);
        env.put("HOME", user.home());
        env.putAll(spec.env());
        List<String> out = new ArrayList<>(env.size());
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** The user namespace's maps: explicit ones, or container root = the calling user. */
    record IdMaps(List<IdMap> uid, List<IdMap> gid) {
        String uidText() {
            return text(uid);
        }

        String gidText() {
            return text(gid);
        }

        boolean gidMapped(long id) {
            return mapped(gid, id);
        }

        boolean uidMapped(long id) {
            return mapped(uid, id);
        }

        private static boolean mapped(List<IdMap> maps, long id) {
            if (maps.isEmpty()) return true; // no user namespace: every id exists
            for (IdMap m : maps) if (id >= m.containerId() && id < m.containerId() + m.size()) return true;
            return false;
        }

        private static String text(List<IdMap> maps) {
            StringBuilder b = new StringBuilder();
            for (IdMap m : maps) b.append(m).append('\n');
            return b.toString();
        }
    }

    private IdMaps idMaps(ContainerSpec spec) {
        if (!spec.has(Namespace.USER)) return new IdMaps(List.of(), List.of());
        List<IdMap> uid = spec.uidMap().isEmpty() ? List.of(new IdMap(0, host.euid(), 1)) : spec.uidMap();
        List<IdMap> gid = spec.gidMap().isEmpty() ? List.of(new IdMap(0, host.egid(), 1)) : spec.gidMap();
        if (!host.isRoot()) {
            for (IdMap m : uid)
                if (m.size() != 1 || m.hostId() != host.euid())
                    throw new InvalidSpecException("idmap", "a non-root JVM can map only its own uid " + host.euid()
                            + " (got " + m + "); wider maps need newuidmap and /etc/subuid");
            for (IdMap m : gid)
                if (m.size() != 1 || m.hostId() != host.egid())
                    throw new InvalidSpecException("idmap", "a non-root JVM can map only its own gid " + host.egid() + " (got " + m + ")");
        }
        return new IdMaps(uid, gid);
    }
}
