package io.jcontainer.cli;

import io.jcontainer.ContainerException;

/**
 * {@code jcontainer pause CONTAINER...} and {@code jcontainer unpause CONTAINER...}: freeze or
 * thaw every process of detached containers through their cgroup freezer (docs/lifecycle.md,
 * "Pause"). As docker: each reference is printed as given once done; each failure is one
 * {@code Error response from daemon: ...} line on stderr, the others still run, and the status is
 * 1 if any failed.
 */
public final class PauseCommand implements Command {
    private final boolean unpause;

    public PauseCommand(boolean unpause) {
        this.unpause = unpause;
    }

    @Override
    public String name() {
        return unpause ? "unpause" : "pause";
    }

    @Override
    public String summary() {
        return unpause ? "Unpause all processes within one or more containers" : "Pause all processes within one or more containers";
    }

    @Override
    public String usage() {
        return name() + " CONTAINER [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"" + name() + "\" requires at least 1 argument.");
        return Store.forEach(p.positionals(), io, (ref, e) -> {
            try {
                if (unpause) Store.containers().unpause(e.id());
                else Store.containers().pause(e.id());
            } catch (ContainerException x) { // not running, (not) paused, restarting, no freezer here
                throw Store.daemon(x);
            }
        });
    }
}
