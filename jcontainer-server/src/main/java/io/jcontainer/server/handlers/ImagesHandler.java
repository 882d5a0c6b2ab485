package io.jcontainer.server.handlers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.jcontainer.ContainerException;
import io.jcontainer.docker.ImageJson;
import io.jcontainer.image.ArchiveFormat;
import io.jcontainer.image.CommitOptions;
import io.jcontainer.image.build.DockerfileException;
import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Images;
import io.jcontainer.image.Platform;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.image.RegistryCredentials;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Errors;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /images/...}: docker's image verbs over the {@link Images} API — pull with docker's
 * progress messages, list, inspect, history, tag, remove, prune, push, save ({@code get}) and
 * load. Archives pass through a temporary file (the store reads and writes whole archives), removed
 * when the request ends.
 */
final class ImagesHandler {
    private final Routes.Backends backends;

    ImagesHandler(Routes.Backends backends) {
        this.backends = backends;
    }

    void install(Router r) {
        // streamed: an import (fromSrc=-) sends the tar as the body; a pull sends none
        r.add("POST", "/images/create", this::create, Router.Body.STREAM);
        r.get("/images/json", this::list);
        r.post("/images/prune", this::prune);
        r.get("/images/search", this::search);
        r.get("/images/get", this::saveMany);
        r.add("POST", "/images/load", this::load, Router.Body.STREAM);
        r.get("/images/{name*}/json", this::inspect);
        r.get("/images/{name*}/history", this::history);
        r.get("/images/{name*}/get", this::saveOne);
        r.post("/images/{name*}/tag", this::tag);
        r.post("/images/{name*}/push", this::push);
        r.delete("/images/{name*}", this::remove);
    }

    private Images images() {
        return backends.images();
    }

    // ---- pull ----

