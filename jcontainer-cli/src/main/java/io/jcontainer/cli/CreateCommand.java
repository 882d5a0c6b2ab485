package io.jcontainer.cli;

import io.jcontainer.ContainerSpec;
import io.jcontainer.lifecycle.Containers;

/**
 * {@code jcontainer create [OPTIONS] [--rootfs DIR | IMAGE] COMMAND [ARG...]}: docker create —
 * the container set up and waiting for {@code jcontainer start} (from any later process); its
 * output is logged; with {@code -t} or {@code -i} its terminal or stdin is held for
 * {@code start -a[i]} and {@code attach}. Prints its id.
 */
public final class CreateCommand implements Command {
    @Override
    public String name() {
        return "create";
    }

    @Override
    public String summary() {
        return "Create a new container (started later by start)";
    }

    @Override
    public String usage() {
        return "create [OPTIONS] [--rootfs DIR | IMAGE] COMMAND [ARG...]";
    }

    @Override
    public Flags flags() {
        return ContainerFlags.declare(new Flags()
                .bool("interactive", 'i', "Keep STDIN open (held by the container's monitor for start -ai and attach)")
                .bool("tty", 't', "Allocate a pseudo-TTY"));
    }

    @Override
    public boolean interspersed() {
        return false;
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        ContainerFlags.warnings(p, io);
        Cidfile cidfile = Cidfile.of(p);
        // as run -d's: -t a terminal, -i a stdin, both held by its monitor for start -a and attach
        ContainerSpec spec = RunCommand.detachedSpec(RunCommand.specOf(p), p).build();
        try {
            String id = Store.containers().create(spec).id();
            cidfile.write(id);
            io.out().println(id);
        } catch (Containers.ConflictException e) {
            throw Store.daemon(e);
        }
        return 0;
    }
}
