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
        int code = Cli.run(new String[]{"run", "-i", "-t", "--rootfs", TestRootfs.busybox().toString(), "/bin/sh"},
                new ByteArrayInputStream("[ -t 1 ] && echo tty-$((40+2))\nexit 3\n".getBytes()), new PrintStream(out, true), new PrintStream(err, true));
        assertThat(code).as(err.toString()).isEqualTo(3);
        assertThat(out.toString()).contains("tty-42");
    }
}
