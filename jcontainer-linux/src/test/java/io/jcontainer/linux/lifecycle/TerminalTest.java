package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tty(true)}: a pseudo-terminal driven through its master, as the CLI's -t does. */
@RequiresRoot
class TerminalTest {
    /** Collects a stream on a virtual thread; waits for text to appear. */
    static final class Screen {
        private final StringBuffer text = new StringBuffer();

        Screen(InputStream in) {
            Thread.ofVirtual().start(() -> {
                byte[] b = new byte[4096];
                try {
                    int n;
                    while ((n = in.read(b)) > 0) text.append(new String(b, 0, n, StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // closed
                }
            });
        }

        boolean shows(String s) throws InterruptedException {
            return ContainerProcs.eventually(20, () -> text.indexOf(s) >= 0);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    @Test
    void aShellOnTheTerminalEchoesResizesAndExits() throws Exception {
        try (Container c = TestRuns.busybox().tty(true).command("/bin/sh").start()) {
            Screen screen = new Screen(c.stdout());
            c.stdin().write("[ -t 0 ] && [ -t 1 ] && echo on-a-tty-$((40+2))\n".getBytes());
            c.stdin().flush();
            assertThat(screen.shows("on-a-tty-42")).as(screen.toString()).isTrue();
            // the terminal echoes what was typed, as a terminal does
            assertThat(screen.toString()).contains("echo on-a-tty-$((40+2))");

            c.resizeTerminal(33, 101);
            c.stdin().write("stty size\n".getBytes());
            c.stdin().flush();
            assertThat(screen.shows("33 101")).as(screen.toString()).isTrue();

            c.stdin().write("exit 3\n".getBytes());
            c.stdin().flush();
            assertThat(c.waitFor(Duration.ofSeconds(20))).hasValueSatisfying(e -> assertThat(e.code()).isEqualTo(3));
        }
    }

    @Test
    void execGetsATerminalOfItsOwnAndExecIntoATtyContainerWithoutOneWorks() throws Exception {
        try (Container c = TestRuns.busybox().tty(true).command("/bin/sh").start()) {
            try (io.jcontainer.ContainerProcess p = c.exec(io.jcontainer.ExecSpec.of("/bin/sh", "-c", "[ -t 0 ] && echo exec-tty || echo no-tty"))) {
                assertThat(new String(p.stdout().readAllBytes())).isEqualTo("no-tty\n");
            }
            try (io.jcontainer.ContainerProcess p = c.exec(io.jcontainer.ExecSpec.of("/bin/sh").withTty(true))) {
                Screen screen = new Screen(p.stdout());
                p.stdin().write("[ -t 0 ] && echo exec-$((1+1))-tty; exit 4\n".getBytes());
                p.stdin().flush();
                assertThat(screen.shows("exec-2-tty")).as(screen.toString()).isTrue();
                assertThat(p.waitFor(Duration.ofSeconds(20))).hasValueSatisfying(e -> assertThat(e.code()).isEqualTo(4));
            }
        }
    }

    @Test
    void anExecsTerminalIsResizedThroughItsHandle() throws Exception {
        try (Container c = TestRuns.busybox().command("/bin/sleep", "1000").start()) {
            try (io.jcontainer.ContainerProcess p = c.exec(io.jcontainer.ExecSpec.of("/bin/sh").withTty(true))) {
                Screen screen = new Screen(p.stdout());
                p.resizeTerminal(33, 101); // TIOCSWINSZ on the exec's own master; SIGWINCH to its foreground group
                p.stdin().write("stty size\n".getBytes());
                p.stdin().flush();
                assertThat(screen.shows("33 101")).as(screen.toString()).isTrue();
                p.resizeTerminal(40, 120);
                p.stdin().write("stty size; exit 0\n".getBytes());
                p.stdin().flush();
                assertThat(screen.shows("40 120")).as(screen.toString()).isTrue();
                assertThat(p.waitFor(Duration.ofSeconds(20))).isPresent();
            }
            try (io.jcontainer.ContainerProcess p = c.exec(io.jcontainer.ExecSpec.of("/bin/true"))) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.resizeTerminal(24, 80))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("has no terminal");
            }
        }
    }

    @Test
    void aTerminalWriterThatStopsLeavesTheContainerRunning() throws Exception {
        // the client side of detaching (ctrl-p ctrl-q, --detach-keys) is the CLI's: cli/docker/AttachInputTest
        try (Container c = TestRuns.busybox().tty(true).command("/bin/sh").start()) {
            Screen screen = new Screen(c.stdout());
            c.stdin().write("echo before\n".getBytes());
            c.stdin().flush();
            assertThat(screen.shows("before")).isTrue();
            assertThat(c.isRunning()).isTrue();
        }
    }
}
