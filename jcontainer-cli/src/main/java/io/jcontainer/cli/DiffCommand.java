package io.jcontainer.cli;

import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.FileChange;

/** {@code jcontainer diff CONTAINER}: docker's A/C/D lines, what changed in the container's root since it was made. */
public final class DiffCommand implements Command {
    @Override
    public String name() {
        return "diff";
    }

    @Override
    public String summary() {
        return "Inspect changes to files or directories on a container's filesystem";
    }

    @Override
    public String usage() {
        return "diff CONTAINER";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        var c = Store.find(Command.exactly(p, name(), 1).getFirst());
        try {
            for (FileChange ch : Store.containers().diff(c.id())) io.out().println(ch);
        } catch (Containers.NotSupportedYetException e) {
            throw Store.daemon(e);
        }
        return 0;
    }
}
