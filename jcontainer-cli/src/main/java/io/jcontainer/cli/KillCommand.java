package io.jcontainer.cli;

import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.Signal;

/** {@code jcontainer kill [-s SIGNAL] CONTAINER...}. */
public final class KillCommand implements Command {
    @Override
    public String name() {
        return "kill";
    }

    @Override
    public String summary() {
        return "Kill one or more running containers";
    }

    @Override
    public String usage() {
        return "kill [OPTIONS] CONTAINER [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        return new Flags().value("signal", 's', "string", "Signal to send to the container (default \"KILL\")");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"kill\" requires at least 1 argument.");
        Signal sig = Signal.parse(p.has("signal") ? p.value("signal") : "KILL");
        return Store.forEach(p.positionals(), io, (ref, e) -> {
            try {
                Store.containers().kill(e.id(), sig);
            } catch (ContainerNotRunningException x) {
                throw new CliException(1, "Error response from daemon: cannot kill container: " + ref + ": container "
                        + e.id() + " is not running");
            }
        });
    }
}
