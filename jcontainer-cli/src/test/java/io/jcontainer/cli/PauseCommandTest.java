package io.jcontainer.cli;

import io.jcontainer.linux.state.ContainerState;
import io.jcontainer.linux.state.ContainerStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.jcontainer.cli.CliHarness.cli;
import static org.assertj.core.api.Assertions.assertThat;

/** pause/unpause before any sandbox is touched, and how a paused sandbox reads in ps. No root needed. */
class PauseCommandTest {
    static ContainerStore.Entry running(boolean paused) {
        var s = new ContainerState("f".repeat(64), "p", "<default>", List.of("sh"), false, true, "TERM", 42, 1, 41,
                Instant.now().toString(), Instant.now().minusSeconds(5).toString(), true, null, List.of(), "no");
        return new ContainerStore.Entry(s, ContainerStore.Status.RUNNING, null, null, paused);
    }

    @Test
    void bothVerbsAreListedAndNeedAnArgument() {
        assertThat(cli("--help").out()).contains("  pause ").contains("  unpause ");
        assertThat(cli("pause", "--help").out()).startsWith("Usage:  jcontainer pause CONTAINER [CONTAINER...]");
        for (String verb : List.of("pause", "unpause")) {
            var r = cli(verb);
            assertThat(r.code()).isEqualTo(125);
            assertThat(r.err()).isEqualTo("jcontainer: \"" + verb + "\" requires at least 1 argument.\nSee 'jcontainer " + verb + " --help'.\n");
        }
    }

    @Test
    void aPausedSandboxIsUpAndPausedAsInDockerPs() {
        assertThat(Store.status(running(true))).matches("Up \\d+ seconds \\(Paused\\)");
        assertThat(Store.status(running(false))).matches("Up \\d+ seconds");
    }
}
