package io.jcontainer.cli;

import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.WaitCondition;


/** {@code jcontainer wait CONTAINER...}: blocks until each stops, prints its exit code. */
public final class WaitCommand implements Command {
    @Override
    public String name() {
        return "wait";
    }

    @Override
    public String summary() {
        return "Block until one or more containers stop, then print their exit codes";
    }

    @Override
    public String usage() {
        return "wait CONTAINER [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"wait\" requires at least 1 argument.");
        int rc = 0;
        for (String ref : p.positionals()) {
            try {
                ContainerInfo e = Store.find(ref);
                var exit = Store.containers().wait(e.id(), WaitCondition.NOT_RUNNING);
                io.out().println(exit.map(x -> x.code()).orElse(-1));
            } catch (CliException e) {
                io.err().println(e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }
}
