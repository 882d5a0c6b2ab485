package io.jcontainer.server.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerStats;
import io.jcontainer.Signal;
import io.jcontainer.docker.DockerCommit;
import io.jcontainer.docker.DockerCreate;
import io.jcontainer.image.CommitOptions;
import io.jcontainer.image.build.DockerfileException;
import io.jcontainer.docker.Inspect;
import io.jcontainer.docker.PsColumns;
import io.jcontainer.lifecycle.AttachSession;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.FileChange;
import io.jcontainer.lifecycle.ListQuery;
import io.jcontainer.lifecycle.LogOptions;
import io.jcontainer.lifecycle.WaitCondition;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.MuxStream;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@code /containers/...}: docker's container verbs over the lifecycle API. */
final class ContainerHandler {
    /** Where the image name a container was created from is kept (its root is a directory). */
    static final String IMAGE_ANNOTATION = io.jcontainer.ContainerSpec.Builder.IMAGE_ANNOTATION;

    private final Routes.Backends backends;
    private final PendingContainers pending;

    private final SessionReaper reaper;

    ContainerHandler(Routes.Backends backends, PendingContainers pending, SessionReaper reaper) {
        this.reaper = reaper;
        this.backends = backends;
        this.pending = pending;
    }

    void install(Router r) {
        r.get("/containers/json", this::list);
        r.post("/containers/create", this::create);
        r.post("/containers/prune", this::prune);
        r.get("/containers/{id}/json", this::inspect);
        r.get("/containers/{id}/top", this::top);
        r.get("/containers/{id}/logs", this::logs);
        r.get("/containers/{id}/stats", this::stats);
        r.get("/containers/{id}/changes", this::changes);
        r.get("/containers/{id}/export", this::export);
        r.post("/commit", this::commit);
        r.post("/containers/{id}/start", this::start);
        r.post("/containers/{id}/stop", this::stop);
        r.post("/containers/{id}/restart", this::restart);
        r.post("/containers/{id}/kill", this::kill);
        r.post("/containers/{id}/pause", (q, x) -> {
            c().pause(ref(q));
            x.empty(204);
        });
        r.post("/containers/{id}/unpause", (q, x) -> {
            c().unpause(ref(q));
            x.empty(204);
        });
        r.post("/containers/{id}/rename", this::rename);
        r.post("/containers/{id}/update", this::update);
        r.post("/containers/{id}/resize", this::resize);
        r.post("/containers/{id}/wait", this::await);
        r.post("/containers/{id}/attach", this::attach);
        r.delete("/containers/{id}", this::remove);
    }

    private Containers c() {
        return backends.containers();
    }

    /** The container's reference as the lifecycle API knows it (a started pending container by its real id). */
    private String ref(Request q) {
        return pending.resolve(q.param("id"));
    }

    /** The image a container was created from, as the client named it (not the root it runs on). */
    String image(ContainerInfo c) {
        String img = c.spec() == null ? null : c.spec().annotations().get(IMAGE_ANNOTATION);
        if (img == null) img = pending.imageOf(c.id());
        return img != null ? img : c.image();
    }

    private static Map<String, String> labels(ContainerInfo c) {
        Map<String, String> l = new LinkedHashMap<>(c.labels());
        l.remove(IMAGE_ANNOTATION);
        l.remove(io.jcontainer.ContainerSpec.Builder.IMAGE_ID_ANNOTATION);
        return l;
    }

    // ---- finding ----

