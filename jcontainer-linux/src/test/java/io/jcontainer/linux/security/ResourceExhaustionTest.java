package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.DataSize;
import io.jcontainer.Mount;
import io.jcontainer.Rlimit;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** SECURITY.md rows 20–24: fork, memory, disk, descriptor and CPU exhaustion stay inside the container. */
@RequiresRoot
class ResourceExhaustionTest extends AttackTest {

    /** Row 20: a fork bomb hits EAGAIN at the pids limit; the JVM stays responsive; kill-all ends every task. */
    @Test
    void forkBombStopsAtPidsLimit() throws Exception {
        Landed.cgroups();
        long jvm = ProcessHandle.current().pid();
        try (Container c = probe("forkbomb").pidsLimit(64).start()) {
            String line = firstLine(c);
            assertThat(line).startsWith("EAGAIN ");
            assertThat(Long.parseLong(line.substring(7))).isLessThan(64);
            List<ProcessHandle> tasks = ProcessHandle.of(c.pid()).orElseThrow().descendants().toList();
            assertThat(tasks).isNotEmpty();
            c.kill();
            assertThat(c.waitFor(Duration.ofSeconds(30))).isPresent();
            for (ProcessHandle t : tasks) t.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.current().pid()).isEqualTo(jvm);
    }

    /** Row 21: a memory bomb is OOM-killed inside its cgroup and reported as such. */
    @Test
    void memoryBombIsOomKilledInside() throws Exception {
        Landed.cgroups();
        try (Container c = probe("memhog", "512").memoryLimit(DataSize.MB(64)).memorySwap(DataSize.MB(64)).start()) {
            ContainerExit e = c.waitFor(Duration.ofSeconds(60)).orElseThrow();
            assertThat(e.signaled()).as(e.toString()).isTrue();
            assertThat(e.oomKilled()).as(e.toString()).isTrue();
        }
    }

    /** Row 22: filling a size-limited tmpfs ends in ENOSPC at its size. */
    @Test
    void tmpfsFillStopsAtSize() {
        var o = run(probe("fill", "/tmp/big").tmpfs("/tmp", DataSize.MB(8)));
        assertThat(o.verdict()).as(o.toString()).startsWith("ENOSPC ");
        assertThat(Long.parseLong(o.verdict().substring(7))).isLessThanOrEqualTo(8L << 20);
    }

    /** Row 22: /dev/shm is bounded too (64 MiB, as docker). */
    @Test
    void devShmFillStopsAtSize() {
        var o = run("fill", "/dev/shm/big");
        assertThat(o.verdict()).as(o.toString()).startsWith("ENOSPC ");
        assertThat(Long.parseLong(o.verdict().substring(7))).isLessThanOrEqualTo(64L << 20);
    }

    /** Row 22: /dev itself is a bounded tmpfs. */
    @Test
    void devFillStopsAtSize() {
        var o = run("fill", "/dev/big");
        assertThat(o.verdict()).as(o.toString()).startsWith("ENOSPC ");
    }

    /** Row 37: empty files cost no space but kernel memory; a 1 MiB tmpfs stops at its derived inode limit. */
    @Test
    void tmpfsInodesBoundedBySize() {
        var o = run(probe("fill-inodes", "/scratch").tmpfs("/scratch", DataSize.MB(1)));
        assertThat(o.verdict()).as(o.toString()).startsWith("ENOSPC ");
        assertThat(Long.parseLong(o.verdict().substring(7))).isLessThan(10_000);
    }

    /** Row 37: an explicit nr_inodes is the limit. */
    @Test
    void tmpfsExplicitInodeLimit() {
        var o = run(probe("fill-inodes", "/scratch").mount(new Mount.Tmpfs("/scratch", DataSize.MB(64), 01777, false, false, 100)));
        assertThat(o.verdict()).as(o.toString()).startsWith("ENOSPC ");
        assertThat(Long.parseLong(o.verdict().substring(7))).isLessThan(100);
    }

    /** Row 37: /dev/shm and /dev (64 MiB each) hold at most one inode per KiB. */
    @Test
    void devShmAndDevInodesBounded() {
        for (String dir : List.of("/dev/shm", "/dev")) {
            var o = run("fill-inodes", dir);
            assertThat(o.verdict()).as(dir + ": " + o).startsWith("ENOSPC ");
            assertThat(Long.parseLong(o.verdict().substring(7))).as(dir).isLessThanOrEqualTo(65536);
        }
    }

    /** Row 37: the embedded default root's own tmpfs (its /tmp) is bounded too. */
    @Test
    void defaultRootInodesBounded() {
        var o = run(Container.builder().bind(Probe.binary(), "/probe").command("/probe", "fill-inodes", "/tmp"));
        assertThat(o.verdict()).as(o.toString()).startsWith("ENOSPC ");
        assertThat(Long.parseLong(o.verdict().substring(7))).isLessThanOrEqualTo(65536);
    }

    /** Row 23: opening descriptors ends in EMFILE at RLIMIT_NOFILE. */
    @Test
    void fdExhaustionStopsAtNofile() {
        var o = run(probe("nofile").rlimit(new Rlimit("nofile", 256, 256)));
        assertThat(o.verdict()).as(o.toString()).isEqualTo("EMFILE 253");
    }

    /** Row 24: a CPU hog is throttled to its quota (the cgroup reports throttled periods). */
    @Test
    void cpuHogIsThrottled() throws Exception {
        Landed.cgroups();
        try (Container c = probe("spin").cpus(0.1).start()) {
            assertThat(firstLine(c)).isEqualTo("OK");
            Path stat = cpuStat(c.pid());
            long throttled = 0;
            for (int i = 0; i < 100 && throttled == 0; i++) {
                Thread.sleep(100);
                throttled = Files.readAllLines(stat).stream().filter(l -> l.startsWith("nr_throttled"))
                        .mapToLong(l -> Long.parseLong(l.split(" ")[1])).sum();
            }
            assertThat(throttled).as("nr_throttled in " + stat).isPositive();
        }
    }

    /** cpu.stat of the cgroup holding {@code pid}: v1 "cpu" controller, or v2. */
    static Path cpuStat(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (List.of(f[1].split(",")).contains("cpu")) return Path.of("/sys/fs/cgroup/cpu" + f[2], "cpu.stat");
            if (f[0].equals("0") && Files.exists(Path.of("/sys/fs/cgroup" + f[2], "cpu.stat")))
                return Path.of("/sys/fs/cgroup" + f[2], "cpu.stat");
        }
        throw new AssertionError("no cpu cgroup for " + pid);
    }
}
