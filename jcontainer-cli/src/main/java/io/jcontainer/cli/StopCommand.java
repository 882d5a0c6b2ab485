package io.jcontainer.cli;


import java.time.Duration;

/** {@code jcontainer stop [-t N] CONTAINER...}: stop signal, N seconds, then SIGKILL to every process. */
public final class StopCommand implements Command {
    @Override
    public String name() {
        return "stop";
    }

    @Override
    public String summary() {
        return "Stop one or more running containers";
    }

    @Override
    public String usage() {
        return "stop [OPTIONS] CONTAINER [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        return new Flags().value("time", 't', "int", "Seconds to wait before killing the container (default: its --stop-timeout, else 10)")
                .value("signal", 's', "string", "Signal to send to the container");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"stop\" requires at least 1 argument.");
        // without -t: the container's own --stop-timeout (null asks the lifecycle API for it)
        Duration grace = p.has("time") ? Duration.ofSeconds(Math.max(0, Integer.parseInt(p.value("time")))) : null;
        return Store.forEach(p.positionals(), io, (ref, e) -> Store.containers().stop(e.id(), grace));
    }
}
