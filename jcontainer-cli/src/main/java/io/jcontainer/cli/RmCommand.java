package io.jcontainer.cli;

import io.jcontainer.lifecycle.Containers;


/** {@code jcontainer rm [-f] CONTAINER...}: refuses a running container unless -f, which kills it first. */
public final class RmCommand implements Command {
    @Override
    public String name() {
        return "rm";
    }

    @Override
    public String summary() {
        return "Remove one or more containers";
    }

    @Override
    public String usage() {
        return "rm [OPTIONS] CONTAINER [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        return new Flags().bool("force", 'f', "Force the removal of a running container (uses SIGKILL)")
                .bool("volumes", 'v', "Remove anonymous volumes associated with the container");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"rm\" requires at least 1 argument.");
        return Store.forEach(p.positionals(), io, (ref, e) -> {
            try {
                Store.containers().remove(e.id(), p.bool("force"), p.bool("volumes"));
            } catch (Containers.ConflictException | Containers.NoSuchContainerException x) {
                throw Store.daemon(x);
            }
        });
    }
}
