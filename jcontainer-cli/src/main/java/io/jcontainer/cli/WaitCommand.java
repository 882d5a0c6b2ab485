package io.jcontainer.cli;

import io.jcontainer.linux.state.ContainerStore;

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
                ContainerStore.Entry e = Store.find(ref);
                ContainerStore store = Store.store();
                // not our child: watch the kernel (pid + start time), then read the monitor's record
                while ((e = store.entry(e.state())).running() || e.status() == ContainerStore.Status.CREATED) Thread.sleep(50);
                for (int i = 0; i < 100 && e.exit() == null; i++) {
                    Thread.sleep(20);
                    e = store.entry(e.state());
                }
                io.out().println(e.exit() == null ? -1 : e.exit().code());
            } catch (CliException e) {
                io.err().println(e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }
}
