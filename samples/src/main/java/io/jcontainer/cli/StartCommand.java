package io.jcontainer.cli;

import io.jcontainer.ContainerSpec;
import io.jcontainer.Stdio;
import io.jcontainer.linux.state.ContainerStore;

import java.time.Duration;

/**
 * {@code jcontainer start CONTAINER...} and {@code jcontainer restart [-t N] CONTAINER...}: run
 * an exited detached sandbox again, under its id and name, from its saved run arguments.
 */
public final class StartCommand implements Command {
    private final boolean restart;

    public StartCommand(boolean restart) {
        this.restart = restart;
    }

    @Override
    public String name() {
        return restart ? "restart" : "start";
    }

    @Override
    public String summary() {
        return restart ? "Restart one or more containers" : "Start one or more stopped containers";
    }

    @Override
    public String usage() {
        return name() + " [OPTIONS] CONTAINER [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        Flags f = new Flags();
        return restart ? f.value("time", 't', "int", "Seconds to wait before killing the container (default 10)") : f;
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"" + name() + "\" requires at least 1 argument.");
        int rc = 0;
        for (String ref : p.positionals()) {
            try {
                ContainerStore.Entry e = Store.find(ref);
                if (restart) Store.store().stop(e, Duration.ofSeconds(p.has("time") ? Integer.parseInt(p.value("time")) : 10));
                else if (e.running()) { // docker: starting a running container is a no-op
                    io.out().println(ref);
                    continue;
                }
                Flags.Parsed args = Store.runArgs(e.state().id());
                ContainerSpec spec = RunCommand.specOf(args).detached(true).stdin(Stdio.NULL).stdout(Stdio.PIPE).stderr(Stdio.PIPE).build();
                Store.runtime().restart(Store.store().entry(e.state()).state(), spec).close(); // let go: it lives on
                io.out().println(ref);
            } catch (CliException e) {
                io.err().println(e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }
}