    private void list(Request q, Exchange x) {
        Map<String, List<String>> filters = q.filters();
        filters.computeIfPresent("id", (k, v) -> v.stream().map(pending::resolve).toList());
        ListQuery query;
        try {
            query = new ListQuery(q.bool("all", false), filters);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        List<ContainerInfo> all = new ArrayList<>(c().list(query));
        for (PendingContainers.Entry e : pending.all()) if (query.matches(e.info())) all.add(e.info());
        all.sort((a, b) -> b.created().compareTo(a.created())); // newest first, as docker
        long limit = q.longQuery("limit", -1);
        if (limit > 0 && all.size() > limit) all = all.subList(0, (int) limit);
        List<Object> out = new ArrayList<>();
        boolean size = q.bool("size", false);
        for (ContainerInfo ci : all) out.add(size ? withSizes(summary(ci), ci) : summary(ci));
        x.json(200, out);
    }

    /**
     * docker's {@code SizeRw} and {@code SizeRootFs} (asked for with {@code size=1}: they are
     * counted by walking the container's files): what it wrote, and its whole root. A created
     * container the server still holds has no root yet: 0.
     */
    Map<String, Object> withSizes(Map<String, Object> m, ContainerInfo ci) {
        Containers.RootSize size;
        try {
            size = pending.find(ci.id()) != null ? new Containers.RootSize(0, 0) : c().size(ci.id());
        } catch (Containers.NoSuchContainerException | Containers.NotSupportedYetException gone) {
            size = new Containers.RootSize(0, 0); // removed meanwhile, or a runtime that cannot tell
        }
        m.put("SizeRw", size.rw());
        m.put("SizeRootFs", size.rootFs());
        return m;
    }

    Map<String, Object> summary(ContainerInfo ci) {
        List<io.jcontainer.lifecycle.NetworkInfo.Endpoint> endpoints = endpoints(ci);
        return Json.obj("Id", pending.display(ci.id()), "Names", List.of("/" + (ci.name() == null ? "" : ci.name())), "Image", image(ci), "ImageID", "",
                "Command", String.join(" ", ci.command()), "Created", ci.created() == null ? 0 : ci.created().getEpochSecond(),
                "Ports", ports(endpoints), "Labels", labels(ci), "State", ci.status().docker(), "Status", PsColumns.status(ci),
                "HostConfig", Json.obj("NetworkMode", ci.spec() == null ? "none" : Inspect.networkMode(ci.spec())),
                "NetworkSettings", Json.obj("Networks", Inspect.networks(ci, endpoints)), "Mounts", List.of());
    }

    /**
     * A running container's places on networks now; none for one that does not run (they were
     * given back) or that the server still holds.
     */
    private List<io.jcontainer.lifecycle.NetworkInfo.Endpoint> endpoints(ContainerInfo ci) {
        if (!ci.running() || pending.find(ci.id()) != null) return List.of();
        try {
            return c().networks().endpoints(ci.id());
        } catch (RuntimeException gone) {
            return List.of(); // it stopped or went meanwhile
        }
    }

    /** Published ports in the summary's shape ({@code docker ps}'s PORTS column reads them), as the endpoints hold them. */
    private static List<Object> ports(List<io.jcontainer.lifecycle.NetworkInfo.Endpoint> endpoints) {
        List<Object> out = new ArrayList<>();
        for (var e : endpoints)
            for (io.jcontainer.PortBinding b : e.ports())
                out.add(Json.obj("IP", b.hostIp() == null ? "0.0.0.0" : b.hostIp(), "PrivatePort", b.containerPort(),
                        "PublicPort", b.hostPort(), "Type", b.protocol()));
        return out;
    }

    private ContainerInfo find(Request q) {
        PendingContainers.Entry e = pending.find(q.param("id"));
        if (e != null) return e.info();
        return c().find(ref(q));
    }

    private void inspect(Request q, Exchange x) {
        ContainerInfo ci = find(q);
        ObjectNode n = Inspect.node(ci, ci.running() ? c().networks().endpoints(ci.id()) : java.util.List.of());
        n.put("Id", pending.display(ci.id()));
        n.with("Config").put("Image", image(ci));
        n.put("Image", "");
        ObjectNode labels = n.with("Config").putObject("Labels");
        labels(ci).forEach(labels::put);
        if (!n.has("NetworkSettings")) {
            // docker's shape even without a network: clients (docker-java) read Ports as an object
            ObjectNode net = n.putObject("NetworkSettings");
            net.putObject("Networks");
            net.putObject("Ports");
        }
        if (!n.has("Mounts")) n.putArray("Mounts");
        n.put("Driver", "jcontainer");
        n.put("Platform", "linux");
        if (q.bool("size", false)) withSizes(new LinkedHashMap<>(), ci).forEach((k, v) -> n.put(k, (Long) v));
        x.json(200, n);
    }

    private void top(Request q, Exchange x) {
        Containers.ProcessList p = c().top(ref(q));
        x.json(200, Json.obj("Titles", p.titles(), "Processes", p.processes()));
    }

    // ---- creating and starting ----

    private void create(Request q, Exchange x) {
        ObjectNode body = q.jsonObject();
        String name = q.query("name");
        if (name != null && name.startsWith("/")) name = name.substring(1);
        String image = body.path("Image").asText("");
        if (image.isEmpty()) throw ApiError.badRequest("Config.Image is required");
        DockerCreate.ImageDefaults img = backends.imageDirectories.get(ImageNames.normalize(image));
        boolean stored = img == null;
        if (stored) img = fromStore(image);
        if (name != null && !name.isEmpty()) {
            boolean taken = pending.nameTaken(name);
            if (!taken) try {
                c().find(name);
                taken = true;
            } catch (Containers.NoSuchContainerException e) {
                // free
            }
            if (taken) throw ApiError.conflict("Conflict. The container name \"/" + name + "\" is already in use.");
        }
        networksByName(body);
        DockerCreate.Created created = DockerCreate.spec(body, name, img, c(), backends.defaultNetwork());
        var builder = created.spec().toBuilder().annotation(IMAGE_ANNOTATION, image);
        // A stored image's layers are shared by every container of that image: each container gets
        // an overlay of them under an upper of its own, removed with the container (as run IMAGE and
        // Container.builder().image() do); ReadonlyRootfs still makes the whole overlay read-only.
        if (stored) builder.root(backends.images().overlayRoot(image).withReadonly(created.spec().root().readonly()))
                .annotation(io.jcontainer.ContainerSpec.Builder.IMAGE_ID_ANNOTATION, backends.images().inspect(image).id()); // commit's parent
        var spec = builder.build();
        PendingContainers.Entry e = pending.add(name, image, spec, created.autoRemove());
        e.stdinOnce = body.path("StdinOnce").asBoolean(false);
        Map<String, String> labels = new LinkedHashMap<>();
        body.path("Labels").properties().forEach(l -> labels.put(l.getKey(), l.getValue().asText()));
        reaper.created(q, SessionReaper.Kind.CONTAINER, labels, e.id, name);
        x.json(201, Json.obj("Id", e.id, "Warnings", List.of()));
    }

    /**
     * docker takes a user network by name, id or id prefix (Testcontainers gives its Network's id, in
     * HostConfig.NetworkMode and as the EndpointsConfig key); the spec names networks by name.
     */
    private void networksByName(ObjectNode body) {
        if (!(body.path("HostConfig") instanceof ObjectNode h)) return;
        String mode = h.path("NetworkMode").asText("");
        if (mode.isEmpty() || java.util.Set.of("default", "none", "host", "bridge").contains(mode) || mode.contains(":")) return;
        String name;
        try {
            name = c().networks().find(mode).name();
        } catch (io.jcontainer.ContainerException unknown) {
            return; // the start names what is missing
        }
        if (name.equals(mode)) return;
        h.put("NetworkMode", name);
        if (body.path("NetworkingConfig").path("EndpointsConfig") instanceof ObjectNode eps && eps.has(mode)) eps.set(name, eps.remove(mode));
    }

    /** An image of the store: its shared root and its config's defaults; docker's 404 (the CLI then pulls) when absent. */
    private DockerCreate.ImageDefaults fromStore(String image) {
        var images = backends.images();
        if (!images.exists(image)) throw ApiError.notFound("No such image: " + image);
        var cfg = images.inspect(image).config();
        return new DockerCreate.ImageDefaults(images.rootfs(image), cfg.entrypoint(), cfg.cmd(), cfg.env(),
                cfg.workingDir(), cfg.user());
    }

    private void start(Request q, Exchange x) {
        PendingContainers.Entry e = pending.find(q.param("id"));
        if (e == null) {
            ContainerInfo ci = c().find(ref(q));
            if (ci.running()) {
                x.empty(304);
                return;
            }
            c().start(ci.id());
            x.empty(204);
            return;
        }
        synchronized (e) {
            if (e.started.isDone()) {
                x.empty(304);
                return;
            }
            CompletableFuture<AttachSession> attach = e.attach;
            if (attach != null) {
                // The monitor hands an attach session out only with a terminal or a stdin it holds: hold one, and
                // close it at once when the client did not ask for stdin (the container reads EOF, as with docker).
                var spec = e.spec.tty() || e.spec.stdin() instanceof io.jcontainer.Stdio.Pipe ? e.spec
                        : e.spec.toBuilder().stdin(io.jcontainer.Stdio.PIPE).build();
                Containers.Attached a = c().runAttached(spec, e.autoRemove);
                if (spec != e.spec) closeQuietly(a.session().stdin());
                pending.started(e, a.container().id());
                attach.complete(a.session());
            } else {
                String id = c().run(e.spec, e.autoRemove);
                pending.started(e, id);
                e.exit.complete(Optional.empty());
            }
            // the networks connected before the start beyond the spec's own
            String id = e.started.join();
            for (var later : e.later.entrySet()) c().networks().connect(later.getKey(), id, later.getValue());
        }
        x.empty(204);
    }

    private void removeQuietly(String id) {
        if (id == null) return;
        try {
            c().remove(id, true, false);
        } catch (Containers.NoSuchContainerException | InterruptedException gone) {
            // removed already (or we are shutting down)
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing was written
        }
    }

    private void stop(Request q, Exchange x) throws InterruptedException {
        String ref = ref(q);
        ContainerInfo ci = c().find(ref);
        if (!ci.running()) {
            x.empty(304);
            return;
        }
        c().stop(ref, q.longQuery("t", -1) < 0 ? null : Duration.ofSeconds(q.longQuery("t", -1))); // no t: the container's StopTimeout
        x.empty(204);
    }

    private void restart(Request q, Exchange x) throws InterruptedException {
        c().restart(ref(q), q.longQuery("t", -1) < 0 ? null : Duration.ofSeconds(q.longQuery("t", -1)));
        x.empty(204);
    }

    private void kill(Request q, Exchange x) {
        String s = q.query("signal");
        Signal sig;
        try {
            sig = s == null || s.isEmpty() ? Signal.KILL : Signal.parse(s);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("Invalid signal: " + s);
        }
        c().kill(ref(q), sig);
        x.empty(204);
    }

    private void rename(Request q, Exchange x) {
        String name = q.query("name");
        if (name == null || name.isEmpty()) throw ApiError.badRequest("name is required");
        c().rename(ref(q), name.startsWith("/") ? name.substring(1) : name);
        x.empty(204);
    }

    private void update(Request q, Exchange x) {
        ObjectNode b = q.jsonObject();
        long mem = b.path("Memory").asLong(0);
        double cpus = b.path("NanoCpus").asLong(0) / 1e9;
        int shares = b.path("CpuShares").asInt(0);
        long pids = b.path("PidsLimit").isMissingNode() || b.path("PidsLimit").isNull() ? 0 : b.path("PidsLimit").asLong(0);
        if (b.has("PidsLimit") && pids <= 0 && !b.path("PidsLimit").isNull()) pids = io.jcontainer.docker.DockerUpdate.UNLIMITED_PIDS; // 0 or -1: unlimited
        long swap = b.path("MemorySwap").asLong(0), reservation = b.path("MemoryReservation").asLong(0);
        String cpusetCpus = b.path("CpusetCpus").asText(""), cpusetMems = b.path("CpusetMems").asText("");
        io.jcontainer.Resources r = new io.jcontainer.Resources(mem > 0 ? io.jcontainer.DataSize.bytes(mem) : null,
                swap == -1 ? io.jcontainer.Resources.UNLIMITED_SWAP : swap > 0 ? io.jcontainer.DataSize.bytes(swap) : null,
                reservation > 0 ? io.jcontainer.DataSize.bytes(reservation) : null, cpus,
                cpusetCpus.isEmpty() ? null : cpusetCpus, cpusetMems.isEmpty() ? null : cpusetMems, shares, pids,
                b.path("BlkioWeight").asInt(0), List.of(), null);
        JsonNode rp = b.path("RestartPolicy");
        io.jcontainer.RestartPolicy restart = !rp.isObject() || rp.path("Name").asText("").isEmpty() ? null
                : io.jcontainer.RestartPolicy.parse(rp.path("Name").asText() + (rp.path("MaximumRetryCount").asInt(0) > 0
                ? ":" + rp.path("MaximumRetryCount").asInt() : ""));
        c().update(ref(q), r, restart);
        x.json(200, Json.obj("Warnings", List.of()));
    }

    private void resize(Request q, Exchange x) {
        int h = (int) q.longQuery("h", 0), w = (int) q.longQuery("w", 0);
        if (h <= 0 || w <= 0) throw ApiError.badRequest("h and w must be positive");
        if (pending.find(q.param("id")) != null) {
            x.empty(200); // resized when it starts (its console size comes from the create request)
            return;
        }
        try (AttachSession s = c().attach(ref(q))) {
            if (!s.tty()) throw ApiError.badRequest("the container has no terminal to resize");
            s.resize(h, w);
        }
        x.empty(200);
    }

    // ---- waiting, removing ----

    private void await(Request q, Exchange x) throws Exception {
        String cond = q.query("condition");
        WaitCondition condition;
        try {
            condition = WaitCondition.parse(cond == null ? "" : cond);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        PendingContainers.Entry e = pending.find(q.param("id"));
        String ref = ref(q);
        if (e == null) c().find(ref); // 404 before the 200 is sent
        else if (condition == WaitCondition.NOT_RUNNING) {
            x.json(200, Json.obj("StatusCode", 0, "Error", null));
            return;
        }
        // docker sends the header at once, so the client knows the wait is in place before it starts the container
        try (OutputStream out = x.stream(200, "application/json")) {
            out.flush();
            Optional<ContainerExit> exit;
            if (e != null) {
                String real = e.started.get();
                exit = e.attach != null ? e.exit.get() : Optional.empty();
                if (exit.isEmpty()) exit = waitQuietly(real, condition);
                else if (condition == WaitCondition.REMOVED) waitQuietly(real, condition);
            } else exit = c().wait(ref, condition);
            int code = exit.map(ContainerExit::code).orElse(exit.isEmpty() && condition == WaitCondition.REMOVED ? 0 : -1);
            out.write(Json.bytes(Json.obj("StatusCode", code, "Error", null)));
            out.write('\n');
        }
    }

    private Optional<ContainerExit> waitQuietly(String id, WaitCondition condition) throws InterruptedException {
        try {
            return c().wait(id, condition);
        } catch (Containers.NoSuchContainerException gone) {
            return Optional.empty();
        }
    }

    private void remove(Request q, Exchange x) throws InterruptedException {
        PendingContainers.Entry e = pending.find(q.param("id"));
        if (e != null) {
            pending.remove(e);
            x.empty(204);
            return;
        }
        c().remove(ref(q), q.bool("force", false), q.bool("v", false));
        x.empty(204);
    }

    /**
     * {@code POST /containers/prune}: every stopped container, or with docker's filters those
     * among them that carry a label ({@code label=k}, {@code label=k=v}), do not
     * ({@code label!=…}), or were created before a time ({@code until=} a timestamp or a duration
     * such as {@code 10m}).
     */
    private void prune(Request q, Exchange x) throws InterruptedException {
        PruneFilters f = PruneFilters.of("container prune", q.filters(), java.util.Set.of("until"));
        Instant until = null;
        for (String u : q.filters().getOrDefault("until", List.of())) until = untilTime(u);
        List<String> gone;
        if (!f.any() && until == null) gone = c().prune();
        else {
            gone = new ArrayList<>();
            for (ContainerInfo ci : c().list(ListQuery.ALL)) {
                boolean stopped = switch (ci.status()) {
                    case CREATED, EXITED, DEAD -> true;
                    case RUNNING, PAUSED, RESTARTING -> false;
                };
                if (!stopped || !f.matches(labels(ci))) continue;
                if (until != null && ci.created() != null && !ci.created().isBefore(until)) continue;
                try {
                    c().remove(ci.id(), false, false);
                    gone.add(ci.id());
                } catch (io.jcontainer.ContainerException e) {
                    // started again meanwhile: a prune leaves it
                }
            }
        }
        x.json(200, Json.obj("ContainersDeleted", gone.stream().map(pending::display).toList(), "SpaceReclaimed", 0));
    }

    /** docker's {@code until}: RFC 3339, unix seconds, or a Go duration before now ({@code 1h30m}, {@code 10s}). */
    static Instant untilTime(String u) {
        try {
            if (u.matches("\\d+(\\.\\d+)?")) return Instant.ofEpochMilli((long) (Double.parseDouble(u) * 1000));
            if (u.matches("(\\d+(\\.\\d+)?(ns|us|ms|s|m|h))+")) {
                var m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)").matcher(u);
                double nanos = 0;
                while (m.find()) {
                    double n = Double.parseDouble(m.group(1));
                    nanos += n * switch (m.group(2)) {
                        case "ns" -> 1;
                        case "us" -> 1e3;
                        case "ms" -> 1e6;
                        case "s" -> 1e9;
                        case "m" -> 60e9;
                        default -> 3600e9;
                    };
                }
                return Instant.now().minusNanos((long) nanos);
            }
            return java.time.OffsetDateTime.parse(u).toInstant();
        } catch (RuntimeException e) {
            throw ApiError.badRequest("invalid until filter '" + u + "': a timestamp or a duration such as 10m");
        }
    }

    // ---- the root filesystem: changes, export, commit ----

    /** {@code GET /containers/{id}/changes}: docker's {@code [{"Path", "Kind"}]}, Kind 0 modified, 1 added, 2 deleted. */
    private void changes(Request q, Exchange x) {
        if (pending.find(q.param("id")) != null) {
            x.json(200, List.of()); // created, never started: nothing has changed yet
            return;
        }
        List<Object> out = new ArrayList<>();
        for (FileChange ch : c().diff(ref(q))) out.add(Json.obj("Path", ch.path(), "Kind", DockerCommit.kind(ch.kind())));
        x.json(200, out);
    }

    /** {@code GET /containers/{id}/export}: the merged root as a tar, written to the client as it is read. */
    private void export(Request q, Exchange x) throws IOException {
        if (pending.find(q.param("id")) != null)
            throw ApiError.conflict("the container " + q.param("id") + " has not been started yet: its root is set up at the start");
        String ref = ref(q);
        c().find(ref); // 404 before the 200 is sent
        // The header goes with the first bytes, so a refusal before them (a host-root container) is an ordinary
        // error; a failure past it can only cut the stream short (the client sees a truncated tar, as with docker).
        LazyStream tar = new LazyStream(x, "application/x-tar");
        OutputStream out = new java.io.BufferedOutputStream(tar, 1 << 16);
        c().export(ref, out);
        out.close();
    }

    /** A streamed response that begins at its first write (or at close). */
    private static final class LazyStream extends OutputStream {
        private final Exchange x;
        private final String contentType;
        private OutputStream out;

        LazyStream(Exchange x, String contentType) {
            this.x = x;
            this.contentType = contentType;
        }

        private OutputStream out() {
            if (out == null) out = x.stream(200, contentType);
            return out;
        }

        @Override
        public void write(int b) throws IOException {
            out().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out().write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out().close();
        }
    }

    /**
     * {@code POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=}, an optional
     * container Config as the body overriding the container's (Cmd, Entrypoint, Env…), then the
     * changes: docker's {@code {"Id": "sha256:…"}} with 201.
     */
    private void commit(Request q, Exchange x) throws IOException {
        String container = q.query("container");
        if (container == null || container.isEmpty()) throw ApiError.badRequest("container is required");
        if (pending.find(container) != null)
            throw ApiError.conflict("the container " + container + " has not been started yet: it has no root to commit");
        ContainerInfo ci = c().find(pending.resolve(container));
        String repo = q.query("repo"), tag = q.query("tag");
        String[] tags = repo == null || repo.isEmpty() ? new String[0]
                : new String[]{repo + (tag == null || tag.isEmpty() ? "" : ":" + tag)};
        List<String> changes = new ArrayList<>(DockerCommit.configChanges(q.json()));
        for (String ch : q.queryAll("changes")) {
            // docker's CLI sends one per -c; older clients joined them with newlines
            for (String line : ch.split("\n")) if (!line.isBlank()) changes.add(line);
        }
        String pause = q.query("pause");
        boolean paused = pause == null || pause.isEmpty() || q.bool("pause", true); // docker pauses unless told not to
        CommitOptions options = CommitOptions.defaults().withTags(tags)
                .withMessage(emptyToNull(q.query("comment"))).withAuthor(emptyToNull(q.query("author")));
        String id;
        try {
            id = DockerCommit.commit(c(), backends.images(), ci, changes, options, paused);
        } catch (DockerfileException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        x.json(201, Json.obj("Id", id));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    // ---- streams ----

    private void logs(Request q, Exchange x) throws Exception {
        boolean stdout = q.bool("stdout", false), stderr = q.bool("stderr", false);
        if (!stdout && !stderr) throw ApiError.badRequest("you must choose at least one stream");
        PendingContainers.Entry e = pending.find(q.param("id"));
        if (e != null) {
            x.stream(200, "application/vnd.docker.raw-stream").close();
            return;
        }
        String ref = ref(q);
        ContainerInfo ci = c().find(ref);
        String tail = q.query("tail");
        int n = tail == null || tail.isEmpty() || tail.equals("all") ? -1 : (int) q.longQuery("tail", -1);
        LogOptions o = new LogOptions(q.bool("follow", false), q.bool("timestamps", false), n, time(q.query("since")), time(q.query("until")));
        // a client gone interrupts this thread (ApiConnection), which ends a followed log
        OutputStream out = x.stream(200, "application/vnd.docker.raw-stream");
        OutputStream so, se;
        if (ci.streams().tty()) {
            so = se = out;
        } else {
            MuxStream[] m = MuxStream.pair(out);
            so = m[0];
            se = m[1];
        }
        try {
            c().logs(ref, o, stdout ? so : OutputStream.nullOutputStream(), stderr ? se : OutputStream.nullOutputStream());
            out.close();
        } catch (InterruptedException | java.io.InterruptedIOException gone) {
            Thread.interrupted();
        }
    }

    /** docker's timestamps: seconds since the epoch, with an optional fraction; 0 or empty for none. */
    static Instant time(String s) {
        if (s == null || s.isEmpty() || s.equals("0")) return null;
        try {
            BigDecimal d = new BigDecimal(s);
            return Instant.ofEpochSecond(d.longValue(), d.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        } catch (NumberFormatException e) {
            try {
                return Instant.parse(s);
            } catch (RuntimeException e2) {
                throw ApiError.badRequest("invalid time: " + s);
            }
        }
    }

    /** docker's stats interval: one JSON object per second on a stream. */
    private static final long STATS_INTERVAL_MS = 1000;
    /**
     * How far apart the two readings of a one-shot answer ({@code stream=0}) are: docker's daemon
     * fills {@code precpu_stats} there (from its collector's previous round) so that the CLI's
     * {@code stats --no-stream} shows a CPU percentage; {@code one-shot=1} asks for one reading.
     */
    private static final long STATS_PRIME_MS = 500;

    /**
     * One reading of a container's counters and when it was taken; {@code system} is the host's
     * CPU time as docker's {@code system_cpu_usage} counts it — wall time × online CPUs, so that
     * the CLI's cpuDelta / systemDelta × CPUs is the share of one CPU between two readings.
     */
    private record Sample(ContainerStats stats, Instant read, long system) {
        static final int CPUS = Runtime.getRuntime().availableProcessors();
    }

    private Sample sample(String ref) {
        ContainerStats s = c().stats(ref);
        return new Sample(s, Instant.now(), System.nanoTime() * Sample.CPUS);
    }

    /**
     * {@code GET /containers/{id}/stats}: a stream of one reading per second, each with the one
     * before as {@code precpu_stats} (the first has none, as dockerd's); {@code stream=0} one
     * answer with both readings; a container that does not run answers zeros at once
     * ({@code stream=0}, dockerd's empty StatsJSON: {@code stats -a --no-stream} shows it) or gives
     * no reading until it runs (a stream). The stream ends when the container is removed or the
     * client goes.
     */
    private void stats(Request q, Exchange x) throws Exception {
        String ref = ref(q);
        ContainerInfo ci = c().find(ref);
        String id = pending.display(ci.id());
        if (!q.bool("stream", true)) {
            Map<String, Object> answer;
            try {
                Sample prev = null;
                if (!q.bool("one-shot", false) && ci.running()) {
                    prev = sample(ref);
                    Thread.sleep(STATS_PRIME_MS);
                }
                answer = ci.running() ? statsJson(ci, sample(ref), prev, id) : emptyStats(ci, id);
            } catch (Containers.NoSuchContainerException gone) {
                throw gone;
            } catch (io.jcontainer.ContainerException stopped) {
                answer = emptyStats(ci, id); // it stopped between the lookup and the reading
            }
            x.json(200, answer);
            return;
        }
        try (OutputStream out = x.stream(200, "application/json")) {
            Sample prev = null;
            while (x.open()) {
                Sample now = null;
                try {
                    if (c().find(ref).running()) now = sample(ref);
                } catch (Containers.NoSuchContainerException gone) {
                    break;
                } catch (io.jcontainer.ContainerException stopped) {
                    // it stopped meanwhile: no reading this round
                }
                if (now != null) {
                    byte[] frame = Json.bytes(statsJson(ci, now, prev, id));
                    byte[] line = java.util.Arrays.copyOf(frame, frame.length + 1);
                    line[frame.length] = '\n';
                    out.write(line); // one chunk per reading, at once
                }
                prev = now;
                Thread.sleep(STATS_INTERVAL_MS);
            }
        }
    }

    /** dockerd's answer for a container that does not run: its name and id, every counter zero. */
    private static Map<String, Object> emptyStats(ContainerInfo ci, String id) {
        String zero = "0001-01-01T00:00:00Z";
        return Json.obj("read", zero, "preread", zero, "id", id, "name", "/" + ci.name(), "pids_stats", Map.of(), "blkio_stats", Map.of(),
                "cpu_stats", Json.obj("cpu_usage", Json.obj("total_usage", 0), "throttling_data", Map.of()),
                "precpu_stats", Json.obj("cpu_usage", Json.obj("total_usage", 0), "throttling_data", Map.of()), "memory_stats", Map.of());
    }

    private static Map<String, Object> statsJson(ContainerInfo ci, Sample now, Sample prev, String id) {
        ContainerStats s = now.stats();
        return Json.obj("read", now.read().toString(), "preread", prev == null ? "0001-01-01T00:00:00Z" : prev.read().toString(),
                "id", id, "name", "/" + ci.name(),
                "pids_stats", s.pidsLimit() > 0 ? Json.obj("current", Math.max(0, s.pids()), "limit", s.pidsLimit())
                        : Json.obj("current", Math.max(0, s.pids())),
                "memory_stats", Json.obj("usage", Math.max(0, s.memoryBytes()), "max_usage", Math.max(0, s.memoryPeakBytes()),
                        "limit", s.memoryLimitBytes() > 0 ? s.memoryLimitBytes()
                                : ci.spec() != null && ci.spec().resources().memory() != null ? ci.spec().resources().memory().bytes() : HostFacts.memTotal(),
                        // docker's CLI subtracts this from the usage (cgroup v2's name; v1's is total_inactive_file)
                        "stats", s.memoryInactiveFileBytes() < 0 ? Map.of() : Map.of("inactive_file", s.memoryInactiveFileBytes(),
                                "total_inactive_file", s.memoryInactiveFileBytes())),
                "cpu_stats", cpuJson(now),
                // the previous reading's, whole: what the CLI's CPU % is computed against (zeros before the first)
                "precpu_stats", prev == null ? Json.obj("cpu_usage", Json.obj("total_usage", 0), "throttling_data", Map.of()) : cpuJson(prev),
                "blkio_stats", s.blockReadBytes() < 0 ? Map.of() : Json.obj("io_service_bytes_recursive", List.of(
                        Json.obj("major", 0, "minor", 0, "op", "read", "value", s.blockReadBytes()),
                        Json.obj("major", 0, "minor", 0, "op", "write", "value", Math.max(0, s.blockWriteBytes())))),
                // the container's own interfaces together (loopback left out), under docker's usual name
                "networks", s.netRxBytes() < 0 ? Map.of() : Map.of("eth0", Json.obj("rx_bytes", s.netRxBytes(), "tx_bytes", s.netTxBytes())));
    }

    private static Map<String, Object> cpuJson(Sample r) {
        ContainerStats s = r.stats();
        return Json.obj("cpu_usage", Json.obj("total_usage", s.cpuTime() == null ? 0 : s.cpuTime().toNanos(),
                        "usage_in_kernelmode", Math.max(0, s.cpuSystemMicros()) * 1000, "usage_in_usermode", Math.max(0, s.cpuUserMicros()) * 1000),
                "system_cpu_usage", r.system(), "online_cpus", Sample.CPUS,
                "throttling_data", Json.obj("periods", Math.max(0, s.cpuPeriods()), "throttled_periods", Math.max(0, s.cpuThrottledPeriods()),
                        "throttled_time", Math.max(0, s.cpuThrottledMicros()) * 1000));
    }

    private void attach(Request q, Exchange x) throws Exception {
        boolean stdin = q.bool("stdin", false), stdout = q.bool("stdout", false), stderr = q.bool("stderr", false);
        PendingContainers.Entry e = pending.find(q.param("id"));
        AttachSession session;
        boolean tty;
        Exchange.Hijacked h;
        if (e != null) {
            CompletableFuture<AttachSession> f;
            synchronized (e) {
                if (e.attach == null) e.attach = new CompletableFuture<>();
                f = e.attach;
            }
            tty = e.spec.tty();
            h = x.hijack("application/vnd.docker.raw-stream");
            try {
                session = f.get();
            } catch (java.util.concurrent.ExecutionException gone) {
                return; // removed before it started
            }
        } else {
            session = c().attach(ref(q));
            tty = session.tty();
            h = x.hijack("application/vnd.docker.raw-stream");
        }
        try (AttachSession s = session) {
            OutputStream so, se;
            if (tty) {
                so = se = h.out();
            } else {
                MuxStream[] m = MuxStream.pair(h.out());
                so = m[0];
                se = m[1];
            }
            if (stdin && s.stdinOpen()) {
                InputStream in = h.in();
                // docker's StdinOnce (run -i, created here): the client's EOF is the container's. Otherwise
                // (docker attach to a container started with -i) its stdin stays open for the next client.
                boolean once = e != null && e.stdinOnce;
                Thread.ofPlatform().daemon().name("jcontainer-api-stdin").start(() -> {
                    try {
                        in.transferTo(s.stdin());
                        if (once) s.closeStdin();
                    } catch (IOException ignored) {
                        // the client or the container went; the output side ends the session
                    }
                });
            }
            Optional<ContainerExit> exit = s.copyOutput(stdout ? so : OutputStream.nullOutputStream(), stderr ? se : OutputStream.nullOutputStream());
            if (e != null) {
                // As docker's daemon: a --rm container goes once it has exited (the lifecycle API leaves that to the attached caller).
                if (e.autoRemove && exit.isPresent()) removeQuietly(e.started.getNow(null));
                e.exit.complete(exit);
            }
        } catch (IOException clientGone) {
            // the client left mid-attach: the container runs on (closing the session only detaches)
            if (e != null) e.exit.complete(Optional.empty());
        }
    }
}
