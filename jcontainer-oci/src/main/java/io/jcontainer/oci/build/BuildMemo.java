package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerIgnore;
import io.jcontainer.image.build.BuildListener;
import io.jcontainer.image.build.BuildOptions;
import io.jcontainer.image.build.BuildResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The whole-build memo: "this Dockerfile, these options and this context, with the store's
 * index.json exactly as it was, gave image X" — so that a rebuild of an unchanged context answers
 * without parsing the Dockerfile, reading any JSON or hashing any file.
 *
 * <p>Why a memo on top of the step cache: the step cache's hits still cost the JVM the
 * first use of Jackson (ObjectMapper's static setup reaches Locale and calendar data; the first
 * parser reaches BigDecimal, whose JDK 25 initializer computes 5^(2^16)), SHA-256 and the
 * context's content hashes: most of a cached rebuild's CPU in a fresh CLI JVM.
 *
 * <p>What makes a hit exact rather than probable:
 * <ul>
 * <li>the key is the whole material, compared byte for byte (the file name is only a CRC of it):
 *     Dockerfile text and name, the ignore rules, every build option that changes the result,
 *     and every context entry the build could see — path, type, mode, owner, size, mtime,
 *     <em>ctime</em> and inode, link target. ctime cannot be set by a user: a file rewritten with
 *     its old size and mtime restored still misses;</li>
 * <li>index.json's identity (inode, size, mtime, ctime): it is only ever replaced by rename under
 *     the index lock and not rewritten when unchanged, so the same identity means the same base
 *     images, the same {@code COPY --from} images and the tags still on the result (checked when
 *     the memo is written, under the shared index lock);</li>
 * <li>builds that read the outside world (ADD of a URL) and contexts that are not a directory
 *     write no memo; {@code --no-cache} and {@code --pull} do not read one.</li>
 * </ul>
 * A miss costs one stat walk of the context (at most {@value #MAX_ENTRIES} entries, else no memo);
 * then the build runs through the step cache as before. The memo lives in the build cache's
 * directory ({@code memo/}), so removing the cache removes it.
 */
final class BuildMemo {
    static final int MAX_ENTRIES = 20_000;
    private static final String MAGIC = "jcontainer-build-memo-v1";
    private static final AtomicLong SEQ = new AtomicLong();

    private BuildMemo() {
    }

    /** The key material of a build, or null when this build cannot be memoized. */
    static String key(BuildContext context, BuildOptions options) {
        try {
            StringBuilder m = new StringBuilder(4096);
            m.append(MAGIC).append('\n');
            // os.arch, not DockerfileBuilder.hostArch(): that class's initializer sets up Jackson
            m.append("arch ").append(System.getProperty("os.arch")).append('\n');
            m.append("user ").append(System.getProperty("user.name")).append('\n');
            m.append("dockerfile-name ").append(escape(options.dockerfile())).append('\n');
            m.append("dockerfile ").append(escape(context.dockerfile(options.dockerfile()))).append('\n');
            DockerIgnore ignore = context.ignore(options.dockerfile());
            m.append("ignore ").append(escape(String.join("\n", ignore.patterns()))).append('\n');
            m.append("tags ").append(escape(String.join("\n", options.tags()))).append('\n');
            m.append("args ").append(escape(new TreeMap<>(options.buildArgs()).toString())).append('\n');
            m.append("target ").append(escape(String.valueOf(options.target()))).append('\n');
            m.append("labels ").append(escape(new TreeMap<>(options.labels()).toString())).append('\n');
            // a build without network.host must refuse RUN --network=host, not replay one that had it
            // (the build's network itself is no part of a step's key, as in BuildKit)
            m.append("allow ").append(options.allowHostNetwork() ? "network.host" : "").append('\n');
            Map<String, String> secrets = new TreeMap<>();
            options.secrets().forEach((k, v) -> secrets.put(k, v.toString()));
            m.append("secrets ").append(escape(secrets.toString())).append('\n');
            int[] entries = {0};
            boolean[] tooMany = {false};
            TreeWalker.walk(context.root(), "", ignore, (rel, path, a) -> {
                if (++entries[0] > MAX_ENTRIES) {
                    tooMany[0] = true;
                    throw new IOException("too many entries");
                }
                Map<String, Object> more = Files.readAttributes(path, "unix:ino,ctime", LinkOption.NOFOLLOW_LINKS);
                m.append("e ").append(escape(rel)).append(' ').append(Integer.toOctalString(a.mode())).append(' ')
                        .append(a.uid()).append(' ').append(a.gid()).append(' ').append(a.size()).append(' ')
                        .append(nanos(a.mtime())).append(' ').append(nanos((FileTime) more.get("ctime"))).append(' ')
                        .append(more.get("ino"));
                if (a.linkTarget() != null) m.append(' ').append(escape(a.linkTarget()));
                m.append('\n');
            });
            return m.toString();
        } catch (IOException | RuntimeException e) {
            // an unreadable entry, too many entries: the build decides (and reports) as without a memo
            return null;
        }
    }

    /** The image a previous build with {@code key} made, replayed to {@code listener} as all cached; null on a miss. */
    static BuildResult replay(Path cacheDir, Path storeRoot, String key, BuildOptions options, BuildListener listener) {
        Path file = file(cacheDir, key);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (lines.size() < 4 || !lines.get(0).equals(MAGIC) || !lines.get(1).equals("key " + escape(key))) return null;
        String index = indexIdentity(storeRoot);
        if (index == null || !lines.get(2).equals("index " + index)) return null;
        if (!lines.get(3).startsWith("image sha256:")) return null;
        String image = lines.get(3).substring(6);
        // the image's config blob: its id (a store whose blobs were removed by hand misses)
        if (!Files.isRegularFile(storeRoot.resolve("blobs").resolve("sha256").resolve(image.substring(7)))) return null;
        int id = 0;
        int cached = 0;
        List<String> warnings = new ArrayList<>();
        // a recorded step is one line "step L|O name" (L: a layer step, replayed as cached) and its output lines
        List<Runnable> events = new ArrayList<>();
        for (String line : lines.subList(4, lines.size())) {
            if (line.startsWith("step ")) {
                int step = ++id;
                boolean layer = line.startsWith("step L ");
                String name = unescape(line.substring(7));
                if (layer) cached++;
                events.add(() -> {
                    listener.stepStarted(step, name);
                    if (layer) listener.stepCached(step);
                });
                if (!layer) events.add(() -> listener.stepDone(step, Duration.ZERO));
            } else if (line.startsWith("out ")) {
                int step = id;
                String out = unescape(line.substring(4));
                // before the step's done event
                events.add(events.size() - 1, () -> listener.stepOutput(step, out));
            } else if (line.startsWith("warn ")) {
                String w = unescape(line.substring(5));
                warnings.add(w);
                events.add(() -> listener.warning(w));
            } else {
                return null;
            }
        }
        for (Runnable r : events) r.run();
        return new BuildResult(image, options.tags(), 0, cached, warnings);
    }

    /**
     * Writes the memo of a finished build. {@code check} runs under the store's shared index lock
     * (no writer between it and the identity read) and says whether the index still names the
     * result as the build left it (every tag on the image).
     */
    static void record(Path cacheDir, Path storeRoot, String key, String imageId, Recorder rec,
                       io.jcontainer.oci.store.StoreLock indexLock, java.util.function.BooleanSupplier check) {
        StringBuilder out = new StringBuilder();
        out.append(MAGIC).append('\n').append("key ").append(escape(key)).append('\n');
        try (var held = indexLock.shared()) {
            if (!check.getAsBoolean()) return;
            String index = indexIdentity(storeRoot);
            if (index == null) return;
            out.append("index ").append(index).append('\n');
        } catch (RuntimeException e) {
            return; // no memo: the next build goes through the step cache
        }
        out.append("image ").append(imageId).append('\n');
        synchronized (rec) {
            for (Recorder.Step s : new TreeMap<>(rec.steps).values()) {
                out.append("step ").append(s.layer ? 'L' : 'O').append(' ').append(escape(s.name)).append('\n');
                if (!s.layer) for (String o : s.outputs) out.append("out ").append(escape(o)).append('\n');
            }
            for (String w : rec.warnings) out.append("warn ").append(escape(w)).append('\n');
        }
        Path file = file(cacheDir, key);
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + SEQ.incrementAndGet());
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(tmp, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            // best effort (also where rename is not atomic): without the memo the next build goes through the step cache
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover dot file in memo/ is harmless and overwritten by name never
            }
        }
    }

    /** index.json's identity: it is only replaced by rename, so a rewrite changes the inode or ctime. */
    static String indexIdentity(Path storeRoot) {
        try {
            Map<String, Object> a = Files.readAttributes(storeRoot.resolve("index.json"), "unix:ino,size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
            return a.get("ino") + " " + a.get("size") + " " + nanos((FileTime) a.get("lastModifiedTime")) + " " + nanos((FileTime) a.get("ctime"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Path file(Path cacheDir, String key) {
        CRC32C crc = new CRC32C();
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        crc.update(b);
        return cacheDir.resolve("memo").resolve(String.format("%08x-%x.memo", crc.getValue(), b.length));
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    static String escape(String s) {
        if (s.indexOf('\\') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * A listener that records what a build reported, for the memo (and passes everything on).
     * The builder marks layer steps ({@link #layer}); those replay as cached. A build that read
     * the outside world is marked {@link #notMemoizable}.
     */
    static final class Recorder implements BuildListener {
        static final class Step {
            final String name;
            boolean layer;
            final List<String> outputs = new ArrayList<>();

            Step(String name) {
                this.name = name;
            }
        }

        private final BuildListener next;
        private final Map<Integer, Step> steps = new TreeMap<>();
        private final List<String> warnings = new ArrayList<>();
        private volatile boolean memoizable = true;

        Recorder(BuildListener next) {
            this.next = next;
        }

        synchronized void layer(int step) {
            Step s = steps.get(step);
            if (s != null) s.layer = true;
        }

        void notMemoizable() {
            memoizable = false;
        }

        boolean memoizable() {
            return memoizable;
        }

        @Override
        public void stepStarted(int step, String name) {
            synchronized (this) {
                steps.put(step, new Step(name));
            }
            next.stepStarted(step, name);
        }

        @Override
        public void stepCached(int step) {
            next.stepCached(step);
        }

        @Override
        public void stepOutput(int step, String line) {
            synchronized (this) {
                Step s = steps.get(step);
                if (s != null && !s.layer) s.outputs.add(line);
            }
            next.stepOutput(step, line);
        }

        @Override
        public void stepDone(int step, Duration took) {
            next.stepDone(step, took);
        }

        @Override
        public void stepFailed(int step, String message) {
            next.stepFailed(step, message);
        }

        @Override
        public void warning(String message) {
            synchronized (this) {
                warnings.add(message);
            }
            next.warning(message);
        }
    }
}
