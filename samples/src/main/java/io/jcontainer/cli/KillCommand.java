package io.jcontainer.cli;

import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.Signal;
import io.jcontainer.linux.state.ContainerStore;

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
    public int run(Flags.Parsed p, Io io) {
        if (p.positionals().isEmpty()) throw new UsageException("\"kill\" requires at least 1 argument.");
        Signal sig = Signal.parse(p.has("signal") ? p.value("signal") : "KILL");
        int rc = 0;
        for (String ref : p.positionals()) {
            try {
                ContainerStore.Entry e = Store.find(ref);
                try {
                    Store.store().signal(e, sig);
                } catch (ContainerNotRunningException x) {
                    throw new CliException(1, "Error response from daemon: cannot kill container: " + ref + ": container "
                            + e.state().id() + " is not running");
                }
                io.out().println(ref);
            } catch (CliException e) {
                io.err().println(e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }
}
