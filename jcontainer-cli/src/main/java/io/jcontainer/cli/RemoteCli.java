package io.jcontainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.docker.AttachInput;
import io.jcontainer.docker.CreateBody;
import io.jcontainer.docker.DetachKeys;
import io.jcontainer.docker.PsColumns;
import io.jcontainer.docker.StatsColumns;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.RegistryCredentials;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static io.jcontainer.cli.EngineClient.path;
import static io.jcontainer.cli.EngineClient.query;

/**
 * The CLI as a client of a Docker Engine API ({@code -H}, {@code DOCKER_HOST}): a remote
 * {@code jcontainer system service}, or a docker daemon. A verb's command line is parsed by the
 * verb's own flags (the same as on this host), then carried out through the API; the container
 * body comes from {@link CreateBody} and the tables from jcontainer-docker's conventions
 * ({@link PsColumns}). A verb or a flag this mode does not carry yet is refused by name.
 */
final class RemoteCli {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The verbs client mode carries; {@code container} and {@code image} reach them through their subcommands. */
    static final Set<String> VERBS = Set.of("version", "info", "ps", "run", "create", "start", "stop", "kill", "rm", "restart", "wait",
            "logs", "exec", "inspect", "images", "pull", "tag", "rmi", "push", "build", "network", "volume", "events", "container", "image",
            "attach", "pause", "unpause", "rename", "top", "port", "cp", "stats", "update", "commit", "diff", "export", "import", "save",
            "load", "history", "login", "logout", "search", "system");

    private final EngineClient client;
    private final Io io;

    RemoteCli(EngineClient client, Io io) {
        this.client = client;
        this.io = io;
    }

    /** Runs {@code args} (the verb first) against the daemon. */
    int run(List<String> args) throws Exception {
        String verb = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        if (verb.equals("container") || verb.equals("image")) {
            if (rest.isEmpty()) throw new UsageException("\"" + verb + "\" requires a subcommand.");
            String sub = rest.getFirst();
            List<String> subArgs = rest.subList(1, rest.size());
            if (sub.equals("prune")) return verb.equals("container") ? verbs().containerPrune(subArgs) : verbs().imagePrune(subArgs);
            String mapped = switch (verb + " " + sub) {
                case "container ls", "container list", "container ps" -> "ps";
                case "image ls", "image list" -> "images";
                case "image rm", "image remove" -> "rmi";
                default -> {
                    // docker's management commands: the top-level verb of that name (container cp, image save, ...)
                    boolean known = verb.equals("container")
                            ? Set.of("rm", "run", "create", "start", "stop", "kill", "restart", "wait", "logs", "exec", "inspect", "attach",
                            "pause", "unpause", "rename", "top", "port", "cp", "stats", "update", "commit", "diff", "export").contains(sub)
                            : Set.of("pull", "push", "tag", "inspect", "build", "history", "save", "load", "import").contains(sub);
                    if (!known) throw new UsageException("'" + verb + " " + sub + "' is not a jcontainer command.");
                    yield sub;
                }
            };
            List<String> a = new ArrayList<>();
            a.add(mapped);
            a.addAll(subArgs);
            if (verb.equals("image") && sub.equals("inspect")) a.add(1, "--type=image");
            if (verb.equals("container") && sub.equals("inspect")) a.add(1, "--type=container");
            return run(a);
        }
        if (verb.equals("system")) return system(rest);
        if (!VERBS.contains(verb)) throw refused(verb);
        if (verb.equals("network")) return network(rest);
        if (verb.equals("volume")) return volume(rest);
        Command cmd = Cli.find(verb);
        Flags.Parsed p = cmd.flags().parse(rest, cmd.interspersed());
        if (p.bool("help")) {
            io.out().print(Cli.help(cmd));
            return 0;
        }
        return switch (verb) {
            case "version" -> version(p);
            case "info" -> info(p);
            case "ps" -> ps(p);
            case "run" -> run(p, true);
            case "create" -> run(p, false);
            case "start" -> each(p, Set.of(), "start", id -> client.call("POST", "/containers/" + path(id) + "/start", null));
            case "stop" -> each(p, Set.of("time"), "stop", id -> client.call("POST", "/containers/" + path(id) + "/stop" + query("t", p.value("time")), null));
            case "restart" -> each(p, Set.of("time"), "restart", id -> client.call("POST", "/containers/" + path(id) + "/restart" + query("t", p.value("time")), null));
            case "kill" -> each(p, Set.of("signal"), "kill", id -> client.call("POST", "/containers/" + path(id) + "/kill" + query("signal", p.value("signal")), null));
            case "rm" -> each(p, Set.of("force", "volumes"), "rm", id -> client.call("DELETE", "/containers/" + path(id)
                    + query("force", p.bool("force") ? "1" : null, "v", p.bool("volumes") ? "1" : null), null));
            case "wait" -> waitVerb(p);
            case "logs" -> logs(p);
            case "exec" -> exec(p);
            case "inspect" -> inspect(p);
            case "images" -> images(p);
            case "pull" -> pull(p);
            case "tag" -> tag(p);
            case "rmi" -> rmi(p);
            case "push" -> push(p);
            case "events" -> events(p);
            case "build" -> build(p);
            case "pause" -> each(p, Set.of(), "pause", id -> client.call("POST", "/containers/" + path(id) + "/pause", null));
            case "unpause" -> each(p, Set.of(), "unpause", id -> client.call("POST", "/containers/" + path(id) + "/unpause", null));
            case "rename" -> {
                only(p, "rename", Set.of());
                List<String> a = Command.exactly(p, "rename", 2);
                client.call("POST", "/containers/" + path(a.get(0)) + "/rename" + query("name", a.get(1)), null).ok().close();
                yield 0;
            }
            case "top" -> top(p);
            case "port" -> port(p);
            case "attach" -> attach(p);
            case "cp" -> new RemoteCp(client, io).run(p);
            case "stats" -> verbs().stats(p);
            case "update" -> verbs().update(p);
            case "commit" -> verbs().commit(p);
            case "diff" -> verbs().diff(p);
            case "export" -> verbs().export(p);
            case "import" -> verbs().importImage(p);
            case "save" -> verbs().save(p);
            case "load" -> verbs().load(p);
            case "history" -> verbs().history(p);
            case "login" -> verbs().login(p);
            case "logout" -> verbs().logout(p);
            case "search" -> verbs().search(p);
            default -> throw refused(verb);
        };
    }

