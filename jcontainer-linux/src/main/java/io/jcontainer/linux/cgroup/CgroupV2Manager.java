package io.jcontainer.linux.cgroup;

import io.jcontainer.ContainerSpec;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Resources;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v2 (the unified hierarchy): one directory per container, below the JVM's own cgroup.
 *
 * <p><b>Delegation and the no-internal-processes rule.</b> A non-root cgroup can hand
 * controllers to its children ({@code cgroup.subtree_control}) only while it has no processes
 * of its own (cgroup-v2.rst, "No Internal Process Constraint"); the write fails with EBUSY
 * otherwise. A JVM started by systemd with {@code Delegate=yes} owns its cgroup but sits in it.
 * So, the first time a limit needs a controller that is not enabled yet, the JVM moves itself
 * into a leaf {@code jcontainer-<pid>.<start>-jvm} of its cgroup and enables the controllers
 * there; its containers become siblings of that leaf. (Moving changes /proc/self/cgroup of the
 * JVM; its own limits, set on the delegated cgroup above, still bind it.) Controllers once
 * enabled stay enabled. A container without limits needs no controller and no move.
 */
public final class CgroupV2Manager implements CgroupManager {
    private final CgroupFs fs;
    private final CgroupHost host;
    private final String base;
    private final Object enableLock = new Object();
    private volatile Set<String> enabled;
    private final boolean baseWritable;     // checked once: delegation does not change under a running JVM
    private final Set<String> available;    // cgroup.controllers of the base

    public CgroupV2Manager(CgroupFs fs, CgroupHost host) {
        this.fs = fs;
        this.host = host;
        String dir = host.unified() == null ? null : host.unified().dir();
        // a JVM that moved itself into its leaf earlier (another runtime in this JVM): use the parent
        if (dir != null && dir.endsWith("/" + CgroupManagers.jvmLeafName(host))) dir = dir.substring(0, dir.lastIndexOf('/'));
        this.base = dir;
        this.baseWritable = dir != null && fs.writable(dir);
        this.available = baseWritable && fs.exists(dir + "/cgroup.controllers")
                ? Set.of(fs.read(dir + "/cgroup.controllers").strip().split("\\s+")) : Set.of();
    }

    /**
     * v2 has no devices files: device access is a BPF program attached to the cgroup, which
     * jcontainer does not load yet. A {@code --device} with fewer permissions than {@code rwm}
     * would not be enforced, so it is refused, naming it.
     */
    @Override
    public ContainerCgroup create(String containerId, io.jcontainer.ContainerSpec spec) {
        for (io.jcontainer.Device d : spec.linux().devices())
            if (!d.permissions().equals("rwm"))
                throw new io.jcontainer.HostUnsupportedException("devices: " + d.path() + " with permissions '" + d.permissions()
                        + "' cannot be enforced on cgroup v2 yet (device access there is a BPF program jcontainer does not load)",
                        "give the device rwm, or run on a cgroup v1 host");
        if (!CgroupManager.needsCgroup(spec)) return null;
        return create(containerId, spec.resources(), spec.detached(), spec.linux().cgroupsPath());
    }

    @Override
    public ContainerCgroup create(String containerId, Resources r) {
        return create(containerId, r, false);
    }

    @Override
    public ContainerCgroup create(String containerId, Resources r, boolean detached) {
        return create(containerId, r, detached, null);
    }

