package io.jcontainer.server.handlers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.build.BuildListener;
import io.jcontainer.image.build.BuildOptions;
import io.jcontainer.image.build.BuildResult;
import io.jcontainer.image.build.ImageBuilder;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /build}: docker's legacy builder protocol (what {@code DOCKER_BUILDKIT=0 docker
 * build} and docker-java's {@code BuildImageCmd} speak) over the image builder API
 * ({@link ImageBuilder}, docs/build.md). The body is the context as a tar (plain or gzip,
 * chunked or not), streamed into the builder; progress is docker's JSON message stream
 * ({@code {"stream": …}} lines, the image id as {@code {"aux":{"ID": …}}}, a failure as
 * {@code errorDetail}). BuildKit's session protocol ({@code version=2}) is not spoken.
 */
final class BuildHandler {
    /** Query parameters that ask for nothing when absent, empty, zero or false; set, they are refused by name. */
    private static final Set<String> REFUSED = Set.of("remote", "cachefrom", "extrahosts", "squash", "cpusetcpus", "cpusetmems",
            "cpushares", "cpuquota", "cpuperiod", "memory", "memswap", "shmsize", "ulimits", "outputs");

    private final Routes.Backends backends;

    BuildHandler(Routes.Backends backends) {
        this.backends = backends;
    }

    void install(Router r) {
        r.add("POST", "/build", this::build, Router.Body.STREAM);
        r.post("/build/prune", (q, x) -> x.json(200, Json.obj("CachesDeleted", List.of(), "SpaceReclaimed", 0)));
        r.post("/build/cancel", (q, x) -> {
            throw ApiError.notImplemented("cancelling a build is not supported yet (close the build's connection)");
        });
    }

    /**
     * The RUN steps' network: {@code networkmode} as sent ({@code none}, {@code host}, a network's
     * name); docker's CLI sends {@code default} (or nothing) for its default, which here is the
     * service's default for containers, as dockerd's: {@code bridge} (the default bridge as root,
     * pasta as an ordinary user), or loopback only when that is null.
     */
    static String buildNetwork(String networkmode, String serviceDefault) {
        if (networkmode != null && !networkmode.isEmpty() && !networkmode.equals("default")) return networkmode;
        return serviceDefault == null ? BuildOptions.NETWORK_NONE : serviceDefault;
    }

    private void build(Request q, Exchange x) throws IOException {
        if ("2".equals(q.query("version")))
            throw ApiError.notImplemented("BuildKit (version=2) is not supported: build with DOCKER_BUILDKIT=0 (the legacy builder protocol)");
        for (String p : REFUSED) {
            String v = q.query(p);
            if (v != null && !v.isEmpty() && !v.equals("0") && !v.equals("false") && !v.equals("[]") && !v.equals("{}") && !v.equals("null"))
                throw ApiError.notImplemented("build parameter " + p + " is not supported yet");
        }
        String network = q.query("networkmode");
        if (network != null && network.startsWith("container:"))
            throw ApiError.notImplemented("build network mode " + network + " is not supported (RUN steps cannot join a container's network)");
        String platform = q.query("platform");
        if (platform != null && !platform.isEmpty() && !platform.equals("linux/" + hostArch()) && !platform.equals("linux"))
            throw ApiError.notImplemented("building for platform " + platform + " is not supported (this host builds linux/" + hostArch() + ")");

        BuildOptions options = BuildOptions.defaults()
                .withNetwork(buildNetwork(network, backends.defaultNetwork()))
                .withTags(q.queryAll("t").stream().filter(t -> !t.isEmpty()).toList())
                .withBuildArgs(stringMap(q.query("buildargs"), "buildargs"))
                .withNoCache(q.bool("nocache", false))
                .withPull(q.bool("pull", false))
                .withRegistryCredentials(RegistryAuth.config(q.header("X-Registry-Config")));
        String dockerfile = q.query("dockerfile");
        if (dockerfile != null && !dockerfile.isEmpty()) options = options.withDockerfile(dockerfile);
        String target = q.query("target");
        if (target != null && !target.isEmpty()) options = options.withTarget(target);
        boolean quiet = q.bool("q", false);
        Map<String, String> labels = new java.util.LinkedHashMap<>(stringMap(q.query("labels"), "labels"));
        labels.replaceAll((k, v) -> v == null ? "" : v);
        options = options.withLabels(labels);

        ImagesHandler.Messages m = new ImagesHandler.Messages(x);
        BuildListener listener = quiet ? BuildListener.NONE : new BuildListener() {
            @Override
            public void stepStarted(int step, String name) {
                m.send(Json.obj("stream", "Step " + step + " : " + name + "\n"));
            }

            @Override
            public void stepCached(int step) {
                m.send(Json.obj("stream", " ---> Using cache\n"));
            }

            @Override
            public void stepOutput(int step, String line) {
                m.send(Json.obj("stream", line.endsWith("\n") ? line : line + "\n"));
            }

            @Override
            public void stepDone(int step, Duration took) {
                m.send(Json.obj("stream", " ---> done in " + took.toMillis() + " ms\n"));
            }

            @Override
            public void stepFailed(int step, String message) {
                m.send(Json.obj("stream", " ---> failed: " + message + "\n"));
            }

            @Override
            public void warning(String message) {
                m.send(Json.obj("stream", "[Warning] " + message + "\n"));
            }
        };
        BuildResult r;
        try (InputStream context = q.bodyStream()) {
            r = ImageBuilder.of(backends.images()).build(context, options, listener);
        } catch (UncheckedIOException e) {
            m.fail(new ApiError(500, "reading the build context: " + e.getCause().getMessage()));
            return;
        } catch (RuntimeException e) {
            m.fail(e);
            return;
        }
        String shortId = r.imageId().substring(r.imageId().indexOf(':') + 1, Math.min(r.imageId().indexOf(':') + 13, r.imageId().length()));
        m.send(Json.obj("aux", Json.obj("ID", r.imageId())));
        if (quiet) m.send(Json.obj("stream", r.imageId() + "\n"));
        else {
            m.send(Json.obj("stream", "Successfully built " + shortId + "\n"));
            for (String t : r.tags()) m.send(Json.obj("stream", "Successfully tagged " + t + "\n"));
        }
        m.end();
    }

    private static String hostArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    /** A JSON object of strings in a query parameter (docker's buildargs and labels; a null value is an unset arg). */
    private static Map<String, String> stringMap(String json, String param) {
        Map<String, String> m = new LinkedHashMap<>();
        if (json == null || json.isBlank()) return m;
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("invalid " + param + ": " + e.getOriginalMessage());
        }
        if (n == null || n.isNull()) return m;
        if (!n.isObject()) throw ApiError.badRequest("invalid " + param + ": not a JSON object");
        n.properties().forEach(e -> {
            if (!e.getValue().isNull()) m.put(e.getKey(), e.getValue().asText()); // null: declared, no value (the Dockerfile's default)
        });
        return m;
    }
}
