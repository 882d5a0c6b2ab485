package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.Stdio;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@RequiresRoot
class StdioTest {
    /** Running, as opposed to gone or a zombie waiting for the host's init to reap it. */
    static boolean alive(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void stdinPipeReachesThePayloadAndItsEndGivesEof() throws Exception {
        try (Container c = TestRuns.busybox().stdin(Stdio.PIPE).command("sh", "-c", "wc -c; echo done").start()) {
            try (OutputStream in = c.stdin()) {
                in.write("hello container\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("16\ndone\n");
            assertThat(c.waitFor().code()).isZero();
        }
    }

    @Test
    void filesAndNull(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.log"), err = Files.writeString(tmp.resolve("err.log"), "previous\n");
        Path input = Files.writeString(tmp.resolve("in.txt"), "from a file\n");
        try (Container c = TestRuns.busybox().stdin(Stdio.file(input)).stdout(Stdio.file(out)).stderr(Stdio.append(err))
                .command("sh", "-c", "cat; echo oops >&2").start()) {
            assertThat(c.waitFor().code()).isZero();
            assertThatThrownBy(c::stdout).isInstanceOf(IllegalStateException.class).hasMessageContaining("not a pipe");
        }
        assertThat(Files.readString(out)).isEqualTo("from a file\n");
        assertThat(Files.readString(err)).isEqualTo("previous\noops\n");
        // the default stdin is /dev/null: a reader sees end of file at once
        assertThat(TestRuns.sh("cat; echo eof").stdout()).isEqualTo("eof\n");
    }

    @Test
    void aBackgroundChildHoldingStdoutDoesNotBlockWaitFor() throws Exception {
        // without a PID namespace the orphan survives its parent and keeps the pipe open
        try (Container c = TestRuns.busybox().namespaces(io.jcontainer.Namespace.MNT)
                .command("sh", "-c", "sleep 30 & echo $! > /dev/stderr; echo started").start()) {
            assertThat(c.waitFor(java.time.Duration.ofSeconds(10))).isPresent();
            // ...and the container ends with its first process: the orphan is killed with it
            String orphan = new String(c.stderr().readAllBytes(), StandardCharsets.UTF_8).trim();
            for (int i = 0; i < 100 && alive(orphan); i++) Thread.sleep(20);
            assertThat(alive(orphan)).as("orphan " + orphan + " still running").isFalse();
        }
    }
}
