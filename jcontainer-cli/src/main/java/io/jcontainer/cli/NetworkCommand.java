package io.jcontainer.cli;

import io.jcontainer.docker.DockerNetworks;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;
import io.jcontainer.NetworkOptions;
import io.jcontainer.cli.format.Format;
import io.jcontainer.cli.format.TemplateException;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.NetworkInfo;
import io.jcontainer.lifecycle.Networks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jcontainer network create|ls|inspect|rm|prune|connect|disconnect}: docker's network
 * verbs over the lifecycle API's {@link Networks} (docs/networking.md).
 */
public final class NetworkCommand implements GroupCommand {
    /** In a holder: Jackson's databind is loaded by the verbs that print JSON, not by the class. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }
    static final String TABLE = "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";

    @Override
    public String name() {
        return "network";
    }

    @Override
    public String summary() {
        return "Manage networks (create, ls, inspect, rm, prune, connect, disconnect)";
    }

    @Override
    public String usage() {
        return "network COMMAND";
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty())
            throw new UsageException("\"network\" requires a subcommand (create, ls, inspect, rm, prune, connect, disconnect).");
        String sub = p.positionals().getFirst();
        List<String> rest = p.positionals().subList(1, p.positionals().size());
        Networks networks = Store.containers().networks();
        try {
            return switch (sub) {
                case "create" -> create(networks, rest, io);
                case "ls", "list" -> list(networks, rest, io);
                case "inspect" -> inspect(networks, rest, io);
                case "rm", "remove" -> remove(networks, rest, io);
                case "prune" -> prune(networks, rest, io);
                case "connect" -> connect(networks, rest, io);
                case "disconnect" -> disconnect(networks, rest, io);
                default -> throw new UsageException("'" + sub + "' is not a jcontainer network command (create, ls, inspect, rm, prune, connect, disconnect).");
            };
        } catch (Containers.NotSupportedYetException e) {
            throw new CliException(Cli.EXIT_ERROR, e.getMessage());
        }
    }

    private static int create(Networks networks, List<String> rest, Io io) {
        Flags.Parsed a = new Flags().value("driver", 'd', "string", "Driver to manage the Network (bridge)")
                .value("subnet", (char) 0, "list", "Subnet in CIDR format that represents a network segment")
                .value("gateway", (char) 0, "list", "IPv4 or IPv6 Gateway for the master subnet")
                .bool("ipv6", (char) 0, "Enable or disable IPv6 networking")
                .value("ip-range", (char) 0, "list", "Allocate container ip from a sub-range")
                .bool("internal", (char) 0, "Restrict external access to the network")
                .value("label", (char) 0, "list", "Set metadata on a network")
                .value("opt", 'o', "map", "Set driver specific options")
                .bool("attachable", (char) 0, "Enable manual container attachment (always)")
                .parse(rest, true);
        if (a.positionals().size() != 1) throw new UsageException("\"network create\" requires exactly 1 argument.");
        // one subnet (and gateway) per address family: an IPv4 one and, with --ipv6, an IPv6 one
        String subnet = null, subnet6 = null, gateway = null, gateway6 = null;
        for (String s : a.values("subnet")) {
            boolean v6 = s.indexOf(':') >= 0;
            if (v6 ? subnet6 != null : subnet != null)
                throw new CliException(Cli.EXIT_ERROR, "more than one " + (v6 ? "IPv6" : "IPv4") + " --subnet (several subnets of one family per network are not supported yet)");
            if (v6) subnet6 = s;
            else subnet = s;
        }
        for (String g : a.values("gateway")) {
            boolean v6 = g.indexOf(':') >= 0;
            if (v6 ? gateway6 != null : gateway != null)
                throw new CliException(Cli.EXIT_ERROR, "more than one " + (v6 ? "IPv6" : "IPv4") + " --gateway");
            if (v6) gateway6 = g;
            else gateway = g;
        }
        if (a.values("ip-range").size() > 1 || a.values("ip-range").stream().anyMatch(r -> r.indexOf(':') >= 0))
            throw new CliException(Cli.EXIT_ERROR, "more than one --ip-range, or an IPv6 one (not supported yet)");
        String name = a.positionals().getFirst();
        try {
            NetworkInfo n = networks.create(name, a.value("driver"), subnet, gateway, a.value("ip-range"), a.bool("internal"),
                    pairs(a.values("label")), pairs(a.values("opt")), a.bool("ipv6"), subnet6, gateway6);
            io.out().println(n.id());
            return 0;
        } catch (ContainerException e) {
            throw new CliException(1, "Error response from daemon: " + e.getMessage());
        }
    }

    private static int list(Networks networks, List<String> rest, Io io) {
        Flags.Parsed a = new Flags().bool("quiet", 'q', "Only display network IDs").bool("no-trunc", (char) 0, "Do not truncate the output")
                .value("filter", 'f', "filter", "Provide filter values (driver=, id=, label=, name=, type=custom|builtin)")
                .value("format", (char) 0, "string", "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template")
                .parse(rest, true);
        if (!a.positionals().isEmpty()) throw new UsageException("\"network ls\" accepts no arguments.");
        Map<String, List<String>> filters = new LinkedHashMap<>();
        for (String f : a.values("filter")) {
            int eq = f.indexOf('=');
            if (eq <= 0) throw new UsageException("bad format of filter (expected name=value)");
            String k = f.substring(0, eq);
            if (!List.of("driver", "id", "label", "name", "type", "scope").contains(k)) throw new UsageException("invalid filter '" + k + "'");
            filters.computeIfAbsent(k, x -> new ArrayList<>()).add(f.substring(eq + 1));
        }
        boolean full = a.bool("no-trunc");
        List<NetworkInfo> all = new ArrayList<>(networks.list());
        // docker lists the host and none modes beside the networks
        java.time.Instant since = all.stream().filter(n -> n.name().equals("bridge")).map(NetworkInfo::created).findFirst().orElse(java.time.Instant.now());
        all.addAll(DockerNetworks.modes(since));
        all.sort(java.util.Comparator.comparing(NetworkInfo::name));
        List<NetworkInfo> shown = all.stream().filter(n -> matches(n, filters)).toList();
        if (a.bool("quiet")) {
            shown.forEach(n -> io.out().println(full ? n.id() : n.shortId()));
            return 0;
        }
        Format f;
        try {
            f = Format.parse(a.value("format") == null ? "table" : a.value("format"), TABLE);
        } catch (TemplateException e) {
            throw new UsageException("template parsing error: " + e.getMessage());
        }
        List<Object> rows = new ArrayList<>();
        for (NetworkInfo n : shown) rows.add(fields(n, full));
        try {
            io.out().print(f.render(rows, Map.of("ID", "NETWORK ID")));
        } catch (TemplateException e) {
            throw new CliException(Cli.EXIT_ERROR, "template: " + e.getMessage());
        }
        return 0;
    }

    /** Go's {@code time.Time.String()}, which docker network ls prints: {@code 2026-01-02 03:04:05.678 +0000 UTC}. */
    static String goTime(java.time.Instant t) {
        var z = t.atZone(java.time.ZoneOffset.UTC);
        String frac = t.getNano() == 0 ? "" : ("." + String.format(java.util.Locale.ROOT, "%09d", t.getNano())).replaceAll("0+$", "");
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", java.util.Locale.ROOT).format(z) + frac + " +0000 UTC";
    }