    private RemoteVerbs verbs() {
        return new RemoteVerbs(client, io);
    }

    /** {@code system df} and {@code system prune} ask the daemon; {@code system service} runs one here, which is not a client's verb. */
    private int system(List<String> rest) throws Exception {
        if (rest.isEmpty()) throw new UsageException("\"system\" requires a subcommand: df, prune (service runs here, without -H)");
        List<String> args = rest.subList(1, rest.size());
        return switch (rest.getFirst()) {
            case "df" -> verbs().systemDf(args);
            case "prune" -> verbs().systemPrune(args);
            case "info" -> run(List.of("info"));
            case "events" -> {
                List<String> a = new ArrayList<>(List.of("events"));
                a.addAll(args);
                yield run(a);
            }
            case "service" -> throw new CliException(Cli.EXIT_ERROR, SERVICE_HERE);
            default -> throw new UsageException("'system " + rest.getFirst() + "' is not a jcontainer command (df, prune, info, events; service without -H).");
        };
    }

    /** Why {@code serve}/{@code system service} never go to a daemon: they are the daemon, listening on this host. */
    static final String SERVICE_HERE = "'system service' (and 'serve') runs a daemon on this host: it is not sent to another one; "
            + "run it without -H/DOCKER_HOST and give where it listens as its own argument (jcontainer system service unix:///PATH)";

    static CliException refused(String verb) {
        return new CliException(Cli.EXIT_ERROR, "'" + verb + "' is not supported against a remote daemon (-H/DOCKER_HOST) yet; client mode carries: "
                + String.join(", ", new java.util.TreeSet<>(VERBS)));
    }

    /** Refuses any given flag outside {@code carried}: it would be ignored remotely. */
    private static void only(Flags.Parsed p, String verb, Set<String> carried) {
        for (String f : p.values().keySet())
            if (!carried.contains(f) && !f.equals("help"))
                throw new CliException(Cli.EXIT_ERROR, verb + " --" + f + " is not supported against a remote daemon (-H/DOCKER_HOST) yet");
    }

    // ---- system ----

    private int version(Flags.Parsed p) throws IOException {
        only(p, "version", Set.of());
        JsonNode v = client.json("GET", "/version", null);
        PrintStream o = io.out();
        o.println("Client:");
        o.println(" Version:           " + VersionCommand.version());
        o.println(" API version:       " + client.version());
        o.println(" OS/Arch:           linux/" + System.getProperty("os.arch").replace("x86_64", "amd64"));
        o.println();
        o.println("Server: " + v.path("Platform").path("Name").asText(""));
        o.println(" Engine:");
        o.println("  Version:          " + v.path("Version").asText());
        o.println("  API version:      " + v.path("ApiVersion").asText() + " (minimum version " + v.path("MinAPIVersion").asText() + ")");
        o.println("  OS/Arch:          " + v.path("Os").asText() + "/" + v.path("Arch").asText());
        o.println("  Kernel Version:   " + v.path("KernelVersion").asText());
        return 0;
    }

    private int info(Flags.Parsed p) throws IOException {
        only(p, "info", Set.of());
        JsonNode i = client.json("GET", "/info", null);
        PrintStream o = io.out();
        o.println("Server:");
        o.println(" Containers: " + i.path("Containers").asInt());
        o.println("  Running: " + i.path("ContainersRunning").asInt());
        o.println("  Paused: " + i.path("ContainersPaused").asInt());
        o.println("  Stopped: " + i.path("ContainersStopped").asInt());
        o.println(" Images: " + i.path("Images").asInt());
        o.println(" Server Version: " + i.path("ServerVersion").asText());
        o.println(" Storage Driver: " + i.path("Driver").asText());
        o.println(" Cgroup Driver: " + i.path("CgroupDriver").asText());
        o.println(" Cgroup Version: " + i.path("CgroupVersion").asText());
        o.println(" Kernel Version: " + i.path("KernelVersion").asText());
        o.println(" Operating System: " + i.path("OperatingSystem").asText());
        o.println(" OSType: " + i.path("OSType").asText());
        o.println(" Architecture: " + i.path("Architecture").asText());
        o.println(" CPUs: " + i.path("NCPU").asInt());
        o.println(" Total Memory: " + i.path("MemTotal").asLong());
        o.println(" Name: " + i.path("Name").asText());
        o.println(" Docker Root Dir: " + i.path("DockerRootDir").asText());
        return 0;
    }

