package io.jcontainer.cli;

import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.state.SandboxTop;

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
        return "top CONTAINER";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        ContainerStore.Entry e = Store.find(Command.exactly(p, "top", 1).getFirst());
        if (!e.running()) throw new CliException(1, "Error response from daemon: container " + e.state().id() + " is not running");
        List<List<String>> rows = new ArrayList<>();
        rows.add(SandboxTop.TITLES);
        rows.addAll(SandboxTop.rows(e.state().pid(), e.state().pidNamespace()));
        Table.print(rows, io.out());
        return 0;
    }
}
