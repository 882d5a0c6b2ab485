package io.jcontainer.linux.cgroup;

import io.jcontainer.ContainerException;
import io.jcontainer.ContainerStats;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Resources;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;

import java.util.List;
import java.util.Map;

/**
 * The cgroup directories of one container, whatever the host: on v2 one directory carries every
 * controller; on v1 there is one directory per hierarchy, plus (on a hybrid host) one in the
 * controller-less cgroup2 tree that gives kill, freeze, populated events and CPU time for free.
 * Each question goes to the directory that can answer it.
 */
final class LinuxContainerCgroup implements ContainerCgroup {
    /** How long close() waits for tasks to leave before it gives up (they were SIGKILLed). */
    private static final long REMOVE_TIMEOUT_MS = 3000;

    private final CgroupFs fs;
    private final Map<String, Dir> controllers; // controller name → the directory it is attached in
    private final Map<String, Dir> parents;     // controller name → the parent directory (cpuset checks)
    private final Dir track;                    // the cgroup2 directory, or null on a pure v1 host
    private final Dir freezerLater;             // a v1 freezer made at the first pause, or null
    private volatile Dir freezerMade;           // ... once made
    private volatile List<Dir> dirs;            // every directory, in creation order
    private volatile boolean closed;

    LinuxContainerCgroup(CgroupFs fs, Map<String, Dir> controllers, Map<String, Dir> parents, Dir track, List<Dir> dirs) {
        this(fs, controllers, parents, track, dirs, null);
    }

    LinuxContainerCgroup(CgroupFs fs, Map<String, Dir> controllers, Map<String, Dir> parents, Dir track, List<Dir> dirs, Dir freezerLater) {
        this.fs = fs;
        this.controllers = Map.copyOf(controllers);
        this.parents = Map.copyOf(parents);
        this.track = track;
        this.dirs = List.copyOf(dirs);
        this.freezerLater = freezerLater;
    }

    /** The directory of each cgroup, for tests and tools. */
    List<String> paths() {
        return dirs.stream().map(Dir::path).toList();
    }

    @Override
    public List<String> procsFiles() {
        return dirs.stream().map(d -> d.file(d.v2() ? "cgroup.procs" : "tasks")).toList();
    }

    @Override
    public boolean oomKilled() {
        Dir m = controllers.get("memory");
        return m != null && MemoryController.oomKills(m) > 0;
    }

    @Override
    public void killAll() {
        if (closed) return;
        // v2 (Linux 5.14+): one write, the kernel kills every task, also ones forking right now.
        if (track != null && track.has("cgroup.kill")) {
            track.write("cgroup.kill", "1");
            return;
        }
        // Otherwise freeze first, so nothing forks between reading the list and the kills.
        Dir freezer = freezer();
        if (freezer != null) FreezerController.freeze(freezer);
        try {
            for (int round = 0; round < 5; round++) if (killListed() == 0) break;
        } finally {
            if (freezer != null) FreezerController.thaw(freezer); // frozen tasks die only once thawed
        }
    }

    private int killListed() {
        int n = 0;
        for (Dir d : dirs) {
            for (String pid : pids(d)) {
                try {
                    fs.kill(Integer.parseInt(pid), 9);
                    n++;
                } catch (SyscallException e) {
                    if (e.errno() != Errno.ESRCH) throw e;
                }
            }
            if (n > 0) break; // every hierarchy lists the same tasks
        }
        return n;
    }

    /** As {@link Dir#procs()}, but none for a directory that cannot be read (kill-all goes on). */
    private static List<String> pids(Dir d) {
        try {
            return d.procs();
        } catch (SyscallException e) {
            return List.of();
        }
    }

    private Dir freezer() {
        if (track != null && FreezerController.available(track)) return track;
        Dir f = controllers.get("freezer");
        return f != null ? f : freezerMade;
    }

    @Override
    public void freeze() {
        Dir f = freezer();
        if (f == null && freezerLater != null) f = gatherIntoFreezer();
        if (f == null) throw new IllegalStateException("no freezer: neither cgroup2's cgroup.freeze nor the v1 freezer controller is available");
        FreezerController.freeze(f);
    }

    @Override
    public void thaw() {
        Dir f = freezer();
        if (f == null && freezerLater != null) return; // never paused: nothing is frozen
        if (f == null) throw new IllegalStateException("no freezer: neither cgroup2's cgroup.freeze nor the v1 freezer controller is available");
        FreezerController.thaw(f);
    }

