package io.jcontainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.Resources;
import io.jcontainer.cli.format.Format;
import io.jcontainer.cli.format.TemplateException;
import io.jcontainer.docker.DockerUpdate;
import io.jcontainer.docker.PsColumns;
import io.jcontainer.docker.StatsColumns;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImagesOptions;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.jcontainer.cli.EngineClient.path;
import static io.jcontainer.cli.EngineClient.query;

/**
 * Client mode's file, image-archive, registry and housekeeping verbs (stats, update, commit,
 * diff, export, import, save, load, history, login, logout, search, system df, the prune verbs),
 * each over the Docker Engine API endpoint docker's own CLI uses, with the local verb's flags and
 * output. {@code cp} is {@link RemoteCp}.
 */
final class RemoteVerbs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EngineClient client;
    private final Io io;

    RemoteVerbs(EngineClient client, Io io) {
        this.client = client;
        this.io = io;
    }

    /** Refuses any given flag outside {@code carried}: it would be ignored remotely. */
    static void only(Flags.Parsed p, String verb, Set<String> carried) {
        for (String f : p.values().keySet())
            if (!carried.contains(f) && !f.equals("help"))
                throw new CliException(Cli.EXIT_ERROR, verb + " --" + f + " is not supported against a remote daemon (-H/DOCKER_HOST) yet");
    }

    // ---- stats ----

    /** A container as the user named it (or its short id when all are listed). */
    private record Given(String ref, String id, String name, boolean running) {
    }

    /**
     * docker stats: the local verb's table from the daemon's own readings, as docker's CLI takes
     * them — one {@code GET /containers/{id}/stats?stream=1} per container, held open, each JSON
     * object carrying the reading before it ({@code precpu_stats}) for the CPU percentage; the
     * table redrawn every second from the latest of each. {@code --no-stream}: one
     * {@code stream=0} answer per container (the daemon takes both readings), asked for at once.
     * The containers shown are listed again each round: new ones get a stream, gone ones lose it.
     */
    int stats(Flags.Parsed p) throws Exception {
        only(p, "stats", Set.of("all", "format", "no-stream", "no-trunc"));
        Format f;
        try {
            f = Format.parse(p.value("format") == null ? "table" : p.value("format"), StatsColumns.TABLE);
        } catch (TemplateException e) {
            throw new UsageException("template parsing error: " + e.getMessage());
        }
        boolean full = p.bool("no-trunc");
        List<String> named = p.positionals();
        List<Given> shown = containers(named, p.bool("all")); // docker: an unknown one is an error before anything is shown
        Map<String, Frames> latest = new java.util.concurrent.ConcurrentHashMap<>();
        if (p.bool("no-stream")) {
            List<Thread> asks = new ArrayList<>();
            for (Given g : shown) {
                if (g.running()) asks.add(Thread.ofPlatform().daemon().start(() -> {
                    try (var r = client.call("GET", "/containers/" + path(g.id()) + "/stats" + query("stream", "0"), null)) {
                        if (r.status() == 200) latest.put(g.id(), new Frames(r.json(), null));
                        else r.body().readAllBytes();
                    } catch (IOException stoppedOrGone) {
                        // shown with zeros
                    }
                }));
            }
            for (Thread t : asks) t.join();
            StatsCommand.printFrame(io, f, rows(shown, latest, full), false);
            return 0;
        }
        Map<String, EngineClient.Response> streams = new LinkedHashMap<>();
        try {
            while (true) {
                for (Given g : shown) if (g.running() && !streams.containsKey(g.id())) streams.put(g.id(), follow(g.id(), latest));
                Set<String> live = new java.util.HashSet<>();
                for (Given g : shown) if (g.running()) live.add(g.id());
                for (var it = streams.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (live.contains(e.getKey())) continue;
                    e.getValue().close();
                    latest.remove(e.getKey());
                    it.remove();
                }
                Thread.sleep(StatsCommand.INTERVAL_MS);
                if (!StatsCommand.printFrame(io, f, rows(shown, latest, full), true)) return 0;
                shown = containers(named, p.bool("all"));
            }
        } finally {
            for (EngineClient.Response r : streams.values()) r.close();
        }
    }

    /** A container's latest reading and the one before it (for a daemon whose first reading has no precpu_stats). */
    private record Frames(JsonNode now, JsonNode before) {
    }

    /** A thread reading {@code id}'s stats stream into {@code latest} until the stream ends or is closed. */
    private EngineClient.Response follow(String id, Map<String, Frames> latest) throws IOException {
        EngineClient.Response r = client.call("GET", "/containers/" + path(id) + "/stats" + query("stream", "1"), null);
        if (r.status() != 200) {
            r.body().readAllBytes();
            return r;
        }
        Thread.ofPlatform().daemon().name("jcontainer-stats").start(() -> {
            try {
                var it = JSON.readValues(JSON.getFactory().createParser(r.body()), JsonNode.class);
                while (it.hasNext()) {
                    JsonNode frame = it.next();
                    latest.compute(id, (k, old) -> new Frames(frame, old == null ? null : old.now()));
                }
            } catch (IOException | RuntimeException ended) {
                // closed by us, or the daemon ended it (the container went)
            }
        });
        return r;
    }

    private static List<Object> rows(List<Given> shown, Map<String, Frames> latest, boolean full) {
        List<Object> rows = new ArrayList<>();
        for (Given g : shown) rows.add(statsFields(g, g.running() ? latest.get(g.id()) : null, full));
        return rows;
    }

    private List<Given> containers(List<String> named, boolean all) throws IOException {
        List<Given> out = new ArrayList<>();
        if (!named.isEmpty()) {
            for (String ref : named) {
                JsonNode c = client.json("GET", "/containers/" + path(ref) + "/json", null);
                out.add(new Given(ref, c.path("Id").asText(), c.path("Name").asText().replaceFirst("^/", ""),
                        c.path("State").path("Running").asBoolean(false)));
            }
            return out;
        }
        for (JsonNode c : client.json("GET", "/containers/json" + query("all", all ? "1" : null), null)) {
            String id = c.path("Id").asText();
            String name = c.path("Names").isArray() && !c.path("Names").isEmpty() ? c.path("Names").get(0).asText().replaceFirst("^/", "") : "";
            out.add(new Given(id.substring(0, Math.min(12, id.length())), id, name, c.path("State").asText().equals("running")));
        }
        return out;
    }

    /**
     * docker's CLI's CPU percentage of one reading: the CPU time used since the reading before
     * over the host's CPU time meanwhile, times the online CPUs ({@code calculateCPUPercentUnix});
     * the reading before is the frame's own {@code precpu_stats}, else the frame this client saw
     * before it.
     */
    static double cpuPercent(JsonNode now, JsonNode before) {
        JsonNode cpu = now.path("cpu_stats"), pre = now.path("precpu_stats");
        if (pre.path("system_cpu_usage").asLong(0) == 0 && before != null) pre = before.path("cpu_stats");
        long cpuDelta = cpu.path("cpu_usage").path("total_usage").asLong(0) - pre.path("cpu_usage").path("total_usage").asLong(0);
        long systemDelta = cpu.path("system_cpu_usage").asLong(0) - pre.path("system_cpu_usage").asLong(0);
        int cpus = cpu.path("online_cpus").asInt(0);
        if (cpus == 0) cpus = Math.max(1, cpu.path("cpu_usage").path("percpu_usage").size());
        return cpuDelta > 0 && systemDelta > 0 && pre.path("system_cpu_usage").asLong(0) > 0 ? 100.0 * cpuDelta / systemDelta * cpus : 0;
    }

    /** docker's {@code formatter.StatsEntry} fields from the API's stats JSON (the local verb's are {@link StatsColumns#fields}). */
    static Map<String, Object> statsFields(Given g, Frames frames, boolean full) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Container", g.ref());
        m.put("Name", g.name());
        m.put("ID", full ? g.id() : g.id().substring(0, Math.min(12, g.id().length())));
        if (frames == null) return StatsColumns.noSample(m);
        JsonNode s = frames.now();
        m.put("CPUPerc", String.format(Locale.ROOT, "%.2f%%", cpuPercent(s, frames.before())));
        JsonNode mem = s.path("memory_stats");
        long usage = mem.path("usage").asLong(0), limit = Math.max(0, mem.path("limit").asLong(0));
        long inactive = mem.path("stats").path("inactive_file").asLong(mem.path("stats").path("total_inactive_file").asLong(0));
        long used = inactive > 0 && inactive < usage ? usage - inactive : usage; // docker's CLI: less what the kernel can drop at once
        m.put("MemUsage", StatsColumns.binary(used) + " / " + StatsColumns.binary(limit));
        m.put("MemPerc", String.format(Locale.ROOT, "%.2f%%", limit > 0 ? 100.0 * used / limit : 0));
        long rx = 0, tx = 0;
        for (JsonNode n : s.path("networks")) {
            rx += n.path("rx_bytes").asLong(0);
            tx += n.path("tx_bytes").asLong(0);
        }
        m.put("NetIO", StatsColumns.decimal(rx) + " / " + StatsColumns.decimal(tx));
        long read = 0, write = 0;
        for (JsonNode b : s.path("blkio_stats").path("io_service_bytes_recursive")) {
            String op = b.path("op").asText().toLowerCase(Locale.ROOT);
            if (op.equals("read")) read += b.path("value").asLong(0);
            else if (op.equals("write")) write += b.path("value").asLong(0);
        }
        m.put("BlockIO", StatsColumns.decimal(read) + " / " + StatsColumns.decimal(write));
        m.put("PIDs", Long.toString(Math.max(0, s.path("pids_stats").path("current").asLong(0))));
        return m;
    }

    // ---- update, commit, diff ----

    /** docker update: the local verb's checks ({@link DockerUpdate}), then {@code POST /containers/{id}/update} with what was given. */
    int update(Flags.Parsed p) throws IOException {
        if (p.positionals().isEmpty()) throw new UsageException("\"update\" requires at least 1 argument.");
        DockerUpdate.Update u;
        try {
            u = DockerUpdate.of(p::value); // bad values fail before any container is touched
        } catch (io.jcontainer.InvalidSpecException e) {
            throw new CliException(Cli.EXIT_ERROR, e.getMessage());
        }
        Resources r = u.resources();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        if (r.memory() != null) body.put("Memory", r.memory().bytes());
        if (r.memorySwap() != null) body.put("MemorySwap", r.memorySwap() == Resources.UNLIMITED_SWAP ? -1 : r.memorySwap().bytes());
        if (r.memoryReservation() != null) body.put("MemoryReservation", r.memoryReservation().bytes());
        if (r.cpuQuota() > 0) body.put("NanoCpus", Math.round(r.cpuQuota() * 1e9));
        if (r.cpusetCpus() != null) body.put("CpusetCpus", r.cpusetCpus());
        if (r.cpusetMems() != null) body.put("CpusetMems", r.cpusetMems());
        if (r.cpuShares() > 0) body.put("CpuShares", r.cpuShares());
        if (r.pidsLimit() != 0) body.put("PidsLimit", r.pidsLimit() == DockerUpdate.UNLIMITED_PIDS ? -1 : r.pidsLimit());
        if (r.blkioWeight() > 0) body.put("BlkioWeight", r.blkioWeight());
        if (p.value("restart") != null) {
            String policy = p.value("restart");
            int colon = policy.indexOf(':');
            ObjectNode rp = body.putObject("RestartPolicy").put("Name", colon < 0 ? policy : policy.substring(0, colon));
            if (colon > 0) rp.put("MaximumRetryCount", Integer.parseInt(policy.substring(colon + 1)));
        }
        int rc = 0;
        for (String ref : p.positionals()) {
            try (var resp = client.call("POST", "/containers/" + path(ref) + "/update", body)) {
                if (resp.status() >= 400) {
                    io.err().println(resp.error().getMessage());
                    rc = 1;
                } else {
                    resp.body().readAllBytes();
                    io.out().println(ref);
                }
            }
        }
        return rc;
    }

    /** docker commit: {@code POST /commit} with each {@code -c} as its own {@code changes}; prints the new image's id. */
    int commit(Flags.Parsed p) throws IOException {
        only(p, "commit", Set.of("author", "change", "message", "pause"));
        List<String> args = p.positionals();
        if (args.isEmpty() || args.size() > 2) throw new UsageException("\"commit\" requires at least 1 and at most 2 arguments.");
        String repo = null, tag = null;
        if (args.size() == 2) {
            String target = args.get(1);
            int slash = target.lastIndexOf('/'), colon = target.lastIndexOf(':');
            repo = colon > slash ? target.substring(0, colon) : target;
            tag = colon > slash ? target.substring(colon + 1) : null;
        }
        String pause = p.value("pause");
        boolean paused = pause == null || pause.isEmpty() || Boolean.parseBoolean(pause);
        StringBuilder q = new StringBuilder(query("container", args.getFirst(), "repo", repo, "tag", tag, "comment", p.value("message"),
                "author", p.value("author"), "pause", paused ? "1" : "0"));
        for (String c : p.values("change")) q.append("&changes=").append(java.net.URLEncoder.encode(c, StandardCharsets.UTF_8));
        io.out().println(client.json("POST", "/commit" + q, JsonNodeFactory.instance.objectNode()).path("Id").asText());
        return 0;
    }

    /** docker diff: {@code GET /containers/{id}/changes} as the local verb's A/C/D lines. */
    int diff(Flags.Parsed p) throws IOException {
        only(p, "diff", Set.of());
        String ref = Command.exactly(p, "diff", 1).getFirst();
        for (JsonNode ch : client.json("GET", "/containers/" + path(ref) + "/changes", null)) {
            String kind = switch (ch.path("Kind").asInt()) {
                case 1 -> "A";
                case 2 -> "D";
                default -> "C";
            };
            io.out().println(kind + " " + ch.path("Path").asText());
        }
        return 0;
    }

    // ---- archives: export, import, save, load ----

    /** docker export: {@code GET /containers/{id}/export} to stdout or {@code -o FILE}. */
    int export(Flags.Parsed p) throws IOException {
        only(p, "export", Set.of("output"));
        String ref = Command.exactly(p, "export", 1).getFirst();
        download("/containers/" + path(ref) + "/export", p.value("output"));
        return 0;
    }

    /** docker save: {@code GET /images/get?names=…} (docker's archive) to stdout or {@code -o FILE}. */
    int save(Flags.Parsed p) throws IOException {
        only(p, "save", Set.of("output", "format"));
        if (p.positionals().isEmpty()) throw new UsageException("\"save\" requires at least 1 argument.");
        String format = p.value("format") == null ? "docker-archive" : p.lower("format");
        if (!format.equals("docker-archive") && !format.equals("docker"))
            throw new CliException(Cli.EXIT_ERROR, "save --format " + p.value("format")
                    + ": the Docker Engine API saves docker archives only (docker-archive); save here without -H for an OCI archive");
        StringBuilder q = new StringBuilder();
        for (String n : p.positionals()) q.append(q.isEmpty() ? '?' : '&').append("names=").append(java.net.URLEncoder.encode(n, StandardCharsets.UTF_8));
        download("/images/get" + q, p.value("output"));
        return 0;
    }

    /**
     * A streamed body to stdout (never a terminal, as docker) or to FILE, written beside it and
     * renamed: a failed transfer leaves no half archive under its name.
     */
    private void download(String url, String file) throws IOException {
        if (file == null || file.equals("-")) {
            if (io.inherited() && file == null && System.console() != null && System.console().isTerminal())
                throw new CliException(Cli.EXIT_ERROR, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
            try (var r = client.call("GET", url, null).ok()) {
                OutputStream out = new BufferedOutputStream(io.out(), 1 << 16);
                r.body().transferTo(out);
                out.flush();
            }
            return;
        }
        Path target = Path.of(file).toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            try (var r = client.call("GET", url, null).ok(); OutputStream out = Files.newOutputStream(tmp)) {
                r.body().transferTo(out);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** docker load: the archive ({@code -i FILE} or stdin) streamed as the body of {@code POST /images/load}; the daemon's lines printed. */
    int load(Flags.Parsed p) throws IOException {
        only(p, "load", Set.of("input", "quiet"));
        Command.exactly(p, "load", 0);
        try (InputStream in = input(p.value("input"));
             var r = client.upload("POST", "/images/load" + query("quiet", p.bool("quiet") ? "1" : "0"), in, "application/x-tar", Map.of()).ok()) {
            messages(r.body(), p.bool("quiet"));
        }
        return 0;
    }

    /** docker import: the tar ({@code FILE} or {@code -}) streamed as the body of {@code POST /images/create?fromSrc=-}; prints the id. */
    int importImage(Flags.Parsed p) throws IOException {
        only(p, "import", Set.of("change", "message", "platform"));
        List<String> args = p.positionals();
        if (args.isEmpty() || args.size() > 2) throw new UsageException("\"import\" requires at least 1 and at most 2 arguments.");
        String source = args.getFirst();
        if (source.startsWith("http://") || source.startsWith("https://"))
            throw new CliException(Cli.EXIT_ERROR, "import from a URL is not supported: download it, then import the file");
        String repo = null, tag = null;
        if (args.size() == 2) {
            String target = args.get(1);
            int slash = target.lastIndexOf('/'), colon = target.lastIndexOf(':');
            repo = colon > slash ? target.substring(0, colon) : target;
            tag = colon > slash ? target.substring(colon + 1) : null;
        }
        StringBuilder q = new StringBuilder(query("fromSrc", "-", "repo", repo, "tag", tag, "message", p.value("message"), "platform", p.value("platform")));
        for (String c : p.values("change")) q.append("&changes=").append(java.net.URLEncoder.encode(c, StandardCharsets.UTF_8));
        try (InputStream in = input(source.equals("-") ? null : source);
             var r = client.upload("POST", "/images/create" + q, in, "application/x-tar", Map.of()).ok()) {
            var it = JSON.readValues(JSON.getFactory().createParser(r.body()), JsonNode.class);
            while (it.hasNext()) {
                JsonNode m = it.next();
                if (m.has("error") || m.has("errorDetail")) throw new CliException(1, m.path("error").asText(m.path("errorDetail").path("message").asText()));
                if (m.has("status")) io.out().println(m.path("status").asText());
            }
        }
        return 0;
    }

    /** FILE, or stdin (left open: it is not ours) for null. */
    private InputStream input(String file) throws IOException {
        if (file == null) return new java.io.FilterInputStream(io.in()) {
            @Override
            public void close() {
                // standard input stays open
            }
        };
        try {
            return Files.newInputStream(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new CliException(Cli.EXIT_ERROR, "open " + file + ": no such file or directory");
        }
    }

    /** docker's JSON message stream as text: {@code stream} parts printed, the first error as docker's (exit 1). */
    private void messages(InputStream body, boolean quiet) throws IOException {
        var it = JSON.readValues(JSON.getFactory().createParser(body), JsonNode.class);
        while (it.hasNext()) {
            JsonNode m = it.next();
            if (m.has("error") || m.has("errorDetail")) throw new CliException(1, m.path("error").asText(m.path("errorDetail").path("message").asText()));
            if (quiet) continue;
            if (m.has("stream")) io.out().print(m.path("stream").asText());
            else if (m.has("status")) io.out().println((m.has("id") ? m.path("id").asText() + ": " : "") + m.path("status").asText());
            io.out().flush();
        }
    }

    // ---- images: history ----

    /** docker history: {@code GET /images/{name}/history} in the local verb's table. */
    int history(Flags.Parsed p) throws IOException {
        only(p, "history", Set.of("no-trunc", "quiet"));
        String image = Command.exactly(p, "history", 1).getFirst();
        boolean noTrunc = p.bool("no-trunc");
        JsonNode steps = client.json("GET", "/images/" + path(image) + "/history", null);
        if (p.bool("quiet")) {
            for (JsonNode h : steps) io.out().println(shortImageId(h.path("Id").asText(), noTrunc));
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"));
        for (JsonNode h : steps) {
            String by = h.path("CreatedBy").asText("");
            if (!noTrunc && by.length() > 45) by = by.substring(0, 44) + "…";
            long size = h.path("Size").asLong(-1);
            rows.add(List.of(shortImageId(h.path("Id").asText(), noTrunc), PsColumns.ago(Instant.ofEpochSecond(h.path("Created").asLong())), by,
                    size < 0 ? "-" : StatsColumns.decimal(size), h.path("Comment").asText("")));
        }
        Table.print(rows, io.out());
        return 0;
    }

    private static String shortImageId(String id, boolean full) {
        if (id.isEmpty() || id.equals("<missing>")) return "<missing>";
        if (full) return id;
        String hex = id.replaceFirst("^sha256:", "");
        return hex.substring(0, Math.min(12, hex.length()));
    }

    // ---- registries: login, logout, search ----

    /**
     * docker login against a daemon: the daemon checks the credentials ({@code POST /auth}), this
     * client stores them in its own {@code ~/.docker/config.json} (0600), as the local verb and
     * docker's CLI do.
     */
    int login(Flags.Parsed p) throws IOException {
        only(p, "login", Set.of("username", "password", "password-stdin"));
        if (p.positionals().size() > 1) throw new UsageException("\"login\" requires at most 1 argument.");
        String server = p.positionals().isEmpty() ? ImageReference.DOCKER_HUB : LoginCommand.registryOf(p.positionals().getFirst());
        String[] login = LoginCommand.userAndPassword(p, io);
        String user = login[0], password = login[1];
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("username", user).put("password", password)
                .put("serveraddress", server.equals(ImageReference.DOCKER_HUB) ? "https://index.docker.io/v1/" : server);
        client.json("POST", "/auth", body);
        try (var images = ImageCli.open()) {
            images.storeCredentials(server, user, password);
        }
        io.out().println("Login Succeeded (credentials stored in " + ImagesOptions.defaultDockerConfig() + ")");
        return 0;
    }

    /** docker logout: only this client's stored credentials (the daemon keeps none). */
    int logout(Flags.Parsed p) {
        only(p, "logout", Set.of());
        if (p.positionals().size() > 1) throw new UsageException("\"logout\" requires at most 1 argument.");
        String server = p.positionals().isEmpty() ? ImageReference.DOCKER_HUB : LoginCommand.registryOf(p.positionals().getFirst());
        try (var images = ImageCli.open()) {
            if (images.logout(server)) io.out().println("Removing login credentials for " + server);
            else io.out().println("Not logged in to " + server);
        }
        return 0;
    }

    /** docker search: {@code GET /images/search} (the daemon lists a registry's catalog) in the local verb's table. */
    int search(Flags.Parsed p) throws IOException {
        only(p, "search", Set.of("limit", "no-trunc", "format"));
        String term = Command.exactly(p, "search", 1).getFirst();
        int limit = p.value("limit") == null ? 25 : Integer.parseInt(p.value("limit"));
        if (limit < 1 || limit > 100) throw new UsageException("--limit must be between 1 and 100");
        JsonNode hits = client.json("GET", "/images/search" + query("term", term, "limit", limit), null);
        if (p.value("format") != null) {
            for (JsonNode h : hits) io.out().println(p.value("format").replace("{{.Name}}", h.path("name").asText()));
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "DESCRIPTION", "STARS", "OFFICIAL"));
        for (JsonNode h : hits)
            rows.add(List.of(h.path("name").asText(), h.path("description").asText(""), String.valueOf(h.path("star_count").asInt()),
                    h.path("is_official").asBoolean(false) ? "[OK]" : ""));
        Table.print(rows, io.out());
        return 0;
    }

    // ---- system df, prune ----

    /** docker system df: {@code GET /system/df} in docker's table; {@code -v} its verbose form ({@link DiskUsage}). */
    int systemDf(List<String> rest) throws IOException {
        boolean verbose = SystemDf.verbose(rest);
        JsonNode df = client.json("GET", "/system/df", null);
        if (verbose) {
            DiskUsage.verbose(df, io);
            return 0;
        }
        int images = 0, activeImages = 0;
        long imageSize = df.path("LayersSize").asLong(0), reclaimImages = 0;
        for (JsonNode i : df.path("Images")) {
            images++;
            if (i.path("Containers").asInt(0) > 0) activeImages++;
            else reclaimImages += i.path("Size").asLong(0);
        }
        int containers = 0, running = 0;
        long rw = 0, reclaimRw = 0;
        for (JsonNode c : df.path("Containers")) {
            containers++;
            long size = Math.max(0, c.path("SizeRw").asLong(0));
            rw += size;
            if (c.path("State").asText().equals("running")) running++;
            else reclaimRw += size;
        }
        int volumes = 0, activeVolumes = 0;
        long volumeSize = 0, reclaimVolumes = 0;
        for (JsonNode v : df.path("Volumes")) {
            volumes++;
            long size = Math.max(0, v.path("UsageData").path("Size").asLong(0));
            volumeSize += size;
            if (v.path("UsageData").path("RefCount").asInt(0) > 0) activeVolumes++;
            else reclaimVolumes += size;
        }
        int caches = 0;
        long cacheSize = 0;
        for (JsonNode b : df.path("BuildCache")) {
            caches++;
            cacheSize += Math.max(0, b.path("Size").asLong(0));
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"));
        rows.add(List.of("Images", String.valueOf(images), String.valueOf(activeImages), ImageCli.size(imageSize), ImageCli.size(reclaimImages)));
        rows.add(List.of("Containers", String.valueOf(containers), String.valueOf(running), ImageCli.size(rw), ImageCli.size(reclaimRw)));
        rows.add(List.of("Local Volumes", String.valueOf(volumes), String.valueOf(activeVolumes), ImageCli.size(volumeSize), ImageCli.size(reclaimVolumes)));
        rows.add(List.of("Build Cache", String.valueOf(caches), "0", ImageCli.size(cacheSize), ImageCli.size(cacheSize)));
        Table.print(rows, io.out());
        return 0;
    }

    /** What the prune verbs share: -f, docker's --filter, and the confirmation. */
    private Flags.Parsed pruneFlags(List<String> rest, boolean all) {
        Flags f = new Flags().bool("force", 'f', "Do not prompt for confirmation").value("filter", (char) 0, "list", "Provide filter values (e.g. \"until=<timestamp>\")");
        if (all) f.bool("all", 'a', "Remove all unused, not just dangling or anonymous ones");
        return f.parse(rest, true);
    }

    /** docker's "Are you sure" before a prune: true when the user says yes (or -f). */
    private boolean confirmed(Flags.Parsed p, String warning) throws IOException {
        if (p.bool("force")) return true;
        io.out().print(warning + "\nAre you sure you want to continue? [y/N] ");
        io.out().flush();
        StringBuilder answer = new StringBuilder();
        for (int c; (c = io.in().read()) >= 0 && c != '\n'; ) answer.append((char) c);
        String a = answer.toString().trim().toLowerCase(Locale.ROOT);
        return a.equals("y") || a.equals("yes");
    }

    /** docker's --filter k=v list as the API's {@code filters} JSON, with extra ones. */
    private static String filters(List<String> given, Map<String, String> extra) throws IOException {
        if (given.isEmpty() && extra.isEmpty()) return null;
        ObjectNode f = JsonNodeFactory.instance.objectNode();
        for (String kv : given) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new UsageException("bad format of filter (expected name=value)");
            String k = kv.substring(0, eq);
            ObjectNode values = f.has(k) ? (ObjectNode) f.get(k) : f.putObject(k);
            values.put(kv.substring(eq + 1), true);
        }
        extra.forEach((k, v) -> (f.has(k) ? (ObjectNode) f.get(k) : f.putObject(k)).put(v, true));
        return JSON.writeValueAsString(f);
    }

    int containerPrune(List<String> rest) throws IOException {
        Flags.Parsed p = pruneFlags(rest, false);
        if (!p.positionals().isEmpty()) throw new UsageException("\"container prune\" accepts no arguments.");
        if (!confirmed(p, "WARNING! This will remove all stopped containers.")) return 0;
        long reclaimed = pruneContainers(p.values("filter"));
        io.out().println("Total reclaimed space: " + ImageCli.size(reclaimed));
        return 0;
    }

    private long pruneContainers(List<String> filter) throws IOException {
        JsonNode r = client.json("POST", "/containers/prune" + query("filters", filters(filter, Map.of())), null);
        section("Deleted Containers:", r.path("ContainersDeleted"));
        return r.path("SpaceReclaimed").asLong(0);
    }

    int imagePrune(List<String> rest) throws IOException {
        Flags.Parsed p = pruneFlags(rest, true);
        if (!p.positionals().isEmpty()) throw new UsageException("\"image prune\" accepts no arguments.");
        if (!confirmed(p, p.bool("all") ? "WARNING! This will remove all images without at least one container associated to them."
                : "WARNING! This will remove all dangling images.")) return 0;
        long reclaimed = pruneImages(p.values("filter"), p.bool("all"));
        io.out().println("Total reclaimed space: " + ImageCli.size(reclaimed));
        return 0;
    }

    private long pruneImages(List<String> filter, boolean all) throws IOException {
        JsonNode r = client.json("POST", "/images/prune" + query("filters", filters(filter, all ? Map.of("dangling", "false") : Map.of())), null);
        List<String> lines = new ArrayList<>();
        for (JsonNode d : r.path("ImagesDeleted")) {
            if (d.has("Untagged")) lines.add("untagged: " + d.path("Untagged").asText());
            if (d.has("Deleted")) lines.add("deleted: " + d.path("Deleted").asText());
        }
        if (!lines.isEmpty()) {
            io.out().println("Deleted Images:");
            lines.forEach(io.out()::println);
            io.out().println();
        }
        return r.path("SpaceReclaimed").asLong(0);
    }

    int networkPrune(List<String> rest) throws IOException {
        Flags.Parsed p = pruneFlags(rest, false);
        if (!p.positionals().isEmpty()) throw new UsageException("\"network prune\" accepts no arguments.");
        if (!confirmed(p, "WARNING! This will remove all custom networks not used by at least one container.")) return 0;
        pruneNetworks(p.values("filter"));
        return 0;
    }

    private void pruneNetworks(List<String> filter) throws IOException {
        JsonNode r = client.json("POST", "/networks/prune" + query("filters", filters(filter, Map.of())), null);
        section("Deleted Networks:", r.path("NetworksDeleted"));
    }

    int volumePrune(List<String> rest) throws IOException {
        Flags.Parsed p = pruneFlags(rest, true);
        if (!p.positionals().isEmpty()) throw new UsageException("\"volume prune\" accepts no arguments.");
        if (!confirmed(p, "WARNING! This will remove " + (p.bool("all") ? "all" : "anonymous") + " local volumes not used by at least one container."))
            return 0;
        long reclaimed = pruneVolumes(p.values("filter"), p.bool("all"));
        io.out().println("Total reclaimed space: " + ImageCli.size(reclaimed));
        return 0;
    }

    private long pruneVolumes(List<String> filter, boolean all) throws IOException {
        JsonNode r = client.json("POST", "/volumes/prune" + query("filters", filters(filter, all ? Map.of("all", "true") : Map.of())), null);
        section("Deleted Volumes:", r.path("VolumesDeleted"));
        return r.path("SpaceReclaimed").asLong(0);
    }

    /**
     * docker system prune: stopped containers, unused networks, dangling images (all unused ones
     * with -a), anonymous volumes with --volumes, and the build cache — the same endpoints, one after
     * the other, as docker's CLI.
     */
    int systemPrune(List<String> rest) throws IOException {
        Flags.Parsed p = SystemPrune.flags().parse(rest, true);
        if (!p.positionals().isEmpty()) throw new UsageException("\"system prune\" accepts no arguments.");
        StringBuilder warning = new StringBuilder("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n");
        if (p.bool("volumes")) warning.append("  - all anonymous volumes not used by at least one container\n");
        warning.append(p.bool("all") ? "  - all images without at least one container associated to them\n" : "  - all dangling images\n");
        warning.append("  - unused build cache\n");
        if (!confirmed(p, warning.toString())) return 0;
        List<String> filter = p.values("filter");
        long reclaimed = pruneContainers(filter);
        pruneNetworks(filter);
        if (p.bool("volumes")) reclaimed += pruneVolumes(filter, false);
        reclaimed += pruneImages(filter, p.bool("all"));
        try (var r = client.call("POST", "/build/prune" + query("all", p.bool("all") ? "1" : null), null)) {
            if (r.status() < 400) reclaimed += r.json().path("SpaceReclaimed").asLong(0);
            else r.body().readAllBytes(); // a daemon without a build cache to prune
        }
        io.out().println("Total reclaimed space: " + ImageCli.size(reclaimed));
        return 0;
    }

    private void section(String title, JsonNode names) {
        if (!names.isArray() || names.isEmpty()) return;
        io.out().println(title);
        for (JsonNode n : names) io.out().println(n.asText());
        io.out().println();
    }
}
