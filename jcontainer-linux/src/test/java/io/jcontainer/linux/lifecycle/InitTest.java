package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.Signal;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code init(true)}: a tiny PID 1 forked by the launcher (OP_INIT) reaps orphans and forwards
 * signals. Without it the payload is PID 1: it ignores signals it has no handler for, and
 * orphans it never waits for stay zombies.
 */
@RequiresRoot
class InitTest {
    private static final String DOUBLE_FORK_1000 =
            "i=0; while [ $i -lt 1000 ]; do (true &); i=$((i+1)); done; echo forked; exec sleep 1000";

    @Test
    void initReapsAThousandOrphansAndForwardsTerm() throws Exception {
        try (Container c = TestRuns.busybox().init(true).command("/bin/sh", "-c", DOUBLE_FORK_1000).start()) {
            var out = new BufferedReader(new InputStreamReader(c.stdout(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("forked");
            // Every orphan was reparented to init and reaped: only init and the payload remain.
            // (the shell prints "forked" just before it execs sleep: wait for that too)
            assertThat(ContainerProcs.eventually(20, () -> ContainerProcs.inPidNamespaceOf(c.pid()).size() == 2
                    && ContainerProcs.inPidNamespaceOf(c.pid()).stream().anyMatch(p -> p.comm().equals("sleep"))))
                    .as("processes left: %s", ContainerProcs.inPidNamespaceOf(c.pid())).isTrue();
            assertThat(ContainerProcs.inPidNamespaceOf(c.pid())).noneMatch(p -> p.state() == 'Z')
                    .extracting(ContainerProcs.Proc::comm).contains("sleep");

            // sleep has no SIGTERM handler; as PID 1 it would ignore it. Under init it dies of it.
            c.signal(Signal.TERM);
            ContainerExit exit = c.waitFor(Duration.ofSeconds(20)).orElseThrow();
            assertThat(exit.code()).isEqualTo(128 + 15);
        }
    }

    @Test
    void withoutInitOrphansOfANonReapingPid1StayZombies() throws Exception {
        // The documented hazard init exists for: PID 1 (here `sleep`) never waits for orphans.
        try (Container c = TestRuns.busybox().command("/bin/sh", "-c", "(sleep 1 &); (sleep 1 &); echo forked; exec sleep 1000").start()) {
            var out = new BufferedReader(new InputStreamReader(c.stdout(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("forked");
            assertThat(ContainerProcs.eventually(20, () -> ContainerProcs.inPidNamespaceOf(c.pid()).stream().filter(p -> p.state() == 'Z').count() == 2))
                    .as("zombies: %s", ContainerProcs.inPidNamespaceOf(c.pid())).isTrue();
        }
    }

    @Test
    void initPassesThroughTheExitStatusAndExecFailures() {
        assertThat(TestRuns.run(TestRuns.busybox().init(true).command("/bin/sh", "-c", "echo hi; exit 7")).code()).isEqualTo(7);
        assertThat(TestRuns.run(TestRuns.busybox().init(true).command("/bin/sh", "-c", "echo $$")).stdout()).isEqualTo("2\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestRuns.busybox().init(true).command("/nonexistent").start())
                .isInstanceOf(io.jcontainer.ContainerStartException.class).hasMessageContaining("execve");
    }
}
