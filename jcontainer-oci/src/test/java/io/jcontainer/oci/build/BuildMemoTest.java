package io.jcontainer.oci.build;

import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.build.BuildListener;
import io.jcontainer.image.build.BuildOptions;
import io.jcontainer.image.build.BuildResult;
import io.jcontainer.oci.OciImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole-build memo over a real store: an unchanged rebuild is answered from it (same image,
 * same steps reported, all cached); anything the build could see changing — a file, even with its
 * size and mtime put back, a base image's tag, a tag of the result — sends the build through the
 * step cache again.
 */
class BuildMemoTest {
    @TempDir
    Path tmp;
    OciImages images;
    OciImageBuilder builder;
    Path ctx;

    @BeforeEach
    void setUp() throws IOException {
        images = new OciImages(ImagesOptions.defaults().withStorageRoot(tmp.resolve("store")).withDockerConfig(tmp.resolve("dc.json")));
        builder = new OciImageBuilder(images);
        Path base = Files.createDirectories(tmp.resolve("base"));
        Files.writeString(base.resolve("Dockerfile"), "FROM scratch\nCOPY base.txt /\n");
        Files.writeString(base.resolve("base.txt"), "base one\n");
        builder.build(base, BuildOptions.defaults().withTags("memo/base:1"), BuildListener.NONE);
        ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM memo/base:1
                ARG V=1
                COPY app/ /app/
                ENV V=$V
                WORKDIR /app
                CMD ["cat", "/app/a.txt"]
                """);
        Files.createDirectories(ctx.resolve("app"));
        Files.writeString(ctx.resolve("app/a.txt"), "aaaa\n");
        Files.writeString(ctx.resolve("app/b.txt"), "bbbb\n");
        Files.writeString(ctx.resolve(".dockerignore"), "ignored.txt\n");
        Files.writeString(ctx.resolve("ignored.txt"), "not in the build\n");
    }

    @AfterEach
    void tearDown() {
        images.close();
    }

    /** What a listener saw: "name" per step, "name CACHED" for a cached one. */
    static final class Seen implements BuildListener {
        final List<String> names = new ArrayList<>();
        final List<String> events = new ArrayList<>();

        @Override
        public synchronized void stepStarted(int step, String name) {
            while (names.size() < step) names.add(null);
            names.set(step - 1, name);
            events.add(step + " " + name);
        }

        @Override
        public synchronized void stepCached(int step) {
            events.add(step + " CACHED");
        }

        @Override
        public synchronized void stepOutput(int step, String line) {
            // a step's own output is shown only when it runs; the export step's lines are the same every time
            if (names.get(step - 1).equals("exporting to image")) events.add(step + " > " + line);
        }

        @Override
        public synchronized void stepDone(int step, Duration took) {
            events.add(step + " DONE");
        }
    }

    private BuildResult build(BuildOptions o, BuildListener l) {
        return builder.build(ctx, o, l);
    }

    private BuildOptions tagged() {
        return BuildOptions.defaults().withTags("memo/app:1");
    }

    private List<Path> memos() throws IOException {
        Path dir = tmp.resolve("store/build-cache/memo");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".memo")).toList();
        }
    }

    @Test
    void anUnchangedRebuildIsAnsweredByTheMemoWithTheSameImageAndTheStepsAllCached() throws IOException {
        List<Path> before = memos(); // the base image's build left one
        BuildResult first = build(tagged(), BuildListener.NONE);
        assertThat(first.stepsRun()).isPositive();
        List<Path> made = new ArrayList<>(memos());
        made.removeAll(before);
        assertThat(made).hasSize(1);

        // what a rebuild through the step cache reports, then what the memo replays
        Path memo = made.getFirst();
        byte[] kept = Files.readAllBytes(memo);
        Files.delete(memo);
        Seen viaCache = new Seen();
        BuildResult second = build(tagged(), viaCache);
        Files.write(memo, kept);
        Seen viaMemo = new Seen();
        BuildResult third = build(tagged(), viaMemo);

        assertThat(second.imageId()).isEqualTo(first.imageId());
        assertThat(third.imageId()).isEqualTo(first.imageId());
        assertThat(third.stepsRun()).isZero();
        assertThat(third.stepsCached()).isEqualTo(second.stepsCached()).isPositive();
        assertThat(viaMemo.events).isEqualTo(viaCache.events);
        // the step cache's records are not read: the memo alone answered
        assertThat(BuildMemo.replay(tmp.resolve("store/build-cache"), tmp.resolve("store"),
                BuildMemo.key(BuildContext.directory(ctx), tagged()), tagged(), BuildListener.NONE)).isNotNull();
        assertThat(images.resolve("memo/app:1").configDigest().toString()).isEqualTo(first.imageId());
    }

    @Test
    void aFileRewrittenWithItsSizeAndMtimePutBackMissesTheMemo() throws IOException {
        BuildResult first = build(tagged(), BuildListener.NONE);
        Path a = ctx.resolve("app/a.txt");
        FileTime mtime = Files.getLastModifiedTime(a);
        Files.writeString(a, "AAAA\n");
        Files.setLastModifiedTime(a, mtime);

        BuildResult second = build(tagged(), BuildListener.NONE);

        assertThat(second.stepsRun()).isPositive();
        assertThat(second.imageId()).isNotEqualTo(first.imageId());
    }

    @Test
    void anIgnoredFileChangingKeepsTheMemo() throws IOException {
        BuildResult first = build(tagged(), BuildListener.NONE);
        Files.writeString(ctx.resolve("ignored.txt"), "changed, and still not in the build\n");

        BuildResult second = build(tagged(), BuildListener.NONE);

        assertThat(second.imageId()).isEqualTo(first.imageId());
        assertThat(second.stepsRun()).isZero();
    }

    @Test
    void aBaseImageTaggedAnewMissesTheMemoAndTheBuildUsesTheNewBase() throws IOException {
        BuildResult first = build(tagged(), BuildListener.NONE);
        Path base2 = Files.createDirectories(tmp.resolve("base2"));
        Files.writeString(base2.resolve("Dockerfile"), "FROM scratch\nCOPY base.txt /\n");
        Files.writeString(base2.resolve("base.txt"), "base two\n");
        builder.build(base2, BuildOptions.defaults().withTags("memo/base:1"), BuildListener.NONE);

        BuildResult second = build(tagged(), BuildListener.NONE);

        assertThat(second.stepsRun()).isPositive();
        assertThat(second.imageId()).isNotEqualTo(first.imageId());
    }

    @Test
    void aTagMovedAwayFromTheResultIsPutBackByTheRebuild() throws IOException {
        BuildResult first = build(tagged(), BuildListener.NONE);
        images.tag("memo/base:1", "memo/app:1");

        BuildResult second = build(tagged(), BuildListener.NONE);

        assertThat(second.imageId()).isEqualTo(first.imageId());
        assertThat(images.resolve("memo/app:1").configDigest().toString()).isEqualTo(first.imageId());
    }

    @Test
    void otherOptionsAndNoCacheDoNotUseTheMemo() throws IOException {
        build(tagged(), BuildListener.NONE);

        BuildResult otherArg = build(tagged().withBuildArgs(java.util.Map.of("V", "2")), BuildListener.NONE);
        BuildResult noCache = build(tagged().withNoCache(true), BuildListener.NONE);

        assertThat(otherArg.stepsCached() + otherArg.stepsRun()).isPositive();
        assertThat(images.inspect(otherArg.imageId()).config().env()).contains("V=2");
        assertThat(noCache.stepsRun()).isPositive();
    }
}
