package io.jcontainer.cli;

import io.jcontainer.lifecycle.ContainerInfo;
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
                // docker start -a: output printed from the start on needs the attach before the payload
                // runs; here the payload may have written a little before the attach (it is in the log)
                if (attach) return AttachCommand.attach(Store.find(e.id()), p.bool("interactive"), keys, true, io);
                io.out().println(ref);
            } catch (CliException e) {
                io.err().println(e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }
}