    /** @param cgroupsPath OCI's {@code linux.cgroupsPath}, or null for jcontainer's own name beside the JVM */
    private ContainerCgroup create(String containerId, Resources r, boolean detached, String cgroupsPath) {
        if (cgroupsPath != null) return createAt(CgroupManagers.checkCgroupsPath(cgroupsPath), r);
        CgroupManagers.validate(r);
        var devices = IoController.resolve(fs, r);
        Map<String, String> wanted = new LinkedHashMap<>();
        if (MemoryController.wanted(r)) wanted.put("memory", "memory");
        if (CpuController.wanted(r)) wanted.put("cpu", "cpus");
        if (CpusetController.wanted(r)) wanted.put("cpuset", "cpuset-cpus");
        if (PidsController.wanted(r)) wanted.put("pids", "pids-limit");
        if (IoController.wanted(r)) wanted.put("io", r.blkioWeight() > 0 ? "blkio-weight" : "device");
        if (!baseWritable) {
            if (r.isEmpty()) return null; // rootless without delegation: containers still run, unlimited
            throw new HostUnsupportedException("resource limits need a writable cgroup, but the JVM's cgroup "
                    + (base == null ? "is not visible in this mount namespace" : base + " is not writable by this user"),
                    "run the JVM in a delegated cgroup, e.g. systemd-run --user --scope -p Delegate=yes java ..., or as root");
        }
        for (var e : wanted.entrySet())
            if (!available.contains(e.getKey())) throw CgroupManagers.notAvailable(e.getValue(), e.getKey());
        Dir parent = new Dir(fs, base, true);
        if (wanted.containsKey("cpuset")) CpusetController.validate(parent, r);
        // a detached container is docker's: stats and update from later processes need its controllers
        if (detached) for (String c : CgroupV1Manager.DETACHED_CONTROLLERS) {
            String v2 = c.equals("blkio") ? "io" : c;
            if (available.contains(v2)) wanted.putIfAbsent(v2, null);
        }
        enable(wanted.keySet());

        Dir d = new Dir(fs, base + "/" + CgroupManagers.containerName(host, containerId, detached), true);
        fs.mkdir(d.path());
        boolean ok = false;
        try {
            applyLimits(d, parent, r, devices);
            Map<String, Dir> controllers = new LinkedHashMap<>();
            for (String c : enabled()) controllers.put(c, d);
            ok = true;
            return new LinuxContainerCgroup(fs, controllers, Map.of("cpuset", parent), d, List.of(d));
        } finally {
            if (!ok) {
                try {
                    fs.rmdir(d.path());
                } catch (SyscallException ignored) {
                    // nothing ran in it
                }
            }
        }
    }

    /**
     * A container's cgroup where its OCI config says: the missing ancestors made, and in each
     * ancestor from the hierarchy's root down the controllers the limits need enabled for its
     * children (cgroup2's top-down rule). The ancestors stay, as runc leaves them.
     */
    private ContainerCgroup createAt(String path, Resources r) {
        CgroupManagers.validate(r);
        var devices = IoController.resolve(fs, r);
        Set<String> wanted = new LinkedHashSet<>();
        if (MemoryController.wanted(r)) wanted.add("memory");
        if (CpuController.wanted(r)) wanted.add("cpu");
        if (CpusetController.wanted(r)) wanted.add("cpuset");
        if (PidsController.wanted(r)) wanted.add("pids");
        if (IoController.wanted(r)) wanted.add("io");
        String at = host.unified() == null ? null : host.unified().dirOf(path);
        if (at == null)
            throw new HostUnsupportedException("linux.cgroupsPath '" + path + "' is not visible in the cgroup2 hierarchy here",
                    "give a path under this host's cgroup2 mount");
        String root = path.startsWith("/") ? at.substring(0, at.length() - path.length()) : base;
        if (root == null) throw new HostUnsupportedException("the JVM's cgroup is not visible: a relative linux.cgroupsPath cannot be placed", "use an absolute one");
        String parentPath = at.substring(0, at.lastIndexOf('/'));
        // top down: each ancestor exists and lets its children use what the limits need
        java.util.List<String> chain = new java.util.ArrayList<>();
        for (String p = parentPath; ; p = p.substring(0, p.lastIndexOf('/'))) {
            chain.addFirst(p);
            if (p.equals(root) || p.lastIndexOf('/') <= 0) break;
        }
        for (String p : chain) {
            if (!fs.exists(p)) fs.mkdir(p);
            String have = fs.exists(p + "/cgroup.subtree_control") ? " " + fs.read(p + "/cgroup.subtree_control").strip() + " " : " ";
            for (String c : wanted) if (!have.contains(" " + c + " ")) fs.write(p + "/cgroup.subtree_control", "+" + c);
        }
        Dir parent = new Dir(fs, parentPath, true);
        if (wanted.contains("cpuset")) CpusetController.validate(parent, r);
        Dir d = new Dir(fs, at, true);
        fs.mkdir(d.path());
        boolean ok = false;
        try {
            applyLimits(d, parent, r, devices);
            Map<String, Dir> controllers = new LinkedHashMap<>();
            String on = fs.exists(parentPath + "/cgroup.subtree_control") ? fs.read(parentPath + "/cgroup.subtree_control").strip() : "";
            for (String c : on.isEmpty() ? new String[0] : on.split("\\s+")) controllers.put(c, d);
            ok = true;
            return new LinuxContainerCgroup(fs, controllers, Map.of("cpuset", parent), d, List.of(d));
        } finally {
            if (!ok) {
                try {
                    fs.rmdir(d.path());
                } catch (SyscallException ignored) {
                    // nothing ran in it
                }
            }
        }
    }