    /** docker network ls's fields for --format. */
    static Map<String, Object> fields(NetworkInfo n, boolean full) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", full ? n.id() : n.shortId());
        m.put("Name", n.name());
        m.put("Driver", n.driver());
        m.put("Scope", "local");
        m.put("IPv6", "false");
        m.put("Internal", String.valueOf(n.internal()));
        m.put("CreatedAt", goTime(n.created()));
        List<String> labels = new ArrayList<>();
        n.labels().forEach((k, v) -> labels.add(k + "=" + v));
        m.put("Labels", String.join(",", labels));
        m.put("Label", n.labels());
        return m;
    }

    private static boolean matches(NetworkInfo n, Map<String, List<String>> filters) {
        return io.jcontainer.docker.DockerNetworks.matches(n, filters);
    }

    private static int inspect(Networks networks, List<String> rest, Io io) {
        Flags.Parsed a = new Flags().value("format", 'f', "string", "Format output using a custom template: 'json' or a Go template")
                .bool("verbose", 'v', "Verbose output for diagnostics").parse(rest, true);
        if (a.positionals().isEmpty()) throw new UsageException("\"network inspect\" requires at least 1 argument.");
        Format format;
        try {
            format = a.value("format") == null ? null : Format.parse(a.value("format"), "");
        } catch (TemplateException e) {
            throw new UsageException("template parsing error: " + e.getMessage());
        }
        List<String> objects = new ArrayList<>();
        int rc = 0;
        for (String ref : a.positionals()) {
            try {
                ObjectNode o = inspect(networks.find(ref));
                if (format != null) io.out().print(format.render(List.of(Json.JSON.convertValue(o, Map.class)), Map.of()));
                else objects.add(Json.JSON.writeValueAsString(o));
            } catch (Networks.NoSuchNetworkException e) {
                io.err().println("Error response from daemon: " + e.getMessage());
                rc = 1;
            } catch (TemplateException e) {
                throw new CliException(Cli.EXIT_ERROR, "template: " + e.getMessage());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        if (format == null) io.out().println("[" + String.join(",\n", objects) + "]");
        return rc;
    }

    /** docker network inspect's object, with the bridge jcontainer made (named or chosen) and its MTU among the options. */
    static ObjectNode inspect(NetworkInfo n) {
        ObjectNode o = io.jcontainer.docker.DockerNetworks.inspect(n, id -> null);
        ObjectNode opts = (ObjectNode) o.get("Options");
        opts.put("com.docker.network.bridge.name", n.bridge());
        opts.put("com.docker.network.driver.mtu", String.valueOf(n.mtu()));
        return o;
    }

    private static int remove(Networks networks, List<String> rest, Io io) {
        Flags.Parsed a = new Flags().bool("force", 'f', "Do not error if the network does not exist").parse(rest, true);
        if (a.positionals().isEmpty()) throw new UsageException("\"network rm\" requires at least 1 argument.");
        int rc = 0;
        for (String n : a.positionals()) {
            try {
                networks.remove(n);
                io.out().println(n);
            } catch (Networks.NoSuchNetworkException e) {
                if (a.bool("force")) continue;
                io.err().println("Error response from daemon: " + e.getMessage());
                rc = 1;
            } catch (ContainerException e) {
                io.err().println("Error response from daemon: error while removing network: " + e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }

    private static int prune(Networks networks, List<String> rest, Io io) {
        Flags.Parsed a = new Flags().bool("force", 'f', "Do not prompt for confirmation").value("filter", (char) 0, "filter", "Provide filter values")
                .parse(rest, true);
        if (!a.values("filter").isEmpty()) throw new CliException(Cli.EXIT_ERROR, "network prune --filter is not supported yet");
        if (!a.bool("force")) {
            io.out().print("WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ");
            io.out().flush();
            StringBuilder answer = new StringBuilder();
            try {
                for (int c; (c = io.in().read()) >= 0 && c != '\n'; ) answer.append((char) c);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            String ans = answer.toString().trim().toLowerCase(Locale.ROOT);
            if (!ans.equals("y") && !ans.equals("yes")) return 0;
        }
        List<String> removed = networks.prune();
        if (!removed.isEmpty()) {
            io.out().println("Deleted Networks:");
            removed.forEach(io.out()::println);
            io.out().println();
        }
        return 0;
    }

    private static int connect(Networks networks, List<String> rest, Io io) {
        Flags.Parsed a = new Flags().value("alias", (char) 0, "list", "Add network-scoped alias for the container")
                .value("ip", (char) 0, "string", "IPv4 address (e.g., 172.30.100.104)")
                .value("ip6", (char) 0, "string", "IPv6 address (e.g., 2001:db8::33)")
                .value("driver-opt", (char) 0, "list", "driver options for the network").parse(rest, true);
        if (a.positionals().size() != 2) throw new UsageException("\"network connect\" requires exactly 2 arguments.");
        try {
            networks.connect(a.positionals().get(0), a.positionals().get(1),
                    new NetworkOptions(a.values("alias"), null, a.value("ip"), null, null, null, null, null, a.value("ip6")));
            return 0;
        } catch (ContainerException e) {
            throw new CliException(1, "Error response from daemon: " + e.getMessage());
        }
    }

    private static int disconnect(Networks networks, List<String> rest, Io io) {
        Flags.Parsed a = new Flags().bool("force", 'f', "Force the container to disconnect from a network").parse(rest, true);
        if (a.positionals().size() != 2) throw new UsageException("\"network disconnect\" requires exactly 2 arguments.");
        try {
            networks.disconnect(a.positionals().get(0), a.positionals().get(1));
            return 0;
        } catch (ContainerException e) {
            throw new CliException(1, "Error response from daemon: " + e.getMessage());
        }
    }

    private static Map<String, String> pairs(List<String> values) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            m.put(eq < 0 ? v : v.substring(0, eq), eq < 0 ? "" : v.substring(eq + 1));
        }
        return m;
    }
}
