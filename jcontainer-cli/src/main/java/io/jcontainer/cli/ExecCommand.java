package io.jcontainer.cli;

import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.ContainerStartException;
import io.jcontainer.ExecSpec;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Stdio;
import io.jcontainer.Signal;
import io.jcontainer.docker.AttachInput;
import io.jcontainer.lifecycle.AttachSession;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.HostTerminal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jcontainer exec [-i] [-d] [-e K=V] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]}. */
public final class ExecCommand implements Command {
    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "Execute a command in a running container";
    }

    @Override
    public String usage() {
        return "exec [OPTIONS] CONTAINER COMMAND [ARG...]";
    }

    @Override
    public Flags flags() {
        return new Flags().bool("interactive", 'i', "Keep STDIN open even if not attached")
                .bool("detach", 'd', "Detached mode: run command in the background")
                .value("env", 'e', "list", "Set environment variables")
                .value("workdir", 'w', "string", "Working directory inside the container")
                .value("user", 'u', "string", "Username or UID (format: \"<name|uid>[:<group|gid>]\")")
                .bool("tty", 't', "Allocate a pseudo-TTY");
    }

    @Override
    public boolean interspersed() {
        return false;
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().size() < 2) throw new UsageException("\"exec\" requires at least 2 arguments.");
        String ref = p.positionals().getFirst();
        List<String> cmd = p.positionals().subList(1, p.positionals().size());
        ContainerInfo e = Store.find(ref);
        if (!e.running()) throw new CliException(1, "Error response from daemon: container " + e.id() + " is not running");
        if (e.paused()) throw new CliException(1, "Error response from daemon: Container " + e.id() + " is paused, unpause the container before exec");
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : p.values("env")) {
            int eq = kv.indexOf('=');
            if (eq < 0) {
                String v = System.getenv(kv);
                if (v != null) env.put(kv, v);
            } else env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        boolean interactive = p.bool("interactive"), detach = p.bool("detach");
        Stdio in = interactive && !detach ? (io.inherited() ? Stdio.INHERIT : Stdio.PIPE) : Stdio.NULL;
        Stdio out = detach ? Stdio.NULL : io.inherited() ? Stdio.INHERIT : Stdio.PIPE;
        boolean tty = p.bool("tty") && !detach;
        ExecSpec x = new ExecSpec(cmd, env, p.value("workdir"), p.value("user"), in, out, out, tty);
        ContainerProcess proc;
        try {
            // docker: the process of exec -d, and of exec -t after ctrl-p ctrl-q, runs on without this one
            if (detach) {
                Store.containers().execDetached(e.id(), x.withStdio(Stdio.NULL, Stdio.NULL, Stdio.NULL));
                return 0;
            }
            if (tty) return terminal(Store.containers().execAttached(e.id(), x.withStdio(interactive ? Stdio.PIPE : Stdio.NULL, Stdio.NULL, Stdio.NULL)),
                    interactive, io);
            proc = Store.containers().exec(e.id(), x);
        } catch (ContainerNotRunningException n) {
            throw new CliException(1, "Error response from daemon: container " + e.id() + " is not running");
        } catch (Containers.NotSupportedYetException | Containers.ConflictException n) {
            throw Store.daemon(n);
        } catch (ContainerStartException s) {
            if ("execve".equals(s.syscall())) throw RunCommand.execFailure(cmd.getFirst(), s);
            throw s;
        }
        try (proc) {
            Thread o = null, r = null;
            if (out instanceof Stdio.Pipe) {
                o = pump(proc.stdout(), io.out(), false);
                r = pump(proc.stderr(), io.err(), false);
            }
            if (in instanceof Stdio.Pipe) pump(io.in(), proc.stdin(), true);
            ContainerExit exit = proc.waitFor();
            if (o != null) o.join(5_000);
            if (r != null) r.join(5_000);
            return exit.code();
        }
    }

    /**
     * exec -t: a session with the exec's monitor, which holds its terminal: ours raw when ours is
     * one and -i, its size ours now and on every SIGWINCH (as docker exec -t); ctrl-p ctrl-q ends
     * the session and leaves the process running, as docker's.
     */
    @SuppressWarnings("removal")
    private static int terminal(AttachSession s, boolean interactive, Io io) throws Exception {
        HostTerminal terminal = Store.terminal();
        boolean onTerminal = io.inherited() && terminal.isTerminal(0);
        sun.misc.Signal winch = new sun.misc.Signal("WINCH");
        sun.misc.SignalHandler previous = null;
        var detached = new java.util.concurrent.atomic.AtomicBoolean();
        try (s; AutoCloseable raw = onTerminal && interactive ? terminal.raw(0) : null) {
            if (onTerminal) {
                resize(terminal, s);
                previous = sun.misc.Signal.handle(winch, x -> resize(terminal, s));
            }
            if (interactive) Thread.ofPlatform().daemon().name("jcontainer-exec-in").start(() -> {
                try {
                    if (AttachInput.copyInput(io.in(), s.stdin()) == AttachInput.End.DETACHED) {
                        detached.set(true);
                        s.close();
                    }
                } catch (IOException ignored) {
                    // the session ended
                }
            });
            var exit = s.copyOutput(io.out(), io.err());
            if (exit.isPresent()) return exit.get().code();
            if (detached.get()) {
                io.err().print("\r\nread escape sequence\r\n");
                return 0;
            }
            throw new CliException(1, "exec: its monitor disconnected this client (it did not read the output fast enough); the process runs on");
        } finally {
            if (previous != null) sun.misc.Signal.handle(winch, previous);
        }
    }

    private static void resize(HostTerminal terminal, AttachSession s) {
        int[] size = terminal.size(0);
        try {
            if (size != null && size[0] > 0) s.resize(size[0], size[1]);
        } catch (RuntimeException ended) {
            // it ended just now
        }
    }

    private static Thread pump(InputStream from, OutputStream to, boolean closeTo) {
        return Thread.ofPlatform().daemon().name("jcontainer-exec-pump").start(() -> {
            try (InputStream f = from) {
                byte[] buf = new byte[16384];
                for (int n; (n = f.read(buf)) >= 0; ) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException | RuntimeException ignored) {
                // the other side went away
            } finally {
                if (closeTo) try {
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        });
    }
}