    private Set<String> enabled() {
        Set<String> e = enabled;
        if (e == null) {
            String s = fs.exists(base + "/cgroup.subtree_control") ? fs.read(base + "/cgroup.subtree_control").strip() : "";
            e = enabled = s.isEmpty() ? Set.of() : Set.of(s.split("\\s+"));
        }
        return e;
    }

    /** Enables {@code needed} in the base's subtree_control, moving the JVM into a leaf if it must. */
    private void enable(Set<String> needed) {
        if (enabled().containsAll(needed)) return;
        synchronized (enableLock) {
            enabled = null;
            Set<String> missing = new LinkedHashSet<>(needed);
            missing.removeAll(enabled());
            if (missing.isEmpty()) return;
            StringBuilder sb = new StringBuilder();
            for (String c : missing) sb.append(sb.isEmpty() ? "" : " ").append('+').append(c);
            try {
                fs.write(base + "/cgroup.subtree_control", sb.toString());
            } catch (SyscallException e) {
                if (e.errno() != Errno.EBUSY) throw e;
                moveJvmToLeaf();
                try {
                    fs.write(base + "/cgroup.subtree_control", sb.toString());
                } catch (SyscallException again) {
                    throw new HostUnsupportedException("cannot enable the " + missing + " controller(s) in " + base
                            + ": other processes share the JVM's cgroup (" + again.errnoName() + ")",
                            "give the JVM a cgroup of its own, e.g. systemd-run --user --scope -p Delegate=yes java ...");
                }
            }
            enabled = null;
        }
    }

    private void moveJvmToLeaf() {
        String leaf = base + "/" + CgroupManagers.jvmLeafName(host);
        if (!fs.exists(leaf)) fs.mkdir(leaf);
        fs.write(leaf + "/cgroup.procs", Long.toString(host.pid()));
    }

    @Override
    public void sweepStale(java.util.Set<String> keep) {
        if (baseWritable) CgroupManagers.sweep(fs, host, base, true, keep);
    }

    /** The directory containers are created in. */
    public String base() {
        return base;
    }

    /** Writes the limits {@code r} asks for into the container's new cgroup {@code d} (under {@code parent}). */
    private static void applyLimits(Dir d, Dir parent, Resources r, java.util.Map<Resources.DeviceLimit, String> devices) {
        if (MemoryController.wanted(r)) MemoryController.apply(d, r);
        if (CpuController.wanted(r)) CpuController.apply(d, r);
        if (CpusetController.wanted(r)) CpusetController.apply(d, parent, r);
        if (PidsController.wanted(r)) PidsController.apply(d, r);
        if (IoController.wanted(r)) IoController.apply(d, r, devices);
    }

    @Override
    public String toString() {
        return "cgroup v2 at " + base;
    }

}
