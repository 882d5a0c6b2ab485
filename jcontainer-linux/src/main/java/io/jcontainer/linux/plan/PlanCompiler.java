package io.jcontainer.linux.plan;

import io.jcontainer.Capability;
import io.jcontainer.CapabilitySets;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Device;
import io.jcontainer.LinuxNamespace;
import io.jcontainer.LinuxSpec;
import io.jcontainer.Propagation;
import io.jcontainer.Root;
import io.jcontainer.IdMap;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Mount;
import io.jcontainer.Namespace;
import io.jcontainer.linux.HostInfo;
import io.jcontainer.linux.Settings;
import io.jcontainer.linux.rootfs.Passwd;
import io.jcontainer.linux.userns.SubordinateIds;
import io.jcontainer.HostUnsupportedException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
import static io.jcontainer.linux.plan.Op.MS_RELATIME;
import static io.jcontainer.linux.plan.Op.MS_SHARED;
import static io.jcontainer.linux.plan.Op.MS_SLAVE;
import static io.jcontainer.linux.plan.Op.MS_STRICTATIME;
import static io.jcontainer.linux.plan.Op.MS_UNBINDABLE;
import static io.jcontainer.linux.plan.Op.MS_PRIVATE;
import static io.jcontainer.linux.plan.Op.OPTIONAL;

