package io.jcontainer.cli;

import io.jcontainer.docker.PsColumns;
import io.jcontainer.lifecycle.ContainerInfo;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.jcontainer.cli.CliHarness.cli;
import static org.assertj.core.api.Assertions.assertThat;

/** pause/unpause before any container is touched, and how a paused container reads in ps. No root needed. */
class PauseCommandTest {
    static ContainerInfo running(boolean paused) {
        return new ContainerInfo("f".repeat(64), "p", "<default>", List.of("sh"), null,
                paused ? ContainerInfo.Status.PAUSED : ContainerInfo.Status.RUNNING, 42, Instant.now(), Instant.now().minusSeconds(5),
                null, null, false, "no", null, null, List.of(), null, 41);
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
    void aPausedContainerIsUpAndPausedAsInDockerPs() {
        assertThat(PsColumns.status(running(true))).matches("Up \\d+ seconds \\(Paused\\)");
        assertThat(PsColumns.status(running(false))).matches("Up \\d+ seconds");
    }
}
