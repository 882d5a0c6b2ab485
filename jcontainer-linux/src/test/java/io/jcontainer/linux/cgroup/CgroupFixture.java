package io.jcontainer.linux.cgroup;

import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.SyscallException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A temporary directory that mimics a host's cgroup layout: /proc/self/{mountinfo,cgroup,stat}
 * and the control files of each hierarchy. Its {@link CgroupFs} populates new directories the
 * way the kernel does and enforces the v2 no-internal-processes rule, so managers run against
 * it without root.
 */
final class CgroupFixture {
    static final long PID = 4242, START = 777;

    static final List<String> V1_MEMORY = List.of("cgroup.procs", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
            "memory.soft_limit_in_bytes", "memory.usage_in_bytes=1000", "memory.max_usage_in_bytes=2000", "memory.oom_control=oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
    static final List<String> V1_CPU = List.of("cgroup.procs", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=-1", "cpu.shares=1024",
            "cpu.stat=nr_periods 10\nnr_throttled 4\nthrottled_time 5000000\n");
    static final List<String> V1_CPUSET = List.of("cgroup.procs", "cpuset.cpus", "cpuset.mems", "cpuset.effective_cpus", "cpuset.effective_mems");
    static final List<String> V1_PIDS = List.of("cgroup.procs", "pids.max=max", "pids.current=3");
    static final List<String> V1_DEVICES = List.of("cgroup.procs", "devices.allow", "devices.deny", "devices.list=a *:* rwm");
    static final List<String> V1_FREEZER = List.of("cgroup.procs", "freezer.state=THAWED");
    static final List<String> V1_BLKIO = List.of("cgroup.procs", "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device");
    static final List<String> V2 = List.of("cgroup.procs", "cgroup.controllers", "cgroup.subtree_control", "cgroup.freeze=0",
            "cgroup.kill", "cgroup.events=populated 0\nfrozen 0\n", "cpu.stat=usage_usec 300\nuser_usec 200\nsystem_usec 100\n",
            "memory.max=max", "memory.swap.max=max", "memory.low=0", "memory.current=1000", "memory.peak=2000",
            "memory.events=low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", "pids.max=max", "pids.current=1", "cpu.max=max 100000",
            "cpu.weight=100", "cpuset.cpus", "cpuset.mems", "cpuset.cpus.effective", "cpuset.mems.effective", "io.max");

    final Path root;
    final Map<String, List<String>> templates; // mount point → control files of a new directory there
    final CgroupFs fs;

    private CgroupFixture(Path root, Map<String, List<String>> templates) {
        this.root = root;
        this.templates = templates;
        this.fs = new FixtureFs();
    }

    /** A hybrid host like this one: v1 memory, cpu, cpuset, pids, devices, freezer, blkio + controller-less cgroup2. */
    static CgroupFixture hybrid(Path dir, boolean withUnified) {
        var t = new java.util.LinkedHashMap<String, List<String>>();
        t.put("memory", V1_MEMORY);
        t.put("cpu", V1_CPU);
        t.put("cpuset", V1_CPUSET);
        t.put("pids", V1_PIDS);
        t.put("devices", V1_DEVICES);
        t.put("freezer", V1_FREEZER);
        t.put("blkio", V1_BLKIO);
        StringBuilder mi = new StringBuilder("31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n");
        StringBuilder cg = new StringBuilder();
        int n = 1;
        Map<String, List<String>> templates = new java.util.LinkedHashMap<>();
        for (var e : t.entrySet()) {
            mi.append(40 + n).append(" 31 0:").append(30 + n).append(" / /sys/fs/cgroup/").append(e.getKey())
                    .append(" rw,relatime shared:9 - cgroup cgroup rw,").append(e.getKey()).append('\n');
            cg.append(n++).append(':').append(e.getKey()).append(e.getKey().equals("memory") ? ":/agent/a1\n" : ":/\n");
            templates.put("/sys/fs/cgroup/" + e.getKey(), e.getValue());
        }
        if (withUnified) {
            mi.append("60 31 0:50 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
            templates.put("/sys/fs/cgroup/unified", V2.subList(0, 7));
        }
        cg.append("0::/\n");
        CgroupFixture f = new CgroupFixture(dir, templates);
        f.writeProc(mi.toString(), cg.toString());
        f.populate("/sys/fs/cgroup/memory");
        f.populate("/sys/fs/cgroup/memory/agent");
        f.populate("/sys/fs/cgroup/memory/agent/a1");
        for (String c : List.of("cpu", "cpuset", "pids", "devices", "freezer", "blkio")) f.populate("/sys/fs/cgroup/" + c);
        f.put("/sys/fs/cgroup/cpuset/cpuset.cpus", "0-1\n");
        f.put("/sys/fs/cgroup/cpuset/cpuset.effective_cpus", "0-1\n");
        f.put("/sys/fs/cgroup/cpuset/cpuset.mems", "0\n");
        f.put("/sys/fs/cgroup/cpuset/cpuset.effective_mems", "0\n");
        if (withUnified) f.populate("/sys/fs/cgroup/unified");
        return f;
    }

    /** A pure v2 host whose JVM sits in a delegated service cgroup, with the controllers available but not enabled. */
    static CgroupFixture v2(Path dir) {
        String svc = "/user.slice/app.service";
        CgroupFixture f = new CgroupFixture(dir, Map.of("/sys/fs/cgroup", V2));
        f.writeProc("30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", "0::" + svc + "\n");
        f.populate("/sys/fs/cgroup");
        f.populate("/sys/fs/cgroup/user.slice");
        f.populate("/sys/fs/cgroup" + svc);
        f.put("/sys/fs/cgroup" + svc + "/cgroup.controllers", "cpuset cpu io memory pids\n");
        f.put("/sys/fs/cgroup" + svc + "/cgroup.procs", PID + "\n");
        f.put("/sys/fs/cgroup" + svc + "/cpuset.cpus.effective", "0-3\n");
        f.put("/sys/fs/cgroup" + svc + "/cpuset.mems.effective", "0\n");
        return f;
    }

    CgroupHost host() {
        return CgroupHost.detect(root.toString());
    }

    String path(String hostPath) {
        return root + hostPath;
    }

    String read(String hostPath) {
        try {
            return Files.readString(Path.of(path(hostPath)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void put(String hostPath, String content) {
        try {
            Path p = Path.of(path(hostPath));
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes process {@code pid} look alive with start time {@code start}. */
    void process(long pid, long start) {
        put("/proc/" + pid + "/stat", pid + " (java) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 30 0 " + start + " 0 0\n");
    }

    private void writeProc(String mountinfo, String cgroup) {
        put("/proc/self/mountinfo", mountinfo);
        put("/proc/self/cgroup", cgroup);
        String stat = PID + " (java) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 30 0 " + START + " 0 0\n";
        put("/proc/self/stat", stat);
        process(PID, START);
    }

    private void populate(String hostPath) {
        String mount = templates.keySet().stream().filter(m -> hostPath.equals(m) || hostPath.startsWith(m + "/"))
                .max(Comparator.comparingInt(String::length)).orElseThrow();
        for (String f : templates.get(mount)) {
            int eq = f.indexOf('=');
            put(hostPath + "/" + (eq < 0 ? f : f.substring(0, eq)), eq < 0 ? "" : f.substring(eq + 1));
        }
    }

    /** A CgroupFs on the fixture: mkdir populates, rmdir refuses while cgroup.procs lists tasks. */
    private final class FixtureFs extends CgroupFs {
        FixtureFs() {
            super(NativeSyscalls.INSTANCE);
        }

        private String host(String path) {
            return path.substring(root.toString().length());
        }

        @Override
        public void mkdir(String path) {
            super.mkdir(path);
            populate(host(path));
        }

        @Override
        public void rmdir(String path) {
            Path p = Path.of(path);
            if (!Files.isDirectory(p)) throw new SyscallException("rmdir", Errno.ENOENT, path);
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : s.toList()) {
                    if (Files.isDirectory(c)) throw new SyscallException("rmdir", Errno.EBUSY, path);
                    if (c.getFileName().toString().equals("cgroup.procs") && !Files.readString(c).isBlank())
                        throw new SyscallException("rmdir", Errno.EBUSY, path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : s.toList()) Files.delete(c);
                Files.delete(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Files are overwritten as the kernel would "apply" them; v2 rules are enforced. */
        @Override
        public void write(String path, String value) {
            if (path.endsWith("/cgroup.subtree_control")) {
                String dir = path.substring(0, path.lastIndexOf('/'));
                if (!super.read(dir + "/cgroup.procs").isBlank()) throw new SyscallException("write", Errno.EBUSY, path);
                StringBuilder now = new StringBuilder(super.read(path).strip());
                for (String c : value.split(" ")) now.append(now.isEmpty() ? "" : " ").append(c.substring(1));
                put(host(path), now + "\n");
                return;
            }
            if (path.endsWith("/cgroup.procs")) { // moving a task: take it out of the other cgroups
                try (Stream<Path> s = Files.walk(Path.of(path(templates.keySet().iterator().next())))) {
                    for (Path p : s.filter(x -> x.getFileName().toString().equals("cgroup.procs")).toList())
                        Files.writeString(p, Files.readString(p).replace(value.strip() + "\n", ""));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                put(host(path), value.strip() + "\n");
                return;
            }
            if (path.endsWith("/cgroup.freeze")) { // the kernel reports the new state in cgroup.events
                String dir = host(path.substring(0, path.lastIndexOf('/')));
                put(dir + "/cgroup.events", "populated 0\nfrozen " + value.strip() + "\n");
            }
            if (path.endsWith("/devices.allow") || path.endsWith("/devices.deny")) { // keep every rule, to check
                put(host(path), super.read(path) + value + "\n");
                return;
            }
            put(host(path), value);
        }

        @Override
        public void kill(int pid, int signal) {
            // fixture tasks are numbers in files, not processes
        }
    }
}
