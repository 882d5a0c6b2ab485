package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerStats;
import io.jcontainer.ExecSpec;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Namespace;
import io.jcontainer.Resources;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Stdio;
import io.jcontainer.linux.cgroup.CgroupHost;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Limits enforced by the real kernel on this host's cgroups (v1 here, hybrid with a cgroup2 tree). */
@RequiresRoot
class CgroupLimitsTest {
    static final CgroupHost HOST = CgroupHost.detect();

    /** Every cgroup directory this JVM's containers have in any hierarchy. */
    static List<Path> ourCgroups() {
        List<Path> out = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        HOST.v1().values().forEach(h -> dirs.add(h.dir()));
        if (HOST.unified() != null) dirs.add(HOST.unified().dir());
        String prefix = "jcontainer-" + HOST.pid() + ".";
        for (String d : dirs) {
            try (Stream<Path> s = Files.list(Path.of(d))) {
                s.filter(p -> p.getFileName().toString().startsWith(prefix)).forEach(out::add);
            } catch (IOException e) {
                // hierarchy not visible
            }
        }
        return out;
    }

    @AfterEach
    void noCgroupOfOursRemains() {
        assertThat(ourCgroups()).isEmpty();
    }

    @Test
    void aMemoryBombIsOomKilledAndReportedAsSuch() throws Exception {
        // doubles a shell string until the 100 MB limit is hit; the JVM's heap is not touched
        try (Container c = TestRuns.busybox().memoryLimit("100m").memorySwap(io.jcontainer.DataSize.MB(100)).stdout(Stdio.NULL)
                .command("/bin/sh", "-c", "x=a; while :; do x=$x$x; done").start()) {
            ContainerExit exit = c.waitFor(java.time.Duration.ofSeconds(60)).orElseThrow();
            assertThat(exit.signal()).isEqualTo(9);
            assertThat(exit.oomKilled()).isTrue();
            assertThat(exit.toString()).contains("OOM-killed");
            ContainerStats s = c.stats(); // the cgroup stays until close(): what did the bomb reach?
            assertThat(s.memoryPeakBytes()).as("it really allocated up to the limit").isGreaterThan(90L << 20).isLessThanOrEqualTo(100L << 20);
            assertThat(s.oomKills()).isPositive();
        }
        assertThat(Runtime.getRuntime().freeMemory()).as("the JVM lives on").isPositive();
    }

