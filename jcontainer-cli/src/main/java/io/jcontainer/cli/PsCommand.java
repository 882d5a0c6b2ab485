package io.jcontainer.cli;

import io.jcontainer.linux.state.ContainerStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code jcontainer ps}: the sandboxes of this host, docker's table and flags. */
public final class PsCommand implements Command {
    @Override
    public String name() {
        return "ps";
    }

    @Override
    public String summary() {
        return "List containers (detached or named ones; -a: exited too)";
    }

    @Override
    public String usage() {
        return "ps [OPTIONS]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .bool("all", 'a', "Show all containers (default shows just running)")
                .bool("latest", 'l', "Show the latest created container (includes all states)")
                .value("last", 'n', "int", "Show n last created containers (includes all states)")
                .bool("quiet", 'q', "Only display container IDs")
                .bool("no-trunc", (char) 0, "Don't truncate output")
                .value("filter", 'f', "filter", "Filter output: status=, name=, id=");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        if (!p.positionals().isEmpty()) throw new UsageException("\"ps\" accepts no arguments.");
        List<ContainerStore.Entry> all = Store.store().list();
        int last = p.bool("latest") ? 1 : p.has("last") ? parseInt(p.value("last")) : -1;
        List<ContainerStore.Entry> shown = new ArrayList<>();
        for (ContainerStore.Entry e : all) {
            if (!p.bool("all") && last < 0 && !e.running()) continue;
            if (!matches(e, p.values("filter"))) continue;
            shown.add(e);
        }
        if (last >= 0 && shown.size() > last) shown = shown.subList(shown.size() - last, shown.size());
        shown = new ArrayList<>(shown);
        java.util.Collections.reverse(shown); // newest first, as docker
        boolean full = p.bool("no-trunc");
        if (p.bool("quiet")) {
            for (ContainerStore.Entry e : shown) io.out().println(full ? e.state().id() : e.state().shortId());
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"));
        for (ContainerStore.Entry e : shown) {
            var s = e.state();
            String cmd = String.join(" ", s.command());
            if (!full && cmd.length() > 20) cmd = cmd.substring(0, 19) + "…";
            rows.add(List.of(full ? s.id() : s.shortId(), s.image(), "\"" + cmd + "\"", Store.ago(Instant.parse(s.created())),
                    Store.status(e), "", s.name() == null ? "" : s.name()));
        }
        Table.print(rows, io.out());
        return 0;
    }

    private static int parseInt(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("invalid argument \"" + v + "\" for \"-n, --last\" flag: not a number");
        }
    }

    private static boolean matches(ContainerStore.Entry e, List<String> filters) {
        for (String f : filters) {
            int eq = f.indexOf('=');
            if (eq < 0) throw new UsageException("bad format of filter (expected name=value): " + f);
            String k = f.substring(0, eq), v = f.substring(eq + 1);
            boolean ok = switch (k) {
                case "status" -> e.paused() ? v.equals("paused") : e.status().name().equalsIgnoreCase(v);
                case "name" -> e.state().name() != null && e.state().name().contains(v);
                case "id" -> e.state().id().startsWith(v);
                default -> throw new UsageException("invalid filter '" + k + "'");
            };
            if (!ok) return false;
        }
        return true;
    }
}
