package io.jcontainer.cli;

import io.jcontainer.InvalidSpecException;
import io.jcontainer.lifecycle.Containers;

/** {@code jcontainer rename CONTAINER NEW_NAME}. */
public final class RenameCommand implements Command {
    @Override
    public String name() {
        return "rename";
    }

    @Override
    public String summary() {
        return "Rename a container";
    }

    @Override
    public String usage() {
        return "rename CONTAINER NEW_NAME";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        var args = Command.exactly(p, "rename", 2);
        try {
            Store.containers().rename(Store.find(args.get(0)).id(), args.get(1));
        } catch (Containers.ConflictException | Containers.NoSuchContainerException | InvalidSpecException e) {
            throw new CliException(1, "Error response from daemon: " + (e instanceof InvalidSpecException i ? i.getMessage().substring("name: ".length()) : e.getMessage()));
        }
        return 0;
    }
}
