package io.jcontainer.oci.build;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.Container;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.build.BuildListener;
import io.jcontainer.image.build.BuildOptions;
import io.jcontainer.image.build.BuildResult;
import io.jcontainer.image.build.StepFailedException;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.Json;
import io.jcontainer.oci.OciImages;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real builds: a real store, real containers for RUN, a base image the test builds itself from
 * Debian's busybox-static ({@code FROM scratch}, {@code COPY busybox}, {@code RUN busybox --install}).
 */
@RequiresRoot
class BuildEndToEndTest {
    static final String BASE = """
            FROM scratch
            COPY busybox /bin/busybox
            RUN ["/bin/busybox", "--install", "-s", "/bin"]
            RUN mkdir -p /etc /tmp /root && chmod 1777 /tmp \\
             && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd \\
             && echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> /etc/passwd \\
             && printf 'root:x:0:\\nnogroup:x:65534:\\n' > /etc/group
            """;

    static final String EVERYTHING = """
            # syntax=docker/dockerfile:1
            ARG BASE=jc-test/busybox:1
            FROM ${BASE} AS base
            LABEL org.example.stage=base
            ONBUILD RUN echo triggered > /onbuild.txt

            FROM base AS builder
            ARG GREETING=hello
            RUN mkdir -p /out && echo "$GREETING from builder" > /out/greeting.txt

            FROM ${BASE}
            MAINTAINER Jane <jane@example.com>
            ARG VERSION=1.0
            ENV APP_HOME=/srv/app VERSION=${VERSION}
            LABEL org.opencontainers.image.version=$VERSION description="every instruction"
            WORKDIR $APP_HOME
            COPY --chown=65534:65534 --chmod=640 app.txt ./
            COPY --from=builder /out/greeting.txt /onbuild.txt /srv/
            ADD files.tar.gz /srv/extracted/
            COPY <<EOF /srv/heredoc.txt
            version $VERSION
            EOF
            RUN <<EOF
            set -e
            echo "run $VERSION" > /srv/run.txt
            rm -f /srv/extracted/drop.txt
            EOF
            RUN --mount=type=cache,target=/cache echo cached >> /cache/log && ls /cache > /srv/cache-list.txt
            RUN --mount=type=bind,source=app.txt,target=/mnt/app.txt cat /mnt/app.txt > /srv/bound.txt
            RUN --network=none echo offline > /srv/offline.txt
            SHELL ["/bin/sh", "-ec"]
            RUN echo "shell $0" > /srv/shell.txt
            USER nobody
            EXPOSE 8080/tcp 53/udp
            VOLUME /data
            STOPSIGNAL SIGINT
            HEALTHCHECK --interval=30s --timeout=3s --retries=2 CMD test -f /srv/run.txt
            ENTRYPOINT ["/bin/sh", "-c"]
            CMD ["cat app.txt /srv/greeting.txt /srv/onbuild.txt; id -u; echo $VERSION"]
            """;

    @TempDir
    Path tmp;
    OciImages images;
    DockerfileBuilder builder;

    @BeforeEach
    void setUp() throws IOException {
        images = new OciImages(ImagesOptions.defaults().withStorageRoot(tmp.resolve("store")).withDockerConfig(tmp.resolve("dc.json")));
        builder = new DockerfileBuilder(new OciBuildStore(images), new ContainerStepRunner(), new BuildCache(tmp.resolve("cache")));
        Path base = Files.createDirectories(tmp.resolve("base"));
        Files.copy(Path.of("/bin/busybox"), base.resolve("busybox"));
        Files.writeString(base.resolve("Dockerfile"), BASE);
        try (BuildContext ctx = BuildContext.directory(base)) {
            builder.build(ctx, BuildOptions.defaults().withTags("jc-test/busybox:1"), BuildListener.NONE);
        }
    }

    @AfterEach
    void tearDown() {
        images.close();
    }

    /** Records which steps ran and which came from the cache, by name. */
    static final class Recorder implements BuildListener {
        final Map<Integer, String> names = Collections.synchronizedMap(new LinkedHashMap<>());
        final List<String> cached = Collections.synchronizedList(new ArrayList<>());
        final List<String> ran = Collections.synchronizedList(new ArrayList<>());
        final List<String> output = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void stepStarted(int step, String name) {
            names.put(step, name);
        }

