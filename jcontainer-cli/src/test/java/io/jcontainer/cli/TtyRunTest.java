package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

/** run -i -t in-process: the input reaches a shell on a pseudo-terminal, which echoes it and answers. */
@RequiresRoot
class TtyRunTest {
    @Test
    void aShellOnATerminalAnswersAndExitsWithItsStatus() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Cli.run(new String[]{"run", "-i", "-t", "--rm", "--rootfs", TestRootfs.busybox().toString(), "/bin/sh"},
                new ByteArrayInputStream("[ -t 1 ] && echo tty-$((40+2))\nexit 3\n".getBytes()), new PrintStream(out, true), new PrintStream(err, true));
        assertThat(code).as(err.toString()).isEqualTo(3);
        assertThat(out.toString()).contains("tty-42");
    }

    @Test
    void execMinusItIntoADetachedContainer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path state) {
        System.setProperty("jcontainer.stateDir", state.toString());
        try {
            var out = new ByteArrayOutputStream();
            var err = new ByteArrayOutputStream();
            assertThat(Cli.run(new String[]{"run", "-d", "--name", "tty-exec", "--rootfs", TestRootfs.busybox().toString(), "/bin/sleep", "1000"},
                    new ByteArrayInputStream(new byte[0]), new PrintStream(out, true), new PrintStream(err, true))).as(err.toString()).isZero();
            out.reset();
            int code = Cli.run(new String[]{"exec", "-i", "-t", "tty-exec", "/bin/sh"},
                    new ByteArrayInputStream("[ -t 0 ] && echo exec-tty-$((3*3))\nexit 5\n".getBytes()), new PrintStream(out, true), new PrintStream(err, true));
            assertThat(code).as(err.toString()).isEqualTo(5);
            assertThat(out.toString()).contains("exec-tty-9");
        } finally {
            Cli.run(new String[]{"rm", "-f", "tty-exec"}, new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(new ByteArrayOutputStream()));
            System.clearProperty("jcontainer.stateDir");
        }
    }
}