    private int events(Flags.Parsed p) throws IOException {
        only(p, "events", Set.of("since", "until", "filter"));
        String filters = filters(p.values("filter"));
        try (var r = client.call("GET", "/events" + query("since", p.value("since"), "until", p.value("until"), "filters", filters), null).ok()) {
            var parser = JSON.getFactory().createParser(r.body());
            var it = JSON.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode e = it.next();
                long nanos = e.path("timeNano").asLong(e.path("time").asLong() * 1_000_000_000L);
                Instant t = Instant.ofEpochSecond(0, nanos);
                StringBuilder attrs = new StringBuilder();
                e.path("Actor").path("Attributes").properties().forEach(a ->
                        attrs.append(attrs.isEmpty() ? "" : ", ").append(a.getKey()).append('=').append(a.getValue().asText()));
                io.out().println(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atOffset(java.time.ZoneOffset.UTC)) + " "
                        + e.path("Type").asText() + " " + e.path("Action").asText() + " " + e.path("Actor").path("ID").asText()
                        + (attrs.isEmpty() ? "" : " (" + attrs + ")"));
                io.out().flush();
            }
        }
        return 0;
    }

    /** docker's --filter k=v list as the API's {@code filters} JSON ({@code {"k":{"v":true}}}). */
    private static String filters(List<String> given) throws IOException {
        if (given.isEmpty()) return null;
        ObjectNode f = JsonNodeFactory.instance.objectNode();
        for (String kv : given) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new UsageException("bad format of filter (expected name=value)");
            ObjectNode values = f.has(kv.substring(0, eq)) ? (ObjectNode) f.get(kv.substring(0, eq)) : f.putObject(kv.substring(0, eq));
            values.put(kv.substring(eq + 1), true);
        }
        return JSON.writeValueAsString(f);
    }

    // ---- containers ----

    private int ps(Flags.Parsed p) throws IOException {
        only(p, "ps", Set.of("all", "quiet", "filter", "no-trunc", "last", "latest", "format", "size"));
        Integer limit = p.bool("latest") ? Integer.valueOf(1) : p.has("last") ? Integer.valueOf(p.value("last")) : null;
        boolean sized = PsColumns.wantsSize(p.bool("size"), p.value("format")) && !p.bool("quiet");
        JsonNode list = client.json("GET", "/containers/json" + query("all", p.bool("all") ? "1" : null, "limit", limit,
                "size", sized ? "1" : null, "filters", filters(p.values("filter"))), null);
        boolean full = p.bool("no-trunc");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode c : list) rows.add(psFields(c, full));
        if (p.bool("quiet")) {
            for (Map<String, Object> r : rows) io.out().println(r.get("ID"));
            return 0;
        }
        if (p.value("format") != null) {
            FormatOption.print(FormatOption.parse(p.value("format"), PsColumns.TABLE + (sized ? "\t{{.Size}}" : "")), new ArrayList<>(rows), PsColumns.HEADERS, io);
            return 0;
        }
        List<List<String>> table = new ArrayList<>();
        List<String> titles = new ArrayList<>(PsColumns.TITLES);
        if (sized) titles.add("SIZE");
        table.add(titles);
        for (Map<String, Object> r : rows) {
            List<String> row = new ArrayList<>(List.of((String) r.get("ID"), (String) r.get("Image"), (String) r.get("Command"),
                    (String) r.get("RunningFor"), (String) r.get("Status"), (String) r.get("Ports"), (String) r.get("Names")));
            if (sized) row.add((String) r.get("Size"));
            table.add(row);
        }
        Table.print(table, io.out());
        return 0;
    }

    /** The fields ps shows, from the API's container summary, in {@link PsColumns}'s wording. */
    private static Map<String, Object> psFields(JsonNode c, boolean full) {
        String id = c.path("Id").asText();
        String cmd = c.path("Command").asText();
        if (!full && cmd.length() > 20) cmd = cmd.substring(0, 19) + "…";
        List<String> names = new ArrayList<>();
        for (JsonNode n : c.path("Names")) names.add(n.asText().startsWith("/") ? n.asText().substring(1) : n.asText());
        List<String> ports = new ArrayList<>();
        for (JsonNode pt : c.path("Ports")) {
            String inside = pt.path("PrivatePort").asInt() + "/" + pt.path("Type").asText("tcp");
            ports.add(pt.has("PublicPort") && pt.path("PublicPort").asInt() > 0
                    ? pt.path("IP").asText("0.0.0.0") + ":" + pt.path("PublicPort").asInt() + "->" + inside : inside);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        c.path("Labels").properties().forEach(l -> labels.put(l.getKey(), l.getValue().asText()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", full || id.length() <= 12 ? id : id.substring(0, 12));
        m.put("Image", c.path("Image").asText());
        m.put("Command", "\"" + cmd + "\"");
        Instant created = Instant.ofEpochSecond(c.path("Created").asLong());
        m.put("CreatedAt", PsColumns.CREATED_AT.format(created.atZone(java.time.ZoneId.of("UTC"))));
        m.put("RunningFor", PsColumns.ago(created));
        m.put("Ports", String.join(", ", ports));
        m.put("State", c.path("State").asText());
        m.put("Status", c.path("Status").asText());
        m.put("Size", PsColumns.size(Math.max(0, c.path("SizeRw").asLong(0)), Math.max(0, c.path("SizeRootFs").asLong(0))));
        m.put("Names", String.join(",", names));
        m.put("Labels", String.join(",", labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        m.put("LabelMap", labels);
        return m;
    }

    interface Call {
        EngineClient.Response call(String id) throws IOException;
    }

    /** start, stop, kill, rm, restart: each named container in turn; its name on success, docker's error otherwise (exit 1). */
    private int each(Flags.Parsed p, Set<String> carried, String verb, Call call) throws IOException {
        only(p, verb, carried);
        if (p.positionals().isEmpty()) throw new UsageException("\"" + verb + "\" requires at least 1 argument.");
        int status = 0;
        for (String id : p.positionals()) {
            try (EngineClient.Response r = call.call(id)) {
                if (r.status() >= 400) {
                    io.err().println(r.error().getMessage());
                    status = 1;
                } else {
                    r.body().readAllBytes();
                    io.out().println(id);
                }
            }
        }
        return status;
    }

    private int waitVerb(Flags.Parsed p) throws IOException {
        only(p, "wait", Set.of());
        if (p.positionals().isEmpty()) throw new UsageException("\"wait\" requires at least 1 argument.");
        int status = 0;
        for (String id : p.positionals()) {
            try (EngineClient.Response r = client.call("POST", "/containers/" + path(id) + "/wait", null)) {
                if (r.status() >= 400) {
                    io.err().println(r.error().getMessage());
                    status = 1;
                } else io.out().println(r.json().path("StatusCode").asInt());
            }
        }
        return status;
    }

    /** run (create, attach, start, wait) and create; a missing image is pulled first, as docker's client does. */
    private int run(Flags.Parsed p, boolean start) throws Exception {
        if (p.has("rootfs")) throw new CliException(Cli.EXIT_ERROR, "--rootfs names a directory on this host: not with a remote daemon (-H/DOCKER_HOST)");
        if (p.positionals().isEmpty()) throw new UsageException("\"" + (start ? "run" : "create") + "\" requires at least 1 argument.");
        String image = p.positionals().getFirst();
        List<String> command = p.positionals().subList(1, p.positionals().size());
        Map<String, List<String>> flags = new LinkedHashMap<>(p.values());
        flags.remove("help");
        if (!start) flags.put("detach", List.of("true")); // create: nothing attaches
        ObjectNode body;
        try {
            body = CreateBody.of(flags, image, command, System::getenv);
        } catch (IllegalArgumentException e) {
            throw new CliException(Cli.EXIT_ERROR, e.getMessage());
        }
        String id = create(body, p.value("name"), image);
        if (!start) {
            io.out().println(id);
            return 0;
        }
        String cpath = "/containers/" + path(id);
        if (p.bool("detach")) {
            client.call("POST", cpath + "/start", null).ok().close();
            io.out().println(id);
            return 0;
        }
        boolean tty = p.bool("tty"), stdin = p.bool("interactive");
        EngineClient.Hijacked h = client.hijack("POST", cpath + "/attach" + query("stream", "1", "stdin", stdin ? "1" : null, "stdout", "1", "stderr", "1"), null);
        // the exit status is asked for before the start, so a quick or --rm container cannot end unseen
        String condition = p.bool("rm") ? "removed" : "next-exit";
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try (EngineClient.Response r = client.call("POST", cpath + "/wait" + query("condition", condition), null)) {
                return r.status() >= 400 ? -1 : r.json().path("StatusCode").asInt();
            } catch (IOException e) {
                throw EngineClient.unchecked(e);
            }
        });
        try (EngineClient.Response r = client.call("POST", cpath + "/start", null)) {
            if (r.status() >= 400) {
                h.close();
                CliException e = r.error();
                throw new CliException(e.getMessage().contains("executable file not found") || e.getMessage().contains("no such file")
                        ? Cli.EXIT_NOT_FOUND : Cli.EXIT_ERROR, e.getMessage());
            }
        }
        boolean detached = session(h, tty, stdin, cpath, AttachCommand.detachKeys(p.value("detach-keys")));
        if (detached) return 0;
        try {
            return exit.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CliException(Cli.EXIT_ERROR, "waiting for " + id + ": " + e.getCause().getMessage());
        }
    }

    private String create(ObjectNode body, String name, String image) throws IOException {
        String path = "/containers/create" + query("name", name);
        EngineClient.Response r = client.call("POST", path, body);
        if (r.status() == 404) {
            CliException e = r.error();
            if (!e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("no such image")) throw e;
            io.err().println("Unable to find image '" + image + "' locally");
            pullImage(image, io.err());
            r = client.call("POST", path, body);
        }
        return r.ok().json().path("Id").asText();
    }

    /**
     * Copies a hijacked session until the server ends it: the output (demultiplexed without a
     * terminal), stdin with -i (the detach keys with a terminal, then the write half shut at its
     * end). Raw mode and the window size when this process's stdin is a terminal. True when the
     * user detached.
     */
    @SuppressWarnings("removal")
    private boolean session(EngineClient.Hijacked h, boolean tty, boolean stdin, String resizePath, DetachKeys keys) throws Exception {
        var terminal = tty && io.inherited() ? Store.terminal() : null;
        boolean onTerminal = terminal != null && terminal.isTerminal(0);
        var detached = new java.util.concurrent.atomic.AtomicBoolean();
        List<Runnable> undo = new ArrayList<>();
        try (h; AutoCloseable raw = onTerminal && stdin ? terminal.raw(0) : null) {
            if (onTerminal) {
                Runnable resize = () -> resize(terminal.size(0), resizePath);
                resize.run();
                sun.misc.Signal winch = new sun.misc.Signal("WINCH");
                sun.misc.SignalHandler prev = sun.misc.Signal.handle(winch, x -> resize.run());
                undo.add(() -> sun.misc.Signal.handle(winch, prev));
            }
            if (stdin) {
                Thread.ofPlatform().daemon().name("jcontainer-remote-in").start(() -> {
                    try {
                        if (tty) {
                            if (AttachInput.copyInput(io.in(), h.out(), keys) == AttachInput.End.DETACHED) {
                                detached.set(true);
                                h.close();
                                return;
                            }
                        } else {
                            io.in().transferTo(h.out());
                        }
                        h.closeWrite();
                    } catch (IOException ignored) {
                        // the session ended
                    }
                });
            }
            try {
                if (tty) copy(h.in(), io.out());
                else demux(h.in(), io.out(), io.err());
            } catch (IOException e) {
                if (!detached.get()) throw e;
            }
            if (detached.get()) io.err().print(tty ? "\r\nread escape sequence\r\n" : "read escape sequence\n");
            return detached.get();
        } finally {
            undo.forEach(Runnable::run);
        }
    }

    private void resize(int[] size, String path) {
        if (size == null || size[0] <= 0) return;
        try {
            client.call("POST", path + "/resize" + query("h", size[0], "w", size[1]), null).close();
        } catch (IOException | RuntimeException ignored) {
            // the container ended meanwhile
        }
    }

    private static void copy(InputStream in, PrintStream out) throws IOException {
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            out.flush();
        }
    }

    /** docker's multiplexed stream: an 8-byte header (stream, 0, 0, 0, size big-endian), then that many bytes. */
    static void demux(InputStream in, OutputStream out, OutputStream err) throws IOException {
        byte[] header = new byte[8];
        byte[] buf = new byte[8192];
        while (true) {
            int got = in.readNBytes(header, 0, 8);
            if (got == 0) return;
            if (got < 8) throw new IOException("the daemon's stream ended inside a frame header");
            int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
            OutputStream to = header[0] == 2 ? err : out;
            while (size > 0) {
                int n = in.read(buf, 0, Math.min(buf.length, size));
                if (n < 0) throw new IOException("the daemon's stream ended inside a frame");
                to.write(buf, 0, n);
                size -= n;
            }
            to.flush();
        }
    }

    private int top(Flags.Parsed p) throws IOException {
        only(p, "top", Set.of());
        if (p.positionals().isEmpty()) throw new UsageException("\"top\" requires at least 1 argument.");
        String args = p.positionals().size() > 1 ? String.join(" ", p.positionals().subList(1, p.positionals().size())) : null;
        JsonNode t = client.json("GET", "/containers/" + path(p.positionals().getFirst()) + "/top" + query("ps_args", args), null);
        List<List<String>> table = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        for (JsonNode n : t.path("Titles")) titles.add(n.asText());
        table.add(titles);
        for (JsonNode row : t.path("Processes")) {
            List<String> r = new ArrayList<>();
            for (JsonNode n : row) r.add(n.asText());
            table.add(r);
        }
        Table.print(table, io.out());
        return 0;
    }

    /** docker port: the published ports from the container's inspect ({@code NetworkSettings.Ports}). */
    private int port(Flags.Parsed p) throws IOException {
        only(p, "port", Set.of());
        if (p.positionals().isEmpty() || p.positionals().size() > 2) throw new UsageException("\"port\" requires 1 or 2 arguments.");
        JsonNode ports = client.json("GET", "/containers/" + path(p.positionals().getFirst()) + "/json", null).path("NetworkSettings").path("Ports");
        String wanted = p.positionals().size() == 2 ? p.positionals().get(1) : null;
        if (wanted != null && !wanted.contains("/")) wanted += "/tcp";
        boolean any = false;
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) ports.properties()::iterator) {
            if (wanted != null && !wanted.equals(e.getKey())) continue;
            for (JsonNode b : e.getValue()) {
                String host = b.path("HostIp").asText("0.0.0.0") + ":" + b.path("HostPort").asText();
                io.out().println(wanted != null ? host : e.getKey() + " -> " + host);
                any = true;
            }
        }
        if (wanted != null && !any)
            throw new CliException(1, "Error: No public port '" + wanted + "' published for " + p.positionals().getFirst());
        return 0;
    }

    /** attach: a hijacked session to a running container, the exit status its own when it ends meanwhile. */
    private int attach(Flags.Parsed p) throws Exception {
        only(p, "attach", Set.of("no-stdin", "detach-keys", "sig-proxy"));
        String id = Command.exactly(p, "attach", 1).getFirst();
        String cpath = "/containers/" + path(id);
        JsonNode info = client.json("GET", cpath + "/json", null);
        if (!info.path("State").path("Running").asBoolean(false))
            throw new CliException(1, "You cannot attach to a stopped container, start it first");
        boolean tty = info.path("Config").path("Tty").asBoolean(false);
        boolean stdin = !p.bool("no-stdin") && info.path("Config").path("OpenStdin").asBoolean(false);
        EngineClient.Hijacked h = client.hijack("POST", cpath + "/attach" + query("stream", "1", "stdin", stdin ? "1" : null, "stdout", "1", "stderr", "1"), null);
        if (session(h, tty, stdin, cpath, AttachCommand.detachKeys(p.value("detach-keys")))) return 0;
        try (var r = client.call("GET", cpath + "/json", null)) {
            JsonNode now = r.status() == 200 ? r.json() : null;
            return now == null || now.path("State").path("Running").asBoolean(false) ? 0 : now.path("State").path("ExitCode").asInt();
        }
    }

    private int logs(Flags.Parsed p) throws IOException {
        only(p, "logs", Set.of("follow", "tail", "timestamps", "since", "until"));
        List<String> id = Command.exactly(p, "logs", 1);
        String cpath = "/containers/" + path(id.getFirst());
        boolean tty = client.json("GET", cpath + "/json", null).path("Config").path("Tty").asBoolean(false);
        try (var r = client.call("GET", cpath + "/logs" + query("stdout", "1", "stderr", "1", "follow", p.bool("follow") ? "1" : null,
                "tail", p.value("tail"), "timestamps", p.bool("timestamps") ? "1" : null, "since", p.value("since"), "until", p.value("until")), null).ok()) {
            if (tty) copy(r.body(), io.out());
            else demux(r.body(), io.out(), io.err());
        }
        return 0;
    }

    private int exec(Flags.Parsed p) throws Exception {
        only(p, "exec", Set.of("interactive", "tty", "detach", "env", "workdir", "user", "privileged", "detach-keys"));
        if (p.positionals().size() < 2) throw new UsageException("\"exec\" requires at least 2 arguments.");
        String container = p.positionals().getFirst();
        boolean tty = p.bool("tty"), stdin = p.bool("interactive"), detach = p.bool("detach");
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("AttachStdin", stdin && !detach).put("AttachStdout", !detach).put("AttachStderr", !detach).put("Tty", tty)
                .put("Privileged", p.bool("privileged"));
        p.positionals().subList(1, p.positionals().size()).forEach(body.putArray("Cmd")::add);
        if (p.has("env")) p.values("env").forEach(body.putArray("Env")::add);
        if (p.value("workdir") != null) body.put("WorkingDir", p.value("workdir"));
        if (p.value("user") != null) body.put("User", p.value("user"));
        String execId = client.json("POST", "/containers/" + path(container) + "/exec", body).path("Id").asText();
        String epath = "/exec/" + path(execId);
        ObjectNode start = JsonNodeFactory.instance.objectNode().put("Detach", detach).put("Tty", tty);
        if (detach) {
            client.call("POST", epath + "/start", start).ok().close();
            return 0;
        }
        EngineClient.Hijacked h = client.hijack("POST", epath + "/start", start);
        if (session(h, tty, stdin, epath, AttachCommand.detachKeys(p.value("detach-keys")))) return 0;
        // the session ends when the process does; its status is recorded a moment later
        long end = System.nanoTime() + 10_000_000_000L;
        JsonNode info = client.json("GET", epath + "/json", null);
        while (info.path("Running").asBoolean(false) && System.nanoTime() < end) {
            Thread.sleep(20);
            info = client.json("GET", epath + "/json", null);
        }
        return info.path("ExitCode").isNumber() ? info.path("ExitCode").asInt() : Cli.EXIT_ERROR;
    }

    private int inspect(Flags.Parsed p) throws IOException {
        only(p, "inspect", Set.of("format", "type", "size"));
        if (p.positionals().isEmpty()) throw new UsageException("\"inspect\" requires at least 1 argument.");
        String type = p.value("type");
        List<JsonNode> found = new ArrayList<>();
        int status = 0;
        for (String name : p.positionals()) {
            JsonNode n = null;
            for (String kind : type == null ? List.of("container", "image", "network", "volume") : List.of(type)) {
                String url = switch (kind) {
                    case "container" -> "/containers/" + path(name) + "/json" + query("size", p.bool("size") ? "1" : null);
                    case "image" -> "/images/" + path(name) + "/json";
                    case "network" -> "/networks/" + path(name);
                    case "volume" -> "/volumes/" + path(name);
                    default -> throw new UsageException("\"" + kind + "\" is not a valid value for --type");
                };
                try (var r = client.call("GET", url, null)) {
                    if (r.status() == 200) {
                        n = r.json();
                        break;
                    }
                    r.body().readAllBytes();
                }
            }
            if (n == null) {
                io.err().println("Error: No such object: " + name);
                status = 1;
            } else found.add(n);
        }
        if (p.value("format") != null) {
            for (JsonNode n : found) FormatOption.printOne(p.value("format"), JSON.convertValue(n, Object.class), io);
        } else {
            io.out().println(PRETTY.writer(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                    .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n"))
                    .withArrayIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n"))).writeValueAsString(found));
        }
        return status;
    }

    // ---- images ----

    private int images(Flags.Parsed p) throws IOException {
        only(p, "images", Set.of("all", "quiet", "no-trunc", "filter"));
        String filters = filters(p.values("filter"));
        if (!p.positionals().isEmpty()) {
            ObjectNode f = filters == null ? JsonNodeFactory.instance.objectNode() : (ObjectNode) JSON.readTree(filters);
            f.putObject("reference").put(p.positionals().getFirst(), true);
            filters = JSON.writeValueAsString(f);
        }
        JsonNode list = client.json("GET", "/images/json" + query("all", p.bool("all") ? "1" : null, "filters", filters), null);
        boolean full = p.bool("no-trunc");
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"));
        for (JsonNode i : list) {
            String id = i.path("Id").asText();
            String shown = full ? id : id.replaceFirst("^sha256:", "").substring(0, Math.min(12, id.replaceFirst("^sha256:", "").length()));
            if (p.bool("quiet")) {
                io.out().println(shown);
                continue;
            }
            List<String> tags = new ArrayList<>();
            for (JsonNode t : i.path("RepoTags")) tags.add(t.asText());
            if (tags.isEmpty()) tags.add("<none>:<none>");
            for (String t : tags) {
                int colon = t.lastIndexOf(':');
                table.add(List.of(t.substring(0, colon), t.substring(colon + 1), shown,
                        PsColumns.ago(Instant.ofEpochSecond(i.path("Created").asLong())), StatsColumns.decimal(i.path("Size").asLong())));
            }
        }
        if (!p.bool("quiet")) Table.print(table, io.out());
        return 0;
    }

    private int pull(Flags.Parsed p) throws IOException {
        only(p, "pull", Set.of("quiet"));
        String image = Command.exactly(p, "pull", 1).getFirst();
        pullImage(image, p.bool("quiet") ? new PrintStream(OutputStream.nullOutputStream()) : io.out());
        if (p.bool("quiet")) io.out().println(image);
        return 0;
    }

    /** POST /images/create?fromImage=: docker's progress lines ("ID: Status"), an error message as exit 1. */
    private void pullImage(String image, PrintStream out) throws IOException {
        String repo = image, tag = null;
        int at = image.indexOf('@'), slash = image.lastIndexOf('/'), colon = image.lastIndexOf(':');
        if (at < 0 && colon > slash) {
            repo = image.substring(0, colon);
            tag = image.substring(colon + 1);
        }
        try (var r = client.call("POST", "/images/create" + query("fromImage", repo, "tag", at < 0 && tag == null ? "latest" : tag), null, null,
                Map.of("X-Registry-Auth", registryAuth(image))).ok()) {
            progress(r.body(), out);
        }
    }

    /**
     * docker's {@code X-Registry-Auth} for {@code image}: the credentials this client stored at
     * {@code login} for the image's registry (base64url JSON, as docker's CLI sends), or {@code {}}
     * — the daemon then uses its own, if any. Required on push, so always sent.
     */
    private static String registryAuth(String image) {
        ObjectNode auth = JsonNodeFactory.instance.objectNode();
        String registry;
        try {
            registry = ImageReference.parse(image).registry();
        } catch (RuntimeException notAReference) {
            registry = null;                     // the daemon names what is wrong with it
        }
        if (registry != null) {
            RegistryCredentials c;
            try (var images = ImageCli.open()) {
                c = images.storedCredentials(registry);
            }
            if (c != null) {
                if (c.identityToken()) auth.put("identitytoken", c.secret());
                else auth.put("username", c.username()).put("password", c.secret());
                auth.put("serveraddress", registry.equals(ImageReference.DOCKER_HUB) ? "https://index.docker.io/v1/" : registry);
            }
        }
        return java.util.Base64.getUrlEncoder().encodeToString(auth.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * docker's {@code X-Registry-Config} for a build: every login this client stored, by registry
     * (the daemon picks the one a FROM names), base64url JSON as docker's CLI sends.
     */
    private static String registryConfig() {
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        Map<String, RegistryCredentials> stored;
        try (var images = ImageCli.open()) {
            stored = images.storedCredentials();
        }
        stored.forEach((registry, c) -> {
            ObjectNode a = config.putObject(registry.equals(ImageReference.DOCKER_HUB) ? "https://index.docker.io/v1/" : registry);
            if (c.identityToken()) a.put("identitytoken", c.secret());
            else a.put("username", c.username()).put("password", c.secret());
            a.put("serveraddress", registry);
        });
        return java.util.Base64.getUrlEncoder().encodeToString(config.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A stream of JSON progress objects: status lines, and the first error as docker's (exit 1). */
    private static void progress(InputStream body, PrintStream out) throws IOException {
        var it = JSON.readValues(JSON.getFactory().createParser(body), JsonNode.class);
        while (it.hasNext()) {
            JsonNode m = it.next();
            if (m.has("error") || m.has("errorDetail")) throw new CliException(1, m.path("error").asText(m.path("errorDetail").path("message").asText()));
            if (m.has("stream")) out.print(m.path("stream").asText());
            else if (m.has("status")) out.println((m.has("id") ? m.path("id").asText() + ": " : "") + m.path("status").asText());
            out.flush();
        }
    }

    private int tag(Flags.Parsed p) throws IOException {
        only(p, "tag", Set.of());
        List<String> a = Command.exactly(p, "tag", 2);
        String target = a.get(1), repo = target, tag = "latest";
        int slash = target.lastIndexOf('/'), colon = target.lastIndexOf(':');
        if (colon > slash) {
            repo = target.substring(0, colon);
            tag = target.substring(colon + 1);
        }
        client.call("POST", "/images/" + path(a.get(0)) + "/tag" + query("repo", repo, "tag", tag), null).ok().close();
        return 0;
    }

    private int rmi(Flags.Parsed p) throws IOException {
        only(p, "rmi", Set.of("force", "no-prune"));
        if (p.positionals().isEmpty()) throw new UsageException("\"rmi\" requires at least 1 argument.");
        int status = 0;
        for (String image : p.positionals()) {
            try (var r = client.call("DELETE", "/images/" + path(image) + query("force", p.bool("force") ? "1" : null,
                    "noprune", p.bool("no-prune") ? "1" : null), null)) {
                if (r.status() >= 400) {
                    io.err().println(r.error().getMessage());
                    status = 1;
                    continue;
                }
                for (JsonNode d : r.json()) {
                    if (d.has("Untagged")) io.out().println("Untagged: " + d.path("Untagged").asText());
                    if (d.has("Deleted")) io.out().println("Deleted: " + d.path("Deleted").asText());
                }
            }
        }
        return status;
    }

    private int push(Flags.Parsed p) throws IOException {
        only(p, "push", Set.of("quiet"));
        String image = Command.exactly(p, "push", 1).getFirst();
        String repo = image, tag = null;
        int slash = image.lastIndexOf('/'), colon = image.lastIndexOf(':');
        if (colon > slash) {
            repo = image.substring(0, colon);
            tag = image.substring(colon + 1);
        }
        try (var r = client.call("POST", "/images/" + path(repo) + "/push" + query("tag", tag), new byte[0], null,
                Map.of("X-Registry-Auth", registryAuth(image))).ok()) {
            progress(r.body(), p.bool("quiet") ? new PrintStream(OutputStream.nullOutputStream()) : io.out());
        }
        return 0;
    }

    /**
     * docker's legacy builder protocol: the context directory as a tar body of {@code POST /build}
     * ({@link RemoteBuildContext}: what {@code .dockerignore} excludes stays on this host; a
     * Dockerfile outside the context goes inside it under a generated name, as docker's CLI
     * sends it), streamed as it is read; the build's JSON stream printed as it comes
     * ({@code stream} lines, the image id from {@code aux}); a failing step is docker's error, exit 1.
     */
    private int build(Flags.Parsed p) throws IOException {
        only(p, "build", Set.of("tag", "file", "build-arg", "target", "no-cache", "pull", "quiet", "iidfile", "network"));
        String context = Command.exactly(p, "build", 1).getFirst();
        java.nio.file.Path dir = java.nio.file.Path.of(context);
        if (!java.nio.file.Files.isDirectory(dir)) throw new CliException(1, "unable to prepare context: path \"" + context + "\" not found");
        RemoteBuildContext tar;
        try {
            tar = RemoteBuildContext.of(dir, p.value("file"));
        } catch (IllegalArgumentException badPattern) {
            throw new CliException(1, "unable to prepare context: " + badPattern.getMessage());
        }
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        for (String a : p.values("build-arg")) {
            int eq = a.indexOf('=');
            if (eq > 0) args.put(a.substring(0, eq), a.substring(eq + 1));
            else if (System.getenv(a) != null) args.put(a, System.getenv(a));
        }
        StringBuilder q = new StringBuilder(query("dockerfile", tar.dockerfile(), "buildargs", args.isEmpty() ? null : JSON.writeValueAsString(args),
                "target", p.value("target"), "nocache", p.bool("no-cache") ? "1" : null, "pull", p.bool("pull") ? "1" : null,
                "q", p.bool("quiet") ? "1" : null, "rm", "1", "networkmode", p.value("network")));
        for (String t : p.values("tag")) q.append("&t=").append(java.net.URLEncoder.encode(t, StandardCharsets.UTF_8));
        String id = null;
        try (InputStream body = tar.stream();
             var r = uploadContext(tar, body, "/build" + q)) {
            var it = JSON.readValues(JSON.getFactory().createParser(r.body()), JsonNode.class);
            while (it.hasNext()) {
                JsonNode m = it.next();
                if (m.has("error") || m.has("errorDetail")) {
                    io.out().flush();
                    throw new CliException(1, m.path("error").asText(m.path("errorDetail").path("message").asText()));
                }
                if (m.path("aux").has("ID")) id = m.path("aux").path("ID").asText();
                if (m.has("stream") && !p.bool("quiet")) io.out().print(m.path("stream").asText());
                else if (m.has("stream") && id == null && m.path("stream").asText().strip().startsWith("sha256:")) id = m.path("stream").asText().strip();
                io.out().flush();
            }
        }
        if (p.bool("quiet") && id != null) io.out().println(id);
        if (p.value("iidfile") != null && id != null) java.nio.file.Files.writeString(java.nio.file.Path.of(p.value("iidfile")), id);
        return 0;
    }

    /** The context sent; a failure to read it on this host is reported as such, not as whatever the daemon made of the cut stream. */
    private EngineClient.Response uploadContext(RemoteBuildContext tar, InputStream body, String path) throws IOException {
        EngineClient.Response r;
        try {
            r = client.upload("POST", path, body, "application/x-tar", Map.of("X-Registry-Config", registryConfig()));
        } catch (IOException e) {
            tar.check();
            throw e;
        }
        tar.check();
        return r.ok();
    }

    // ---- networks and volumes ----

    private int network(List<String> args) throws IOException {
        if (args.isEmpty()) throw new UsageException("\"network\" requires a subcommand (create, ls, inspect, rm, prune, connect, disconnect).");
        String sub = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        switch (sub) {
            case "create" -> {
                Flags.Parsed a = new Flags().value("driver", 'd', "string", "").value("label", (char) 0, "list", "")
                        .bool("internal", (char) 0, "").value("subnet", (char) 0, "list", "").value("gateway", (char) 0, "list", "").parse(rest, true);
                String name = Command.exactly(a, "network create", 1).getFirst();
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("Name", name).put("Driver", a.value("driver") == null ? "bridge" : a.value("driver"))
                        .put("Internal", a.bool("internal")).put("CheckDuplicate", true);
                ObjectNode labels = body.putObject("Labels");
                for (String l : a.values("label")) labels.put(l.contains("=") ? l.substring(0, l.indexOf('=')) : l, l.contains("=") ? l.substring(l.indexOf('=') + 1) : "");
                if (a.has("subnet")) {
                    ObjectNode cfg = body.putObject("IPAM").putArray("Config").addObject().put("Subnet", a.value("subnet"));
                    if (a.has("gateway")) cfg.put("Gateway", a.value("gateway"));
                }
                io.out().println(client.json("POST", "/networks/create", body).path("Id").asText());
            }
            case "ls", "list" -> {
                Flags.Parsed a = new Flags().bool("quiet", 'q', "").bool("no-trunc", (char) 0, "").value("filter", 'f', "list", "").parse(rest, true);
                JsonNode list = client.json("GET", "/networks" + query("filters", filters(a.values("filter"))), null);
                List<List<String>> table = new ArrayList<>();
                table.add(List.of("NETWORK ID", "NAME", "DRIVER", "SCOPE"));
                for (JsonNode n : list) {
                    String id = n.path("Id").asText();
                    String shown = a.bool("no-trunc") || id.length() <= 12 ? id : id.substring(0, 12);
                    if (a.bool("quiet")) io.out().println(shown);
                    else table.add(List.of(shown, n.path("Name").asText(), n.path("Driver").asText(), n.path("Scope").asText()));
                }
                if (!a.bool("quiet")) Table.print(table, io.out());
            }
            case "rm", "remove" -> {
                return eachName(rest, "network rm", n -> client.call("DELETE", "/networks/" + path(n), null));
            }
            case "prune" -> {
                return verbs().networkPrune(rest);
            }
            case "inspect" -> {
                List<String> a = new ArrayList<>(List.of("--type", "network"));
                a.addAll(rest);
                return inspect(Cli.find("inspect").flags().parse(a, true));
            }
            case "connect", "disconnect" -> {
                Flags.Parsed a = new Flags().value("alias", (char) 0, "list", "").bool("force", 'f', "").parse(rest, true);
                List<String> nc = Command.exactly(a, "network " + sub, 2);
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("Container", nc.get(1));
                if (sub.equals("connect") && a.has("alias")) a.values("alias").forEach(body.putObject("EndpointConfig").putArray("Aliases")::add);
                if (sub.equals("disconnect")) body.put("Force", a.bool("force"));
                client.call("POST", "/networks/" + path(nc.get(0)) + "/" + sub, body).ok().close();
            }
            default -> throw refused("network " + sub);
        }
        return 0;
    }

    private int volume(List<String> args) throws IOException {
        if (args.isEmpty()) throw new UsageException("\"volume\" requires a subcommand (create, ls, inspect, rm, prune).");
        String sub = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        switch (sub) {
            case "create" -> {
                Flags.Parsed a = new Flags().value("label", (char) 0, "list", "").value("driver", 'd', "string", "").parse(rest, true);
                ObjectNode body = JsonNodeFactory.instance.objectNode();
                if (!a.positionals().isEmpty()) body.put("Name", a.positionals().getFirst());
                if (a.value("driver") != null) body.put("Driver", a.value("driver"));
                ObjectNode labels = body.putObject("Labels");
                for (String l : a.values("label")) labels.put(l.contains("=") ? l.substring(0, l.indexOf('=')) : l, l.contains("=") ? l.substring(l.indexOf('=') + 1) : "");
                io.out().println(client.json("POST", "/volumes/create", body).path("Name").asText());
            }
            case "ls", "list" -> {
                Flags.Parsed a = new Flags().bool("quiet", 'q', "").value("filter", 'f', "list", "").parse(rest, true);
                JsonNode list = client.json("GET", "/volumes" + query("filters", filters(a.values("filter"))), null).path("Volumes");
                List<List<String>> table = new ArrayList<>();
                table.add(List.of("DRIVER", "VOLUME NAME"));
                for (JsonNode v : list) {
                    if (a.bool("quiet")) io.out().println(v.path("Name").asText());
                    else table.add(List.of(v.path("Driver").asText(), v.path("Name").asText()));
                }
                if (!a.bool("quiet")) Table.print(table, io.out());
            }
            case "rm", "remove" -> {
                return eachName(rest, "volume rm", n -> client.call("DELETE", "/volumes/" + path(n), null));
            }
            case "prune" -> {
                return verbs().volumePrune(rest);
            }
            case "inspect" -> {
                List<String> a = new ArrayList<>(List.of("--type", "volume"));
                a.addAll(rest);
                return inspect(Cli.find("inspect").flags().parse(a, true));
            }
            default -> throw refused("volume " + sub);
        }
        return 0;
    }

    private int eachName(List<String> rest, String verb, Call call) throws IOException {
        Flags.Parsed a = new Flags().bool("force", 'f', "").parse(rest, true);
        if (a.positionals().isEmpty()) throw new UsageException("\"" + verb + "\" requires at least 1 argument.");
        int status = 0;
        for (String n : a.positionals()) {
            try (var r = call.call(n)) {
                if (r.status() >= 400) {
                    io.err().println(r.error().getMessage());
                    status = 1;
                } else {
                    r.body().readAllBytes();
                    io.out().println(n);
                }
            }
        }
        return status;
    }
}
