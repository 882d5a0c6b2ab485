package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.Namespace;
import io.jcontainer.Signal;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code stop(grace)}: the stop signal, the grace period, then SIGKILL to every process. */
@RequiresRoot
class StopTest {
    @Test
    void aPayloadThatHandlesTheStopSignalFinishesWithinTheGracePeriod() throws Exception {
        String script = "trap 'echo term; sleep 0.3; echo bye; exit 3' TERM; echo ready; while :; do sleep 0.1; done";
        try (Container c = TestRuns.busybox().command("/bin/sh", "-c", script).start()) {
            var out = new BufferedReader(new InputStreamReader(c.stdout(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            ContainerExit exit = c.stop(Duration.ofSeconds(60));
            assertThat(exit.code()).isEqualTo(3); // its own exit, not SIGKILL's 137
            assertThat(out.readLine()).isEqualTo("term");
            assertThat(out.readLine()).isEqualTo("bye");
        }
    }

    @Test
    void aConfiguredStopSignalIsSentInstead() throws Exception {
        String script = "trap 'exit 5' USR1; trap '' TERM; echo ready; while :; do sleep 0.1; done";
        try (Container c = TestRuns.busybox().stopSignal(Signal.USR1).command("/bin/sh", "-c", script).start()) {
            assertThat(new BufferedReader(new InputStreamReader(c.stdout())).readLine()).isEqualTo("ready");
            assertThat(c.stop(Duration.ofSeconds(60)).code()).isEqualTo(5);
        }
    }

    @Test
    void afterTheGracePeriodEveryProcessIsKilledInAPidNamespace() throws Exception {
        stopKillsEverything(true);
    }

    @Test
    void afterTheGracePeriodEveryProcessIsKilledWithoutAPidNamespace() throws Exception {
        stopKillsEverything(false);
    }

    private void stopKillsEverything(boolean pidNs) throws Exception {
        // Everything ignores SIGTERM: only the SIGKILL after the grace period ends it.
        String script = "trap '' TERM; sleep 1000 & sleep 1000 & (trap '' TERM; sleep 1000) & echo ready; wait";
        var b = TestRuns.busybox().command("/bin/sh", "-c", script);
        if (!pidNs) b.removeNamespace(Namespace.PID);
        try (Container c = b.start()) {
            assertThat(new BufferedReader(new InputStreamReader(c.stdout())).readLine()).isEqualTo("ready");
            List<Integer> pids = new ArrayList<>();
            if (pidNs) {
                assertThat(ContainerProcs.eventually(20, () -> ContainerProcs.inPidNamespaceOf(c.pid()).stream().filter(p -> p.comm().equals("sleep")).count() == 3)).isTrue();
                ContainerProcs.inPidNamespaceOf(c.pid()).forEach(p -> pids.add(p.pid()));
            } else {
                assertThat(ContainerProcs.eventually(20, () -> descendants((int) c.pid()).stream().filter(p -> ContainerProcs.stat(p) != null && "sleep".equals(ContainerProcs.stat(p).comm())).count() == 3)).isTrue();
                pids.add((int) c.pid());
                pids.addAll(descendants((int) c.pid()));
            }
            ContainerExit exit = c.stop(Duration.ofMillis(300));
            assertThat(exit.signal()).isEqualTo(Signal.KILL.number());
            assertThat(ContainerProcs.eventually(10, () -> pids.stream().noneMatch(ContainerProcs::alive)))
                    .as("still alive among %s", pids).isTrue();
            // and none is left a zombie: without a PID namespace the monitor reaps the orphans (subreaper)
            assertThat(ContainerProcs.eventually(10, () -> pids.stream().allMatch(p -> ContainerProcs.stat(p) == null)))
                    .as("zombies among %s", pids).isTrue();
        }
    }

    private static List<Integer> descendants(int pid) {
        List<Integer> out = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> out.add((int) d.pid())));
        return out;
    }
}
