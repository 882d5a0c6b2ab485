package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Namespace;
import io.jcontainer.Stdio;
import io.jcontainer.linux.cgroup.CgroupFs;
import io.jcontainer.linux.cgroup.CgroupHost;
import io.jcontainer.linux.cgroup.CgroupV1Manager;
import io.jcontainer.linux.cgroup.CgroupV2Manager;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The v2 manager's code paths on this host's real cgroup2 tree (mounted without controllers at
 * /sys/fs/cgroup/unified on this hybrid host): cgroup.procs, cgroup.kill, cgroup.freeze,
 * cgroup.events, core cpu.stat. And the v1 manager without that tree: freeze-kill-thaw.
 */
@RequiresRoot
class CgroupV2TrackingTest {
    static final CgroupHost HOST = CgroupHost.detect();

    @AfterEach
    void noCgroupOfOursRemains() {
        assertThat(CgroupLimitsTest.ourCgroups()).isEmpty();
    }

    static LinuxContainerRuntime runtime(io.jcontainer.linux.cgroup.CgroupManager m) {
        return new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, m);
    }

    @Test
    void v2TracksKillsAndFreezesAContainerWithoutAPidNamespace() throws Exception {
        Assumptions.assumeTrue(HOST.unified() != null, "no cgroup2 tree on this host");
        var v2only = new CgroupHost(HOST.root(), Map.of(), HOST.unified(), HOST.pid(), HOST.startTime());
        var rt = runtime(new CgroupV2Manager(new CgroupFs(NativeSyscalls.INSTANCE), v2only));
        var spec = TestRuns.busybox().removeNamespace(Namespace.PID).stdout(Stdio.NULL)
                .command("/bin/sh", "-c", "sleep 1000 & sleep 1000 & while :; do :; done").build();
        try (Container c = rt.start(spec)) {
            Path dir = CgroupLimitsTest.ourCgroups().getFirst();
            assertThat(dir.toString()).startsWith(HOST.unified().dir());
            for (int i = 0; i < 100 && Files.readAllLines(dir.resolve("cgroup.procs")).size() < 3; i++) Thread.sleep(20);
            assertThat(Files.readAllLines(dir.resolve("cgroup.procs"))).contains(Long.toString(c.pid())).hasSize(3);
            assertThat(Files.readString(dir.resolve("cgroup.events"))).contains("populated 1");

            c.pause();
            assertThat(Files.readString(dir.resolve("cgroup.events"))).contains("frozen 1");
            long frozen = c.stats().cpuTime().toNanos();
            Thread.sleep(300);
            assertThat(c.stats().cpuTime().toNanos()).isEqualTo(frozen);
            c.unpause();
            for (int i = 0; i < 100 && c.stats().cpuTime().toNanos() <= frozen; i++) Thread.sleep(30);
            assertThat(c.stats().cpuTime().toNanos()).isGreaterThan(frozen);
            assertThat(c.stats().memoryBytes()).as("no memory controller on this tree").isEqualTo(-1);

            c.close(); // kills pid 1 and, through cgroup.kill, the two orphaned sleeps
            assertThat(Files.exists(dir)).isFalse();
        }
        assertThatThrownBy(() -> rt.start(TestRuns.busybox().memoryLimit("100m").command("/bin/true").build()))
                .isInstanceOf(InvalidSpecException.class).hasMessage("memory: the memory cgroup controller is not available on this host");
    }

    @Test
    void pureV1KillsEveryTaskByFreezingKillingAndThawing() throws Exception {
        var v1only = new CgroupHost(HOST.root(), HOST.v1(), null, HOST.pid(), HOST.startTime());
        var rt = runtime(new CgroupV1Manager(new CgroupFs(NativeSyscalls.INSTANCE), v1only));
        var spec = TestRuns.busybox().removeNamespace(Namespace.PID).pidsLimit(40).stdout(Stdio.NULL).stderr(Stdio.NULL)
                // a forking child hits the limit (busybox sh exits on a failed fork); the first process stays,
                // since a container ends with it
                .command("/bin/sh", "-c", "(for i in $(seq 100); do sleep 1000 & done) 2>/dev/null & exec sleep 1000").build();
        Path freezer;
        try (Container c = rt.start(spec)) {
            freezer = CgroupLimitsTest.ourCgroups().stream().filter(p -> p.startsWith(HOST.v1().get("freezer").dir())).findFirst().orElseThrow();
            for (int i = 0; i < 100 && c.stats().pids() < 35; i++) Thread.sleep(20);
            assertThat(c.stats().pids()).as("forks beyond the limit fail").isBetween(35L, 40L);
            c.pause();
            assertThat(Files.readString(freezer.resolve("freezer.state")).strip()).isEqualTo("FROZEN");
            c.unpause();
        }
        assertThat(Files.exists(freezer)).isFalse();
    }
}