        @Override
        public void stepCached(int step) {
            cached.add(names.get(step));
        }

        @Override
        public void stepOutput(int step, String line) {
            output.add(line);
        }

        @Override
        public void stepDone(int step, Duration took) {
            String n = names.get(step);
            if (n.contains("] ") && !n.contains(" FROM ") && !n.startsWith("[internal]")) ran.add(n);
        }
    }

    private Path context() throws IOException {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), EVERYTHING);
        Files.writeString(ctx.resolve("app.txt"), "app content\n");
        Files.writeString(ctx.resolve(".dockerignore"), "secret.txt\n");
        Files.writeString(ctx.resolve("secret.txt"), "never copied");
        try (OutputStream f = Files.newOutputStream(ctx.resolve("files.tar.gz"));
             var tar = new TarArchiveOutputStream(new GZIPOutputStream(f))) {
            for (String n : List.of("keep.txt", "drop.txt")) {
                TarArchiveEntry e = new TarArchiveEntry(n);
                byte[] b = n.getBytes(StandardCharsets.UTF_8);
                e.setSize(b.length);
                e.setMode(0100644);
                tar.putArchiveEntry(e);
                tar.write(b);
                tar.closeArchiveEntry();
            }
        }
        return ctx;
    }

    private BuildResult build(Path ctx, BuildOptions o, BuildListener l) {
        try (BuildContext c = BuildContext.directory(ctx)) {
            return builder.build(c, o, l);
        }
    }

    private String runImage(String ref, Path rootfs) throws Exception {
        ImageConfig config = images.inspect(ref).config();
        images.unpack(ref, rootfs);
        var b = Container.builder().rootfs(rootfs).command(config.command()).workingDir(config.workingDir()).user(config.user());
        config.env().forEach(b::env);
        try (Container c = b.start()) {
            String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(c.waitFor().status()).as(out).isZero();
            return out;
        }
    }

    @Test
    void everyInstructionBuildsAndTheImageRunsAsItsConfigSays() throws Exception {
        Path ctx = context();
        Recorder rec = new Recorder();
        BuildResult r = build(ctx, BuildOptions.defaults().withTags("jc-test/every:1", "jc-test/every:latest"), rec);
        assertThat(r.imageId()).startsWith("sha256:");
        ImageInfo info = images.inspect("jc-test/every:1");
        assertThat(info.id()).isEqualTo(r.imageId());
        assertThat(images.inspect("jc-test/every:latest").id()).isEqualTo(r.imageId());
        ImageConfig c = info.config();
        assertThat(c.entrypoint()).containsExactly("/bin/sh", "-c");
        assertThat(c.cmd()).containsExactly("cat app.txt /srv/greeting.txt /srv/onbuild.txt; id -u; echo $VERSION");
        assertThat(c.env()).contains("APP_HOME=/srv/app", "VERSION=1.0").anyMatch(e -> e.startsWith("PATH="));
        assertThat(c.workingDir()).isEqualTo("/srv/app");
        assertThat(c.user()).isEqualTo("nobody");
        assertThat(c.exposedPorts()).containsExactlyInAnyOrder("8080/tcp", "53/udp");
        assertThat(c.volumes()).containsExactly("/data");
        assertThat(c.labels()).containsEntry("org.opencontainers.image.version", "1.0")
                .containsEntry("description", "every instruction").doesNotContainKey("org.example.stage");
        assertThat(c.stopSignal()).isEqualTo("SIGINT");
        JsonNode raw = Json.parse(images.store().read(Digest.parse(r.imageId()), 1 << 20), "config");
        assertThat(raw.path("author").asText()).isEqualTo("Jane <jane@example.com>");
        assertThat(raw.path("config").path("Healthcheck").path("Test").toString()).isEqualTo("[\"CMD-SHELL\",\"test -f /srv/run.txt\"]");
        assertThat(raw.path("config").path("Healthcheck").path("Interval").asLong()).isEqualTo(30_000_000_000L);
        assertThat(raw.path("config").path("Shell").toString()).isEqualTo("[\"/bin/sh\",\"-ec\"]");
        assertThat(raw.path("config").has("OnBuild")).isFalse();
        assertThat(raw.path("history").size()).isGreaterThan(20);
        assertThat(rec.output).anyMatch(l -> l.startsWith("transferring dockerfile"));

        // runs as its config says: entrypoint + cmd, as nobody, in the working dir, with the env
        assertThat(runImage("jc-test/every:1", tmp.resolve("run"))).isEqualTo("app content\nhello from builder\ntriggered\n65534\n1.0\n");
        Path root = tmp.resolve("run");
        assertThat(root.resolve("srv/extracted/keep.txt")).hasContent("keep.txt");
        assertThat(root.resolve("srv/extracted/drop.txt")).doesNotExist();
        assertThat(root.resolve("srv/heredoc.txt")).hasContent("version 1.0");
        assertThat(root.resolve("srv/run.txt")).hasContent("run 1.0");
        assertThat(root.resolve("srv/cache-list.txt")).hasContent("log");
        assertThat(root.resolve("srv/bound.txt")).hasContent("app content");
        assertThat(root.resolve("srv/offline.txt")).hasContent("offline");
        assertThat(root.resolve("srv/shell.txt")).hasContent("shell /bin/sh");
        assertThat(root.resolve("cache")).doesNotExist();
        assertThat(root.resolve("mnt/app.txt")).doesNotExist();
        assertThat(root.resolve("srv/app/secret.txt")).doesNotExist();
        assertThat(Files.getAttribute(root.resolve("srv/app/app.txt"), "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(65534);
        assertThat((Integer) Files.getAttribute(root.resolve("srv/app/app.txt"), "unix:mode") & 07777).isEqualTo(0640);

        // a second build is all cache hits and gives the same image
        Recorder again = new Recorder();
        BuildResult r2 = build(ctx, BuildOptions.defaults().withTags("jc-test/every:1"), again);
        assertThat(again.ran).isEmpty();
        assertThat(r2.stepsRun()).isZero();
        assertThat(r2.stepsCached()).isEqualTo(r.stepsRun() + r.stepsCached());
        assertThat(r2.imageId()).isEqualTo(r.imageId());

        // a changed file reruns exactly the steps from the one copying it
        Files.writeString(ctx.resolve("app.txt"), "changed\n");
        Recorder changed = new Recorder();
        BuildResult r3 = build(ctx, BuildOptions.defaults().withTags("jc-test/every:1"), changed);
        assertThat(changed.cached).anyMatch(n -> n.contains("WORKDIR")).anyMatch(n -> n.startsWith("[builder")).noneMatch(n -> n.contains("app.txt ./"));
        assertThat(changed.cached).allMatch(n -> n.startsWith("[builder") || n.contains("WORKDIR"));
        assertThat(changed.ran.getFirst()).contains("COPY --chown=65534:65534 --chmod=640 app.txt ./");
        assertThat(changed.ran).hasSize(9);
        assertThat(r3.imageId()).isNotEqualTo(r.imageId());
        assertThat(runImage("jc-test/every:1", tmp.resolve("run2"))).startsWith("changed\n");

        // --no-cache runs everything again
        Recorder none = new Recorder();
        build(ctx, BuildOptions.defaults().withNoCache(true), none);
        assertThat(none.cached).isEmpty();
    }

    @Test
    void targetBuildsOnlyTheNeededStages() throws Exception {
        Path ctx = context();
        Recorder rec = new Recorder();
        BuildResult r = build(ctx, BuildOptions.defaults().withTarget("builder").withTags("jc-test/builder:1"), rec);
        assertThat(rec.names.values()).noneMatch(n -> n.contains("COPY"));
        Path root = tmp.resolve("rootfs");
        images.unpack(r.imageId(), root);
        assertThat(root.resolve("out/greeting.txt")).hasContent("hello from builder");
        assertThat(root.resolve("onbuild.txt")).hasContent("triggered");
        assertThat(images.inspect("jc-test/builder:1").config().labels()).containsEntry("org.example.stage", "base");
    }

    @Test
    void aFailingRunReportsItsExitCodeAndLastLinesAndTagsNothing() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("fail"));
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM jc-test/busybox:1
                RUN echo first > /first
                RUN for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do echo line $i; done; echo oops >&2; exit 3
                """);
        int before = images.list().size();
        assertThatThrownBy(() -> build(ctx, BuildOptions.defaults().withTags("jc-test/failed:1"), BuildListener.NONE))
                .isInstanceOfSatisfying(StepFailedException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(3);
                    assertThat(e.lastLines()).contains("line 25", "oops").doesNotContain("line 1").hasSizeBetween(20, 21);
                    assertThat(e.getMessage()).contains("Dockerfile:3").contains("exit code: 3").contains("oops");
                });
        assertThat(images.exists("jc-test/failed:1")).isFalse();
        assertThat(images.list()).hasSize(before);
        try (var s = Files.list(tmp.resolve("cache/tmp"))) {
            assertThat(s.toList()).as("no working roots or layer files left").isEmpty();
        }
    }
    @Test
    void aRunStepsLayerIsItsOverlayUpperWithWhiteoutsAndOpaqueDirectories() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("overlay"));
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM jc-test/busybox:1
                RUN mkdir -p /data/old /keep && echo a > /data/old/a && echo b > /data/b && echo k > /keep/k && echo gone > /gone
                RUN rm /gone && rm -rf /data && mkdir /data && echo new > /data/new && echo more >> /keep/k
                WORKDIR /made/here
                RUN pwd > /made/here/pwd
                COPY --chown=nobody:nogroup f.txt /data/
                """);
        Files.writeString(ctx.resolve("f.txt"), "copied\n");
        BuildResult r = build(ctx, BuildOptions.defaults().withTags("jc-test/overlay:1"), BuildListener.NONE);
        List<String> layers = images.inspect(r.imageId()).diffIds();   // the builder's layers are uncompressed: digest = diff id
        // the second RUN's layer: a whiteout for /gone, /data replaced (opaque), /keep/k changed, nothing of /proc, /dev, /etc/hosts
        List<String> names = new ArrayList<>();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                images.store().open(io.jcontainer.oci.Digest.parse(layers.get(layers.size() - 4))))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) names.add(e.getName());
        }
        assertThat(names).contains(".wh.gone", "data/", "data/.wh..wh..opq", "data/new", "keep/k")
                .noneMatch(n -> n.startsWith("proc") || n.startsWith("dev") || n.startsWith("sys") || n.startsWith("etc/hosts") || n.startsWith("etc/resolv"));
        // each RUN's upper became the layer's unpacked directory: the next step's overlay unpacked nothing
        List<io.jcontainer.oci.Digest> diffIds = new ArrayList<>();
        for (String l : layers) diffIds.add(io.jcontainer.oci.Digest.parse(l));
        assertThat(images.store().layersDir().resolve(io.jcontainer.oci.ImageConfigJson.chainIds(diffIds).get(diffIds.size() - 2).hex())
                .resolve("made/here/pwd")).hasContent("/made/here\n");
        Path root = tmp.resolve("overlay-root");
        images.unpack(r.imageId(), root);
        assertThat(root.resolve("gone")).doesNotExist();
        assertThat(root.resolve("data/old")).doesNotExist();
        assertThat(root.resolve("data/b")).doesNotExist();
        assertThat(root.resolve("data/new")).hasContent("new\n");
        assertThat(root.resolve("keep/k")).hasContent("k\nmore\n");
        assertThat(root.resolve("made/here/pwd")).hasContent("/made/here\n");
        // COPY looked the destination and the names up through the layers (the /data of the second RUN, the base's /etc/passwd)
        assertThat(root.resolve("data/f.txt")).hasContent("copied\n");
        assertThat(Files.getAttribute(root.resolve("data/f.txt"), "unix:uid")).isEqualTo(65534);
        try (var s = Files.list(tmp.resolve("cache/tmp"))) {
            assertThat(s.toList()).as("no uppers or layer files left").isEmpty();
        }
    }
}