    /**
     * {@code POST /images/create?fromImage=NAME&tag=TAG}: a pull, answered as docker does with a
     * stream of JSON messages. Errors before the first message get their own status (404 for an
     * unknown image); after it, an {@code errorDetail} message ends the stream.
     */
    private void create(Request q, Exchange x) throws IOException {
        String from = q.query("fromImage");
        if (from == null || from.isEmpty()) {
            String src = q.query("fromSrc");
            if (src != null && !src.isEmpty()) {
                importImage(q, x, src);
                return;
            }
            throw ApiError.badRequest("fromImage is required");
        }
        String tag = q.query("tag");
        String image = from;
        if (tag != null && !tag.isEmpty()) image = from + (tag.startsWith("sha256:") ? "@" : ":") + tag;
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (ContainerException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        String platform = q.query("platform");
        RegistryCredentials credentials = RegistryAuth.auth(q.header("X-Registry-Auth"));
        Messages m = new Messages(x);
        boolean had = images().exists(image);
        String before = had ? images().inspect(image).id() : "";
        m.lazyFirst(Json.obj("status", "Pulling from " + ref.repository(), "id", ref.tag() != null ? ref.tag() : ref.digest()));
        ProgressListener progress = new ProgressListener() {
            @Override
            public void layerStarted(String digest, long size) {
                m.send(Json.obj("status", "Pulling fs layer", "progressDetail", Map.of(), "id", shortId(digest)));
            }

            @Override
            public void layerProgress(String digest, long done, long size) {
                m.send(Json.obj("status", "Downloading", "progressDetail", Json.obj("current", done, "total", size),
                        "id", shortId(digest)));
            }

            @Override
            public void layerDone(String digest, boolean alreadyPresent) {
                m.send(Json.obj("status", alreadyPresent ? "Already exists" : "Pull complete", "progressDetail", Map.of(),
                        "id", shortId(digest)));
            }
        };
        ImageInfo info;
        try {
            info = images().pull(image, platform == null || platform.isEmpty() ? null : Platform.parse(platform), progress, credentials);
        } catch (RuntimeException e) {
            m.fail(e);
            return;
        }
        String digest = info.repoDigests().stream().filter(d -> d.startsWith(ref.name() + "@"))
                .map(d -> d.substring(d.indexOf('@') + 1)).findFirst().orElse(info.manifestDigest());
        m.send(Json.obj("status", "Digest: " + digest));
        m.send(Json.obj("status", "Status: " + (had && before.equals(info.id()) ? "Image is up to date for " : "Downloaded newer image for ")
                + ref.familiarName() + (ref.tag() != null ? ":" + ref.tag() : "@" + ref.digest())));
        m.end();
    }

    /**
     * {@code POST /images/create?fromSrc=-&repo=&tag=&message=&changes=}: docker's {@code import}, the
     * body a tar (plain or gzip) of a whole filesystem, read as it arrives into a one-layer image.
     * Answered as docker does: one {@code {"status": "sha256:…"}} message.
     */
    private void importImage(Request q, Exchange x, String src) throws IOException {
        if (!src.equals("-"))
            throw ApiError.notImplemented("import from a URL is not supported: download it, then send it as the body (fromSrc=-)");
        String platform = q.query("platform");
        if (platform != null && !platform.isEmpty() && !platform.startsWith("linux"))
            throw ApiError.badRequest("only linux images are made here, not " + platform);
        String repo = q.query("repo"), tag = q.query("tag");
        String[] tags = repo == null || repo.isEmpty() ? new String[0]
                : new String[]{repo + (tag == null || tag.isEmpty() ? "" : ":" + tag)};
        List<String> changes = new ArrayList<>();
        for (String ch : q.queryAll("changes"))
            for (String line : ch.split("\n")) if (!line.isBlank()) changes.add(line);
        String message = q.query("message");
        CommitOptions options = CommitOptions.defaults().withChanges(changes).withTags(tags)
                .withMessage(message == null || message.isEmpty() ? null : message);
        Messages m = new Messages(x);
        String id;
        try (InputStream in = q.bodyStream()) {
            id = images().importImage(in, options);
        } catch (DockerfileException e) {
            throw ApiError.badRequest(e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        m.send(Json.obj("status", id));
        m.end();
    }

    private static String shortId(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    /**
     * docker's JSON message stream: one object per line. The response begins with the first
     * message, so a failure before it can still be an ordinary error response.
     */
    static final class Messages {
        private final Exchange x;
        private OutputStream out;
        private Map<String, Object> first;

        Messages(Exchange x) {
            this.x = x;
        }

        /** A message sent only when another one is (so a pull that fails at once answers 404, not 200). */
        synchronized void lazyFirst(Map<String, Object> message) {
            first = message;
        }

        synchronized void send(Map<String, Object> message) {
            try {
                if (out == null) {
                    out = x.stream(200, "application/json");
                    if (first != null) write(first);
                }
                write(message);
            } catch (IOException gone) {
                // The client left; the transfer goes on (the store keeps what arrives) and ends quietly.
            }
        }

        private void write(Map<String, Object> message) throws IOException {
            byte[] b = Json.bytes(message);
            byte[] line = new byte[b.length + 1];
            System.arraycopy(b, 0, line, 0, b.length);
            line[b.length] = '\n';
            out.write(line);
        }

        synchronized void fail(RuntimeException e) {
            if (out == null) throw e; // nothing sent: the dispatcher answers with the error's own status
            String msg = Errors.toApiError(e).getMessage();
            send(Json.obj("errorDetail", Json.obj("message", msg), "error", msg));
            end();
        }

        synchronized void end() {
            try {
                if (out == null) out = x.stream(200, "application/json");
                out.close();
            } catch (IOException gone) {
                // the client left
            }
        }
    }

    // ---- reading ----

    private void list(Request q, Exchange x) {
        boolean all = q.bool("all", false);
        Map<String, List<String>> filters = q.filters();
        List<Object> out = new ArrayList<>();
        for (ImageInfo i : images().list()) {
            if (!all && i.repoTags().isEmpty() && !filters.containsKey("dangling")) continue;
            if (!matches(i, filters)) continue;
            out.add(ImageJson.summary(i));
        }
        x.json(200, out);
    }

    /** docker's image filters: {@code reference}, {@code label}, {@code dangling}. Others are refused. */
    private static boolean matches(ImageInfo i, Map<String, List<String>> filters) {
        for (var f : filters.entrySet()) {
            switch (f.getKey()) {
                case "dangling" -> {
                    boolean want = f.getValue().contains("true");
                    if (i.repoTags().isEmpty() != want) return false;
                }
                case "label" -> {
                    for (String l : f.getValue()) {
                        int eq = l.indexOf('=');
                        String k = eq < 0 ? l : l.substring(0, eq);
                        String v = ImageJson.labels(i).get(k);
                        if (v == null || (eq >= 0 && !v.equals(l.substring(eq + 1)))) return false;
                    }
                }
                case "reference" -> {
                    boolean any = false;
                    for (String pattern : f.getValue()) {
                        for (String t : i.repoTags()) {
                            ImageReference r = ImageReference.parse(t);
                            String familiar = r.familiarName();
                            String glob = pattern.contains(":") ? familiar + ":" + r.tag() : familiar;
                            if (java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + pattern)
                                    .matches(Path.of(glob))) any = true;
                        }
                    }
                    if (!any) return false;
                }
                default -> throw ApiError.badRequest("invalid filter '" + f.getKey() + "'");
            }
        }
        return true;
    }

    private void inspect(Request q, Exchange x) {
        x.json(200, ImageJson.inspect(find(q.param("name"))));
    }

    private void history(Request q, Exchange x) {
        ArrayNode h = ImageJson.history(find(q.param("name")));
        x.json(200, h);
    }

    private ImageInfo find(String name) {
        if (!images().exists(name)) throw ApiError.notFound("No such image: " + name);
        return images().inspect(name);
    }

    /**
     * {@code GET /images/search?term=[REGISTRY/]TERM&limit=N}: a registry has no search API (Docker
     * Hub's is not a registry's), so the repositories of REGISTRY's catalog ({@code /v2/_catalog})
     * whose name contains TERM, in docker's result shape (no stars, not official). A TERM without a
     * registry part asks docker.io's name, i.e. its configured mirror — as {@code jcontainer search}.
     */
    private void search(Request q, Exchange x) {
        String arg = q.query("term");
        if (arg == null || arg.isEmpty()) throw ApiError.badRequest("term is required");
        int limit = (int) q.longQuery("limit", 25);
        if (limit < 1 || limit > 100) throw ApiError.badRequest("limit " + limit + " is outside the range of [1, 100]");
        String registry = "docker.io", term = arg;
        int slash = arg.indexOf('/');
        if (slash > 0) {
            String first = arg.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                term = arg.substring(slash + 1);
            }
        }
        String host = ImageReference.parse(registry + "/x").registry();
        String prefix = host.equals("docker.io") ? "" : host + "/";
        String lower = term.toLowerCase(java.util.Locale.ROOT);
        List<Object> out = new ArrayList<>();
        for (String repo : images().catalog(registry)) {
            if (!repo.toLowerCase(java.util.Locale.ROOT).contains(lower)) continue;
            out.add(Json.obj("name", prefix + repo, "description", "", "star_count", 0, "is_official", false, "is_automated", false));
            if (out.size() == limit) break;
        }
        x.json(200, out);
    }

    // ---- changing ----

    private void tag(Request q, Exchange x) {
        String repo = q.query("repo");
        if (repo == null || repo.isEmpty()) throw ApiError.badRequest("repo is required");
        String tag = q.query("tag");
        find(q.param("name"));
        images().tag(q.param("name"), repo + (tag == null || tag.isEmpty() ? "" : ":" + tag));
        x.empty(201);
    }

    private void remove(Request q, Exchange x) {
        String name = q.param("name");
        find(name);
        List<Object> out = new ArrayList<>();
        for (String line : images().remove(name, q.bool("force", false))) {
            int colon = line.indexOf(": ");
            if (colon < 0) continue;
            out.add(Map.of(line.substring(0, colon), line.substring(colon + 2)));
        }
        x.json(200, out);
    }

    private void prune(Request q, Exchange x) {
        Map<String, List<String>> filters = q.filters();
        PruneFilters f = PruneFilters.of("image prune", filters, java.util.Set.of("dangling"));
        boolean all = filters.getOrDefault("dangling", List.of("true")).contains("false");
        List<String> lines;
        if (!f.any()) lines = images().prune(all);
        else {
            // which tagged images a container still uses is the store's to know: with labels, dangling ones only
            if (all) throw ApiError.notImplemented("image prune with dangling=false and label filters is not supported yet (dangling images are)");
            lines = new ArrayList<>();
            for (ImageInfo i : images().list()) {
                if (!i.repoTags().isEmpty() || !f.matches(i.config().labels())) continue;
                try {
                    lines.addAll(images().remove(i.id(), false));
                } catch (io.jcontainer.ContainerException e) {
                    // in use: a prune leaves it
                }
            }
        }
        List<Object> deleted = new ArrayList<>();
        for (String line : lines) {
            int colon = line.indexOf(": ");
            deleted.add(Map.of(colon < 0 ? "Deleted" : line.substring(0, colon), colon < 0 ? line : line.substring(colon + 2)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ImagesDeleted", deleted.isEmpty() ? null : deleted);
        out.put("SpaceReclaimed", 0);
        x.json(200, out);
    }

    /** {@code POST /images/NAME/push?tag=T}: docker's progress messages, then the pushed digest. */
    private void push(Request q, Exchange x) {
        String name = q.param("name");
        String tag = q.query("tag");
        String image = tag == null || tag.isEmpty() ? name : name + ":" + tag;
        find(image);
        ImageReference ref = ImageReference.parse(image);
        RegistryCredentials credentials = RegistryAuth.auth(q.header("X-Registry-Auth"));
        Messages m = new Messages(x);
        m.lazyFirst(Json.obj("status", "The push refers to repository [" + ref.name() + "]"));
        ProgressListener progress = new ProgressListener() {
            @Override
            public void layerStarted(String digest, long size) {
                m.send(Json.obj("status", "Preparing", "progressDetail", Map.of(), "id", shortId(digest)));
            }

            @Override
            public void layerProgress(String digest, long done, long size) {
                m.send(Json.obj("status", "Pushing", "progressDetail", Json.obj("current", done, "total", size), "id", shortId(digest)));
            }

            @Override
            public void layerDone(String digest, boolean alreadyPresent) {
                m.send(Json.obj("status", alreadyPresent ? "Layer already exists" : "Pushed", "progressDetail", Map.of(),
                        "id", shortId(digest)));
            }
        };
        String digest;
        try {
            digest = images().push(image, progress, credentials);
        } catch (RuntimeException e) {
            m.fail(e);
            return;
        }
        long size = images().inspect(image).size();
        m.send(Json.obj("status", (ref.tag() != null ? ref.tag() : "latest") + ": digest: " + digest + " size: " + size));
        m.send(Json.obj("progressDetail", Map.of(), "aux", Json.obj("Tag", ref.tag() != null ? ref.tag() : "latest",
                "Digest", digest, "Size", size)));
        m.end();
    }

    // ---- archives ----

    private void saveOne(Request q, Exchange x) throws IOException {
        save(List.of(q.param("name")), x);
    }

    private void saveMany(Request q, Exchange x) throws IOException {
        List<String> names = q.queryAll("names");
        if (names.isEmpty()) throw ApiError.badRequest("names is required");
        save(names, x);
    }

    private void save(List<String> names, Exchange x) throws IOException {
        for (String n : names) find(n);
        Path tmp = Files.createTempFile("jcontainer-save-", ".tar");
        try {
            images().save(names, tmp, ArchiveFormat.DOCKER_ARCHIVE);
            try (InputStream in = Files.newInputStream(tmp); OutputStream out = x.stream(200, "application/x-tar")) {
                in.transferTo(out);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code POST /images/load}: a {@code docker save} archive as the body (streamed, not held in memory). */
    private void load(Request q, Exchange x) throws IOException {
        Path tmp = Files.createTempFile("jcontainer-load-", ".tar");
        try {
            try (InputStream in = q.bodyStream(); OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            StringBuilder text = new StringBuilder();
            // docker's lines: the familiar name of a tagged image, the id of an untagged one
            for (String loaded : images().load(tmp)) {
                if (loaded.startsWith("sha256:")) text.append("Loaded image ID: ").append(loaded).append('\n');
                else {
                    ImageReference r = ImageReference.parse(loaded);
                    text.append("Loaded image: ").append(r.familiarName()).append(r.tag() != null ? ":" + r.tag() : "@" + r.digest()).append('\n');
                }
            }
            if (q.bool("quiet", false)) {
                x.json(200, Json.obj("stream", text.toString()));
            } else {
                try (OutputStream out = x.stream(200, "application/json")) {
                    out.write(Json.bytes(Json.obj("stream", text.toString())));
                    out.write('\n');
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
