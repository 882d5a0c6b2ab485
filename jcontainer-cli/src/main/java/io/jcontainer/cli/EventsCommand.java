package io.jcontainer.cli;

import io.jcontainer.docker.DockerEvents;
import io.jcontainer.cli.format.Format;
import io.jcontainer.lifecycle.EventQuery;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jcontainer events [--since T] [--until T] [--filter K=V] [--format F]}: docker's event
 * stream of the user's containers, from the journal every jcontainer process appends to
 * (docs/lifecycle.md, "Events"). Past events from {@code --since}, then new ones until
 * {@code --until} or ctrl-c.
 */
public final class EventsCommand implements Command {
    @Override
    public String name() {
        return "events";
    }

    @Override
    public String summary() {
        return "Get real time events from the server";
    }

    @Override
    public String usage() {
        return "events [OPTIONS]";
    }

    @Override
    public Flags flags() {
        return new Flags().value("filter", 'f', "filter", "Filter output based on conditions provided (container=, event=, type=, label=)")
                .value("format", (char) 0, "string", "Format output using a custom template: 'json' or a Go template")
                .value("since", (char) 0, "string", "Show all events created since timestamp")
                .value("until", (char) 0, "string", "Stream events until this timestamp");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (!p.positionals().isEmpty()) throw new UsageException("\"events\" accepts no arguments.");
        Instant since = time(p.value("since"), "since"), until = time(p.value("until"), "until");
        Map<String, List<String>> filters = new LinkedHashMap<>();
        for (String f : p.values("filter")) {
            int eq = f.indexOf('=');
            if (eq <= 0) throw new UsageException("bad format of filter (expected name=value)");
            String k = f.substring(0, eq);
            if (!List.of("container", "event", "type", "label").contains(k)) throw new UsageException("invalid filter '" + k + "'");
            filters.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(f.substring(eq + 1));
        }
        Format format = p.value("format") == null ? null : FormatOption.parse(p.value("format"), "");
        // docker: --until alone replays what is kept up to it
        EventQuery q = new EventQuery(since == null && until != null ? Instant.EPOCH : since, until, filters);
        Store.containers().events(q, e -> {
            io.out().print(format == null ? DockerEvents.line(e) + "\n" : format.render(List.of(DockerEvents.message(e)), Map.of()));
            io.out().flush();
            return !io.out().checkError(); // the reader went away (a closed pipe)
        });
        return 0;
    }

    /** docker's time arguments: RFC 3339, unix seconds ({@code 1700000000.5}) or a duration back from now. */
    static Instant time(String v, String flag) {
        if (v != null && v.matches("\\d+(\\.\\d{1,9})?")) {
            String[] s = v.split("\\.");
            return Instant.ofEpochSecond(Long.parseLong(s[0]), s.length > 1 ? Long.parseLong((s[1] + "00000000").substring(0, 9)) : 0);
        }
        return LogsCommand.since(v, flag);
    }
}
