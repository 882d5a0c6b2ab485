package io.jcontainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.VolumeInfo;
import io.jcontainer.lifecycle.Volumes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jcontainer volume create|ls|inspect|rm|prune}: docker's volume verbs over the lifecycle
 * API's {@link Volumes} (docs/lifecycle.md, "Volumes").
 */
public final class VolumeCommand implements GroupCommand {
    /** In a holder: Jackson's databind is loaded by the verbs that print JSON, not by the class. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    @Override
    public String name() {
        return "volume";
    }

    @Override
    public String summary() {
        return "Manage volumes (create, ls, inspect, rm, prune)";
    }

    @Override
    public String usage() {
        return "volume COMMAND";
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"volume\" requires a subcommand (create, ls, inspect, rm, prune).");
        String sub = p.positionals().getFirst();
        List<String> rest = p.positionals().subList(1, p.positionals().size());
        Volumes volumes = Store.containers().volumes();
        switch (sub) {
            case "create" -> {
                Flags.Parsed a = new Flags().value("label", (char) 0, "list", "Set metadata for a volume").value("name", (char) 0, "string", "Specify volume name")
                        .parse(rest, true);
                if (a.positionals().size() > 1) throw new UsageException("\"volume create\" requires at most 1 argument.");
                String name = a.positionals().isEmpty() ? a.value("name") : a.positionals().getFirst();
                try {
                    io.out().println(volumes.create(name, labels(a.values("label"))).name());
                } catch (InvalidSpecException e) {
                    throw new CliException(1, "Error response from daemon: create " + name + ": " + e.getMessage().substring("volume: ".length()));
                }
                return 0;
            }
            case "ls", "list" -> {
                Flags.Parsed a = new Flags().bool("quiet", 'q', "Only display volume names").value("filter", 'f', "filter", "Provide filter values (dangling=, name=, label=)")
                        .value("format", (char) 0, "string", FormatOption.FLAG_HELP).parse(rest, true);
                var format = a.value("format") == null || a.bool("quiet") ? null : FormatOption.parse(a.value("format"), LS_TABLE);
                Map<String, List<String>> filters = new LinkedHashMap<>();
                for (String f : a.values("filter")) {
                    int eq = f.indexOf('=');
                    if (eq <= 0) throw new UsageException("bad format of filter (expected name=value)");
                    String k = f.substring(0, eq);
                    if (!List.of("dangling", "name", "label").contains(k)) throw new UsageException("invalid filter '" + k + "'");
                    filters.computeIfAbsent(k, x -> new ArrayList<>()).add(f.substring(eq + 1));
                }
                List<VolumeInfo> vs = volumes.list(filters);
                if (a.bool("quiet")) {
                    vs.forEach(v -> io.out().println(v.name()));
                    return 0;
                }
                if (format != null) {
                    List<Object> rows = new ArrayList<>();
                    for (VolumeInfo v : vs) rows.add(lsFields(v));
                    FormatOption.print(format, rows, Map.of("Name", "VOLUME NAME"), io);
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("DRIVER", "VOLUME NAME"));
                for (VolumeInfo v : vs) rows.add(List.of(v.driver(), v.name()));
                Table.print(rows, io.out());
                return 0;
            }
            case "inspect" -> {
                if (rest.isEmpty()) throw new UsageException("\"volume inspect\" requires at least 1 argument.");
                List<String> objects = new ArrayList<>();
                int rc = 0;
                for (String n : rest) {
                    try {
                        objects.add(Json.JSON.writeValueAsString(inspect(volumes.find(n))));
                    } catch (Volumes.NoSuchVolumeException e) {
                        io.err().println("Error response from daemon: " + e.getMessage());
                        rc = 1;
                    }
                }
                io.out().println("[" + String.join(",\n", objects) + "]");
                return rc;
            }
            case "rm", "remove" -> {
                Flags.Parsed a = new Flags().bool("force", 'f', "Force the removal of one or more volumes").parse(rest, true);
                if (a.positionals().isEmpty()) throw new UsageException("\"volume rm\" requires at least 1 argument.");
                int rc = 0;
                for (String n : a.positionals()) {
                    try {
                        volumes.remove(n);
                        io.out().println(n);
                    } catch (Volumes.NoSuchVolumeException e) {
                        if (a.bool("force")) continue; // docker: -f ignores a missing volume
                        io.err().println("Error response from daemon: " + e.getMessage());
                        rc = 1;
                    } catch (Containers.ConflictException e) {
                        io.err().println("Error response from daemon: " + e.getMessage());
                        rc = 1;
                    }
                }
                return rc;
            }
            case "prune" -> {
                Flags.Parsed a = new Flags().bool("force", 'f', "Do not prompt for confirmation").bool("all", 'a', "Remove all unused volumes, not just anonymous ones")
                        .parse(rest, true);
                if (!a.bool("force")) {
                    io.out().print("WARNING! This will remove " + (a.bool("all") ? "all" : "anonymous") + " local volumes not used by at least one container.\n"
                            + "Are you sure you want to continue? [y/N] ");
                    io.out().flush();
                    StringBuilder answer = new StringBuilder();
                    for (int c; (c = io.in().read()) >= 0 && c != '\n'; ) answer.append((char) c);
                    String ans = answer.toString().trim().toLowerCase(java.util.Locale.ROOT);
                    if (!ans.equals("y") && !ans.equals("yes")) return 0;
                }
                List<String> removed = volumes.prune(a.bool("all"));
                if (!removed.isEmpty()) {
                    io.out().println("Deleted Volumes:");
                    removed.forEach(io.out()::println);
                    io.out().println();
                }
                io.out().println("Total reclaimed space: 0B");
                return 0;
            }
            default -> throw new UsageException("'" + sub + "' is not a jcontainer volume command (create, ls, inspect, rm, prune).");
        }
    }

    private static Map<String, String> labels(List<String> values) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            m.put(eq < 0 ? v : v.substring(0, eq), eq < 0 ? "" : v.substring(eq + 1));
        }
        return m;
    }

    static final String LS_TABLE = "table {{.Driver}}\t{{.Name}}";

    /** volume ls --format's fields, docker's names (Labels as "k=v,k=v", as docker prints them). */
    static Map<String, Object> lsFields(VolumeInfo v) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> labels = new ArrayList<>();
        v.labels().forEach((k, val) -> labels.add(k + "=" + val));
        if (v.anonymous()) labels.add("com.docker.volume.anonymous=");
        m.put("Availability", "N/A");
        m.put("Driver", v.driver());
        m.put("Group", "N/A");
        m.put("Labels", String.join(",", labels));
        m.put("Links", "N/A");
        m.put("Mountpoint", v.mountpoint().toString());
        m.put("Name", v.name());
        m.put("Scope", "local");
        m.put("Size", "N/A");
        m.put("Status", "N/A");
        return m;
    }

    /** docker volume inspect's object. */
    static ObjectNode inspect(VolumeInfo v) {
        ObjectNode o = Json.JSON.createObjectNode();
        o.put("CreatedAt", v.createdAt().toString());
        o.put("Driver", v.driver());
        ObjectNode l = o.putObject("Labels");
        v.labels().forEach(l::put);
        if (v.anonymous()) l.put("com.docker.volume.anonymous", "");
        o.put("Mountpoint", v.mountpoint().toString());
        o.put("Name", v.name());
        o.putObject("Options");
        o.put("Scope", "local");
        var used = o.putArray("UsedBy"); // jcontainer's own: the recorded containers that mount it
        v.usedBy().forEach(used::add);
        return o;
    }
}
