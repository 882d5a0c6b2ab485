package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;
import io.jcontainer.image.build.BuildException;
import io.jcontainer.image.build.BuildListener;
import io.jcontainer.image.build.BuildOptions;
import io.jcontainer.image.build.BuildResult;
import io.jcontainer.image.build.DockerfileException;
import io.jcontainer.image.build.StepFailedException;
import io.jcontainer.oci.build.Instruction.*;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a Dockerfile into an image, daemonless, in this JVM.
 *
 * <p>Each needed stage gets a working root directory, made only when a step has to run (a build
 * whose steps all come from the cache touches no files). Config-only instructions (ENV, CMD,
 * LABEL…) change the image config and history; COPY and ADD write a layer tar from their sources
 * and apply it to the root; RUN runs in a container over the root, and what it changed (found by
 * comparing the root's metadata before and after) becomes the layer, deletions as whiteouts.
 * Every layer-producing step has a cache key (parent key, instruction as run, args it sees,
 * content of what it copies); a key already in the cache reuses its layer. The image is
 * committed and tagged only once every stage succeeded: a failing build tags nothing.
 */
public final class DockerfileBuilder {
    /** Made at first use (see {@link #warmJson}), not with the class. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final int LAST_LINES = 20;

    private final BuildStore store;
    private final StepRunner runner;
    private final BuildCache cache;

    public DockerfileBuilder(BuildStore store, StepRunner runner, BuildCache cache) {
        this.store = store;
        this.runner = runner;
        this.cache = cache;
    }

    /** This machine's platform as OCI names it. */
    static String hostArch() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    /** Off ({@code -Djcontainer.build.prepare=false}) only to measure what it saves. */
    private static final boolean PREPARE = !"false".equals(System.getProperty("jcontainer.build.prepare"));

    public BuildResult build(BuildContext context, BuildOptions options, BuildListener listener) {
        return new Job(context, options, listener).build();
    }

    /** One build's state. */
    private final class Job {
        final BuildContext context;
        final BuildOptions options;
        final BuildListener listener;
        final AtomicInteger stepIds = new AtomicInteger();
        final AtomicInteger ran = new AtomicInteger();
        final AtomicInteger cached = new AtomicInteger();
        final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        final Map<Integer, StageState> stages = new ConcurrentHashMap<>();
        final Map<String, Path> imageTrees = new ConcurrentHashMap<>();
        final List<Path> temps = Collections.synchronizedList(new ArrayList<>());
        Dockerfile dockerfile;
        DockerIgnore ignore;
        Expander expander;
        boolean multiStage;

        Job(BuildContext context, BuildOptions options, BuildListener listener) {
            this.context = context;
            this.options = options;
            this.listener = listener;
        }

        BuildResult build() {
            // Jackson's first use in a fresh JVM is tens of ms of class initialisation: done
            // meanwhile, while the Dockerfile is read and the base image's pull starts, not when
            // its manifest arrives
            if (PREPARE) Thread.ofPlatform().daemon().name("jcontainer-build-json").start(DockerfileBuilder::warmJson);
            ExecutorService pool = Executors.newFixedThreadPool(4, Thread.ofPlatform().name("jcontainer-build-", 0).daemon().factory());
            try {
                int load = stepIds.incrementAndGet();
                long t0 = System.nanoTime();
                listener.stepStarted(load, "[internal] load build definition from " + java.nio.file.Path.of(options.dockerfile()).getFileName());
                String text = context.dockerfile(options.dockerfile());
                listener.stepOutput(load, "transferring dockerfile: " + text.getBytes(StandardCharsets.UTF_8).length + "B done");
                dockerfile = DockerfileParser.parse(java.nio.file.Path.of(options.dockerfile()).getFileName().toString(), text);
                ignore = context.ignore(options.dockerfile());
                listener.stepDone(load, Duration.ofNanos(System.nanoTime() - t0));
                Map<String, String> builtins = new LinkedHashMap<>();
                String arch = hostArch();
                for (String p : List.of("TARGET", "BUILD")) {
                    builtins.put(p + "PLATFORM", "linux/" + arch);
                    builtins.put(p + "OS", "linux");
                    builtins.put(p + "ARCH", arch);
                    builtins.put(p + "VARIANT", "");
                }
                expander = new Expander(dockerfile, options.buildArgs(), builtins);
                BuildGraph graph = new BuildGraph(dockerfile, expander, options.target());
                multiStage = dockerfile.stages().size() > 1;
                // the first RUN's container start has work of its own (the launcher, the start
                // path's classes and filters): done meanwhile, while the base image is pulled
                if (PREPARE && dockerfile.stages().stream().anyMatch(s -> s.instructions().stream().anyMatch(i -> i instanceof Instruction.Run)))
                    Thread.ofPlatform().daemon().name("jcontainer-build-prepare").start(runner::prepare);
                graph.run(pool, stage -> {
                    StageState st = new StageState(stage);
                    stages.put(stage.index(), st);
                    st.build();
                    return st;
                });
                Set<String> unused = expander.unconsumedBuildArgs();
                if (!unused.isEmpty()) warn("one or more build-args " + unused + " were not consumed");
                StageState result = stages.get(graph.target().index());
                String id = commit(result);
                for (String tag : options.tags()) store.tag(id, tag);
                return new BuildResult(id, options.tags(), ran.get(), cached.get(), warnings);
            } finally {
                pool.shutdownNow();
                for (StageState s : stages.values()) s.cleanup();
                for (Path p : temps) BuildContext.deleteTree(p);
            }
        }

        private Boolean layered;

        /** Whether steps go over overlays of the store's layer directories (else: a working root, copied into). */
        boolean layered() {
            if (layered == null) layered = runner.overlays() && store.layerDirs(List.of()) != null;
            return layered;
        }

        void warn(String m) {
            warnings.add(m);
            listener.warning(m);
        }

        private String defaultNetwork;

        /**
         * The network a RUN step gets: its own {@code --network=none} always; {@code host} only
         * with the build's {@code network.host} entitlement (a Dockerfile must not widen what the
         * one who builds it chose); otherwise the build's network, where docker's {@code default}
         * is the default bridge as root, pasta (or slirp4netns) as an ordinary user — the runtime
         * picks it for {@code bridge} — and loopback only, said once, where neither exists.
         */
        String stepNetwork(Instruction.Run r) {
            String flag = r.network() == null ? BuildOptions.NETWORK_DEFAULT : r.network();
            if (flag.equals(BuildOptions.NETWORK_NONE)) return BuildOptions.NETWORK_NONE;
            if (flag.equals(BuildOptions.NETWORK_HOST)) {
                if (options.allowHostNetwork() || options.network().equals(BuildOptions.NETWORK_HOST)) return BuildOptions.NETWORK_HOST;
                throw r.loc().error("RUN --network=host needs the network.host entitlement, which this build was not given"
                        + " (build --allow network.host; BuildOptions.withAllowHostNetwork(true))");
            }
            if (!options.network().equals(BuildOptions.NETWORK_DEFAULT)) return options.network();
            synchronized (this) {
                if (defaultNetwork == null) {
                    if (processIds()[0] == 0 || networkHelperInstalled()) defaultNetwork = "bridge";
                    else {
                        defaultNetwork = BuildOptions.NETWORK_NONE;
                        warn("no pasta or slirp4netns (apt-get install passt, or slirp4netns): RUN steps get loopback only");
                    }
                }
                return defaultNetwork;
            }
        }

        String commit(StageState s) {
            int id = stepIds.incrementAndGet();
            long t0 = System.nanoTime();
            listener.stepStarted(id, "exporting to image");
            ObjectNode config = s.config.deepCopy();
            if (!options.labels().isEmpty()) {
                // --label: the image's, over the Dockerfile's LABELs (as docker applies them to the result only)
                ObjectNode cfg = config.get("config") instanceof ObjectNode o ? o : config.putObject("config");
                ObjectNode labels = obj(cfg, "Labels");
                options.labels().forEach(labels::put);
            }
            ArrayNode diffIds = NODES.arrayNode();
            for (BuildStore.Layer l : s.layers) diffIds.add(l.diffId());
            ObjectNode rootfs = config.putObject("rootfs");
            rootfs.put("type", "layers");
            rootfs.set("diff_ids", diffIds);
            // the time of the last step that did something: a build that only hit the cache
            // reproduces the same config, so the same image id
            config.put("created", s.lastCreated);
            byte[] bytes;
            try {
                bytes = Mapper.JSON.writeValueAsBytes(config);
            } catch (IOException e) {
                throw new BuildException("cannot write the image config: " + e.getMessage(), e);
            }
            String imageId = store.commit(bytes, s.layers);
            listener.stepOutput(id, "writing image " + imageId + " done");
            for (String tag : options.tags()) listener.stepOutput(id, "naming to " + tag + " done");
            listener.stepDone(id, Duration.ofNanos(System.nanoTime() - t0));
            return imageId;
        }

        Path tempDir(String prefix) {
            Path p = cache.tempPath(prefix);
            try {
                Files.createDirectories(p);
            } catch (IOException e) {
                throw new BuildException("cannot create " + p + ": " + e.getMessage(), e);
            }
            temps.add(p);
            return p;
        }

        /** An image's files for COPY --from=image and RUN --mount=from=image, unpacked once per build. */
        Path imageTree(String ref) {
            return imageTrees.computeIfAbsent(ref, r -> {
                BuildStore.Image img = store.image(r, null, options.pull());
                Path dir = tempDir("from-");
                store.unpack(img, dir);
                return dir;
            });
        }

        /** One stage as it builds. */
        final class StageState {
            final Dockerfile.Stage stage;
            ObjectNode config;
            final List<BuildStore.Layer> layers = new ArrayList<>();
            String key;
            Expander.Scope scope;
            boolean cmdSet;
            int stepNo;
            int steps;
            // the working root: made on first need from baseImage + the layers added since
            BuildStore.Image baseImage;
            int baseLayerCount;
            Path rootfs;
            String lastCreated = Instant.EPOCH.toString();

            StageState(Dockerfile.Stage stage) {
                this.stage = stage;
            }

            String label(int n) {
                String prefix = multiStage ? (stage.name() != null ? stage.name() : "stage-" + stage.index()) + " " : "";
                return "[" + prefix + n + "/" + steps + "]";
            }

            void build() {
                From from = expander.from(stage.from());
                steps = 1 + (int) stage.instructions().stream().filter(i -> visible(i)).count();
                int id = stepIds.incrementAndGet();
                long t0 = System.nanoTime();
                String ref = from.image();
                listener.stepStarted(id, label(++stepNo) + " FROM " + ref);
                Integer parentStage = dockerfile.stage(ref).filter(s -> s.name() != null && s.index() < stage.index())
                        .map(Dockerfile.Stage::index).orElse(null);
                if (parentStage != null) {
                    StageState p = stages.get(parentStage);
                    config = p.config.deepCopy();
                    layers.addAll(p.layers);
                    baseImage = p.baseImage;
                    baseLayerCount = p.baseLayerCount;
                    key = p.key;
                    lastCreated = p.lastCreated;
                } else if (ref.equalsIgnoreCase("scratch")) {
                    config = NODES.objectNode();
                    config.put("architecture", hostArch());
                    config.put("os", "linux");
                    config.putObject("config").putArray("Env").add(DEFAULT_PATH);
                    config.putArray("history");
                    baseImage = null;
                    key = CacheKey.of("FROM").add("scratch").add(hostArch()).done();
                } else {
                    if (from.platform() != null && !from.platform().equals("linux/" + hostArch()))
                        throw new DockerfileException(from.loc().file(), from.loc().line(), "FROM",
                                "platform " + from.platform() + " is not this machine's (linux/" + hostArch() + "): building for another platform is not supported");
                    BuildStore.Image img = store.image(ref, from.platform(), options.pull());
                    config = img.config().deepCopy();
                    layers.addAll(img.layers());
                    baseImage = img;
                    baseLayerCount = img.layers().size();
                    key = CacheKey.of("FROM").add(img.id()).done();
                    if (config.hasNonNull("created")) lastCreated = config.get("created").asText();
                }
                if (!config.has("config") || !config.get("config").isObject()) config.putObject("config");
                if (!config.has("history") || !config.get("history").isArray()) config.putArray("history");
                listener.stepDone(id, Duration.ofNanos(System.nanoTime() - t0));
                scope = expander.stage(env());
                // the base image's ONBUILD triggers run first, then are dropped (not inherited further)
                JsonNode triggers = cfg().remove("OnBuild");
                if (triggers != null && triggers.isArray()) {
                    List<Instruction> parsed = new ArrayList<>();
                    for (JsonNode t : triggers)
                        parsed.add(DockerfileParser.parseLine(stage.from().loc().file() + " (ONBUILD of " + ref + ")", stage.from().loc().line(), t.asText()));
                    steps += (int) parsed.stream().filter(i -> visible(i)).count();
                    for (Instruction i : parsed) step(i, "ONBUILD ");
                }
                for (Instruction ins : stage.instructions()) step(ins, "");
            }

            boolean visible(Instruction i) {
                return i instanceof Instruction.Run || i instanceof Copy || i instanceof Add || i instanceof Workdir;
            }

            ObjectNode cfg() {
                return (ObjectNode) config.get("config");
            }

            List<String> env() {
                List<String> out = new ArrayList<>();
                JsonNode e = cfg().get("Env");
                if (e != null && e.isArray()) e.forEach(x -> out.add(x.asText()));
                return out;
            }

            String workdir() {
                String w = cfg().path("WorkingDir").asText("");
                return w.isEmpty() ? "/" : w;
            }

            List<String> shell() {
                List<String> out = new ArrayList<>();
                JsonNode s = cfg().get("Shell");
                if (s != null && s.isArray() && !s.isEmpty()) s.forEach(x -> out.add(x.asText()));
                else out.addAll(List.of("/bin/sh", "-c"));
                return out;
            }

            void history(String createdBy, boolean empty) {
                ObjectNode h = ((ArrayNode) config.get("history")).addObject();
                h.put("created", lastCreated);
                h.put("created_by", createdBy);
                h.put("comment", "buildkit.dockerfile.v0");
                if (empty) h.put("empty_layer", true);
            }

            void step(Instruction raw, String prefix) {
                Instruction ins;
                try {
                    ins = scope.expand(raw);
                } catch (DockerfileException e) {
                    throw e;
                } catch (ContainerException e) {
                    throw raw.loc().error(e.getMessage());
                }
                try {
                    switch (ins) {
                        case Env e -> {
                            cfg().set("Env", strings(scope.env()));
                            key = CacheKey.of("ENV").add(key).add(scope.env().toString()).done();
                            history(raw.loc().text(), true);
                        }
                        case Arg a -> key = CacheKey.of("ARG").add(key).add(a.args().toString()).done();
                        case Label l -> {
                            ObjectNode labels = obj(cfg(), "Labels");
                            for (KeyValue kv : l.labels()) labels.put(kv.key(), kv.value());
                            configOnly(raw, "LABEL");
                        }
                        case Cmd c -> {
                            cfg().set("Cmd", strings(command(c.command())));
                            cmdSet = true;
                            configOnly(raw, "CMD");
                        }
                        case Entrypoint e -> {
                            cfg().set("Entrypoint", strings(command(e.command())));
                            // docker: an ENTRYPOINT drops a CMD inherited from the base image
                            if (!cmdSet) cfg().remove("Cmd");
                            configOnly(raw, "ENTRYPOINT");
                        }
                        case Expose x -> {
                            ObjectNode ports = obj(cfg(), "ExposedPorts");
                            for (String p : x.ports()) ports.putObject(p);
                            configOnly(raw, "EXPOSE");
                        }
                        case Volume v -> {
                            ObjectNode vols = obj(cfg(), "Volumes");
                            for (String p : v.paths()) vols.putObject(p);
                            configOnly(raw, "VOLUME");
                        }
                        case User u -> {
                            cfg().put("User", u.user());
                            configOnly(raw, "USER");
                        }
                        case StopSignal s -> {
                            cfg().put("StopSignal", s.signal());
                            configOnly(raw, "STOPSIGNAL");
                        }
                        case Shell s -> {
                            cfg().set("Shell", strings(s.shell()));
                            configOnly(raw, "SHELL");
                        }
                        case Maintainer m -> {
                            config.put("author", m.name());
                            configOnly(raw, "MAINTAINER");
                        }
                        case Healthcheck h -> {
                            ObjectNode hc = cfg().putObject("Healthcheck");
                            hc.set("Test", strings(h.test()));
                            if (!h.interval().isZero()) hc.put("Interval", h.interval().toNanos());
                            if (!h.timeout().isZero()) hc.put("Timeout", h.timeout().toNanos());
                            if (!h.startPeriod().isZero()) hc.put("StartPeriod", h.startPeriod().toNanos());
                            if (!h.startInterval().isZero()) hc.put("StartInterval", h.startInterval().toNanos());
                            if (h.retries() != 0) hc.put("Retries", h.retries());
                            configOnly(raw, "HEALTHCHECK");
                        }
                        case Onbuild o -> {
                            JsonNode existing = cfg().get("OnBuild");
                            ArrayNode arr = existing instanceof ArrayNode a ? a : cfg().putArray("OnBuild");
                            arr.add(o.expression());
                            configOnly(raw, "ONBUILD");
                        }
                        case Workdir w -> workdir(w, prefix);
                        case Instruction.Run r -> run(r, prefix);
                        case Copy c -> copy(c.loc(), prefix, c.sources(), c.dest(), c.heredocs(), c.from(), c.chown(), c.chmod(), false, null);
                        case Add a -> copy(a.loc(), prefix, a.sources(), a.dest(), a.heredocs(), null, a.chown(), a.chmod(), true, a.checksum());
                        case From f -> throw f.loc().error("FROM inside a stage");
                    }
                } catch (IOException e) {
                    throw new BuildException(ins.loc().file() + ":" + ins.loc().line() + ": " + ins.loc().keyword() + ": " + e, e);
                }
            }

            void configOnly(Instruction raw, String kind) {
                key = CacheKey.of(kind).add(key).add(raw.loc().text()).add(cfg().toString()).done();
                history(raw.loc().text(), true);
            }

            List<String> command(Instruction.Command c) {
                if (!c.shellForm()) return c.args();
                List<String> out = new ArrayList<>(shell());
                out.addAll(c.args());
                return out;
            }

            // ------------------------------------------------------------------ layer steps

            /** Runs {@code body} unless the cache has {@code stepKey}; records its layer (or none). */
            void layerStep(String name, String stepKey, String createdBy, LayerBody body) throws IOException {
                int id = stepIds.incrementAndGet();
                long t0 = System.nanoTime();
                listener.stepStarted(id, name);
                if (listener instanceof BuildMemo.Recorder r) r.layer(id);
                try (BuildCache.Lock held = cache.lock(stepKey)) {
                    if (!options.noCache()) {
                        var hit = cache.get(stepKey);
                        if (hit.isPresent()) {
                            BuildStore.Layer l = layerOf(hit.get());
                            if (l == null || store.hasLayer(l)) {
                                if (hit.get().hasNonNull("created")) lastCreated = hit.get().get("created").asText();
                                cached.incrementAndGet();
                                listener.stepCached(id);
                                addLayer(l, createdBy, false);
                                key = stepKey;
                                return;
                            }
                        }
                    }
                    Path tar = cache.tempPath("layer-");
                    BuildStore.Layer layer = null;
                    boolean ownLayer = body.ownLayer();
                    boolean applied = false;
                    try {
                        if (ownLayer) layer = body.runOwnLayer(tar, line -> listener.stepOutput(id, line));
                        else try (LayerWriter w = new LayerWriter(tar)) {
                            // over overlays, the stage's files are looked up in its layer directories:
                            // no working root is made (nor copied into) for COPY and WORKDIR
                            Path root = layered() ? null : rootfs();
                            BuildContext view = root != null ? BuildContext.imageRoot(root) : BuildContext.layeredRoot(lowersTopFirst());
                            LayerWriter.Result res;
                            body.run(view, root, w, line -> listener.stepOutput(id, line));
                            res = w.finish();
                            if (w.entries() > 0) {
                                if (body.applyAfter() && root != null) try (InputStream in = Files.newInputStream(tar)) {
                                    LayerApplier.apply(in, root);
                                }
                                applied = root != null;
                                layer = store.putLayer(tar, res.digest(), res.size());
                            }
                        }
                    } catch (RuntimeException | IOException e) {
                        listener.stepFailed(id, e.getMessage());
                        throw e;
                    } finally {
                        Files.deleteIfExists(tar);
                    }
                    ObjectNode rec = NODES.objectNode();
                    lastCreated = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
                    rec.put("created", lastCreated);
                    if (layer != null) {
                        ObjectNode l = rec.putObject("layer");
                        l.put("digest", layer.digest()).put("size", layer.size()).put("mediaType", layer.mediaType()).put("diffId", layer.diffId());
                    }
                    cache.put(stepKey, rec);
                    ran.incrementAndGet();
                    addLayer(layer, createdBy, applied);
                    key = stepKey;
                    listener.stepDone(id, Duration.ofNanos(System.nanoTime() - t0));
                }
            }

            void addLayer(BuildStore.Layer l, String createdBy, boolean appliedToRoot) {
                if (l != null) layers.add(l);
                history(createdBy, l == null);
                if (l != null && appliedToRoot) appliedLayers = layers.size();
            }

            int appliedLayers = -1;

            /** The stage's layers as overlay lower directories, topmost first (unpacked when missing). */
            List<Path> lowersTopFirst() {
                List<Path> lowers = new ArrayList<>(store.layerDirs(layers));
                Collections.reverse(lowers);
                return lowers;
            }

            BuildStore.Layer layerOf(ObjectNode rec) {
                JsonNode l = rec.get("layer");
                if (l == null || l.isNull()) return null;
                return new BuildStore.Layer(l.path("digest").asText(), l.path("size").asLong(), l.path("mediaType").asText(), l.path("diffId").asText());
            }

            /** The working root, brought up to date with every layer of the stage so far. */
            synchronized Path rootfs() throws IOException {
                if (rootfs == null) {
                    rootfs = tempDir("rootfs-");
                    if (baseImage != null) store.unpack(baseImage, rootfs);
                    appliedLayers = baseLayerCount;
                }
                for (int i = appliedLayers; i < layers.size(); i++) {
                    try (InputStream in = store.openLayer(layers.get(i))) {
                        LayerApplier.apply(in, rootfs);
                    }
                }
                appliedLayers = layers.size();
                return rootfs;
            }

            void cleanup() {
                if (rootfs != null) BuildContext.deleteTree(rootfs);
            }

            void workdir(Workdir w, String prefix) throws IOException {
                String dir = CopySources.absolute(w.path(), workdir());
                cfg().put("WorkingDir", dir);
                String stepKey = CacheKey.of("WORKDIR").add(key).add(dir).done();
                layerStep(label(++stepNo) + " " + prefix + "WORKDIR " + w.path(), stepKey, "WORKDIR " + dir, new LayerBody() {
                    public void run(BuildContext image, Path root, LayerWriter out, java.util.function.Consumer<String> log) throws IOException {
                        // the directory and its missing parents, made as root 0755 like BuildKit's mkdir -p
                        FileTime now = FileTime.from(Instant.now());
                        String cur = "";
                        for (String seg : dir.substring(1).split("/")) {
                            if (seg.isEmpty()) continue;
                            cur += "/" + seg;
                            Path p = image.resolve(cur.substring(1), true);
                            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) out.directory(cur, 0755, 0, 0, now);
                        }
                    }
                });
            }

            // ------------------------------------------------------------------ RUN

            void run(Instruction.Run r, String prefix) throws IOException {
                List<String> argv;
                Path script = null;
                List<StepRunner.Bind> binds = new ArrayList<>();
                List<String> tmpfs = new ArrayList<>();
                Map<String, String> secretEnv = new LinkedHashMap<>();
                String display;
                if (!r.heredocs().isEmpty() && r.command().shellForm()) {
                    String cmdline = r.command().args().getFirst();
                    Heredoc first = r.heredocs().getFirst();
                    if (r.heredocs().size() == 1 && cmdline.matches("^\\d*<<-?\\s*['\"]?" + java.util.regex.Pattern.quote(first.name()) + "['\"]?$")) {
                        String content = first.effectiveContent();
                        if (content.startsWith("#!")) {
                            script = Files.createTempFile(cache.root().resolve("tmp"), "heredoc-", "");
                            Files.writeString(script, content);
                            Files.setAttribute(script, "unix:mode", 0755);
                            binds.add(new StepRunner.Bind(script, "/dev/pipes/" + first.name(), true));
                            argv = List.of("/dev/pipes/" + first.name());
                        } else {
                            argv = new ArrayList<>(shell());
                            argv.add(content);
                        }
                    } else {
                        StringBuilder full = new StringBuilder(cmdline);
                        for (Heredoc h : r.heredocs()) full.append('\n').append(h.content()).append(h.name());
                        argv = new ArrayList<>(shell());
                        argv.add(full.toString());
                    }
                    display = "RUN " + cmdline;
                } else {
                    argv = command(r.command());
                    display = "RUN " + (r.command().shellForm() ? r.command().args().getFirst() : Mapper.JSON.writeValueAsString(r.command().args()));
                }
                Map<String, String> args = scope.runArgs();
                String network = stepNetwork(r);
                CacheKey k = CacheKey.of("RUN").add(key).add("argv", argv).add("args", args)
                        .add("network", String.valueOf(r.network())).add("user", cfg().path("User").asText(""))
                        .add("workdir", workdir()).add("env", env());
                for (Heredoc h : r.heredocs()) k.add(h.name()).add(h.content());
                // mounts: their shape, and the content of bind sources (an input to the step)
                List<String> lockedCaches = new ArrayList<>();
                for (MountSpec m : r.mounts()) {
                    String target = CopySources.absolute(m.target() == null ? "" : m.target(), workdir());
                    k.add("mount").add(m.type()).add(target).add(String.valueOf(m.readOnly()));
                    switch (m.type()) {
                        case "cache" -> {
                            k.add(m.id()).add(m.sharing());
                            Path dir = cache.mountDir(m.id() + "\0" + (m.from() == null ? "" : m.from()));
                            if (m.uid() != null || m.gid() != null || m.mode() != null) {
                                if (m.uid() != null) Files.setAttribute(dir, "unix:uid", m.uid().intValue());
                                if (m.gid() != null) Files.setAttribute(dir, "unix:gid", m.gid().intValue());
                                if (m.mode() != null) Files.setAttribute(dir, "unix:mode", Integer.parseInt(m.mode(), 8));
                            }
                            binds.add(new StepRunner.Bind(dir, target, m.readOnly()));
                            if ("locked".equals(m.sharing())) lockedCaches.add("mount:" + m.id());
                        }
                        case "bind" -> {
                            CopySources.Tree tree = m.from() == null ? CopySources.context(context, ignore) : treeFor(m.from(), r.loc());
                            Path src = tree.resolve(m.source() == null ? "." : m.source(), true);
                            if (m.from() == null) k.add("context").add(hashTree(tree, m.source() == null ? "." : m.source()));
                            else k.add(fromKey(m.from())).add(m.source() == null ? "." : m.source());
                            if (!m.readOnly()) {
                                // a writable bind is a throw-away copy, as in BuildKit: the source never changes
                                Path copy = tempDir("bind-");
                                copyTree(src, copy);
                                src = copy.resolve(src.getFileName().toString());
                            }
                            binds.add(new StepRunner.Bind(src, target, m.readOnly()));
                        }
                        case "tmpfs" -> tmpfs.add(target);
                        case "secret" -> {
                            Path src = options.secrets().get(m.id());
                            if (src == null || !Files.isRegularFile(src)) {
                                if (m.required()) throw r.loc().error("secret " + m.id() + " is required but was not given (--secret id=" + m.id() + ",src=…)");
                                continue;
                            }
                            if (m.env() != null) secretEnv.put(m.env(), Files.readString(src).strip());
                            if (m.target() != null) binds.add(new StepRunner.Bind(src, target, true));
                        }
                        default -> throw r.loc().error("unsupported mount type " + m.type());
                    }
                }
                String stepKey = k.done();
                String createdBy = "RUN " + String.join(" ", argv) + " # buildkit";
                final List<String> runArgv = argv;
                final Path scriptFile = script;
                try {
                    layerStep(label(++stepNo) + " " + prefix + display, stepKey, createdBy, new LayerBody() {
                        List<String> envList() {
                            List<String> envList = new ArrayList<>(env());
                            if (envList.stream().noneMatch(e -> e.startsWith("PATH="))) envList.add(DEFAULT_PATH);
                            args.forEach((n, v) -> envList.add(n + "=" + v));
                            scope.proxyArgs().forEach((n, v) -> envList.add(n + "=" + v));
                            secretEnv.forEach((n, v) -> envList.add(n + "=" + v));
                            return envList;
                        }

                        /** The maps the step is started with when the builder chose them (see rootlessIds). */
                        List<List<io.jcontainer.IdMap>> stepIds;

                        /**
                         * A rootless step as another USER: its namespace's root is a subordinate id,
                         * whose mount points (and their parents) this JVM could not remove from the
                         * upper afterwards; made here first, as ours, as the runtime would make them.
                         */
                        void ownMountPoints(Path upper, List<Path> lowers) throws IOException {
                            for (String m : runtimePaths()) {
                                if (LayerView.find(lowers, m) != null) continue;
                                boolean file = m.startsWith("/etc/") || binds.stream().anyMatch(b -> b.target().equals(m) && !Files.isDirectory(b.source()));
                                int slash = m.lastIndexOf('/');
                                if (slash > 0) LayerView.makeDirectory(upper, lowers, m.substring(0, slash));
                                Path p = upper.resolve(m.substring(1));
                                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
                                if (file) Files.createFile(p);
                                else Files.createDirectory(p);
                            }
                        }

                        /** Where the runtime mounts: what it made there to mount on is not the step's change. */
                        Set<String> runtimePaths() {
                            Set<String> runtimePaths = new HashSet<>(List.of("/proc", "/sys", "/dev", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf"));
                            for (StepRunner.Bind b : binds) runtimePaths.add(b.target());
                            runtimePaths.addAll(tmpfs);
                            if (scriptFile != null) runtimePaths.add("/dev/pipes");
                            return runtimePaths;
                        }

                        public boolean ownLayer() {
                            return layered();
                        }

                        /**
                         * The step over an overlay: the stage's layers as lowers (unpacked once, kept
                         * by the store), a fresh upper that is the layer — nothing copied or rescanned.
                         */
                        public BuildStore.Layer runOwnLayer(Path tar, java.util.function.Consumer<String> log) throws IOException {
                            List<Path> lowers = lowersTopFirst();        // overlayfs takes the topmost first
                            Path dir = tempDir("run-");
                            if (lowers.isEmpty()) lowers.add(Files.createDirectory(dir.resolve("empty")));
                            Path upper = Files.createDirectory(dir.resolve("upper"));
                            Path work = Files.createDirectory(dir.resolve("work"));
                            Files.setAttribute(upper, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
                            // the working directory exists before the step, as docker makes it
                            if (!workdir().equals("/")) LayerView.makeDirectory(upper, lowers, workdir());
                            io.jcontainer.Root.Overlay root = new io.jcontainer.Root.Overlay(lowers, upper, work, false, false);
                            List<List<io.jcontainer.IdMap>> ids = rootlessIds(cfg().path("User").asText(""), lowers, r.loc());
                            stepIds = ids.size() < 4 ? null : List.of(ids.get(2), ids.get(3));
                            if (stepIds != null) ownMountPoints(upper, lowers);
                            runCommand(root, log);
                            MessageDigest sha = sha256();
                            long size;
                            try (var counted = new org.apache.commons.io.output.CountingOutputStream(new java.security.DigestOutputStream(
                                    new java.io.BufferedOutputStream(Files.newOutputStream(tar), 1 << 16), sha))) {
                                runner.writeChanges(root, runtimePaths(), ids.get(0), ids.get(1), counted);
                                counted.flush();
                                size = counted.getByteCount();
                            }
                            if (isEmptyTar(tar)) return null;
                            BuildStore.Layer layer = store.putLayer(tar, "sha256:" + HexFormat.of().formatHex(sha.digest()), size);
                            // the upper is the layer's unpacked form once the runtime's mount points are out of it
                            dropMountPoints(upper, lowers, runtimePaths());
                            List<BuildStore.Layer> chain = new ArrayList<>(layers);
                            chain.add(layer);
                            store.adoptLayerDir(chain, upper);
                            return layer;
                        }

                        public void run(BuildContext image, Path root, LayerWriter out, java.util.function.Consumer<String> log) throws IOException {
                            // the working directory exists before the step, as docker makes it
                            Path wd = BuildContext.imageRoot(root).resolve(workdir().substring(1), true);
                            if (!workdir().equals("/")) Files.createDirectories(wd);
                            RootfsDiff before = RootfsDiff.snapshot(root);
                            runCommand(new io.jcontainer.Root.Directory(root, false), log);
                            before.write(out, runtimePaths());
                        }

                        void runCommand(io.jcontainer.Root root, java.util.function.Consumer<String> log) {
                            // the last lines of both streams, and the last of stderr alone: an error
                            // printed before stdout's last lines were read must not be pushed out
                            Deque<String> last = new ArrayDeque<>();
                            Deque<String> lastErr = new ArrayDeque<>();
                            long t0 = System.nanoTime();
                            int code;
                            List<BuildCache.Lock> held = new ArrayList<>();
                            for (String name : lockedCaches) held.add(cache.lock(name));
                            try {
                                code = runner.run(new StepRunner.Step(root, runArgv, envList(), workdir(), cfg().path("User").asText(""),
                                        network, binds, tmpfs, stepIds == null ? List.of() : stepIds.get(0),
                                        stepIds == null ? List.of() : stepIds.get(1)), (line, isErr) -> {
                                    synchronized (last) {
                                        if (last.size() == LAST_LINES) last.removeFirst();
                                        last.addLast(line);
                                        if (isErr) {
                                            if (lastErr.size() == 5) lastErr.removeFirst();
                                            lastErr.addLast(line);
                                        }
                                    }
                                    log.accept(String.format(Locale.ROOT, "%.3f %s", (System.nanoTime() - t0) / 1e9, line));
                                });
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new BuildException("interrupted while running " + display);
                            } finally {
                                for (BuildCache.Lock l : held) l.close();
                            }
                            if (code != 0) {
                                List<String> lines = new ArrayList<>(last);
                                for (String e : lastErr) if (!lines.contains(e)) lines.add(e);
                                throw new StepFailedException(r.loc().file() + ":" + r.loc().line() + ": process \"" + String.join(" ", runArgv) + "\"", code, lines);
                            }
                        }

                        public boolean applyAfter() {
                            return false; // the step ran in the root itself
                        }
                    });
                } finally {
                    if (script != null) Files.deleteIfExists(script);
                }
            }

            // ------------------------------------------------------------------ COPY / ADD

            CopySources.Tree treeFor(String from, Instruction.Loc loc) {
                var st = dockerfile.stage(from);
                if (st.isPresent() && st.get().index() < stage.index()) {
                    StageState s = stages.get(st.get().index());
                    if (s == null) throw loc.error("stage " + from + " was not built");
                    try {
                        return CopySources.directory(s.rootfs(), "stage " + from);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return CopySources.directory(imageTree(from), "image " + from);
            }

            String fromKey(String from) {
                var st = dockerfile.stage(from);
                if (st.isPresent() && st.get().index() < stage.index()) return stages.get(st.get().index()).key;
                return store.image(from, null, false).id();
            }

            void copy(Instruction.Loc loc, String prefix, List<String> sources, String dest, List<Heredoc> heredocs,
                      String from, String chown, String chmod, boolean add, String checksum) throws IOException {
                Integer mode = null;
                if (chmod != null) {
                    if (!chmod.matches("[0-7]{1,4}")) throw loc.error("invalid --chmod=" + chmod + ": only octal modes are supported");
                    mode = Integer.parseInt(chmod, 8);
                }
                List<String> local = new ArrayList<>();
                List<String> urls = new ArrayList<>();
                for (String s : sources) {
                    if (add && (s.startsWith("http://") || s.startsWith("https://"))) urls.add(s);
                    else local.add(s);
                }
                if (checksum != null && (urls.size() != 1 || !local.isEmpty()))
                    throw loc.error("--checksum needs exactly one URL source");
                // a stage's or an image's files are determined by its key or id: only the context is hashed
                CopySources.Tree contextTree = from == null ? CopySources.context(context, ignore) : null;
                CacheKey k = CacheKey.of(add ? "ADD" : "COPY").add(key).add("sources", sources).add("dest", dest)
                        .add("workdir", workdir()).add("from", from == null ? "context" : fromKey(from))
                        .add("chown", String.valueOf(chown)).add("chmod", String.valueOf(chmod)).add("user", cfg().path("User").asText(""));
                if (!local.isEmpty() && contextTree != null) k.add("content").add(hashSources(contextTree, local));
                for (Heredoc h : heredocs) k.add(h.name()).add(h.content());
                Map<String, Path> downloads = new LinkedHashMap<>();
                // what a URL serves may change under the same Dockerfile: no whole-build memo
                if (!urls.isEmpty() && listener instanceof BuildMemo.Recorder r) r.notMemoizable();
                for (String u : urls) {
                    Path f = Downloads.fetch(u, checksum, tempDir("add-"));
                    downloads.put(u, f);
                    k.add(u).add(Downloads.sha256(f));
                }
                String stepKey = k.done();
                String kw = add ? "ADD" : "COPY";
                String text = loc.text().substring(loc.text().indexOf(' ') + 1).strip();
                final Integer fMode = mode;
                layerStep(label(++stepNo) + " " + prefix + kw + " " + text, stepKey, kw + " " + text + " # buildkit", new LayerBody() {
                    public void run(BuildContext image, Path root, LayerWriter out, java.util.function.Consumer<String> log) throws IOException {
                        int[] owner = chown == null ? null : Owners.resolve(image, chown, loc);
                        java.util.function.Predicate<String> isDir = p -> {
                            if (p.equals("/")) return true;
                            try {
                                return Files.isDirectory(image.resolve(p.substring(1), true));
                            } catch (BuildException e) {
                                return false;
                            }
                        };
                        Set<String> parentsDone = new HashSet<>();
                        CopySources.Sink sink = item -> {
                            parents(out, image, item.dest(), parentsDone);
                            TreeWalker.Attrs a = item.attrs();
                            int uid = owner != null ? owner[0] : from == null ? 0 : a.uid();
                            int gid = owner != null ? owner[1] : from == null ? 0 : a.gid();
                            int perm = fMode != null && !a.isSymlink() ? fMode : a.perm();
                            if (a.isDir()) out.directory(item.dest(), perm, uid, gid, a.mtime());
                            else if (a.isSymlink()) out.symlink(item.dest(), a.linkTarget(), uid, gid, a.mtime());
                            else if (a.isFile()) {
                                if (add && from == null && Archives.isArchive(item.path())) {
                                    // ADD extracts a local tar into the destination directory
                                    Archives.extractInto(item.path(), destDirFor(dest), out, owner, parentsDone, image);
                                    return;
                                }
                                try (InputStream in = Files.newInputStream(item.path(), LinkOption.NOFOLLOW_LINKS)) {
                                    out.file(item.dest(), perm, uid, gid, a.mtime(), a.size(), in);
                                }
                            }
                        };
                        CopySources.Tree tree = contextTree != null ? contextTree : treeFor(from, loc);
                        if (!local.isEmpty()) CopySources.forEach(tree, local, dest, workdir(), isDir, sink);
                        boolean destIsDir = dest.endsWith("/") || isDir.test(CopySources.absolute(dest, workdir()))
                                || heredocs.size() + downloads.size() + local.size() > 1;
                        if (heredocs.size() + downloads.size() > 1 && !dest.endsWith("/") && !isDir.test(CopySources.absolute(dest, workdir())))
                            throw new BuildException("when using " + kw + " with more than one source file, the destination must be a directory and end with a /");
                        FileTime now = FileTime.from(Instant.now());
                        for (Heredoc h : heredocs) {
                            String target = destIsDir ? CopySources.absolute(dest + "/" + h.name(), workdir()) : CopySources.absolute(dest, workdir());
                            parents(out, image, target, parentsDone);
                            byte[] b = h.content().getBytes(StandardCharsets.UTF_8);
                            out.file(target, fMode != null ? fMode : 0644, owner == null ? 0 : owner[0], owner == null ? 0 : owner[1], now, b.length, new ByteArrayInputStream(b));
                        }
                        for (var d : downloads.entrySet()) {
                            String name = Downloads.fileName(d.getKey());
                            String target = destIsDir ? CopySources.absolute(dest + "/" + name, workdir()) : CopySources.absolute(dest, workdir());
                            parents(out, image, target, parentsDone);
                            try (InputStream in = Files.newInputStream(d.getValue())) {
                                out.file(target, fMode != null ? fMode : 0600, owner == null ? 0 : owner[0], owner == null ? 0 : owner[1],
                                        Files.getLastModifiedTime(d.getValue()), Files.size(d.getValue()), in);
                            }
                        }
                    }

                    String destDirFor(String d) {
                        return CopySources.absolute(d, workdir());
                    }
                });
            }

            /** Tar entries for the destination's parent directories the image lacks (root 0755, as docker makes them). */
            void parents(LayerWriter out, BuildContext image, String dest, Set<String> done) throws IOException {
                String cur = "";
                String[] segs = dest.substring(1).split("/");
                for (int i = 0; i < segs.length - 1; i++) {
                    cur += "/" + segs[i];
                    if (!done.add(cur) || out.contains(cur)) continue;
                    boolean exists;
                    try {
                        exists = Files.exists(image.resolve(cur.substring(1), true), LinkOption.NOFOLLOW_LINKS);
                    } catch (BuildException e) {
                        exists = false;
                    }
                    if (!exists) out.directory(cur, 0755, 0, 0, FileTime.from(Instant.now()));
                }
            }
        }

        /** The content hash of COPY sources: names relative to each source, type, mode, owner, size, bytes. */
        String hashSources(CopySources.Tree tree, List<String> sources) throws IOException {
            MessageDigest md = sha256();
            int i = 0;
            for (String src : sources) {
                md.update(("source " + i++ + " " + src + "\n").getBytes(StandardCharsets.UTF_8));
                try {
                    CopySources.forEach(tree, List.of(src), "/h/", "/", p -> true, item -> hashItem(md, item));
                } catch (BuildException e) {
                    if (e.getMessage().contains("matched nothing")) {
                        if (sources.size() == 1) throw e;
                        continue; // a wildcard source may match nothing if another one matches
                    }
                    throw e;
                }
            }
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        }

        String hashTree(CopySources.Tree tree, String source) {
            try {
                return hashSources(tree, List.of(source));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void hashItem(MessageDigest md, CopySources.Item item) throws IOException {
            TreeWalker.Attrs a = item.attrs();
            md.update((item.dest() + "\0" + a.mode() + "\0" + a.uid() + "\0" + a.gid() + "\0").getBytes(StandardCharsets.UTF_8));
            if (a.isSymlink()) md.update(a.linkTarget().getBytes(StandardCharsets.UTF_8));
            else if (a.isFile()) {
                md.update(Long.toString(a.size()).getBytes(StandardCharsets.US_ASCII));
                try (InputStream in = Files.newInputStream(item.path(), LinkOption.NOFOLLOW_LINKS)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
                }
            }
            md.update((byte) '\n');
        }
    }

    /** What a layer-producing step does on a cache miss: write its changes to the layer. */
    private interface LayerBody {
        /** {@code image} is the stage's files to look things up in; {@code root} its working root, null over overlays. */
        void run(BuildContext image, Path root, LayerWriter out, java.util.function.Consumer<String> log) throws IOException;

        /** Whether the written layer must then be applied to the root (COPY) or is already there (RUN). */
        default boolean applyAfter() {
            return true;
        }

        /** Whether the body makes and stores its layer itself ({@link #runOwnLayer}), needing no working root. */
        default boolean ownLayer() {
            return false;
        }

        /** Writes the layer tar to {@code tar} and stores it; null when the step changed nothing. */
        default BuildStore.Layer runOwnLayer(Path tar, java.util.function.Consumer<String> log) throws IOException {
            throw new UnsupportedOperationException();
        }
    }

    /**
     * The user namespace maps a RUN step runs with when the build is an ordinary user's, and
     * through which its layer's owners are translated back: {uid map, gid map}, and then the
     * maps to start the step with when they are not the runtime's own (uid, gid). Empty lists for
     * a root build (no translation).
     *
     * <p>As root inside (the default): the runtime maps the JVM's own uid and gid to root and
     * nothing else; the step's files, the user's on the host, go into the layer as root's.
     *
     * <p>As another USER {@code U}: the step needs ids beside root, so the maps take the user's
     * first /etc/subuid and /etc/subgid ranges (through newuidmap, as a rootless run does) — but
     * {@code U} itself is mapped to the JVM's own uid: what the step creates is then the user's
     * on the host, which this JVM can read, write into a layer and remove (a subordinate id's
     * files it could neither read when private nor remove when filled), and the layer says
     * {@code U}. Root inside and every other uid are subordinate ids; the step's primary group
     * likewise (the user's own gid inside is that group). The price: the image's files, the
     * user's on disk (a rootless store keeps no owners there), look like {@code U}'s to the step
     * rather than root's, so it may change what it could not under docker; a file it changes
     * (copied up) is then recorded as {@code U}'s.
     */
    List<List<io.jcontainer.IdMap>> rootlessIds(String user, List<Path> lowers, Instruction.Loc loc) {
        int[] me = processIds();
        if (me[0] == 0) return List.of(List.of(), List.of());
        List<io.jcontainer.IdMap> ownUid = List.of(new io.jcontainer.IdMap(0, me[0], 1)), ownGid = List.of(new io.jcontainer.IdMap(0, me[1], 1));
        String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        String group = user.contains(":") ? user.substring(user.indexOf(':') + 1) : null;
        long uid = name.isEmpty() ? 0 : lookUp(lowers, "/etc/passwd", name, 2, loc, "user");
        if (uid == 0) return List.of(ownUid, ownGid);
        // the primary group as the runtime will give it: the named one, else the user's in /etc/passwd, else 0
        long gid = group != null ? lookUp(lowers, "/etc/group", group, 2, loc, "group") : passwdGroup(lowers, uid);
        List<List<io.jcontainer.IdMap>> sub = io.jcontainer.spi.ContainerRuntime.get().subordinateIds();
        if (sub.get(0).isEmpty() || sub.get(1).isEmpty())
            throw loc.error("RUN as USER " + user + " in a build by an ordinary user (uid " + me[0] + ") needs subordinate ids: ranges for "
                    + System.getProperty("user.name") + " in /etc/subuid and /etc/subgid and the helpers newuidmap and newgidmap"
                    + " (apt-get install uidmap; usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "
                    + System.getProperty("user.name") + "). Or run the step as root (USER root before it), or build as root");
        List<io.jcontainer.IdMap> uids = aroundOwn(uid, me[0], sub.get(0).getFirst(), user, "uid");
        List<io.jcontainer.IdMap> gids = aroundOwn(gid, me[1], sub.get(1).getFirst(), user, "gid");
        return List.of(uids, gids, uids, gids);
    }

    /**
     * {@code id} inside = {@code own} on the host; every other id of 0..65535 (at most the
     * range's size) a subordinate one, in order.
     */
    private static List<io.jcontainer.IdMap> aroundOwn(long id, long own, io.jcontainer.IdMap range, String user, String what) {
        long n = Math.min(range.size(), 65536);
        if (id >= n) throw new BuildException("RUN as USER " + user + ": " + what + " " + id + " is beyond the " + n + " subordinate "
                + what + "s of " + System.getProperty("user.name"));
        List<io.jcontainer.IdMap> maps = new ArrayList<>();
        if (id > 0) maps.add(new io.jcontainer.IdMap(0, range.hostId(), id));
        maps.add(new io.jcontainer.IdMap(id, own, 1));
        if (n - id - 1 > 0) maps.add(new io.jcontainer.IdMap(id + 1, range.hostId() + id, n - id - 1));
        return maps;
    }

    /** The primary gid /etc/passwd gives the user with this uid, else 0 (docker's). */
    private static long passwdGroup(List<Path> lowers, long uid) {
        try {
            Path passwd = LayerView.find(lowers, "/etc/passwd");
            if (passwd != null && Files.isRegularFile(passwd))
                for (String line : Files.readAllLines(passwd)) {
                    String[] f = line.split(":");
                    if (f.length >= 4 && f[2].equals(Long.toString(uid))) return Long.parseLong(f[3]);
                }
        } catch (IOException | NumberFormatException e) {
            // as the runtime: a user without an entry has group 0
        }
        return 0;
    }

    /** A USER's uid or group's gid: a number, or its name in the image's /etc/passwd or /etc/group (the topmost layer's). */
    static long lookUp(List<Path> lowers, String file, String name, int field, Instruction.Loc loc, String what) {
        if (name.matches("[0-9]+")) return Long.parseLong(name);
        try {
            Path f = LayerView.find(lowers, file);
            if (f != null && Files.isRegularFile(f))
                for (String line : Files.readAllLines(f)) {
                    String[] parts = line.split(":");
                    if (parts.length > field && parts[0].equals(name)) return Long.parseLong(parts[field]);
                }
        } catch (IOException | NumberFormatException e) {
            throw loc.error("cannot look up " + what + " " + name + " in the image's " + file + ": " + e.getMessage());
        }
        throw loc.error("unable to find " + what + " " + name + ": no matching entries in the image's " + file);
    }

    /** Initialises Jackson: the builder's mapper and the store's (manifests, configs), a parse and a write. */
    static void warmJson() {
        try {
            io.jcontainer.oci.Json.parse("{\"a\":[1.5,\"b\",true,null]}".getBytes(StandardCharsets.UTF_8), "warm-up");
            Mapper.JSON.writeValueAsBytes(NODES.objectNode().put("a", "b"));
        } catch (IOException | RuntimeException ignored) {
            // a warm-up only: the real use reports
        }
    }

    /** Whether pasta or slirp4netns is installed where the runtime looks for them (never $PATH). */
    static boolean networkHelperInstalled() {
        for (String d : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"))
            for (String helper : List.of("pasta", "slirp4netns"))
                if (Files.isExecutable(Path.of(d, helper))) return true;
        return false;
    }

    /** This process's effective uid and gid: the owner of /proc/self. */
    static int[] processIds() {
        try {
            Path self = Path.of("/proc/self");
            return new int[]{(Integer) Files.getAttribute(self, "unix:uid"), (Integer) Files.getAttribute(self, "unix:gid")};
        } catch (IOException e) {
            throw new BuildException("cannot read this process's ids from /proc/self: " + e.getMessage(), e);
        }
    }

    /** Whether a tar holds no entry (only its end-of-archive blocks). */
    static boolean isEmptyTar(Path tar) throws IOException {
        try (InputStream in = Files.newInputStream(tar)) {
            byte[] head = in.readNBytes(512);
            for (byte b : head) if (b != 0) return false;
            return true;
        }
    }

    /**
     * Removes from an upper what the runtime made only to mount on and the lowers lack (empty
     * files and directories; the layer tar leaves them out too), so the upper matches the layer.
     */
    static void dropMountPoints(Path upper, List<Path> lowers, Set<String> mountPoints) throws IOException {
        List<String> deepestFirst = new ArrayList<>(mountPoints);
        deepestFirst.sort(java.util.Comparator.comparingInt(String::length).reversed());
        for (String m : deepestFirst) {
            Path p = upper.resolve(m.replaceAll("^/+", ""));
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) || LayerView.find(lowers, m) != null) continue;
            try {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) == 0) Files.delete(p);
            } catch (java.nio.file.DirectoryNotEmptyException kept) {
                // something was written under it: the tar has it too
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ArrayNode strings(List<String> l) {
        ArrayNode a = NODES.arrayNode();
        l.forEach(a::add);
        return a;
    }

    static ObjectNode obj(ObjectNode parent, String name) {
        JsonNode n = parent.get(name);
        if (n instanceof ObjectNode o) return o;
        return parent.putObject(name);
    }

    static void copyTree(Path src, Path intoDir) throws IOException {
        Path top = intoDir.resolve(src.getFileName().toString());
        TreeWalker.walk(src, null, null, (rel, p, a) -> {
            Path t = rel.isEmpty() ? top : top.resolve(rel);
            if (a.isDir()) Files.createDirectories(t);
            else if (a.isSymlink()) Files.createSymbolicLink(t, Path.of(a.linkTarget()));
            else if (a.isFile()) Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        });
    }
}