    @Test
    void manyThreadsStartingLimitedContainersAtOnceLeaveNothing() throws Exception {
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<Integer>> codes = new ArrayList<>();
            for (int i = 0; i < 40; i++)
                codes.add(pool.submit(() -> TestRuns.run(TestRuns.busybox().memoryLimit("32m").pidsLimit(16).cpus(0.5)
                        .command("/bin/true")).code()));
            for (var f : codes) assertThat(f.get()).isZero();
        }
    }

    @Test
    void aNormalExitIsNotAnOom() {
        var r = TestRuns.run(TestRuns.busybox().removeNamespace(Namespace.PID).memoryLimit("100m").command("/bin/sh", "-c", "kill -9 $$"));
        assertThat(r.exit().signal()).isEqualTo(9);
        assertThat(r.exit().oomKilled()).isFalse();
    }

    @Test
    void aForkBombStopsAtThePidsLimitAndKillAllEndsIt() throws Exception {
        // no PID namespace: killing the first process would leave the bomb running; only the cgroup finds it all
        try (Container c = TestRuns.busybox().removeNamespace(Namespace.PID).pidsLimit(30).stdout(Stdio.NULL).stderr(Stdio.NULL)
                .command("/bin/sh", "-c", "b() { b | b & }; b; sleep 1000").start()) {
            Path events = ourCgroups().stream().filter(p -> p.startsWith(HOST.v1().get("pids").dir())).findFirst().orElseThrow()
                    .resolve("pids.events");
            long max = 0;
            for (int i = 0; i < 200 && !Files.readString(events).matches("(?s)max [1-9].*"); i++) {
                max = Math.max(max, c.stats().pids());
                Thread.sleep(25);
            }
            assertThat(Files.readString(events)).as("forks refused at the limit").matches("(?s)max [1-9].*");
            assertThat(Math.max(max, c.stats().pids())).isBetween(2L, 30L);
            assertThat(c.isRunning()).isTrue();
        }
        // close() killed every task (cgroup.kill on the cgroup2 side) and removed the cgroups (checked after each test)
    }

    @Test
    void aForkBombInAPidNamespaceEndsWithItsFirstProcessWithoutAFreezer() throws Exception {
        // the default: a PID namespace, so no freezer is made at start (the first pause would make one)
        try (Container c = TestRuns.busybox().pidsLimit(30).stdout(Stdio.NULL).stderr(Stdio.NULL)
                .command("/bin/sh", "-c", "b() { b | b & }; b; sleep 1000").start()) {
            Path events = ours("pids").getFirst().resolve("pids.events");
            for (int i = 0; i < 200 && !Files.readString(events).matches("(?s)max [1-9].*"); i++) Thread.sleep(25);
            assertThat(Files.readString(events)).as("forks refused at the limit").matches("(?s)max [1-9].*");
            assertThat(ours("freezer")).isEmpty();
        }
        // close() killed PID 1, the kernel the rest of the namespace; nothing is left (checked after each test)
    }

    @Test
    void twoBusyLoopsUnderHalfACpuUseAboutHalfACpu() throws Exception {
        try (Container c = TestRuns.busybox().cpus(0.5).stdout(Stdio.NULL)
                .command("/bin/sh", "-c", "yes >/dev/null & yes >/dev/null & wait").start()) {
            Thread.sleep(300);
            ContainerStats a = c.stats();
            long t0 = System.nanoTime();
            Thread.sleep(2000);
            ContainerStats b = c.stats();
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpus = (b.cpuTime().toNanos() - a.cpuTime().toNanos()) / 1e9 / wall;
            // two loops would use 2 CPUs unlimited; the quota holds them at 0.5. The lower bound is loose: on a
            // loaded 2-CPU machine other work can keep them below their quota.
            assertThat(cpus).as("CPUs used, from the cgroup's own accounting").isBetween(0.1, 0.62);
            assertThat(b.cpuPeriods()).isPositive();
            assertThat(b.cpuThrottledPeriods()).isNotNegative();
            assertThat(b.cpuThrottledMicros()).isNotNegative();
        }
    }

    @Test
    void theCpusetIsWhatTheContainerSees() {
        var r = TestRuns.run(TestRuns.busybox().cpus("1").command("/bin/grep", "Cpus_allowed_list", "/proc/self/status"));
        assertThat(r.stdout()).matches("Cpus_allowed_list:\\s+1\n");
    }

    @Test
    void pauseStopsProgressAndUnpauseResumesIt() throws Exception {
        try (Container c = TestRuns.busybox().pidsLimit(100).stdout(Stdio.NULL)
                .command("/bin/sh", "-c", "while :; do :; done").start()) {
            Thread.sleep(200);
            c.pause();
            long frozen = c.stats().cpuTime().toNanos();
            Thread.sleep(500);
            assertThat(c.stats().cpuTime().toNanos()).as("no CPU time while frozen").isEqualTo(frozen);
            c.unpause();
            for (int i = 0; i < 100 && c.stats().cpuTime().toNanos() <= frozen + 20_000_000L; i++) Thread.sleep(30);
            assertThat(c.stats().cpuTime().toNanos()).as("progress after unpause").isGreaterThan(frozen + 20_000_000L);
        }
    }

    /** Our cgroup directories in one hierarchy. */
    static List<Path> ours(String controller) {
        return ourCgroups().stream().filter(p -> p.getParent().toString().equals(HOST.v1().get(controller).dir())).toList();
    }

    static List<String> procs(Path cgroup) throws IOException {
        return Files.readAllLines(cgroup.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank()).toList();
    }

    /**
     * An attached container with a PID namespace gets its v1 freezer at the first pause
     * (CgroupV1Manager#prepare): every process is moved in, also while the payload keeps forking.
     */
    @Test
    void theFirstPauseGathersEveryProcessIntoAFreezerMadeForIt() throws Exception {
        try (Container c = TestRuns.busybox().pidsLimit(200).stdout(Stdio.NULL)
                .command("/bin/sh", "-c", "/bin/sleep 1000 & /bin/sleep 1000 & while :; do /bin/true; done").start()) {
            Thread.sleep(300);
            assertThat(ours("freezer")).as("no freezer before the first pause").isEmpty();
            c.unpause(); // never paused: nothing to thaw
            long t0 = System.nanoTime();
            c.pause();
            System.out.printf("first pause (freezer made, processes moved in): %.1f ms%n", (System.nanoTime() - t0) / 1e6);
            assertThat(ours("freezer")).hasSize(1);
            Path freezer = ours("freezer").getFirst(), pids = ours("pids").getFirst();
            assertThat(Files.readString(freezer.resolve("freezer.state")).strip()).isEqualTo("FROZEN");
            assertThat(procs(freezer)).as("every process of the container is frozen")
                    .hasSizeGreaterThanOrEqualTo(3).containsExactlyInAnyOrderElementsOf(procs(pids));
            c.unpause();
            assertThat(Files.readString(freezer.resolve("freezer.state")).strip()).isEqualTo("THAWED");
            try (ContainerProcess p = c.exec(ExecSpec.of("/bin/sleep", "1000"))) {
                assertThat(procs(freezer)).as("a process exec'd later joins the freezer too").contains(Long.toString(p.pid()));
            }
            t0 = System.nanoTime();
            c.pause();
            System.out.printf("second pause: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
            assertThat(ours("freezer")).containsExactly(freezer);
            assertThat(procs(freezer)).containsExactlyInAnyOrderElementsOf(procs(pids));
        } // closed while paused: kill-all thaws it, and the freezer goes with the rest (@AfterEach)
    }

    @Test
    void limitsChangeOnARunningContainer() throws Exception {
        try (Container c = TestRuns.busybox().pidsLimit(100).memoryLimit("100m").cgroupView().stdout(Stdio.NULL)
                .command("/bin/sleep", "100").start()) {
            c.update(new Resources(io.jcontainer.DataSize.MB(200), null, null, 0, null, null, 0, 5, 0, List.of(), null));
            Path pids = Path.of(HOST.v1().get("pids").dir(), ourCgroups().stream().filter(p -> p.startsWith(HOST.v1().get("pids").dir()))
                    .findFirst().orElseThrow().getFileName().toString(), "pids.max");
            assertThat(Files.readString(pids).strip()).isEqualTo("5");
            // a container with limits and the cgroup view has a cpu cgroup (as docker's, for a JVM inside to find): its CPU limit can be set later
            c.update(new Resources(null, null, null, 0.5, null, null, 0, 0, 0, List.of(), null));
            Path quota = Path.of(HOST.v1().get("cpu").dir(), ourCgroups().stream().filter(p -> p.startsWith(HOST.v1().get("cpu").dir()))
                    .findFirst().orElseThrow().getFileName().toString(), "cpu.cfs_quota_us");
            assertThat(Files.readString(quota).strip()).isEqualTo("50000");
            assertThat(c.stats().memoryBytes()).isPositive();
        }
    }

    @Test
    void theDevicesCgroupAllowsOnlyTheHarmlessDevices() throws Exception {
        // no user namespace: the container's root has CAP_MKNOD; the devices cgroup still refuses the host's disk
        try (Container c = TestRuns.busybox().pidsLimit(50).stdout(Stdio.PIPE)
                .command("/bin/sh", "-c", "mknod /dev/disk b 254 0 2>&1; head -c 1 /dev/disk 2>&1 >/dev/null; echo; head -c 1 /dev/zero | od -An -tx1; sleep 100").start()) {
            Path dir = ourCgroups().stream().filter(p -> p.startsWith(HOST.v1().get("devices").dir())).findFirst().orElseThrow();
            assertThat(Files.readAllLines(dir.resolve("devices.list"))).containsExactlyInAnyOrder(
                    "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm");
            byte[] out = new byte[4096];
            StringBuilder sb = new StringBuilder();
            while (!sb.toString().contains("00")) {
                int n = c.stdout().read(out);
                if (n < 0) break;
                sb.append(new String(out, 0, n));
            }
            assertThat(sb.toString()).containsAnyOf("Operation not permitted", "Read-only file system", "No such file").contains("00");
        }
    }

    @Test
    void badLimitsAreRefusedBeforeTheCommandRuns() {
        int cpus = Runtime.getRuntime().availableProcessors();
        assertThatThrownBy(() -> TestRuns.busybox().cpus(cpus + "," + (cpus + 1)).command("/bin/true").start())
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("available: 0" + (cpus > 1 ? "-" + (cpus - 1) : ""));
        assertThatThrownBy(() -> TestRuns.busybox().cpus("0,x").command("/bin/true").start())
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> TestRuns.busybox().memoryLimit("1m").command("/bin/true").start())
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("below the minimum");
        assertThatThrownBy(() -> TestRuns.busybox().deviceLimit(Resources.DeviceLimit.parse(Resources.DeviceLimit.Kind.WRITE_BPS, "/dev/nosuchdisk:1m"))
                .command("/bin/true").start()).isInstanceOf(InvalidSpecException.class).hasMessageContaining("/dev/nosuchdisk");
    }

    @Test
    void ioThrottlingIsWrittenForARealBlockDevice() {
        var r = TestRuns.run(TestRuns.busybox()
                .deviceLimit(Resources.DeviceLimit.parse(Resources.DeviceLimit.Kind.READ_BPS, "/dev/vda:10m")).command("/bin/true"));
        assertThat(r.code()).isZero();
    }

    @Test
    void twoHundredRunsLeaveNoCgroupBehind() {
        for (int i = 0; i < 200; i++) {
            var r = TestRuns.run(TestRuns.busybox().memoryLimit("64m").cpus(1).pidsLimit(32).command("/bin/true"));
            assertThat(r.code()).isZero();
        }
        assertThat(ourCgroups()).isEmpty();
    }

    @Test
    void cgroupsOfACrashedJvmAreSweptWhenARuntimeStarts() throws Exception {
        // what a JVM killed with SIGKILL leaves: its pid no longer runs with that start time
        List<Path> stale = new ArrayList<>();
        for (String c : List.of("pids", "freezer", "memory")) {
            Path p = Path.of(HOST.v1().get(c).dir(), "jcontainer-" + HOST.pid() + "." + (HOST.startTime() + 1) + "-deadbeef0000");
            Files.createDirectory(p);
            stale.add(p);
        }
        Path live = Path.of(HOST.v1().get("pids").dir(), "jcontainer-detached-feedface0000");
        Files.createDirectory(live);
        try {
            var rt = new LinuxContainerRuntime();
            try (Container c = rt.start(TestRuns.busybox().command("/bin/true").build())) {
                c.waitFor();
            }
            assertThat(stale).noneMatch(Files::exists);
            // an empty detached cgroup may be a container being started by a process with another state
            // directory: its monitor removes it when the container ends, rm if the monitor died first
            assertThat(live).as("detached cgroups are not the sweep's").exists();
        } finally {
            for (Path p : stale) Files.deleteIfExists(p);
            Files.deleteIfExists(live);
        }
    }

    @Test
    void aContainerWithoutLimitsAndWithAPidNamespaceHasNoCgroup() throws Exception {
        try (Container c = TestRuns.busybox().stdout(Stdio.NULL).command("/bin/sleep", "10").start()) {
            assertThat(ourCgroups()).isEmpty();
            assertThatThrownBy(c::stats).isInstanceOf(IllegalStateException.class).hasMessageContaining("has no cgroup");
        }
    }

    @Test
    void exitIsPlainWhenNotKilled() {
        ContainerExit e = TestRuns.run(TestRuns.busybox().memoryLimit("50m").command("/bin/true")).exit();
        assertThat(e).isEqualTo(ContainerExit.exited(0));
    }

    @Test
    void theCgroupViewShowsTheContainersOwnLimitsOnlyWhenAskedFor() {
        boolean v2 = HOST.v1().get("memory") == null;
        String limitFile = v2 ? "/sys/fs/cgroup/memory.max" : "/sys/fs/cgroup/memory/memory.limit_in_bytes";
        String script = "cat " + limitFile + " 2>/dev/null || echo none; echo 1 > " + limitFile + " 2>/dev/null && echo written || echo refused";
        var viewed = TestRuns.run(TestRuns.busybox().memoryLimit("64m").cgroupView().command("/bin/sh", "-c", script));
        assertThat(viewed.stdout().lines().toList()).as(viewed.stderr()).containsExactly(String.valueOf(64L << 20), "refused");
        // a library start that did not ask pays no mounts for it: nothing of its cgroups shows there
        var plain = TestRuns.run(TestRuns.busybox().memoryLimit("64m").command("/bin/sh", "-c", script));
        assertThat(plain.stdout().lines().findFirst()).as(plain.stderr()).hasValue("none");
    }
}
