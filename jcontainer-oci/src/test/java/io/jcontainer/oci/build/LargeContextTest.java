package io.jcontainer.oci.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large context is walked, filtered by a .dockerignore and content-hashed — what
 * {@code COPY . /app/} does for its cache key — by a JVM limited to a 16 MB heap: the walk streams
 * and holds only the current directories' names, never every path. A million empty files (1000
 * directories of 1000) on tmpfs; without one, 200 directories on disk (making a million files
 * there takes a quarter of an hour under load); {@code -Djc.largeContext.dirs=N} to choose.
 */
class LargeContextTest {
    static final int DISK_DIRS = 200;
    static final int FILES = 1000;

    @Test
    void aLargeContextIsHashedInABoundedHeap(@TempDir Path disk) throws Exception {
        // on tmpfs when there is one: making and removing the files on a loaded disk takes minutes
        Path shm = Path.of("/dev/shm");
        Path tmp = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "jc-large-context-") : disk;
        try {
            run(tmp, Integer.getInteger("jc.largeContext.dirs", tmp.equals(disk) ? DISK_DIRS : 1000));
        } finally {
            if (!tmp.equals(disk)) BuildContext.deleteTree(tmp);
        }
    }

    private void run(Path tmp, int dirs) throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        byte[] content = new byte[0];
        long t0 = System.nanoTime();
        for (int d = 0; d < dirs; d++) {
            Path dir = Files.createDirectory(ctx.resolve(String.format("d%04d", d)));
            for (int f = 0; f < FILES; f++) Files.write(dir.resolve("f" + f), content);
        }
        Files.writeString(ctx.resolve(".dockerignore"), "d0000\n**/f999\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8", "-Xmx16m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), ctx.toString()).redirectErrorStream(true).start();
        long t1 = System.nanoTime();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        System.out.printf("LargeContextTest: %d files made in %.1f s, walked and hashed with -Xmx16m in %.1f s%n",
                (long) dirs * FILES, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        assertThat(p.exitValue()).as(out).isZero();
        // (dirs - 1) directories of 999 files, their directories, the root and .dockerignore
        long expected = (long) (dirs - 1) * (FILES - 1) + (dirs - 1) + 1 + 1;
        assertThat(out).startsWith("items " + expected + " sha256:");
    }

    /** The child: what the builder does for COPY . /app/'s cache key, with the context's ignore rules. */
    public static final class Main {
        public static void main(String[] args) throws IOException {
            try (BuildContext ctx = BuildContext.directory(Path.of(args[0]))) {
                MessageDigest md = DockerfileBuilder.sha256();
                long[] n = {0};
                CopySources.forEach(CopySources.context(ctx, ctx.ignore(null)), List.of("."), "/app/", "/", p -> false, item -> {
                    n[0]++;
                    md.update(item.dest().getBytes());
                    if (item.attrs().isFile()) md.update(Files.readAllBytes(item.path()));
                });
                System.out.println("items " + n[0] + " sha256:" + HexFormat.of().formatHex(md.digest()));
            }
        }
    }
}
