package io.jcontainer.oci.build;

import io.jcontainer.image.build.BuildListener;
import io.jcontainer.image.build.BuildOptions;
import io.jcontainer.image.build.BuildResult;
import io.jcontainer.image.build.StepFailedException;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The executor with real containers for RUN over a test store (the store seam): layers with
 * whiteouts, cache hits, a changed file rerunning exactly what follows, multi-stage COPY --from,
 * a failing RUN tagging nothing.
 */
@RequiresRoot
class DockerfileBuilderTest {
    @TempDir
    Path tmp;
    MemoryBuildStore store;
    DockerfileBuilder builder;

    static final class Recorder implements BuildListener {
        final Map<Integer, String> names = Collections.synchronizedMap(new LinkedHashMap<>());
        final List<String> cached = Collections.synchronizedList(new ArrayList<>());
        final List<String> ran = Collections.synchronizedList(new ArrayList<>());

        public void stepStarted(int step, String name) {
            names.put(step, name);
        }

        public void stepCached(int step) {
            cached.add(names.get(step));
        }

        public void stepDone(int step, Duration took) {
            String n = names.get(step);
            if (n.contains("] ") && !n.contains(" FROM ") && !n.startsWith("[internal]")) ran.add(n);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        store = new MemoryBuildStore(tmp.resolve("blobs"));
        builder = new DockerfileBuilder(store, new ContainerStepRunner(), new BuildCache(tmp.resolve("cache")));
        Path base = Files.createDirectories(tmp.resolve("base"));
        Files.copy(Path.of("/bin/busybox"), base.resolve("busybox"));
        Files.writeString(base.resolve("Dockerfile"), BuildEndToEndBase.DOCKERFILE);
        build(base, BuildOptions.defaults().withTags("busybox:test"), BuildListener.NONE);
    }

    private BuildResult build(Path dir, BuildOptions o, BuildListener l) {
        try (BuildContext ctx = BuildContext.directory(dir)) {
            return builder.build(ctx, o, l);
        }
    }

    private Path unpack(String id) throws IOException {
        Path root = Files.createTempDirectory(tmp, "root-");
        store.unpack(store.image(id, null, false), root);
        return root;
    }

    @Test
    void layersCacheAndMultiStage() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("a.txt"), "one\n");
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM busybox:test AS gen
                RUN mkdir -p /out && echo generated > /out/g.txt
                FROM busybox:test
                COPY a.txt /app/
                RUN mkdir /gone && echo x > /gone/f && ln /app/a.txt /app/hard
                RUN rm -rf /gone /bin/ls && cat /app/a.txt > /app/copy.txt
                COPY --from=gen /out/g.txt /app/
                CMD ["cat", "/app/copy.txt"]
                """);
        Recorder first = new Recorder();
        BuildResult r = build(ctx, BuildOptions.defaults().withTags("app:1"), first);
        assertThat(store.tags).containsEntry("app:1", r.imageId());
        assertThat(store.image(r.imageId(), null, false).layers()).hasSize(3 + 4);
        Path root = unpack(r.imageId());
        assertThat(root.resolve("app/copy.txt")).hasContent("one");
        assertThat(root.resolve("app/g.txt")).hasContent("generated");
        assertThat(root.resolve("gone")).doesNotExist();
        assertThat(root.resolve("bin/ls")).doesNotExist();
        assertThat(root.resolve("bin/cat")).exists();
        assertThat(Files.getAttribute(root.resolve("app/hard"), "unix:ino")).isEqualTo(Files.getAttribute(root.resolve("app/a.txt"), "unix:ino"));

        Recorder second = new Recorder();
        BuildResult r2 = build(ctx, BuildOptions.defaults(), second);
        assertThat(second.ran).isEmpty();
        assertThat(r2.imageId()).isEqualTo(r.imageId());

        Files.writeString(ctx.resolve("a.txt"), "two\n");
        Recorder third = new Recorder();
        BuildResult r3 = build(ctx, BuildOptions.defaults(), third);
        assertThat(third.cached).containsExactly("[gen 2/2] RUN mkdir -p /out && echo generated > /out/g.txt");
        assertThat(third.ran).hasSize(4).first().asString().contains("COPY a.txt /app/");
        assertThat(unpack(r3.imageId()).resolve("app/copy.txt")).hasContent("two");
    }

    @Test
    void aFailingRunTagsNothingAndLeavesNothing() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("fail"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox:test\nRUN echo before; exit 7\n");
        assertThatThrownBy(() -> build(ctx, BuildOptions.defaults().withTags("bad:1"), BuildListener.NONE))
                .isInstanceOfSatisfying(StepFailedException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(7);
                    assertThat(e.lastLines()).containsExactly("before");
                });
        assertThat(store.tags).doesNotContainKey("bad:1");
        try (var s = Files.list(tmp.resolve("cache/tmp"))) {
            assertThat(s.toList()).isEmpty();
        }
    }
}