    /**
     * The first pause of a container whose freezer was left for later: makes the directory and
     * moves every process of the container into it, as listed by a hierarchy it was placed in at
     * start, until a pass finds none outside — a process forked by one not yet moved shows up
     * in the next pass; one forked by a moved process is born inside. Moving another process
     * takes the kernel's threadgroup lock, whose first writer waits an RCU grace period
     * (~5–15 ms here); the writes right after it reuse that period.
     */
    private synchronized Dir gatherIntoFreezer() {
        if (freezerMade != null) return freezerMade;
        if (closed) throw new IllegalStateException("the container's cgroups are removed");
        Dir f = freezerLater, source = dirs.get(0); // every v1 hierarchy lists the same processes
        try {
            fs.mkdir(f.path());
        } catch (SyscallException e) {
            if (e.errno() != Errno.EEXIST) throw e;
        }
        if (!dirs.contains(f)) {
            List<Dir> withFreezer = new java.util.ArrayList<>(dirs);
            withFreezer.add(f);
            dirs = List.copyOf(withFreezer); // close() removes it from now on, also if the moves below fail
        }
        for (int round = 0; round < 100; round++) {
            java.util.Set<String> inside = new java.util.HashSet<>(f.procs());
            int moved = 0;
            for (String pid : source.procs()) {
                if (inside.contains(pid)) continue;
                try {
                    f.write("cgroup.procs", pid);
                    moved++;
                } catch (SyscallException e) {
                    if (e.errno() != Errno.ESRCH) throw e; // it exited meanwhile
                }
            }
            if (moved == 0) {
                freezerMade = f;
                return f;
            }
        }
        throw new ContainerException("cannot pause: the container's processes kept forking while they were moved into the freezer cgroup " + f.path());
    }

    @Override
    public ContainerStats stats() {
        Dir mem = controllers.get("memory"), cpu = controllers.get("cpu"), pids = controllers.get("pids");
        long memNow = mem == null ? -1 : MemoryController.current(mem), memPeak = mem == null ? -1 : MemoryController.peak(mem);
        long oom = mem == null ? -1 : MemoryController.oomKills(mem);
        long user = -1, system = -1;
        if (track != null && track.has("cpu.stat")) { // core cpu.stat: present on every cgroup2 directory
            user = track.keyed("cpu.stat", "user_usec");
            system = track.keyed("cpu.stat", "system_usec");
        } else if (controllers.containsKey("cpuacct")) {
            Dir a = controllers.get("cpuacct");
            long u = a.number("cpuacct.usage_user"), s = a.number("cpuacct.usage_sys");
            user = u < 0 ? -1 : u / 1000;
            system = s < 0 ? -1 : s / 1000;
        }
        long periods = -1, throttled = -1, throttledUs = -1;
        if (cpu != null) {
            periods = cpu.keyed("cpu.stat", "nr_periods");
            throttled = cpu.keyed("cpu.stat", "nr_throttled");
            if (cpu.v2()) throttledUs = cpu.keyed("cpu.stat", "throttled_usec");
            else {
                long ns = cpu.keyed("cpu.stat", "throttled_time");
                throttledUs = ns < 0 ? -1 : ns / 1000;
            }
        }
        long tasks = pids != null ? PidsController.current(pids) : -1;
        long memLimit = mem == null ? -1 : MemoryController.limit(mem), inactive = mem == null ? -1 : MemoryController.inactiveFile(mem);
        long pidsLimit = pids == null ? -1 : pids.number("pids.max");
        Dir io = controllers.get("io");
        long[] rw = io == null ? new long[]{-1, -1} : IoController.serviced(io);
        return new ContainerStats(memNow, memPeak, user, system, periods, throttled, throttledUs, tasks, oom,
                memLimit, inactive, pidsLimit, rw[0], rw[1], -1, -1);
    }

    @Override
    public void update(Resources r) {
        CgroupManagers.validate(r);
        var devices = IoController.resolve(fs, r);
        if (MemoryController.wanted(r)) MemoryController.apply(attached("memory", "memory"), r);
        if (CpuController.wanted(r)) CpuController.apply(attached("cpu", "cpus"), r);
        if (CpusetController.wanted(r)) {
            Dir d = attached("cpuset", "cpuset-cpus");
            CpusetController.validate(parents.get("cpuset"), r);
            CpusetController.apply(d, parents.get("cpuset"), r);
        }
        if (PidsController.wanted(r)) PidsController.apply(attached("pids", "pids-limit"), r);
        if (IoController.wanted(r)) IoController.apply(attached("io", "blkio-weight"), r, devices);
    }

    private Dir attached(String controller, String setting) {
        Dir d = controllers.get(controller);
        if (d == null)
            throw new InvalidSpecException(setting, "cannot be changed on the running container: its " + controller
                    + " controller was not attached at start (set a " + setting + " limit when starting it)");
        return d;
    }

    /**
     * Removes the directories, last created first. A directory with tasks cannot be removed
     * (EBUSY): tasks that were just SIGKILLed need a moment to exit and be reaped, so retry
     * briefly, killing again halfway.
     */
    @Override
    public synchronized void close() { // not while gatherIntoFreezer adds a directory
        if (closed) return;
        long deadline = System.nanoTime() + REMOVE_TIMEOUT_MS * 1_000_000;
        boolean killedAgain = false;
        for (int i = dirs.size() - 1; i >= 0; i--) {
            String path = dirs.get(i).path();
            for (long sleep = 1; ; sleep = Math.min(sleep * 2, 50)) {
                try {
                    fs.rmdir(path);
                    break;
                } catch (SyscallException e) {
                    if (e.errno() == Errno.ENOENT) break;
                    if (e.errno() != Errno.EBUSY || System.nanoTime() > deadline) throw e;
                    if (!killedAgain && System.nanoTime() > deadline - REMOVE_TIMEOUT_MS * 500_000) {
                        killedAgain = true;
                        killAll();
                    }
                    FreezerController.sleepMillis(sleep);
                }
            }
        }
        closed = true;
    }
}
