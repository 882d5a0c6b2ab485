package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker create -it / -i, then start -ai: the created container's terminal or stdin is held by
 * its monitor from the create on, start -a attaches before the start (so the first output is
 * seen), the input reaches a shell on a pseudo-terminal, and the exit status comes back.
 */
@RequiresRoot
class CreateAttachTest {
    @TempDir
    Path state;

    @BeforeEach
    void ownState() {
        System.setProperty("jcontainer.stateDir", state.toString());
    }

    @AfterEach
    void removeEverything() {
        try {
            for (String id : cli("", "ps", "-a", "-q", "--no-trunc").out().split("\n")) if (!id.isBlank()) cli("", "rm", "-f", id);
        } finally {
            System.clearProperty("jcontainer.stateDir");
        }
    }

    record Out(int code, String out, String err) {
    }

    static Out cli(String input, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Cli.run(args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true),
                new PrintStream(err, true));
        return new Out(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void createItThenStartAiRunsAShellOnATerminal() {
        Out create = cli("", "create", "-i", "-t", "--name", "cit", "--rootfs", TestRootfs.busybox().toString(), "/bin/sh");
        assertThat(create.code()).as(create.err()).isZero();
        assertThat(cli("", "inspect", "-f", "{{.State.Status}} {{.Config.Tty}} {{.Config.OpenStdin}}", "cit").out()).isEqualTo("created true true\n");
        // attach refuses a created container, as docker's CLI does: start -a is the way
        assertThat(cli("", "attach", "cit").err()).contains("You cannot attach to a stopped container");

        Out start = cli("[ -t 0 ] && [ -t 1 ] && echo tty-$((40+2))\nexit 3\n", "start", "-a", "-i", "cit");
        assertThat(start.code()).as(start.err()).isEqualTo(3);
        assertThat(start.out()).contains("tty-42");
        assertThat(cli("", "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "cit").out()).isEqualTo("exited 3\n");
        assertThat(cli("", "logs", "cit").out()).contains("tty-42"); // its terminal was logged too
    }

    @Test
    void createIThenStartAiPipesStdinAndSeesTheFirstOutput() {
        Out create = cli("", "create", "-i", "--name", "ci", "--rootfs", TestRootfs.busybox().toString(),
                "/bin/sh", "-c", "echo first; read line; echo got-$line; exit 4");
        assertThat(create.code()).as(create.err()).isZero();
        Out start = cli("hello\n", "start", "-ai", "ci");
        assertThat(start.code()).as(start.err()).isEqualTo(4);
        assertThat(start.out()).isEqualTo("first\ngot-hello\n"); // attached before the start: nothing missed
    }

    @Test
    void aCreatedTerminalContainerThatNeverStartsIsRemovedCleanly() {
        assertThat(cli("", "create", "-it", "--name", "never", "--rootfs", TestRootfs.busybox().toString(), "/bin/sh").code()).isZero();
        assertThat(cli("", "rm", "never").code()).isZero();
        assertThat(cli("", "ps", "-a", "-q").out()).isEmpty();
        assertThat(state.toFile().list()).as("no record of it left in the state directory")
                .allSatisfy(n -> assertThat(n).doesNotMatch("[0-9a-f]{64}"));
    }
}
