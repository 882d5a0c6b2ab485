package io.jcontainer.cli;

import io.jcontainer.ContainerExit;
import io.jcontainer.Signal;
import io.jcontainer.docker.AttachInput;
import io.jcontainer.docker.DetachKeys;
import io.jcontainer.lifecycle.AttachSession;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.HostTerminal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code jcontainer attach [--detach-keys K] [--no-stdin] [--sig-proxy] CONTAINER}: connects to a
 * running detached container through its monitor (the launcher holds its terminal or stdin and
 * serves clients on the {@code attach} socket of its state directory). Output from now on; input
 * when it was started with {@code -i}; on a terminal, raw mode and window size. The detach keys
 * (ctrl-p ctrl-q) end the CLI with 0, the container running on; the container ending ends the CLI
 * with its status, as docker attach.
 */
public final class AttachCommand implements Command {
    static final String STOPPED = "You cannot attach to a stopped container, start it first";

    @Override
    public String name() {
        return "attach";
    }

    @Override
    public String summary() {
        return "Attach local standard input, output, and error streams to a running container";
    }

    @Override
    public String usage() {
        return "attach [OPTIONS] CONTAINER";
    }

    @Override
    public Flags flags() {
        return new Flags().value("detach-keys", (char) 0, "string", "Override the key sequence for detaching a container (default \"ctrl-p,ctrl-q\")")
                .bool("no-stdin", (char) 0, "Do not attach STDIN")
                .bool("sig-proxy", (char) 0, "Proxy all received signals to the process (default true; not with a terminal)");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        String ref = Command.exactly(p, "attach", 1).getFirst();
        DetachKeys keys = detachKeys(p.value("detach-keys"));
        ContainerInfo e = Store.find(ref);
        boolean proxy = !p.has("sig-proxy") || p.bool("sig-proxy");
        return attach(e, !p.bool("no-stdin"), keys, proxy, io);
    }

    static DetachKeys detachKeys(String spelled) {
        try {
            return DetachKeys.parse(spelled);
        } catch (IllegalArgumentException x) {
            throw new UsageException(x.getMessage());
        }
    }

    /** Attaches to {@code e} until it ends (its status), the detach keys (0), or a disconnect (1). */
    static int attach(ContainerInfo e, boolean withStdin, DetachKeys keys, boolean sigProxy, Io io) throws Exception {
        if (!e.running()) throw new CliException(1, STOPPED);
        AttachSession s;
        try {
            s = Store.containers().attach(e.id());
        } catch (io.jcontainer.ContainerNotRunningException x) {
            throw new CliException(1, STOPPED);
        }
        return session(e, s, withStdin, keys, sigProxy, io);
    }

    /**
     * Runs an open session {@code s} to {@code e} (closing it) until the container ends (its
     * status; a container recorded for auto-removal, docker's --rm, is removed then), the detach
     * keys (0), or a disconnect (1). Also {@code run -t}'s, whose session opens as it starts.
     */
    @SuppressWarnings("removal")
    static int session(ContainerInfo e, AttachSession s, boolean withStdin, DetachKeys keys, boolean sigProxy, Io io) throws Exception {
        Containers containers = Store.containers();
        HostTerminal terminal = Store.terminal();
        boolean input = withStdin && s.stdinOpen();
        boolean onTerminal = io.inherited() && s.tty() && terminal.isTerminal(0);
        List<Runnable> undo = new ArrayList<>();
        var detached = new java.util.concurrent.atomic.AtomicBoolean(); // set by the input thread
        try (s; AutoCloseable raw = onTerminal && input ? terminal.raw(0) : null) {
            if (onTerminal) {
                resize(terminal, s);
                sun.misc.Signal winch = new sun.misc.Signal("WINCH");
                sun.misc.SignalHandler prev = sun.misc.Signal.handle(winch, x -> resize(terminal, s));
                undo.add(() -> sun.misc.Signal.handle(winch, prev));
            }
            // docker: signals go to the container only without a terminal (there ctrl-c is a character)
            if (sigProxy && io.inherited() && !s.tty()) {
                for (Signal sig : SignalForwarder.FORWARDED) {
                    sun.misc.Signal js = new sun.misc.Signal(sig.name());
                    try {
                        sun.misc.SignalHandler prev = sun.misc.Signal.handle(js, x -> {
                            try {
                                containers.kill(e.id(), sig);
                            } catch (RuntimeException ignored) {
                                // it ended meanwhile: the session ends with it
                            }
                        });
                        undo.add(() -> sun.misc.Signal.handle(js, prev));
                    } catch (IllegalArgumentException ignored) {
                        // reserved by the JVM here
                    }
                }
            }
            if (input) {
                Thread.ofPlatform().daemon().name("jcontainer-attach-in").start(() -> {
                    try {
                        if (AttachInput.copyInput(io.in(), s.stdin(), keys) == AttachInput.End.DETACHED) {
                            detached.set(true);
                            s.close();
                        }
                        // end of input: the container keeps its stdin (docker run -di), the output goes on
                    } catch (IOException ignored) {
                        // the session ended
                    }
                });
            }
            Optional<ContainerExit> exit = s.copyOutput(io.out(), io.err());
            if (exit.isPresent()) {
                autoRemove(containers, e);
                return exit.get().code();
            }
            if (detached.get()) {
                io.err().print(s.tty() ? "\r\nread escape sequence\r\n" : "read escape sequence\n");
                return 0;
            }
            // the monitor let go of us: the container ended just now, or this client did not keep up
            ContainerInfo now;
            try {
                now = containers.find(e.id());
            } catch (Containers.NoSuchContainerException removed) {
                throw new CliException(1, "attach: container " + e.shortId() + " ended and was removed (--rm) before its exit status was read");
            }
            if (!now.running() && now.exit() != null) {
                autoRemove(containers, e);
                return now.exit().code();
            }
            throw new CliException(1, "attach: the monitor of " + e.shortId()
                    + " disconnected this client (it did not read the output fast enough); the container runs on");
        } finally {
            undo.forEach(Runnable::run);
        }
    }

    /**
     * docker's --rm once the container ended while we were attached (the daemon would remove it):
     * its monitor wrote the exit record before it told us, so the record is final.
     */
    private static void autoRemove(Containers containers, ContainerInfo e) throws InterruptedException {
        if (!e.autoRemove()) return;
        try {
            containers.remove(e.id(), false, false);
        } catch (RuntimeException gone) {
            // removed meanwhile by another CLI's sweep (or it runs again: not ours to remove)
        }
    }

    private static void resize(HostTerminal terminal, AttachSession s) {
        int[] size = terminal.size(0);
        try {
            if (size != null && size[0] > 0) s.resize(size[0], size[1]);
        } catch (RuntimeException ignored) {
            // the session ended
        }
    }
}
