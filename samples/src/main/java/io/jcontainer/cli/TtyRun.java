package io.jcontainer.cli;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStartException;
import io.jcontainer.linux.terminal.Attach;
import io.jcontainer.linux.terminal.HostTerminal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * {@code run -t}: the sandbox gets a pseudo-terminal. When the CLI's stdin is a terminal it is
 * put in raw mode (the sandbox's terminal does echo and line editing; ctrl-c reaches the
 * payload as a character) and its size is copied now and on every SIGWINCH. ctrl-p ctrl-q ends
 * the session and kills the sandbox: its terminal's master is this JVM's. A sandbox that should
 * outlive the session is started with {@code run -dit} (its monitor holds the master) and
 * reached with {@code attach}.
 */
final class TtyRun {
    private TtyRun() {
    }

    @SuppressWarnings("removal")
    static int run(ContainerSpec.Builder b, List<String> command, boolean interactive, io.jcontainer.linux.attach.DetachKeys keys, Io io)
            throws Exception {
        ContainerSpec spec = b.tty(true).build();
        Container c;
        try {
            c = spec.start();
        } catch (ContainerStartException e) {
            if ("execve".equals(e.syscall())) throw RunCommand.execFailure(command.getFirst(), e);
            throw e;
        }
        boolean onTerminal = io.inherited() && HostTerminal.isTerminal(0);
        sun.misc.SignalHandler previous = null;
        sun.misc.Signal winch = new sun.misc.Signal("WINCH");
        try (c; HostTerminal raw = onTerminal && interactive ? HostTerminal.raw(0) : null) {
            if (onTerminal) {
                resize(c);
                previous = sun.misc.Signal.handle(winch, s -> resize(c));
            }
            Thread out = Thread.ofPlatform().daemon().name("jcontainer-tty-out").start(() -> copy(c.stdout(), io.out()));
            if (interactive) {
                Thread.ofPlatform().daemon().name("jcontainer-tty-in").start(() -> {
                    try {
                        if (Attach.copyInput(io.in(), c.stdin(), keys) == Attach.End.DETACHED) {
                            io.err().print("\r\nread escape sequence\r\n");
                            c.kill();
                        }
                    } catch (IOException ignored) {
                        // the sandbox's terminal closed
                    }
                });
            }
            int code = c.waitFor().code();
            out.join(2_000);
            return code;
        } finally {
            if (previous != null) sun.misc.Signal.handle(winch, previous);
        }
    }

    private static void resize(Container c) {
        int[] size = HostTerminal.size(0);
        if (size != null && size[0] > 0) c.resizeTerminal(size[0], size[1]);
    }

    private static void copy(InputStream from, OutputStream to) {
        try {
            byte[] buf = new byte[8192];
            for (int n; (n = from.read(buf)) >= 0; ) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException | RuntimeException ignored) {
            // the terminal hung up
        }
    }
}
