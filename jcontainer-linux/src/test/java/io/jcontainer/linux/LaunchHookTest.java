package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerStartException;
import io.jcontainer.linux.launch.LaunchHooks;
import io.jcontainer.linux.plan.HookPoint;
import io.jcontainer.linux.testing.Processes;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The launch's hook points on the real kernel: where the container waits, what the JVM sees there, and aborts. */
@RequiresRoot
class LaunchHookTest {
    static final LinuxContainerRuntime RT = new LinuxContainerRuntime();

    record Seen(HookPoint point, int pid, boolean rootPivoted) {
    }

    @Test
    void theJvmWorksAtEachPointWhileTheContainerWaitsWithItsPidKnown() throws Exception {
        List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
        LaunchHooks hooks = new LaunchHooks();
        for (HookPoint p : List.of(HookPoint.CREATE_RUNTIME, HookPoint.CREATE_CONTAINER, HookPoint.START_CONTAINER, HookPoint.POSTSTART))
            hooks.on(p, "record " + p, h -> seen.add(new Seen(h.point(), h.pid(), pivoted(h.pid()))));
        try (Container c = RT.start(TestRuns.busybox().memoryLimit("64m").command("sleep", "100").build(), hooks)) {
            assertThat(seen).extracting(Seen::point).containsExactly(HookPoint.CREATE_RUNTIME, HookPoint.CREATE_CONTAINER,
                    HookPoint.START_CONTAINER, HookPoint.POSTSTART);
            assertThat(seen).extracting(Seen::pid).containsOnly((int) c.pid());
            // before pivot_root the process's root is the host's; at START_CONTAINER it is the container's
            assertThat(seen).extracting(Seen::rootPivoted).containsExactly(false, false, true, true);
        }
    }

    @Test
    void workAheadOfAPointRunsBeforeTheContainerPassesIt() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        LaunchHooks hooks = new LaunchHooks()
                .ahead(HookPoint.START_CONTAINER, "ahead", h -> {
                    sleep(200); // the child reaches the point first and must wait
                    order.add("ahead pid=" + h.pid());
                });
        try (Container c = RT.start(TestRuns.busybox().command("true").build(), hooks)) {
            order.add("started");
            assertThat(c.waitFor(Duration.ofSeconds(30))).isPresent();
        }
        assertThat(order).containsExactly("ahead pid=-1", "started");
    }

    @Test
    void failedWorkAbortsTheStartWithItsOwnExceptionAndLeavesNothing() throws Exception {
        TestRuns.sh("true"); // once-per-JVM descriptors first
        for (HookPoint p : List.of(HookPoint.CREATE_RUNTIME, HookPoint.CREATE_CONTAINER, HookPoint.START_CONTAINER)) {
            long fds = DescriptorTest.openFds();
            LaunchHooks hooks = new LaunchHooks().on(p, "fail", h -> {
                throw new ContainerStartException("hook at " + h.point() + " said no", null);
            });
            assertThatThrownBy(() -> RT.start(TestRuns.busybox().memoryLimit("64m").pidsLimit(20).command("sleep", "100").build(), hooks))
                    .isInstanceOf(ContainerStartException.class).hasMessageContaining("hook at " + p + " said no");
            assertThat(Processes.leftovers()).as("the waiting child and its launcher are gone (" + p + ")").isEmpty();
            assertThat(DescriptorTest.openFds()).as("descriptors after an abort at " + p).isLessThanOrEqualTo(fds);
            assertThat(CgroupLimitsTest.ourCgroups()).as("cgroups after an abort at " + p).isEmpty();
        }
        // aborted ahead of the point, too
        LaunchHooks ahead = new LaunchHooks().ahead(HookPoint.CREATE_CONTAINER, "fail ahead", h -> {
            throw new ContainerStartException("ahead said no", null);
        });
        assertThatThrownBy(() -> RT.start(TestRuns.busybox().command("sleep", "100").build(), ahead)).hasMessageContaining("ahead said no");
        assertThat(Processes.leftovers()).isEmpty();
    }

    @Test
    void aChildThatFailsBeforeASilentStopReportsItsOwnFailure(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // ahead work only: the child does not report the stop, the launcher waits for the answer
        // ahead of it; a child failing on the way must still be reported as itself
        Path root = TestRootfs.fresh(tmp);
        Files.writeString(root.resolve("etc/blocker"), "a file where a directory is needed");
        LaunchHooks hooks = new LaunchHooks().ahead(HookPoint.START_CONTAINER, "slow", h -> sleep(300));
        var e = org.assertj.core.api.Assertions.catchThrowableOfType(ContainerStartException.class,
                () -> RT.start(io.jcontainer.Container.builder().rootfs(root).tmpfs("/etc/blocker/sub").command("true").build(), hooks));
        assertThat(e.step()).contains("mount tmpfs on /etc/blocker/sub");
        assertThat(e.errno()).isEqualTo("ENOTDIR");
        assertThat(Processes.leftovers()).isEmpty();
    }

    @Test
    void silentStopsAnsweredBeforeAndAfterTheChildArrives() throws Exception {
        // two silent stops: one answered long before the child gets there, one long after
        LaunchHooks hooks = new LaunchHooks()
                .ahead(HookPoint.CREATE_CONTAINER, "quick", h -> { })
                .ahead(HookPoint.START_CONTAINER, "slow", h -> sleep(200));
        try (Container c = RT.start(TestRuns.busybox().memoryLimit("64m").command("echo", "ran").build(), hooks)) {
            assertThat(new String(c.stdout().readAllBytes()).trim()).isEqualTo("ran");
            assertThat(c.waitFor(Duration.ofSeconds(30)).orElseThrow().code()).isZero();
        }
    }

    /** Whether the process's root is no longer the host's. */
    private static boolean pivoted(int pid) {
        try {
            return !Files.isSameFile(Path.of("/proc/" + pid + "/root"), Path.of("/"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
