package io.jcontainer.cli;

import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;


import java.util.ArrayList;
import java.util.List;

/** {@code jcontainer top CONTAINER}: its processes, ps -ef's columns. */
public final class TopCommand implements Command {
    @Override
    public String name() {
        return "top";
    }

    @Override
    public String summary() {
        return "Display the running processes of a container";
    }

    @Override
    public String usage() {
        return "top CONTAINER [ps OPTIONS]";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public boolean interspersed() {
        return false; // what follows the container is ps's options (-ef, aux, -o pid,args)
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"top\" requires at least 1 argument.");
        ContainerInfo e = Store.find(p.positionals().getFirst());
        List<String> psOptions = p.positionals().subList(1, p.positionals().size());
        if (!e.running()) throw new CliException(1, "Error response from daemon: container " + e.id() + " is not running");
        Containers.ProcessList top;
        try {
            top = Store.containers().top(e.id(), psOptions);
        } catch (IllegalArgumentException x) {
            throw new CliException(1, "Error response from daemon: " + x.getMessage());
        } catch (io.jcontainer.ContainerNotRunningException x) {
            throw Store.daemon(x);
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(top.titles());
        rows.addAll(top.processes());
        Table.print(rows, io.out());
        return 0;
    }
}
