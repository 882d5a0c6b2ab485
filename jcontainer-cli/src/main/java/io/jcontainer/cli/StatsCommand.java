package io.jcontainer.cli;

import io.jcontainer.ContainerException;
import io.jcontainer.ContainerStats;
import io.jcontainer.cli.format.Format;
import io.jcontainer.cli.format.TemplateException;
import io.jcontainer.docker.StatsColumns;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.ListQuery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jcontainer stats [OPTIONS] [CONTAINER...]}: docker's live table of resource use, redrawn
 * every second (the screen cleared as docker clears it); {@code --no-stream} prints one table.
 * The CPU percentage needs two samples: the first table comes after one interval, as docker's.
 */
public final class StatsCommand implements Command {
    /** docker's stats interval. */
    static final long INTERVAL_MS = 1000;
    /** The interval of the one table of {@code --no-stream}: long enough for a CPU percentage, short for scripts. */
    static final long NO_STREAM_MS = 500;

    @Override
    public String name() {
        return "stats";
    }

    @Override
    public String summary() {
        return "Display a live stream of container(s) resource usage statistics";
    }

    @Override
    public String usage() {
        return "stats [OPTIONS] [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .bool("all", 'a', "Show all containers (default shows just running)")
                .value("format", (char) 0, "string", "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template")
                .bool("no-stream", (char) 0, "Disable streaming stats and only pull the first result")
                .bool("no-trunc", (char) 0, "Do not truncate output");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        Format f;
        try {
            f = Format.parse(p.value("format") == null ? "table" : p.value("format"), StatsColumns.TABLE);
        } catch (TemplateException e) {
            throw new UsageException("template parsing error: " + e.getMessage());
        }
        List<String> named = p.positionals();
        for (String ref : named) Store.find(ref); // docker: an unknown one is an error before anything is shown
        boolean stream = !p.bool("no-stream"), full = p.bool("no-trunc");
        Map<String, Sample> prev = new HashMap<>();
        sample(containers(named, p.bool("all")), prev); // the first sample: the CPU percentage is between two
        while (true) {
            Thread.sleep(stream ? INTERVAL_MS : NO_STREAM_MS);
            List<Given> shown = containers(named, p.bool("all"));
            Map<String, Sample> now = new LinkedHashMap<>();
            sample(shown, now);
            List<Object> rows = new ArrayList<>();
            for (Given g : shown) {
                Sample s = now.get(g.info().id()), b = prev.get(g.info().id());
                rows.add(StatsColumns.fields(g.ref(), g.info(), s == null ? null : s.stats(), b == null ? null : b.stats(),
                        s == null || b == null ? 0 : s.nanos() - b.nanos(), full));
            }
            if (!StatsCommand.printFrame(io, f, rows, stream)) return 0;
            prev = now;
        }
    }

    /**
     * Prints one frame of the table (a stream redraws the screen, as docker's); false when there
     * is no next frame: one was asked for, or the output is gone. Shared with the client mode.
     */
    static boolean printFrame(Io io, Format f, List<Object> rows, boolean stream) {
        String table;
        try {
            table = f.render(rows, StatsColumns.HEADERS);
        } catch (TemplateException e) {
            throw new CliException(Cli.EXIT_ERROR, "template: " + e.getMessage());
        }
        if (stream) io.out().print("\033[2J\033[H"); // docker redraws: clear, cursor home
        io.out().print(table);
        if (f.isTable() && !table.endsWith("\n")) io.out().println();
        io.out().flush();
        return stream && !io.out().checkError();
    }

    /** A container as the user named it (or its name, when all are shown). */
    private record Given(String ref, ContainerInfo info) {
    }

    private record Sample(ContainerStats stats, long nanos) {
    }

    private static List<Given> containers(List<String> named, boolean all) {
        List<Given> out = new ArrayList<>();
        if (!named.isEmpty()) {
            for (String ref : named) out.add(new Given(ref, Store.find(ref)));
            return out;
        }
        for (ContainerInfo c : Store.containers().list(ListQuery.of(all, List.of())))
            out.add(new Given(c.shortId(), c)); // docker's .Container of an unnamed listing: the short id
        return out;
    }

    /** One sample of each running one; a container that stopped (or went) meanwhile has none: zeros. */
    private static void sample(List<Given> containers, Map<String, Sample> into) {
        for (Given g : containers) {
            if (!g.info().running()) continue;
            try {
                into.put(g.info().id(), new Sample(Store.containers().stats(g.info().id()), System.nanoTime()));
            } catch (ContainerException stoppedOrNoCgroup) {
                // shown with zeros, as docker shows a container it has no stats of
            }
        }
    }
}
