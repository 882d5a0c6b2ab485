package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.Signal;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.jcontainer.Namespace.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@RequiresRoot
class ExitAndSignalTest {
    @Test
    void exitStatusIsReportedExactly() {
        assertThat(TestRuns.sh("exit 3").exit()).isEqualTo(ContainerExit.exited(3));
        assertThat(TestRuns.sh("exit 255").exit().code()).isEqualTo(255);
    }

    @Test
    void aSignalThatKillsIsReportedAsTheSignal() {
        // Without a PID namespace the shell is not PID 1, so it can die of its own SIGKILL.
        var r = TestRuns.run(TestRuns.busybox().namespaces(MNT, UTS).command("sh", "-c", "kill -9 $$"));
        assertThat(r.exit().signal()).isEqualTo(9);
        assertThat(r.code()).isEqualTo(137);
    }

    @Test
    void signalsFromTheJvm() throws Exception {
        try (Container c = TestRuns.busybox().command("sh", "-c", "trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done").start()) {
            assertThat(c.isRunning()).isTrue();
            assertThatThrownBy(c::exitCode).isInstanceOf(IllegalStateException.class).hasMessageContaining("still running");
            assertThat(c.waitFor(Duration.ofMillis(200))).isEmpty();
            // the trap is installed once "ready" comes (a sleep stood in for this; a TERM before the trap is ignored by PID 1)
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(c.stdout())).readLine()).isEqualTo("ready");
            c.signal(Signal.TERM);
            assertThat(c.waitFor(Duration.ofSeconds(10))).contains(ContainerExit.exited(42));
            assertThat(c.exitCode()).isEqualTo(42);
        }
        try (Container c = TestRuns.busybox().command("sleep", "100").start()) {
            var exit = c.onExit();
            c.kill();
            assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(ContainerExit.killed(9));
        }
    }

    @Test
    void closeKillsEverythingAndIsIdempotent() throws Exception {
        Container c = TestRuns.busybox().command("sh", "-c", "sleep 100 & sleep 100 & wait").start();
        long pid = c.pid();
        c.close();
        c.close();
        assertThat(c.isRunning()).isFalse();
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/" + pid))).isFalse();
        assertThat(io.jcontainer.linux.testing.Processes.leftovers()).isEmpty();
    }
}
