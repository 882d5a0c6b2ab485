package io.jcontainer.cli;

import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.LogOptions;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** {@code jcontainer logs [-f] [-t] [--tail N] [--since T] [--until T] CONTAINER}: what its monitor logged. */
public final class LogsCommand implements Command {
    @Override
    public String name() {
        return "logs";
    }

    @Override
    public String summary() {
        return "Fetch the logs of a container";
    }

    @Override
    public String usage() {
        return "logs [OPTIONS] CONTAINER";
    }

    @Override
    public Flags flags() {
        return new Flags().bool("follow", 'f', "Follow log output")
                .bool("timestamps", 't', "Show timestamps")
                .value("tail", 'n', "string", "Number of lines to show from the end of the logs (default \"all\")")
                .value("since", (char) 0, "string", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
                .value("until", (char) 0, "string", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        String ref = Command.exactly(p, "logs", 1).getFirst();
        ContainerInfo e = Store.find(ref);
        String tail = p.value("tail");
        int n = tail == null || tail.equals("all") ? -1 : Integer.parseInt(tail);
        var o = new LogOptions(p.bool("follow"), p.bool("timestamps"), n, since(p.value("since"), "since"), since(p.value("until"), "until"));
        try {
            Store.containers().logs(e.id(), o, io.out(), io.err());
        } catch (Containers.NotSupportedYetException | Containers.NoSuchContainerException x) {
            throw Store.daemon(x);
        }
        return 0;
    }

    /** docker's time arguments: an RFC 3339 timestamp, or a duration back from now ({@code 42m}). */
    static Instant since(String v, String flag) {
        if (v == null) return null;
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException ignored) {
            // relative
        }
        try {
            return Instant.now().minus(Duration.parse("PT" + v.toUpperCase(java.util.Locale.ROOT)));
        } catch (DateTimeParseException x) {
            throw new UsageException("invalid value for \"" + flag + "\": " + v + " (a timestamp like 2013-01-02T13:23:37Z or a duration like 42m)");
        }
    }
}
