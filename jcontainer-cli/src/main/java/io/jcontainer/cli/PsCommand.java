package io.jcontainer.cli;

import io.jcontainer.docker.PsColumns;
import io.jcontainer.cli.format.Format;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.ListQuery;


import java.util.ArrayList;
import java.util.List;

/** {@code jcontainer ps}: the containers of this host, docker's table and flags. */
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
                .bool("size", 's', "Display total file sizes")
                .value("filter", 'f', "filter", "Filter output: id, name, label, status, exited, ancestor, before, since, volume, network, publish, expose, health, isolation, is-task")
                .value("format", (char) 0, "string", FormatOption.FLAG_HELP);
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        if (!p.positionals().isEmpty()) throw new UsageException("\"ps\" accepts no arguments.");
        int last = p.bool("latest") ? 1 : p.has("last") ? parseInt(p.value("last")) : -1;
        ListQuery q;
        try {
            q = ListQuery.of(p.bool("all") || last >= 0, p.values("filter"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        List<ContainerInfo> shown;
        try {
            shown = Store.containers().list(q);
        } catch (io.jcontainer.lifecycle.Containers.NoSuchContainerException e) { // before= or since= names none
            throw Store.daemon(e);
        }
        if (last >= 0 && shown.size() > last) shown = shown.subList(shown.size() - last, shown.size());
        shown = new ArrayList<>(shown);
        java.util.Collections.reverse(shown); // newest first, as docker
        boolean full = p.bool("no-trunc");
        boolean sized = PsColumns.wantsSize(p.bool("size"), p.value("format"));
        if (p.value("format") != null && !p.bool("quiet")) {
            Format f = FormatOption.parse(p.value("format"), PsColumns.TABLE + (sized ? "\t{{.Size}}" : ""));
            List<Object> rows = new ArrayList<>();
            for (ContainerInfo c : shown) {
                var m = PsColumns.fields(c, full, ports(c));
                if (sized) m.put("Size", size(c));
                rows.add(m);
            }
            FormatOption.print(f, rows, PsColumns.HEADERS, io);
            return 0;
        }
        if (p.bool("quiet")) {
            for (ContainerInfo c : shown) io.out().println(full ? c.id() : c.shortId());
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(sized ? plus(PsColumns.TITLES, "SIZE") : PsColumns.TITLES);
        for (ContainerInfo c : shown) rows.add(sized ? plus(PsColumns.row(c, full, ports(c)), size(c)) : PsColumns.row(c, full, ports(c)));
        Table.print(rows, io.out());
        return 0;
    }

    /** A running container's published ports, as its endpoints hold them (none for an exited one: they were given back). */
    private static List<io.jcontainer.PortBinding> ports(ContainerInfo c) {
        if (!c.running()) return List.of();
        List<io.jcontainer.PortBinding> out = new ArrayList<>();
        for (io.jcontainer.lifecycle.NetworkInfo.Endpoint e : Store.containers().networks().endpoints(c.id())) out.addAll(e.ports());
        return out;
    }

    /** docker's SIZE of a container: counted now, from its files (a container removed meanwhile: 0B). */
    private static String size(ContainerInfo c) {
        try {
            var s = Store.containers().size(c.id());
            return PsColumns.size(s.rw(), s.rootFs());
        } catch (io.jcontainer.lifecycle.Containers.NoSuchContainerException gone) {
            return PsColumns.size(0, 0);
        }
    }

    private static List<String> plus(List<String> row, String last) {
        List<String> out = new ArrayList<>(row);
        out.add(last);
        return out;
    }

    private static int parseInt(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("invalid argument \"" + v + "\" for \"-n, --last\" flag: not a number");
        }
    }
}