/**
 * Turns a {@link ContainerSpec} into a {@link Plan}: all of jcontainer's policy lives here, in
 * Java, where it is tested without root; the launcher only executes the result.
 *
 * <p>The child's setup, in order, and why that order:
 * <ol>
 *   <li>cgroup namespace — after the launcher has placed the child in its cgroup, so the
 *       container's own cgroup becomes its root;</li>
 *   <li>hostname, loopback — need CAP_SYS_ADMIN/CAP_NET_ADMIN, which later steps drop;</li>
 *   <li>mount propagation private — before any mount, so none reaches the host;</li>
 *   <li>the new root at the runtime's mount point, then /proc, /dev, /sys, user mounts, masked
 *       and read-only paths — every target resolved inside the root (RESOLVE_IN_ROOT), so
 *       symlinks in the image cannot redirect them; the root is made read-only last, since
 *       mount points may need creating;</li>
 *   <li>[the CREATE_CONTAINER stop: cgroups the JVM made meanwhile, then the move into them];</li>
 *   <li>pivot_root, old root detached — never chroot (escapable, see the seed);</li>
 *   <li>[the START_CONTAINER stop: where a created container waits for its start];</li>
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

    /**
     * What the runtime decided outside the spec: the resolved user, cgroups, the seccomp filter.
     *
     * @param cgroupsDeferred the cgroups behind {@code cgroupProcsFiles} may be made by the JVM after
     *                        the launch, the child waiting for them at {@link HookPoint#CREATE_CONTAINER}
     *                        before it moves itself in. The compiler may decline ({@link #defersCgroups}
     *                        says false: the cgroups must exist before the launch).
     * @param stops           the hook points the JVM has work at ({@code LaunchHooks.stops()}); the
     *                        compiler adds the stops its own decisions need (id maps, deferred cgroups)
     * @param etcFiles        files the runtime generated for the container (docker's /etc/hostname,
     *                        /etc/hosts, /etc/resolv.conf): in-root target -> host file, bound over
     *                        the target unless a mount of the spec has that target
     * @param networkEtc      those of {@code etcFiles} a network provides (its /etc/hosts naming the peers,
     *                        its resolv.conf): bound even where a directory root lacks them, the mount
     *                        point made there
     * @param joinedUserns    a user namespace (a path the launcher opens) that the launcher joins before
     *                        clone, instead of making one: an ordinary user's rootless network, whose
     *                        holder owns it (docs/networking.md). Its maps are written already; null: none
     * @param rootOwned       a directory root that belongs to the container (an image root mounted ahead
     *                        or made by a fallback, as {@code ReadyRoots} and {@code ImageRoots} hand them):
     *                        the runtime's /etc files get their mount points made there, as in the overlay
     *                        it stands for
     */
    public record Inputs(Passwd.User user, List<String> cgroupProcsFiles, byte[] seccompFilter, int seccompFlags,
                         String defaultHostname, boolean cgroupsDeferred, Map<HookPoint, Op.Hook> stops, Map<String, String> etcFiles,
                         java.util.Set<String> networkEtc, String joinedUserns, boolean rootOwned) {
        public Inputs {
            cgroupProcsFiles = List.copyOf(cgroupProcsFiles);
            stops = Map.copyOf(stops);
            etcFiles = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(etcFiles)); // a stable order of ops
            networkEtc = java.util.Set.copyOf(networkEtc);
        }

        public Inputs(Passwd.User user, List<String> cgroupProcsFiles, byte[] seccompFilter, int seccompFlags, String defaultHostname,
                      boolean cgroupsDeferred) {
            this(user, cgroupProcsFiles, seccompFilter, seccompFlags, defaultHostname, cgroupsDeferred, Map.of(), Map.of(), java.util.Set.of(), null);
        }

        public Inputs(Passwd.User user, List<String> cgroupProcsFiles, byte[] seccompFilter, int seccompFlags, String defaultHostname,
                      boolean cgroupsDeferred, Map<HookPoint, Op.Hook> stops, Map<String, String> etcFiles, java.util.Set<String> networkEtc,
                      String joinedUserns) {
            this(user, cgroupProcsFiles, seccompFilter, seccompFlags, defaultHostname, cgroupsDeferred, stops, etcFiles, networkEtc, joinedUserns, false);
        }

        public Inputs withEtcFiles(Map<String, String> etcFiles) {
            return withEtcFiles(etcFiles, java.util.Set.of());
        }

        public Inputs withEtcFiles(Map<String, String> etcFiles, java.util.Set<String> networkEtc) {
            return new Inputs(user, cgroupProcsFiles, seccompFilter, seccompFlags, defaultHostname, cgroupsDeferred, stops, etcFiles, networkEtc, joinedUserns, rootOwned);
        }

        public Inputs(Passwd.User user, List<String> cgroupProcsFiles, byte[] seccompFilter, int seccompFlags, String defaultHostname) {
            this(user, cgroupProcsFiles, seccompFilter, seccompFlags, defaultHostname, false);
        }

        public Inputs withStops(Map<HookPoint, Op.Hook> stops) {
            return new Inputs(user, cgroupProcsFiles, seccompFilter, seccompFlags, defaultHostname, cgroupsDeferred, stops, etcFiles, networkEtc, joinedUserns, rootOwned);
        }

        public Inputs withJoinedUserns(String path) {
            return new Inputs(user, cgroupProcsFiles, seccompFilter, seccompFlags, defaultHostname, cgroupsDeferred, stops, etcFiles, networkEtc, path, rootOwned);
        }

        public Inputs withRootOwned(boolean owned) {
            return new Inputs(user, cgroupProcsFiles, seccompFilter, seccompFlags, defaultHostname, cgroupsDeferred, stops, etcFiles, networkEtc, joinedUserns, owned);
        }

        public static Inputs of(Passwd.User user) {
            return new Inputs(user, List.of(), null, 0, "container");
        }
    }

    private final HostInfo host;
    private final SubordinateIds sub;
    /**
     * Whether a helper makes the network namespace beside the child ({@link Op.NetHelper}).
     * On by default; {@code -Djcontainer.netHelper=false} ({@link Settings#netHelper()}) makes clone3 do it (for comparison
     * in benchmarks, or as a fallback).
     */
    private boolean netHelper = Settings.netHelper();

    public PlanCompiler(HostInfo host) {
        this(host, host.isRoot() ? SubordinateIds.NONE : hostSubordinateIds(host.euid()));
    }

    /** With the newuidmap helpers and /etc/subuid ranges a non-root JVM may use (tests inject them). */
    public PlanCompiler(HostInfo host, SubordinateIds sub) {
        this.host = host;
        this.sub = sub;
    }

    /** See {@link #netHelper}. */
    public PlanCompiler netHelper(boolean on) {
        this.netHelper = on;
        return this;
    }

    /** Whether the user namespace's root is the host's root (or no map is given: the default). */
    private static boolean mapsRootToRoot(List<io.jcontainer.IdMap> maps) {
        return maps.stream().anyMatch(m -> m.containerId() == 0 && m.hostId() == 0 && m.size() >= 1);
    }

    /** /sys itself or a path below it (the part of a root that needs the network namespace). */
    private static boolean underSys(String path) {
        return path.equals("/sys") || path.startsWith("/sys/");
    }

    private static volatile List<List<IdMap>> cachedUnprivileged;

    /** {@link SubordinateIds#unprivileged()}, read once per JVM. */
    private static List<List<IdMap>> unprivileged() {
        List<List<IdMap>> u = cachedUnprivileged;
        if (u == null) cachedUnprivileged = u = SubordinateIds.unprivileged();
        return u;
    }

    private static volatile SubordinateIds cachedSub;

    private static SubordinateIds hostSubordinateIds(int euid) {
        SubordinateIds s = cachedSub;
        if (s == null) cachedSub = s = SubordinateIds.probe(System.getProperty("user.name"), euid);
        return s;
    }

    /** Namespaces the child can join by path with setns(2) before its setup; the others need it before clone. */
    private static final Map<Namespace, Long> JOINABLE = Map.of(Namespace.NET, Plan.CLONE_NEWNET, Namespace.UTS, Plan.CLONE_NEWUTS,
            Namespace.IPC, Plan.CLONE_NEWIPC, Namespace.CGROUP, Plan.CLONE_NEWCGROUP);

    public Plan compile(ContainerSpec spec, Inputs in) {
        LinuxSpec linux = spec.linux();
        // Joined namespaces: setns(2) in the child, first thing; only those whose effect is on the
        // caller itself (PID and TIME apply to children only, USER would have to come before clone).
        List<Op> joins = new ArrayList<>();
        String pidPath = null;
        for (LinuxNamespace ns : linux.namespaces()) {
            if (ns.path() == null) continue;
            if (ns.type() == Namespace.PID) {
                // a PID namespace applies to the children of whoever joins it: the launcher joins
                // it before clone (a pre op, as exec does), and the child is born inside
                pidPath = ns.path();
                continue;
            }
            Long type = JOINABLE.get(ns.type());
            if (type == null)
                throw new InvalidSpecException("namespaces." + ns.type().name().toLowerCase(Locale.ROOT) + ".path",
                        "joining an existing " + ns.type() + " namespace is not supported yet (only NET, UTS, IPC, CGROUP and PID can be joined)");
            joins.add(new Op.Setns(ns.path(), type.intValue()));
        }
        boolean newNet = spec.has(Namespace.NET) && linux.namespacePath(Namespace.NET) == null;
        long clone = Plan.CLONE_NEWNS;
        if (spec.has(Namespace.PID) && pidPath == null) clone |= Plan.CLONE_NEWPID;
        // The network namespace is made by a helper beside the child (Op.NetHelper), in parallel
        // with its mounts; clone3 makes it only when the helper is turned off.
        boolean netHelper = newNet && this.netHelper;
        if (newNet && !netHelper) clone |= Plan.CLONE_NEWNET;
        if (spec.has(Namespace.UTS) && linux.namespacePath(Namespace.UTS) == null) clone |= Plan.CLONE_NEWUTS;
        if (spec.has(Namespace.IPC) && linux.namespacePath(Namespace.IPC) == null) clone |= Plan.CLONE_NEWIPC;
        String joinedUserns = in.joinedUserns();
        if (joinedUserns != null && !spec.has(Namespace.USER))
            throw new InvalidSpecException("namespaces", "joining a user namespace needs the USER namespace in the spec");
        if (spec.has(Namespace.USER) && joinedUserns == null) clone |= Plan.CLONE_NEWUSER;
        if (spec.has(Namespace.TIME)) {
            if (!host.timeNamespace())
                throw new InvalidSpecException("namespaces", "TIME namespaces need Linux 5.6 or later; this kernel has none");
            clone |= Plan.CLONE_NEWTIME;
        }
        if (!spec.has(Namespace.USER) && !host.isRoot())
            throw new InvalidSpecException("namespaces", "a non-root JVM needs the USER namespace for the others (uid " + host.euid() + ")");

        List<Op> parent = new ArrayList<>();
        // first: the helper's ~0.5 ms of kernel work then overlaps the id maps and the child's mounts
        // in a joined user namespace the helper, forked from the launcher, is there already (a
        // process may not enter its own user namespace again)
        if (netHelper) parent.add(new Op.NetHelper(spec.has(Namespace.USER) && joinedUserns == null));
        IdMaps maps = idMaps(spec, in.user());
        if (joinedUserns != null && maps.viaHelper())
            throw new InvalidSpecException("user", "a container on an ordinary user's network runs in that network's user namespace,"
                    + " which maps only the user's own uid and gid: run it as root inside (the user outside)");
        // Maps wider than the JVM's own ids: only the setuid newuidmap/newgidmap may write them, run by
        // the JVM at the CREATE_RUNTIME stop (the runtime registers that work: idMapsViaHelper).
        if (!maps.viaHelper() && spec.has(Namespace.USER) && joinedUserns == null) {
            // setgroups must be denied before an unprivileged writer may set gid_map (user_namespaces(7)).
            if (!host.isRoot()) parent.add(new Op.WritePid("/proc/%p/setgroups", "deny"));
            parent.add(new Op.WritePid("/proc/%p/uid_map", maps.uidText()));
            parent.add(new Op.WritePid("/proc/%p/gid_map", maps.gidText()));
        }
        // cgroup v2: born in the cgroup (see Op.CloneIntoCgroup); v1 tasks files are the child's (below)
        List<Op> pre = new ArrayList<>();
        // runc's --console-socket: connected first, on the host, before any setns
        if (spec.stdin() instanceof io.jcontainer.Stdio.Console console) pre.add(new Op.ConsoleSocket(console.socket().toString()));
        // first of the joins: the PID namespace below and everything clone makes are then owned by it
        if (joinedUserns != null) pre.add(new Op.Setns(joinedUserns, (int) Plan.CLONE_NEWUSER));
        if (pidPath != null) pre.add(new Op.Setns(pidPath, (int) Plan.CLONE_NEWPID));
        for (String procs : in.cgroupProcsFiles())
            if (!procs.endsWith("/tasks")) pre.add(new Op.CloneIntoCgroup(procs.substring(0, procs.lastIndexOf('/'))));
        // docker --oom-score-adj: set by the launcher while the child waits, so it holds before the
        // payload runs and is inherited by everything it starts (proc(5): lowering it needs
        // CAP_SYS_RESOURCE, which the launcher of a root JVM has).
        if (spec.resources().oomScoreAdj() != null)
            parent.add(new Op.WritePid("/proc/%p/oom_score_adj", String.valueOf(spec.resources().oomScoreAdj())));
        // last of the parent's: the JVM's work sees the child with its ids mapped and its limits set
        Op.Hook createRuntime = stop(in, HookPoint.CREATE_RUNTIME, maps.viaHelper(), Op.Hook.REPORT, "map ids with newuidmap " + maps.uid()
                + " / newgidmap " + maps.gid());
        if (createRuntime != null) parent.add(createRuntime);

        List<Op> c = new ArrayList<>();
        // cgroup v1 "tasks" files: the child moves itself ("0" = the calling thread). Only a single-thread
        // self-move skips cgroup_threadgroup_rwsem, whose writer waits an RCU grace period (~5-15 ms here) on
        // every cgroup.procs write (kernel/cgroup/cgroup.c, cgroup_procs_write_start). Then the cgroup
        // namespace, rooted at the cgroup it is in. First of all — or, when the JVM makes the cgroups in
        // parallel with the child's root setup, after waiting for them, just before pivot_root.
        List<Op> placement = new ArrayList<>();
        for (String tasks : in.cgroupProcsFiles()) if (tasks.endsWith("/tasks")) placement.add(new Op.WritePid(tasks, "0"));
        if (spec.has(Namespace.CGROUP) && linux.namespacePath(Namespace.CGROUP) == null)
            placement.add(new Op.Unshare((int) Plan.CLONE_NEWCGROUP, "cgroup"));
        // Where the JVM makes the cgroups meanwhile (defersCgroups), the placement follows the
        // CREATE_CONTAINER stop instead, just before pivot_root.
        boolean deferCgroups = defersCgroups(spec, in, maps, !placement.isEmpty());
        c.addAll(joins);
        if (!deferCgroups) c.addAll(placement);
        // As docker: a new UTS namespace without a name gets the short container id, not the host's name.
        boolean newUts = spec.has(Namespace.UTS) && linux.namespacePath(Namespace.UTS) == null;
        String hostname = spec.hostname() != null ? spec.hostname() : newUts ? in.defaultHostname() : null;
        if (hostname != null) c.add(new Op.Hostname(hostname));
        if (spec.domainname() != null) c.add(new Op.Domainname(spec.domainname()));
        if (newNet && !netHelper) c.add(new Op.LoopbackUp());

        // ---- the file system ----
        // Private, so that nothing mounted here reaches the host; slave where propagation from
        // the host is asked for (a mount's rslave, rootfsPropagation), as runc's default is.
        boolean slave = wantsSlave(spec);
        c.add(slave ? new Op.Mount("", "/", "", MS_REC | MS_SLAVE, "", 0) : new Op.MakePrivate("/"));
        String mnt = host.rootMount().toString();
        switch (spec.root()) {
            case Root.Directory d ->
                // nodev: with docker's default CAP_MKNOD, root inside could otherwise mknod the host's
                // disk (or /dev/mem) in its writable root and open it (SECURITY.md row 15).
                // NEW_ROOT: the mount point is opened once (O_NOFOLLOW) and the tree attached by that
                // descriptor, which every in-root path then resolves against (row 35).
                    c.add(new Op.Mount(d.path().toString(), mnt, "", MS_BIND | MS_REC | MS_NODEV, "", Op.NEW_ROOT));
            case Root.Overlay o ->
                    c.add(new Op.Mount("overlay", mnt, "overlay", MS_NODEV, overlayOptions(o, spec.has(Namespace.USER), throwAwayUpper(spec, o)), Op.NEW_ROOT));
            case Root.Default d -> defaultRoot(c, mnt, hostname != null ? hostname : "localhost", switchesToNamespaceRoot(spec, maps));
        }
        Propagation rootProp = linux.rootfsPropagation();
        if (rootProp != null && rootProp != Propagation.PRIVATE && rootProp != Propagation.RPRIVATE)
            c.add(new Op.Mount("", "/", "", propagationFlags(rootProp), "", IN_ROOT)); // the root held, not its path again
        if (spec.has(Namespace.PID) || !spec.has(Namespace.USER)) {
            c.add(new Op.Mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
        } else {
            // A fresh procfs needs a PID namespace owned by the new user namespace; without one,
            // show the host's (it is the host's PID namespace anyway), read-mostly and masked below.
            c.add(new Op.Mount("/proc", "/proc", "", MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
        }
        dev(c, spec, maps);
        for (Device d : linux.devices()) c.add(deviceOp(d));
        List<Op> sysctls = sysctlOps(spec);
        List<String> masked = spec.maskedPaths() != null ? spec.maskedPaths() : defaultMasked();
        List<String> readonly = spec.readonlyPaths() != null ? spec.readonlyPaths() : DEFAULT_READONLY;
        if (netHelper) {
            // Everything that does not need the network namespace first, so the helper has as long
            // as possible: then the join, sysfs (tagged with the mounter's network namespace), and
            // what lies under /sys. Relative order within each part is kept, and the parts are
            // disjoint subtrees, so the result is the same as in the plain order below.
            // (sysctls are written in the new network namespace, so /proc/sys turns read-only after them)
            c.addAll(etcFileOps(spec, in));
            for (Mount m : spec.mounts()) if (!underSys(m.target())) c.addAll(mountOps(m));
            for (String p : masked) if (!underSys(p)) c.add(new Op.MaskPath(p));
            if (sysctls.isEmpty())
                for (String p : readonly) if (!underSys(p)) c.add(new Op.Remount(p, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, IN_ROOT | OPTIONAL));
            c.add(new Op.JoinNet());
            c.add(new Op.Mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
            for (Mount m : spec.mounts()) if (underSys(m.target())) c.addAll(mountOps(m));
            for (String p : masked) if (underSys(p)) c.add(new Op.MaskPath(p));
            c.addAll(sysctls);
            for (String p : readonly)
                if (underSys(p) || !sysctls.isEmpty()) c.add(new Op.Remount(p, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, IN_ROOT | OPTIONAL));
        } else {
            if (spec.has(Namespace.NET)) {
                c.add(new Op.Mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
            } else {
                // sysfs can only be mounted fresh by the owner of the network namespace: bind the host's, read-only.
                // The launcher makes a recursive read-only bind read-only all the way down
                // (mount_setattr AT_RECURSIVE): else the host's submounts (cgroupfs under
                // /sys/fs/cgroup) would stay writable and root inside could raise its own limits
                // or leave its cgroup (SECURITY.md rows 8, 9).
                c.add(new Op.Mount("/sys", "/sys", "", MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
            }
            c.addAll(etcFileOps(spec, in));
            for (Mount m : spec.mounts()) c.addAll(mountOps(m));
            for (String p : masked) c.add(new Op.MaskPath(p));
            c.addAll(sysctls);
            for (String p : readonly) c.add(new Op.Remount(p, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, IN_ROOT | OPTIONAL));
        }
        if (switchesToNamespaceRoot(spec, maps)) switchToNamespaceRoot(c);
        String cwd = spec.workingDir() != null ? spec.workingDir() : "/";
        if (!cwd.equals("/")) c.add(new Op.Mkdir(cwd, 0755));
        if (spec.readOnlyRoot()) c.add(new Op.Remount("/", MS_RDONLY, IN_ROOT | Op.NO_SELF_BIND));
        Op.Hook createContainer = stop(in, HookPoint.CREATE_CONTAINER, deferCgroups, 0, "wait for the JVM to create the cgroups");
        if (createContainer != null) c.add(createContainer);
        if (deferCgroups) c.addAll(placement);
        c.addAll(cgroupFsOps(spec, in)); // its cgroups exist by now, made before the launch or waited for above
        c.add(new Op.PivotRoot(mnt));
        c.add(new Op.Chdir(cwd));
        // before the wait for start: an engine expects the terminal while create runs (conmon gives up without it)
        Op.Console console = consoleOp(spec);
        if (console != null) c.add(console);
        // the container is set up; a created one waits here for its start
        Op.Hook startContainer = stop(in, HookPoint.START_CONTAINER, false, 0, null);
        if (startContainer != null) c.add(startContainer);

        // ---- the process ----
        c.add(new Op.Setsid());
        if (spec.tty()) c.add(new Op.SetCtty());
        c.add(new Op.Umask(spec.process().user().umask() != null ? spec.process().user().umask() : 022));
        for (var r : spec.rlimits())
            c.add(new Op.Rlimit(r.name(), r.resource(), r.soft() == io.jcontainer.Rlimit.UNLIMITED ? -1L : r.soft(),
                    r.hard() == io.jcontainer.Rlimit.UNLIMITED ? -1L : r.hard()));
        boolean nnp = spec.noNewPrivileges();
        if (nnp) c.add(new Op.NoNewPrivs());
        Op seccomp = in.seccompFilter() == null ? null : new Op.Seccomp(in.seccompFlags(), in.seccompFilter());
        if (seccomp != null && !nnp) c.add(seccomp);

        long keep = capMask(spec);
        if (!spec.has(Namespace.USER)) keep = withinBoundingSet(spec, keep);
        Passwd.User user = mappedUser(withAdditionalGids(in.user(), spec), maps);
        // The bounding set can only shrink with CAP_SETPCAP, which a non-root uid loses: drop it first.
        c.add(new Op.Caps(keep, Op.Caps.UNCHANGED, Op.Caps.UNCHANGED, Op.Caps.UNCHANGED, Op.Caps.UNCHANGED));
        // newgidmap leaves setgroups allowed when it maps subordinate gids
        boolean setgroupsAllowed = !spec.has(Namespace.USER) || host.isRoot() || maps.viaHelper();
        if (setgroupsAllowed) c.add(new Op.Setgroups(user.groups()));
        CapabilitySets caps = spec.process().capabilities();
        // explicit sets for a non-root uid: keep the permitted set across the uid change, capset after
        if (caps.explicit() && user.uid() != 0) c.add(new Op.Keepcaps(true));
        c.add(new Op.Setresgid(user.gid()));
        c.add(new Op.Setresuid(user.uid()));
        if (caps.explicit()) {
            long eff = mask(caps.effective()), perm = mask(caps.permitted()), inh = mask(caps.inheritable()), amb = mask(caps.ambient());
            if ((eff & ~perm) != 0 || (perm & ~keep) != 0)
                throw new InvalidSpecException("capabilities", "effective must be within permitted, and permitted within bounding (capabilities(7)): " + caps);
            c.add(new Op.Caps(-1L, eff, perm, inh, amb));
        } else {
            // Root keeps the allowed set; another uid gets none in effect (as docker: no ambient caps).
            long sets = user.uid() == 0 ? keep : 0;
            c.add(new Op.Caps(-1L, sets, sets, 0, 0));
        }
        if (seccomp != null && nnp) c.add(seccomp);
        c.add(new Op.CloseFds());
        // Last, so init runs with exactly the payload's credentials, capabilities and filter.
        if (spec.init() && spec.linux().namespacePath(Namespace.PID) != null)
            throw new InvalidSpecException("init", "an init must be PID 1 of a PID namespace of its own; this container joins "
                    + spec.linux().namespacePath(Namespace.PID));
        if (spec.init()) c.add(new Op.Init());
        c.add(new Op.Exec(spec.command().getFirst(), spec.command(), environment(spec, user, hostname)));

        int flags = Plan.NOT_DUMPABLE | (spec.detached() ? 0 : Plan.KILL_ON_EOF) | (netHelper ? Plan.NET_HELPER : 0);
        return new Plan(clone, flags, pre, parent, c);
    }

    /**
     * The stop at {@code point}: the one the runtime asked for (its flags and reason, with
     * {@code flags} added when this compiler needs the stop too), or this compiler's own when
     * {@code needed}, or none.
     */
    private static Op.Hook stop(Inputs in, HookPoint point, boolean needed, int flags, String why) {
        Op.Hook asked = in.stops().get(point);
        if (asked != null) return needed ? new Op.Hook(point, asked.flags() | flags, why + "; " + asked.why()) : asked;
        return needed ? new Op.Hook(point, flags, why) : null;
    }

    /**
     * Whether the cgroups of {@code in} are made while the child sets up ({@link Inputs#cgroupsDeferred}
     * allows it): only where the late self-move still works — the child writes the host's v1 tasks
     * files after becoming root of its user namespace, so that root must be the host's (the
     * default for a root JVM); v2's cgroup.procs is written by the launcher, before the child
     * goes; and not with id maps through newuidmap (the child's ids are not the host's root).
     */
    public boolean defersCgroups(ContainerSpec spec, Inputs in) {
        boolean placement = in.cgroupProcsFiles().stream().anyMatch(f -> f.endsWith("/tasks"))
                || (spec.has(Namespace.CGROUP) && spec.linux().namespacePath(Namespace.CGROUP) == null);
        return defersCgroups(spec, in, idMaps(spec, in.user()), placement);
    }

    private static boolean defersCgroups(ContainerSpec spec, Inputs in, IdMaps maps, boolean placement) {
        return in.cgroupsDeferred() && placement && !maps.viaHelper()
                && in.cgroupProcsFiles().stream().allMatch(f -> f.endsWith("/tasks"))
                && (!spec.has(Namespace.USER) || (mapsRootToRoot(maps.uid()) && mapsRootToRoot(maps.gid())));
    }

    /**
     * The user namespace's maps when they must be written by newuidmap/newgidmap (a non-root JVM
     * mapping more than its own ids): the JVM's work at the {@link HookPoint#CREATE_RUNTIME} stop,
     * which the plan has then. Empty when the launcher writes them itself, or without a user namespace.
     */
    public java.util.Optional<IdMaps> idMapsViaHelper(ContainerSpec spec, Passwd.User user) {
        IdMaps maps = idMaps(spec, user);
        return maps.viaHelper() ? java.util.Optional.of(maps) : java.util.Optional.empty();
    }

    /** Whether the child becomes its user namespace's root during the setup ({@link #switchToNamespaceRoot}). */
    private static boolean switchesToNamespaceRoot(ContainerSpec spec, IdMaps maps) {
        return spec.has(Namespace.USER) && maps.uidMapped(0) && maps.gidMapped(0);
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
        for (int i = 0; i < c.size(); i++) if (c.get(i) instanceof Op.Mount m && (m.mflags() & Op.NEW_ROOT) != 0) rootOpen = i;
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
     *
     * <p>{@code nsRootOwns}: the child switches to its namespace's root right after this tmpfs
     * is mounted ({@link #switchToNamespaceRoot}), so the tmpfs's root directory must be that
     * root's ({@code uid=0,gid=0}, read in the child's user namespace). Otherwise it would be
     * the host uid the child was cloned with, which a map like 0 -> 100000 leaves unmapped: the
     * switched child could not create /usr in it (EACCES), and no capability inside helps with
     * an inode whose owner does not exist there.
     */
    private void defaultRoot(List<Op> c, String mnt, String hostname, boolean nsRootOwns) {
        c.add(new Op.Mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64m,nr_inodes=" + Mount.Tmpfs.inodesFor(64L << 20)
                + (nsRootOwns ? ",uid=0,gid=0" : ""), Op.NEW_ROOT));
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

    /** The terminal sent to a console socket ({@link io.jcontainer.Stdio.Console}), or null. */
    public static Op.Console consoleOp(ContainerSpec spec) {
        if (!(spec.stdin() instanceof io.jcontainer.Stdio.Console)) return null;
        if (!spec.tty()) throw new io.jcontainer.InvalidSpecException("stdin", "a console socket needs a terminal (tty(true))");
        var size = spec.process().consoleSize();
        return size == null ? new Op.Console(0, 0) : new Op.Console(size.height(), size.width());
    }

    /** A minimal /dev: tmpfs, the six safe devices bound from the host, devpts, shm, mqueue, links. */
    private void dev(List<Op> c, ContainerSpec spec, IdMaps maps) {
        // nodev on the tmpfs itself: the devices bound below are mounts of their own and keep
        // working; a node made with mknod in /dev does not.
        c.add(new Op.Mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | Op.MS_STRICTATIME, "mode=755,size=65536k,nr_inodes=" + Mount.Tmpfs.inodesFor(64L << 20), IN_ROOT | MKDIR));
        for (String d : DEVICES)
            c.add(new Op.Mount("/dev/" + d, "/dev/" + d, "", MS_BIND, "", IN_ROOT | MKFILE));
        // gid=5 (tty) only where that group exists inside: an unmapped gid makes the mount fail.
        String ptsOpts = "newinstance,ptmxmode=0666,mode=0620" + (maps.gidMapped(5) ? ",gid=5" : "");
        c.add(new Op.Mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, ptsOpts, IN_ROOT | MKDIR));
        c.add(new Op.Symlink("pts/ptmx", "/dev/ptmx"));
        // The terminal is a pty of the host's devpts, which this devpts does not list: bound as
        // /dev/console (as docker's console) and opened there again, so that after pivot_root
        // ttyname(3) — and tty(1) — find it inside. Before the setup, fd 0 is the pty's slave.
        // A console socket's terminal is allocated later from this devpts (OP_CONSOLE): nothing to bind.
        if (spec.tty() && !(spec.stdin() instanceof io.jcontainer.Stdio.Console)) c.add(new Op.ReopenTty(CONSOLE));
        c.add(new Op.Mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k,nr_inodes=" + Mount.Tmpfs.inodesFor(64L << 20), IN_ROOT | MKDIR));
        if (spec.has(Namespace.IPC))
            c.add(new Op.Mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, "", IN_ROOT | MKDIR));
        c.add(new Op.Symlink("/proc/self/fd", "/dev/fd"));
        c.add(new Op.Symlink("/proc/self/fd/0", "/dev/stdin"));
        c.add(new Op.Symlink("/proc/self/fd/1", "/dev/stdout"));
        c.add(new Op.Symlink("/proc/self/fd/2", "/dev/stderr"));
    }

    /** Whether "/" must be rslave rather than rprivate: some mount, or the root, asks for propagation from the host. */
    private static boolean wantsSlave(ContainerSpec spec) {
        Propagation r = spec.linux().rootfsPropagation();
        if (r != null && r != Propagation.PRIVATE && r != Propagation.RPRIVATE) return true;
        for (Mount m : spec.mounts())
            if (m instanceof Mount.Generic g)
                for (String o : g.options()) {
                    Propagation p = Propagation.fromOption(o);
                    if (p != null && p != Propagation.PRIVATE && p != Propagation.RPRIVATE) return true;
                }
        return false;
    }

    static long propagationFlags(Propagation p) {
        long f = switch (p) {
            case PRIVATE, RPRIVATE -> MS_PRIVATE;
            case SLAVE, RSLAVE -> MS_SLAVE;
            case SHARED, RSHARED -> MS_SHARED;
            case UNBINDABLE, RUNBINDABLE -> MS_UNBINDABLE;
        };
        return f | (p.recursive() ? MS_REC : 0);
    }

    /** overlayfs options; {@code userxattr} in a user namespace (trusted.* xattrs need init-namespace root). */
    public static String overlayOptions(Root.Overlay o, boolean userns, boolean throwAway) {
        StringBuilder b = new StringBuilder("lowerdir=");
        b.append(String.join(":", o.lowerDirs().stream().map(Object::toString).toList()));
        if (o.upper() != null) b.append(",upperdir=").append(o.upper()).append(",workdir=").append(o.work());
        // A throw-away upper needs no durability: without "volatile", the overlay's unmount (the
        // container's mount namespace going away) syncs the whole upper file system — every dirty
        // page on that disk, not only the container's — on the container's exit path.
        // Only for an upper nobody mounts again: a volatile overlay leaves work/work/incompat/volatile,
        // which makes the next mount of the same upper fail — a recorded container's restart would.
        if (o.upper() != null && throwAway && VOLATILE_OVERLAY) b.append(",volatile");
        if (userns) b.append(",userxattr");
        return b.toString();
    }

    /** An owned upper of an attached, unnamed container: removed when its handle closes, never remounted. */
    static boolean throwAwayUpper(ContainerSpec spec, Root.Overlay o) {
        return o.removeWithContainer() && !spec.detached() && spec.name() == null
                && spec.restartPolicy().mode() == io.jcontainer.RestartPolicy.Mode.NO;
    }

    /** overlayfs' {@code volatile} option: Linux 5.10 and later. */
    private static final boolean VOLATILE_OVERLAY = atLeast(System.getProperty("os.version", "0.0"), 5, 10);

    static boolean atLeast(String osVersion, int major, int minor) {
        var m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(osVersion.trim());
        if (!m.find()) return false;
        int ma = Integer.parseInt(m.group(1)), mi = Integer.parseInt(m.group(2));
        return ma > major || ma == major && mi >= minor;
    }

    /** A device node, bound from the host's (see {@link io.jcontainer.linux.rootfs.DeviceNodes}). */
    private static Op deviceOp(Device d) {
        var node = io.jcontainer.linux.rootfs.DeviceNodes.resolve(d);
        return new Op.Mount(node.path(), d.path(), "", MS_BIND, "", IN_ROOT | MKFILE);
    }

    /** IPC keys docker accepts (with a new IPC namespace); {@code fs.mqueue.*} too. */
    private static final java.util.Set<String> IPC_SYSCTLS = java.util.Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    /**
     * docker's {@code --sysctl}: only keys the container's own namespaces scope (IPC keys with
     * an IPC namespace, {@code net.*} with a network namespace, the UTS names with a UTS one);
     * anything else would change the host, and is refused. Written under /proc/sys inside.
     */
    private static List<Op> sysctlOps(ContainerSpec spec) {
        List<Op> ops = new ArrayList<>();
        spec.linux().sysctl().forEach((key, value) -> {
            String k = key.replace('/', '.');
            Namespace ns = IPC_SYSCTLS.contains(k) || k.startsWith("fs.mqueue.") ? Namespace.IPC
                    : k.startsWith("net.") ? Namespace.NET
                    : k.equals("kernel.hostname") || k.equals("kernel.domainname") ? Namespace.UTS : null;
            if (ns == null)
                throw new InvalidSpecException("sysctl", "'" + key + "' is not namespaced: setting it would change the host (allowed: "
                        + "kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*, kernel.hostname, kernel.domainname)");
            if (!spec.has(ns))
                throw new InvalidSpecException("sysctl", "'" + key + "' needs the container's own " + ns + " namespace (it would change the host's)");
            ops.add(new Op.WriteFile("/proc/sys/" + k.replace('.', '/'), 0644, value.getBytes(StandardCharsets.UTF_8)));
        });
        return ops;
    }

    /** mount(8) options that are flags; {@code true} sets, {@code false} clears. */
    private static final Map<String, Map.Entry<Long, Boolean>> FLAG_OPTIONS = Map.ofEntries(
            Map.entry("ro", Map.entry(MS_RDONLY, true)), Map.entry("rw", Map.entry(MS_RDONLY, false)),
            Map.entry("nosuid", Map.entry(MS_NOSUID, true)), Map.entry("suid", Map.entry(MS_NOSUID, false)),
            Map.entry("nodev", Map.entry(MS_NODEV, true)), Map.entry("dev", Map.entry(MS_NODEV, false)),
            Map.entry("noexec", Map.entry(MS_NOEXEC, true)), Map.entry("exec", Map.entry(MS_NOEXEC, false)),
            Map.entry("sync", Map.entry(16L, true)), Map.entry("async", Map.entry(16L, false)),
            Map.entry("mand", Map.entry(64L, true)), Map.entry("nomand", Map.entry(64L, false)),
            Map.entry("dirsync", Map.entry(128L, true)), Map.entry("nosymfollow", Map.entry(256L, true)),
            Map.entry("noatime", Map.entry(1024L, true)), Map.entry("atime", Map.entry(1024L, false)),
            Map.entry("nodiratime", Map.entry(2048L, true)), Map.entry("diratime", Map.entry(2048L, false)),
            Map.entry("relatime", Map.entry(MS_RELATIME, true)), Map.entry("norelatime", Map.entry(MS_RELATIME, false)),
            Map.entry("strictatime", Map.entry(MS_STRICTATIME, true)), Map.entry("nostrictatime", Map.entry(MS_STRICTATIME, false)),
            Map.entry("bind", Map.entry(MS_BIND, true)), Map.entry("rbind", Map.entry(MS_BIND | MS_REC, true)),
            Map.entry("silent", Map.entry(32768L, true)), Map.entry("loud", Map.entry(32768L, false)));

    /** Options of runc and others that are not mount(2) flags nor filesystem data: refused by name. */
    private static final java.util.Set<String> UNSUPPORTED_OPTIONS = java.util.Set.of("remount", "tmpcopyup", "idmap", "ridmap",
            "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnoatime", "ratime", "rrelatime",
            "rnorelatime", "rnodiratime", "rdiratime", "rstrictatime", "rnostrictatime", "rnosymfollow", "nocopy", "copy");

    static final String CGROUP_FS = "/sys/fs/cgroup";
    /** Where a container's terminal is bound (see {@link #dev}). */
    static final String CONSOLE = "/dev/console";

    /**
     * {@code /sys/fs/cgroup} as docker shows it: the container's own cgroups, read-only, as the
     * roots of their hierarchies — so a JVM, Go's runtime or nproc inside reads its limits, and
     * nothing above its cgroup shows. v1: a read-only tmpfs with each hierarchy's cgroup bound at
     * {@code /sys/fs/cgroup/<controllers>}; v2: the container's cgroup bound on
     * {@code /sys/fs/cgroup}. Only when asked for ({@link Mount#cgroupView()}, OCI's "cgroup"
     * mount): on v1 it costs a tmpfs and a bind per hierarchy, which a library start should not
     * pay unasked. A container without cgroups of its own keeps what its /sys has there (nothing,
     * or the host's read-only without a network namespace), and so does one with other mounts of
     * its own there.
     */
    static List<Op> cgroupFsOps(ContainerSpec spec, Inputs in) {
        if (!spec.cgroupView()) return List.of();
        for (Mount m : spec.mounts())
            if (!Mount.isCgroupView(m) && (m.target().equals("/sys") || m.target().equals(CGROUP_FS) || m.target().startsWith(CGROUP_FS + "/")))
                return List.of();
        long ro = MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        List<Op> binds = new ArrayList<>();
        boolean v1 = false;
        for (String f : in.cgroupProcsFiles()) {
            String dir = f.substring(0, f.lastIndexOf('/'));
            if (!dir.startsWith(CGROUP_FS + "/")) continue;
            if (f.endsWith("/tasks")) {
                v1 = true;
                String hierarchy = dir.substring(CGROUP_FS.length() + 1);
                if (hierarchy.contains("/")) hierarchy = hierarchy.substring(0, hierarchy.indexOf('/'));
                binds.add(new Op.Mount(dir, CGROUP_FS + "/" + hierarchy, "", ro, "", IN_ROOT | MKDIR));
                // a joint hierarchy (cpu,cpuacct) is also reached by each controller's name, as on the host
                if (hierarchy.contains(","))
                    for (String part : hierarchy.split(",")) if (!part.startsWith("name=")) binds.add(new Op.Symlink(hierarchy, CGROUP_FS + "/" + part));
            } else {
                return List.of(new Op.Mount(dir, CGROUP_FS, "", ro, "", IN_ROOT));
            }
        }
        if (!v1) return List.of();
        List<Op> ops = new ArrayList<>();
        ops.add(new Op.Mount("tmpfs", CGROUP_FS, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k", IN_ROOT));
        ops.addAll(binds);
        ops.add(new Op.Remount(CGROUP_FS, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, IN_ROOT | Op.NO_SELF_BIND)); // our own mount: no bind of it first
        return ops;
    }

    /**
     * The runtime's generated /etc files, bound over their targets before the spec's mounts (a
     * {@code -v} onto /etc/hosts replaces ours, as docker's does). A user's directory root is used
     * in place, so nothing is created in it: a target it lacks (or a dangling symlink) is skipped —
     * except a network's files (its peers' names are what the network is for): their mount point is
     * made, an empty file that stays (docs/cli.md says so). The default root's tmpfs and an image's
     * overlay belong to the container: the mount point is made there. Writable even under a read-only root, as docker's: the remount of "/" does not
     * reach these mounts.
     */
    static List<Op> etcFileOps(ContainerSpec spec, Inputs in) {
        if (in.etcFiles().isEmpty()) return List.of();
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (Mount m : spec.mounts()) taken.add(m.target());
        boolean inPlace = spec.root() instanceof Root.Directory && !in.rootOwned();
        List<Op> ops = new ArrayList<>();
        for (var e : in.etcFiles().entrySet()) {
            int where = inPlace && !in.networkEtc().contains(e.getKey()) ? Op.TARGET_OPTIONAL : MKFILE;
            if (!taken.contains(e.getKey())) ops.add(new Op.Mount(e.getValue(), e.getKey(), "", MS_BIND, "", IN_ROOT | where));
        }
        return ops;
    }

    private static List<Op> mountOps(Mount m) {
        if (Mount.isCgroupView(m)) return List.of(); // cgroupFsOps, once the container's cgroups exist
        return switch (m) {
            case Mount.Bind b -> {
                boolean dir = Files.isDirectory(b.source());
                if (!Files.exists(b.source()))
                    throw new InvalidSpecException("mount", "bind source " + b.source() + " does not exist");
                // a bound directory is nodev (nodes made in it must not open host devices); a bound
                // single file may be a device the caller means to hand in
                long flags = MS_BIND | (b.recursive() ? MS_REC : 0) | (b.readOnly() ? MS_RDONLY : 0) | (dir ? MS_NODEV : 0);
                yield List.of(new Op.Mount(b.source().toString(), b.target(), "", flags, "", IN_ROOT | (dir ? MKDIR : MKFILE)));
            }
            case Mount.Tmpfs t -> {
                StringBuilder opts = new StringBuilder("mode=").append(Integer.toOctalString(t.mode()));
                if (t.size() != null) opts.append(",size=").append(t.size().bytes());
                if (t.inodeLimit() > 0) opts.append(",nr_inodes=").append(t.inodeLimit());
                long flags = MS_NOSUID | MS_NODEV | (t.readOnly() ? MS_RDONLY : 0) | (t.noExec() ? MS_NOEXEC : 0);
                yield List.of(new Op.Mount("tmpfs", t.target(), "tmpfs", flags, opts.toString(), IN_ROOT | MKDIR));
            }
            case Mount.Generic g -> genericMountOps(g);
        };
    }

    /**
     * OCI's generic mount: flag options become mount(2) flags, propagation a second mount(2)
     * on the target, {@code z}/{@code Z} nothing on a host without SELinux (refused with it),
     * the rest the filesystem's data. A bound directory, and any non-bind filesystem, is nodev
     * unless {@code dev} is asked for explicitly.
     */
    static List<Op> genericMountOps(Mount.Generic g) {
        long set = 0, clear = 0;
        Propagation prop = null;
        boolean devAsked = false;
        List<String> data = new ArrayList<>();
        for (String o : g.options()) {
            var flag = FLAG_OPTIONS.get(o);
            Propagation p = Propagation.fromOption(o);
            if (flag != null) {
                if (flag.getValue()) { set |= flag.getKey(); clear &= ~flag.getKey(); } else { clear |= flag.getKey(); set &= ~flag.getKey(); }
                if (o.equals("dev")) devAsked = true;
            } else if (p != null) {
                prop = p;
            } else if (o.equals("z") || o.equals("Z")) {
                if (Files.exists(java.nio.file.Path.of("/sys/fs/selinux/enforce")))
                    throw new InvalidSpecException("mount", g.target() + ": option '" + o + "' (SELinux relabelling) is not supported on this SELinux host");
                // no SELinux here: nothing to relabel, as docker does on such a host
            } else if (o.equals("defaults")) {
                // mount(8)'s rw,suid,dev,exec,async: the kernel's defaults already
            } else if (UNSUPPORTED_OPTIONS.contains(o)) {
                throw new InvalidSpecException("mount", g.target() + ": option '" + o + "' is not supported");
            } else {
                data.add(o);
            }
        }
        boolean bind = g.isBind() || (set & MS_BIND) != 0;
        if (bind) set |= MS_BIND;
        // a sized tmpfs holds at most one file per KiB unless nr_inodes says otherwise (row 37)
        if (g.type().equals("tmpfs") && data.stream().noneMatch(o -> o.startsWith("nr_inodes="))) {
            data.stream().filter(o -> o.startsWith("size=") && !o.endsWith("%")).findFirst().ifPresent(o -> {
                long bytes;
                try {
                    bytes = io.jcontainer.DataSize.parse(o.substring(5)).bytes();
                } catch (RuntimeException e) {
                    return; // the kernel names what it cannot parse
                }
                if (bytes > 0) data.add("nr_inodes=" + Mount.Tmpfs.inodesFor(bytes));
            });
        }
        if (bind && !data.isEmpty())
            throw new InvalidSpecException("mount", g.target() + ": option(s) " + data + " mean nothing to a bind mount");
        int where = IN_ROOT | MKDIR;
        if (bind) {
            if (g.source() == null || !g.source().startsWith("/"))
                throw new InvalidSpecException("mount", g.target() + ": a bind mount needs an absolute source, got '" + g.source() + "'");
            java.nio.file.Path src = java.nio.file.Path.of(g.source());
            if (!Files.exists(src)) throw new InvalidSpecException("mount", "bind source " + src + " does not exist");
            boolean dir = Files.isDirectory(src);
            if (!dir) where = IN_ROOT | MKFILE;
            if (dir && !devAsked) set |= MS_NODEV;
        } else if (!devAsked) {
            set |= MS_NODEV;
        }
        List<Op> ops = new ArrayList<>();
        ops.add(new Op.Mount(g.source() == null ? (bind ? "" : g.type()) : g.source(), g.target(), bind ? "" : g.type(),
                set, String.join(",", data), where));
        if (prop != null) ops.add(new Op.Mount("", g.target(), "", propagationFlags(prop), "", IN_ROOT));
        return ops;
    }

    private static Passwd.User withAdditionalGids(Passwd.User user, ContainerSpec spec) {
        List<Integer> extra = spec.process().user().additionalGids();
        if (extra.isEmpty()) return user;
        List<Integer> groups = new ArrayList<>(user.groups());
        for (int g : extra) if (!groups.contains(g)) groups.add(g);
        return new Passwd.User(user.uid(), user.gid(), groups, user.home());
    }

    private static long mask(java.util.Set<Capability> caps) {
        long m = 0;
        if (caps != null) for (Capability cap : caps) m |= 1L << cap.number();
        return m;
    }

    /**
     * Without a user namespace the container inherits the JVM's bounding set: a capability missing
     * there cannot be granted (capset fails with a bare EPERM). {@code privileged()} means "all
     * there is"; an explicit request for a missing one is an error naming it.
     */
    private long withinBoundingSet(ContainerSpec spec, long keep) {
        long missing = keep & ~host.boundingSet();
        if (missing == 0) return keep;
        if (spec.capabilities().containsAll(java.util.EnumSet.allOf(Capability.class))) return keep & host.boundingSet();
        List<String> names = new ArrayList<>();
        for (Capability cap : spec.capabilities()) if ((missing & (1L << cap.number())) != 0) names.add(cap.name());
        throw new InvalidSpecException("capabilities", "the JVM's own bounding set lacks " + names
                + ", so the container cannot be given them (drop them, or run the JVM with them)");
    }

    /**
     * In a user namespace only mapped ids exist: the payload's uid and gid must be mapped (else
     * setresuid fails with a bare EINVAL); supplementary groups outside the map are left out, as
     * they cannot be held there.
     */
    private Passwd.User mappedUser(Passwd.User user, IdMaps maps) {
        if (maps.uid().isEmpty()) return user;
        if (!IdMaps.mapped(maps.uid(), user.uid()))
            throw new InvalidSpecException("user", "uid " + user.uid() + " is not mapped in the user namespace (uid map: "
                    + maps.uidText().trim().replace('\n', ',') + ")" + whyOnlyOwnIds() + "; map it with uidMap(...), or run as root inside");
        if (!IdMaps.mapped(maps.gid(), user.gid()))
            throw new InvalidSpecException("user", "gid " + user.gid() + " is not mapped in the user namespace (gid map: "
                    + maps.gidText().trim().replace('\n', ',') + ")" + whyOnlyOwnIds() + "; map it with gidMap(...)");
        List<Integer> groups = user.groups().stream().filter(g -> IdMaps.mapped(maps.gid(), g)).toList();
        return groups.equals(user.groups()) ? user : new Passwd.User(user.uid(), user.gid(), groups, user.home());
    }

    /**
     * Why a non-root JVM's default map holds only its own ids (else empty): what is missing for
     * the subordinate ranges that would map the payload's user too.
     */
    private String whyOnlyOwnIds() {
        if (host.isRoot() || sub.usable()) return "";
        String user = System.getProperty("user.name");
        if (sub.newuidmap() == null || sub.newgidmap() == null)
            return ": a non-root JVM maps other ids only through the setuid helpers newuidmap and newgidmap, which are not installed"
                    + " (Debian/Ubuntu: apt-get install uidmap; Fedora: shadow-utils)"
                    + (sub.uids().isEmpty() || sub.gids().isEmpty() ? ", with ranges for " + user + " in /etc/subuid and /etc/subgid" : "");
        return ": a non-root JVM maps other ids only within its ranges in /etc/subuid and /etc/subgid, and " + user + " has none"
                + " (e.g. usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + user + ")";
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
    public record IdMaps(List<IdMap> uid, List<IdMap> gid, boolean viaHelper) {
        IdMaps(List<IdMap> uid, List<IdMap> gid) {
            this(uid, gid, false);
        }

        String uidText() {
            return text(uid);
        }

        String gidText() {
            return text(gid);
        }

        boolean gidMapped(long id) {
            if (gid.isEmpty()) return true; // no user namespace: every gid exists
            return mapped(gid, id);
        }

        boolean uidMapped(long id) {
            if (uid.isEmpty()) return true;
            return mapped(uid, id);
        }

        static boolean mapped(List<IdMap> maps, long id) {
            for (IdMap m : maps) if (id >= m.containerId() && id < m.containerId() + m.size()) return true;
            return false;
        }

        private static String text(List<IdMap> maps) {
            StringBuilder b = new StringBuilder();
            for (IdMap m : maps) b.append(m).append('\n');
            return b.toString();
        }
    }

    /**
     * The user namespace's maps. Root writes any map itself. A non-root JVM writes only its own
     * uid/gid (container root = the calling user); anything wider — explicit maps, or a payload
     * user other than root — goes through newuidmap/newgidmap within its /etc/subuid and
     * /etc/subgid ranges (container 0 = the JVM's id, 1.. = the first subordinate range).
     */
    private IdMaps idMaps(ContainerSpec spec, Passwd.User user) {
        if (!spec.has(Namespace.USER)) return new IdMaps(List.of(), List.of());
        List<IdMap> ownUid = List.of(new IdMap(0, host.euid(), 1)), ownGid = List.of(new IdMap(0, host.egid(), 1));
        List<IdMap> uid = spec.uidMap(), gid = spec.gidMap();
        if (host.isRoot()) {
            // unprivilegedRoot (UNTRUSTED): root inside is an id no host user owns, never host root
            if (spec.unprivilegedRoot() && uid.isEmpty() && gid.isEmpty()) {
                List<List<IdMap>> range = unprivileged();
                return new IdMaps(range.get(0), range.get(1));
            }
            return new IdMaps(uid.isEmpty() ? ownUid : uid, gid.isEmpty() ? ownGid : gid);
        }
        boolean payloadIsRoot = user.uid() == 0 && user.gid() == 0 && user.groups().stream().allMatch(g -> g == 0);
        if (uid.isEmpty()) uid = payloadIsRoot || !sub.usable() ? ownUid : SubordinateIds.defaultMap(host.euid(), sub.uids());
        if (gid.isEmpty()) gid = payloadIsRoot || !sub.usable() ? ownGid : SubordinateIds.defaultMap(host.egid(), sub.gids());
        if (uid.equals(ownUid) && gid.equals(ownGid)) return new IdMaps(uid, gid);
        if (sub.newuidmap() == null || sub.newgidmap() == null)
            throw new HostUnsupportedException("a non-root JVM (uid " + host.euid() + ") can map only its own uid and gid; the maps "
                    + uid + " / " + gid + " need the setuid helpers newuidmap and newgidmap, which are not installed",
                    "install them (Debian/Ubuntu: apt-get install uidmap; Fedora: shadow-utils) and give the user ranges in /etc/subuid and /etc/subgid");
        checkAllowed("uid", uid, host.euid(), sub.uids(), "/etc/subuid");
        checkAllowed("gid", gid, host.egid(), sub.gids(), "/etc/subgid");
        return new IdMaps(uid, gid, true);
    }

    private static void checkAllowed(String kind, List<IdMap> maps, int own, List<IdMap> ranges, String file) {
        for (IdMap m : maps) {
            boolean ok = (m.size() == 1 && m.hostId() == own) || SubordinateIds.covers(ranges, m.hostId(), m.size());
            if (!ok)
                throw new InvalidSpecException("idmap", "host " + kind + "s " + m.hostId() + ".." + (m.hostId() + m.size() - 1)
                        + " (map " + m + ") are neither this JVM's own " + kind + " " + own + " nor inside its " + file + " ranges "
                        + (ranges.isEmpty() ? "(none: add some, e.g. usermod --add-sub" + kind + "s 100000-165535 "
                        + System.getProperty("user.name") + ")" : ranges.stream().map(r -> r.hostId() + "+" + r.size()).toList()));
        }
    }
}
