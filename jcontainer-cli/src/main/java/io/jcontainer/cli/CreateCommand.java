package io.jcontainer.cli;

import io.jcontainer.ContainerSpec;
import io.jcontainer.Stdio;
import io.jcontainer.lifecycle.Containers;

/**
 * {@code jcontainer create [OPTIONS] [--rootfs DIR | IMAGE] COMMAND [ARG...]}: docker create —
 * the container set up and waiting for {@code jcontainer start} (from any later process); its
 * output is logged. Prints its id.
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
        return ContainerFlags.declare(new Flags());
    }

    @Override
    public boolean interspersed() {
        return false;
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        ContainerFlags.warnings(p, io);
        Cidfile cidfile = Cidfile.of(p);
        Stdio out = "none".equals(p.value("log-driver")) ? Stdio.NULL : Stdio.PIPE;
        ContainerSpec spec = RunCommand.specOf(p).detached(true).stdin(Stdio.NULL).stdout(out).stderr(out).build();
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
