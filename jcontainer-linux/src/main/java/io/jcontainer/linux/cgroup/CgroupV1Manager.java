package io.jcontainer.linux.cgroup;

import io.jcontainer.ContainerSpec;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Namespace;
import io.jcontainer.Resources;
import io.jcontainer.linux.Settings;
import io.jcontainer.linux.sys.SyscallException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v1, including hybrid hosts (v1 controllers plus a cgroup2 tree, usually without
 * controllers, as on systemd's "hybrid" layout). Each container gets a directory in the hierarchy
 * of each controller its limits need, plus the freezer (kill-all by freeze-kill-thaw, pause),
 * cpuacct (CPU time) and, without a user namespace, devices (an allowlist, see
 * {@link DevicesController}).
 *
 * <p>The cgroup2 tree of a hybrid host is not used for containers, although cgroup.kill and
 * cgroup.freeze would be handy there: joining a cgroup2 cgroup takes a cgroup.procs write, and
 * that write waits for an RCU grace period (5–15 ms measured on this host, under load), while a
 * v1 {@code tasks} self-move does not (see {@link ContainerCgroup#procsFiles()}). Every v1 directory
 * costs ~30–70 µs to make and remove, so only these are made.
 */
public final class CgroupV1Manager implements CgroupManager {
    /** The resource hierarchies every detached container gets a directory in (see prepare). */
    static final List<String> DETACHED_CONTROLLERS = List.of("memory", "cpu", "cpuset", "pids", "blkio");

    private final CgroupFs fs;
    private final CgroupHost host;
    /** Controllers whose hierarchy this JVM may create cgroups in; checked once (access(2) per start costs ~10 µs each). */
    private final Set<String> writable;

    public CgroupV1Manager(CgroupFs fs, CgroupHost host) {
        this.fs = fs;
        this.host = host;
        Set<String> w = new HashSet<>();
        host.v1().forEach((c, h) -> {
            if (h.dir() != null && fs.writable(h.dir())) w.add(c);
        });
        this.writable = Set.copyOf(w);
    }

    @Override
    public ContainerCgroup create(String containerId, Resources r) {
        return create(containerId, r, false);
    }

    @Override
    public ContainerCgroup create(String containerId, Resources r, boolean detached) {
        return create(containerId, r, detached, true);
    }

    /**
     * The devices allowlist only where it adds protection: without a user namespace the
     * container's root may hold CAP_MKNOD and open any device node it makes. In a user namespace
     * the kernel refuses mknod of devices anyway, and the allowlist's nine writes (~10–80 µs
     * each on v1) stay off the start path.
     */
    @Override
    public ContainerCgroup create(String containerId, ContainerSpec spec) {
        if (!CgroupManager.needsCgroup(spec)) return null;
        PreparedCgroup p = prepare(containerId, spec.resources(), spec.detached(), !spec.has(Namespace.USER), false, deviceRules(spec),
                spec.linux().cgroupsPath(), spec.cgroupView());
        return p == null ? null : p.realize();
    }

    /** docker's {@code --device}: each device also gets its rule in the allowlist. */
    private static List<String> deviceRules(ContainerSpec spec) {
        return spec.linux().devices().stream()
                .map(d -> io.jcontainer.linux.rootfs.DeviceNodes.resolve(d).cgroupRule(d.permissions())).toList();
    }

    ContainerCgroup create(String containerId, Resources r, boolean detached, boolean deviceAllowlist) {
        PreparedCgroup p = prepare(containerId, r, detached, deviceAllowlist);
        return p == null ? null : p.realize();
    }

    /**
     * The freezer waits for the first pause where nothing else needs it: with a PID namespace,
     * kill-all is PID 1's death (the kernel kills the rest of the namespace), so only
     * {@code pause()} uses it, and only a handle in this JVM can call that — a detached or named
     * container may be paused by a later process through state.json, which records the
     * directories made at start. A v1 directory costs a mkdir, the child's self-move and an rmdir
     * on every start (~80 µs of the ~0.45 ms that limits add here, docs/cgroups.md); the first
     * pause pays one RCU grace period instead (see {@link LinuxContainerCgroup#freeze()}).
     */
    @Override
    public PreparedCgroup prepare(String containerId, ContainerSpec spec) {
        if (!CgroupManager.needsCgroup(spec)) return null;
        boolean lazyFreezer = spec.has(Namespace.PID) && !spec.detached() && spec.name() == null
                && Settings.lazyFreezer(); // off: for comparison in benchmarks
        return prepare(containerId, spec.resources(), spec.detached(), !spec.has(Namespace.USER), lazyFreezer, deviceRules(spec),
                spec.linux().cgroupsPath(), spec.cgroupView());
    }

    PreparedCgroup prepare(String containerId, Resources r, boolean detached, boolean deviceAllowlist) {
        return prepare(containerId, r, detached, deviceAllowlist, false, List.of(), null, false);
    }

    /**
     * Validates and names; the mkdirs and writes wait for {@link PreparedCgroup#realize()}.
     *
     * @param cgroupsPath OCI's {@code linux.cgroupsPath}, or null for jcontainer's own name under the JVM's cgroup
     * @param cgroupView  the container shows its cgroups at /sys/fs/cgroup ({@code Mount.cgroupView()})
     */
    PreparedCgroup prepare(String containerId, Resources r, boolean detached, boolean deviceAllowlist, boolean lazyFreezer,
                           List<String> extraDeviceRules, String cgroupsPath, boolean cgroupView) {
        CgroupManagers.validate(r);
        String path = cgroupsPath == null ? null : CgroupManagers.checkCgroupsPath(cgroupsPath);
        var devices = IoController.resolve(fs, r);

        // Which hierarchies, and the parent directory (the JVM's cgroup) in each.
        Map<String, String> wanted = new LinkedHashMap<>(); // controller → setting that asked for it
        if (MemoryController.wanted(r)) wanted.put("memory", "memory");
        if (CpuController.wanted(r)) wanted.put("cpu", "cpus");
        if (CpusetController.wanted(r)) wanted.put("cpuset", "cpuset-cpus");
        if (PidsController.wanted(r)) wanted.put("pids", "pids-limit");
        if (IoController.wanted(r)) wanted.put("blkio", r.blkioWeight() > 0 ? "blkio-weight" : "device");
        for (var e : wanted.entrySet()) {
            CgroupHost.Hierarchy h = host.v1().get(e.getKey());
            if (h == null) throw CgroupManagers.notAvailable(e.getValue(), e.getKey());
            if (!writable(e.getKey()))
                throw new HostUnsupportedException(e.getValue() + " cannot be applied: the JVM's " + e.getKey() + " cgroup "
                        + (h.dir() == null ? "is not visible in this mount namespace" : h.dir() + " is not writable by this user"),
                        "on cgroup v1 only root can create cgroups: run as root, or move the host to cgroup v2 with a delegated subtree (systemd: Delegate=yes)");
        }
        if (wanted.containsKey("cpuset")) CpusetController.validate(new Dir(fs, host.v1().get("cpuset").dir(), false), r);
        // A detached container is docker's: stats and update from later processes need a directory in
        // every resource hierarchy, limited or not (v1 cannot add one under a running container
        // without moving its processes). A new cpuset directory gets its parent's sets (CpusetController).
        if (detached) for (String c : DETACHED_CONTROLLERS) if (writable(c)) wanted.putIfAbsent(c, null);
        // A container with limits that shows its cgroups (the cgroup view, PlanCompiler.cgroupFsOps)
        // gets a cgroup in each hierarchy a JVM inside looks for its limits in (it finds none
        // unless memory, cpu, cpuacct and cpuset are all there), as docker's has. Unlimited ones
        // cost a mkdir each, so only containers that asked for the view pay them.
        if (cgroupView && !wanted.isEmpty())
            for (String c : List.of("memory", "cpu", "cpuset"))
                if (!wanted.containsKey(c) && host.v1().get(c) != null && writable(c)) wanted.put(c, null);
        if (deviceAllowlist && writable("devices")) wanted.put("devices", null);
        // kill-all and pause need the freezer; CPU time comes from cpuacct (free where co-mounted with cpu)
        if (writable("freezer") && !lazyFreezer) wanted.put("freezer", null);
        if (writable("cpuacct")) wanted.put("cpuacct", null);
        if (wanted.isEmpty()) return null; // nothing writable and nothing asked for

        String name = CgroupManagers.containerName(host, containerId, detached);
        Map<String, Dir> controllers = new LinkedHashMap<>(), parents = new LinkedHashMap<>();
        Map<String, Dir> byHierarchy = new LinkedHashMap<>();
        List<Dir> planned = new ArrayList<>();
        for (String c : wanted.keySet()) {
            CgroupHost.Hierarchy h = host.v1().get(c);
            Dir d = byHierarchy.get(h.dir());
            if (d == null) {
                String at = path == null ? h.dir() + "/" + name : h.dirOf(path);
                if (at == null)
                    throw new HostUnsupportedException("linux.cgroupsPath '" + path + "' is not visible in the " + c + " hierarchy here",
                            "give a path under this host's cgroup mounts");
                d = new Dir(fs, at, false);
                planned.add(d);
                byHierarchy.put(h.dir(), d);
            }
            for (String bound : h.controllers()) {
                controllers.put(bound.equals("blkio") ? "io" : bound, d);
                parents.put(bound, new Dir(fs, h.dir(), false));
            }
        }
        // A freezer co-mounted with a hierarchy made anyway comes for free; otherwise it is made at the first pause.
        CgroupHost.Hierarchy fh = host.v1().get("freezer");
        Dir lazy = lazyFreezer && writable("freezer") && !byHierarchy.containsKey(fh.dir()) && !planned.isEmpty()
                ? new Dir(fs, path == null ? fh.dir() + "/" + name : fh.dirOf(path), false) : null;
        List<String> procsFiles = planned.stream().map(d -> d.file("tasks")).toList();
        return new PreparedCgroup() {
            private boolean done;

            @Override
            public List<String> procsFiles() {
                return procsFiles;
            }

            @Override
            public List<String> dirs() {
                List<String> all = new ArrayList<>(planned.stream().map(Dir::path).toList());
                if (lazy != null) all.add(lazy.path()); // made at the first pause, if any
                return all;
            }

            @Override
            public boolean deferred() {
                return true;
            }

            @Override
            public synchronized ContainerCgroup realize() {
                if (done) throw new IllegalStateException("realized already");
                done = true;
                return make(r, wanted, controllers, parents, planned, devices, lazy, extraDeviceRules);
            }
        };
    }

    private ContainerCgroup make(Resources r, Map<String, String> wanted, Map<String, Dir> controllers, Map<String, Dir> parents,
                               List<Dir> planned, Map<Resources.DeviceLimit, String> devices, Dir lazyFreezer,
                               List<String> extraDeviceRules) {
        List<Dir> dirs = new ArrayList<>();
        boolean ok = false;
        try {
            for (Dir d : planned) {
                // a cgroupsPath's parents (left, as runc leaves them; none for our own names); a new
                // cpuset parent starts empty and would refuse its child any cpu: it gets its parent's
                for (String made : fs.mkdirParents(d.path())) {
                    if (controllers.get("cpuset") != d) continue;
                    String up = made.substring(0, made.lastIndexOf('/'));
                    fs.write(made + "/cpuset.cpus", fs.read(up + "/cpuset.cpus").strip());
                    fs.write(made + "/cpuset.mems", fs.read(up + "/cpuset.mems").strip());
                }
                fs.mkdir(d.path());
                dirs.add(d);
            }
            if (controllers.containsKey("memory")) MemoryController.apply(controllers.get("memory"), r);
            if (CpuController.wanted(r)) CpuController.apply(controllers.get("cpu"), r);
            if (controllers.containsKey("cpuset")) CpusetController.apply(controllers.get("cpuset"), parents.get("cpuset"), r);
            if (PidsController.wanted(r)) PidsController.apply(controllers.get("pids"), r);
            if (IoController.wanted(r)) IoController.apply(controllers.get("io"), r, devices);
            if (wanted.containsKey("devices")) DevicesController.apply(controllers.get("devices"), extraDeviceRules);
            ok = true;
            return new LinuxContainerCgroup(fs, controllers, parents, null, dirs, lazyFreezer);
        } finally {
            if (!ok) for (int i = dirs.size() - 1; i >= 0; i--) {
                try {
                    fs.rmdir(dirs.get(i).path());
                } catch (SyscallException ignored) {
                    // nothing ran in it; the original error matters more
                }
            }
        }
    }

    private boolean writable(String controller) {
        return writable.contains(controller);
    }

    @Override
    public void sweepStale(java.util.Set<String> keep) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (CgroupHost.Hierarchy h : host.v1().values())
            if (h.dir() != null && seen.add(h.dir()) && fs.writable(h.dir())) CgroupManagers.sweep(fs, host, h.dir(), false, keep);
        if (host.unified() != null && host.unified().dir() != null && fs.writable(host.unified().dir()))
            CgroupManagers.sweep(fs, host, host.unified().dir(), true, keep);
    }

    @Override
    public String toString() {
        return "cgroup v1" + (host.unified() != null ? " (hybrid, cgroup2 at " + host.unified().dir() + ")" : "");
    }
}
