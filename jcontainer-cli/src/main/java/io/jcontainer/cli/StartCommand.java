package io.jcontainer.cli;

import io.jcontainer.Signal;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.LogOptions;
import io.jcontainer.lifecycle.WaitCondition;
import io.jcontainer.lifecycle.Containers;

import java.time.Duration;

/**
 * {@code jcontainer start CONTAINER...} and {@code jcontainer restart [-t N] CONTAINER...}: run
 * a created or exited container again, under its id and name, from its stored configuration.
 */
public final class StartCommand implements Command {
    private final boolean restart;

    public StartCommand(boolean restart) {
        this.restart = restart;
    }

    @Override
    public String name() {
        return restart ? "restart" : "start";
    }

    @Override
    public String summary() {
        return restart ? "Restart one or more containers" : "Start one or more stopped containers";
    }

    @Override
    public String usage() {
        return name() + " [OPTIONS] CONTAINER [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        Flags f = new Flags();
        return restart ? f.value("time", 't', "int", "Seconds to wait before killing the container (default: its --stop-timeout, else 10)")
                : f.bool("attach", 'a', "Attach STDOUT/STDERR and forward signals")
                .bool("interactive", 'i', "Attach container's STDIN")
                .value("detach-keys", (char) 0, "string", "Override the key sequence for detaching a container (default \"ctrl-p,ctrl-q\")");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"" + name() + "\" requires at least 1 argument.");
        boolean attach = !restart && (p.bool("attach") || p.bool("interactive"));
        if (attach && p.positionals().size() > 1)
            throw new UsageException("you cannot start and attach multiple containers at once");
        var keys = attach ? AttachCommand.detachKeys(p.value("detach-keys")) : null;
        int rc = 0;
        for (String ref : p.positionals()) {
            try {
                ContainerInfo e = Store.find(ref);
                if (attach && e.status() == ContainerInfo.Status.CREATED && e.pid() > 0) return startAttached(e, p, keys, io);
                java.time.Instant startedAt = java.time.Instant.now(); // its log entries from here on are this run's
                try {
                    if (restart) Store.containers().restart(e.id(), p.has("time") ? Duration.ofSeconds(Integer.parseInt(p.value("time"))) : null);
                    else if (e.running()) { // docker: starting a running container is a no-op
                        io.out().println(ref);
                        continue;
                    } else Store.containers().start(e.id());
                } catch (Containers.NotSupportedYetException | Containers.ConflictException | Containers.NoSuchContainerException x) {
                    throw Store.daemon(x);
                }
                HealthMonitor.spawn(e.id(), e.spec()); // its checks start over with it (a running checker keeps them)
                // docker start -a attaches before the payload runs; here it starts first. Without -i the
                // log from the start on is the whole output (a payload that ended at once included);
                // with -i the attach carries the input, and the log stands in when it ended already.
                if (attach && !p.bool("interactive")) return followLog(e.id(), startedAt, io);
                if (attach) {
                    try {
                        return AttachCommand.attach(Store.find(e.id()), true, keys, true, io);
                    } catch (CliException x) {
                        if (!AttachCommand.STOPPED.equals(x.getMessage())) throw x;
                        return followLog(e.id(), startedAt, io);
                    }
                }
                io.out().println(ref);
            } catch (CliException e) {
                io.err().println(e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }

    /**
     * docker's start -a of a created container: attached before it starts (its monitor holds
     * the session until then), so nothing of its output is missed.
     */
    private static int startAttached(ContainerInfo e, Flags.Parsed p, io.jcontainer.docker.DetachKeys keys, Io io) throws Exception {
        io.jcontainer.lifecycle.AttachSession s;
        try {
            s = Store.containers().attach(e.id());
        } catch (io.jcontainer.ContainerException x) {
            throw Store.daemon(x);
        }
        try {
            Store.containers().start(e.id());
        } catch (RuntimeException x) {
            s.close();
            if (x instanceof io.jcontainer.ContainerException ce) throw Store.daemon(ce);
            throw x;
        }
        return AttachCommand.session(Store.find(e.id()), s, p.bool("interactive"), keys, true, io);
    }

    /**
     * Prints the container's output logged since {@code since} as it comes, forwarding this
     * process's signals to it (docker's --sig-proxy), until it ends; returns its exit code.
     */
    @SuppressWarnings("removal")
    private static int followLog(String id, java.time.Instant since, Io io) throws Exception {
        var containers = Store.containers();
        java.util.List<Runnable> undo = new java.util.ArrayList<>();
        if (io.inherited())
            for (Signal sig : SignalForwarder.FORWARDED) {
                sun.misc.Signal js = new sun.misc.Signal(sig.name());
                try {
                    sun.misc.SignalHandler prev = sun.misc.Signal.handle(js, x -> {
                        try {
                            containers.kill(id, sig);
                        } catch (RuntimeException ignored) {
                            // it ended meanwhile
                        }
                    });
                    undo.add(() -> sun.misc.Signal.handle(js, prev));
                } catch (IllegalArgumentException ignored) {
                    // a signal the JVM keeps for itself
                }
            }
        try {
            containers.logs(id, new LogOptions(true, false, -1, since, null), io.out(), io.err());
            io.out().flush();
            io.err().flush();
            return containers.wait(id, WaitCondition.NOT_RUNNING).map(x -> x.code()).orElse(Cli.EXIT_ERROR);
        } finally {
            undo.forEach(Runnable::run);
        }
    }
}
