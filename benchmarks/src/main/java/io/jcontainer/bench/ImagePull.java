package io.jcontainer.bench;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.ProgressListener;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Pull + unpack of a multi-layer image from a local registry (Debian's docker-registry on
 * 127.0.0.1): jcontainer (a fresh JVM per round: pull into an empty store, flatten into a
 * directory) against {@code skopeo copy docker:// oci:} + {@code umoci unpack}, alternating, same
 * run. The image is built from host directories (/usr/lib/gcc, /usr/lib/python3*, /usr/libexec),
 * one gzip layer each.
 *
 * <pre>benchmarks/run-images [ROUNDS]</pre>
 */
public final class ImagePull {
    static final List<String> DIRS = List.of("/usr/lib/gcc", "/usr/lib/python3.11", "/usr/lib/python3", "/usr/libexec");

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jcontainer")) {          // one round, in a fresh JVM
            try (Images images = Images.open(ImagesOptions.defaults().withStorageRoot(Path.of(args[2]))
                    .withDockerConfig(Path.of(args[2], "none.json")))) {
                long t0 = System.nanoTime();
                images.pull(args[1], ProgressListener.NONE);     // download + unpack into the per-layer cache
                long t1 = System.nanoTime();
                images.unpack(args[1], Path.of(args[3]));          // + a flattened copy, as umoci's bundle
                long t2 = System.nanoTime();
                System.err.printf(Locale.ROOT, "  jcontainer (gzip: %s): pull+unpack to layers %.2f s, flatten %.2f s%n",
                        io.jcontainer.oci.unpack.LayerUnpacker.gzipImplementation(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
                System.out.printf(Locale.ROOT, "%f%n", (t2 - t1) / 1e9);
            }
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path work = Files.createTempDirectory("jcontainer-imagebench-");
        Process registry = null;
        try {
            int port;
            try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Files.writeString(work.resolve("config.yml"), """
                    version: 0.1
                    log: {level: error, accesslog: {disabled: true}}
                    storage: {filesystem: {rootdirectory: %s}}
                    http: {addr: 127.0.0.1:%d}
                    """.formatted(work.resolve("registry"), port));
            registry = new ProcessBuilder("docker-registry", "serve", work.resolve("config.yml").toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("registry.log").toFile()).start();
            Thread.sleep(1000);
            String ref = "127.0.0.1:" + port + "/bench/usr:1";
            long bytes = buildAndPush(work, ref);
            System.out.printf(Locale.ROOT, "image: %d layers, %.0f MB compressed, from %s%n", DIRS.size(), bytes / 1e6, DIRS);

            String java = ProcessHandle.current().info().command().orElse("java");
            String cp = System.getProperty("java.class.path");
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            List<Double> oursFlat = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                Path round = Files.createDirectories(work.resolve("round" + r));
                List<String> out = new ArrayList<>();
                double whole = time(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, ImagePull.class.getName(),
                        "jcontainer", ref, round.resolve("store").toString(), round.resolve("rootfs").toString()), out);
                double flatten = Double.parseDouble(out.getFirst().strip());
                ours.add(whole - flatten);
                oursFlat.add(whole);
                Path layout = round.resolve("layout");
                theirs.add(time(List.of("skopeo", "copy", "-q", "--src-tls-verify=false", "docker://" + ref, "oci:" + layout + ":1"))
                        + time(List.of("umoci", "unpack", "--image", layout + ":1", round.resolve("bundle").toString())));
                System.out.printf(Locale.ROOT, "round %d: jcontainer %.2f s (with a flattened copy too: %.2f s), skopeo+umoci %.2f s%n",
                        r, ours.getLast(), oursFlat.getLast(), theirs.getLast());
                delete(round);
            }
            double a = median(ours);
            double b = median(theirs);
            double c = median(oursFlat);
            System.out.printf(Locale.ROOT, "median: jcontainer pull+unpack (the per-layer cache run uses) %.2f s, skopeo copy + umoci unpack %.2f s,"
                    + " ratio %.2f (target <= 0.5); with a flattened copy as well %.2f s, ratio %.2f%n", a, b, a / b, c, c / b);
            System.out.printf(Locale.ROOT, "load average at the end: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
        } finally {
            if (registry != null) {
                registry.destroy();
                registry.waitFor(10, TimeUnit.SECONDS);
                registry.destroyForcibly();
            }
            delete(work);
            Path cache = Path.of("/var/lib/containers");
            if (Files.exists(cache.resolve("cache/blob-info-cache-v1.boltdb")) && !Files.exists(cache.resolve("storage")))
                delete(cache);                                   // skopeo's, made by this run
        }
    }

    static long buildAndPush(Path work, String ref) throws Exception {
        Path layout = Files.createDirectories(work.resolve("src/blobs/sha256"));
        StringBuilder diffIds = new StringBuilder();
        StringBuilder layers = new StringBuilder();
        long total = 0;
        for (String dir : DIRS) {
            Path tar = work.resolve("layer.tar");
            try (OutputStream out = Files.newOutputStream(tar); var t = new TarArchiveOutputStream(out, "UTF-8")) {
                t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                Path base = Path.of(dir);
                Files.walkFileTree(base, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                        var e = new TarArchiveEntry(d.toString().substring(1) + "/");
                        e.setMode(040755);
                        t.putArchiveEntry(e);
                        t.closeArchiveEntry();
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                        String name = f.toString().substring(1);
                        if (attrs.isSymbolicLink()) {
                            var e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                            e.setLinkName(Files.readSymbolicLink(f).toString());
                            t.putArchiveEntry(e);
                            t.closeArchiveEntry();
                        } else if (attrs.isRegularFile() && Files.isReadable(f)) {
                            var e = new TarArchiveEntry(name);
                            e.setSize(attrs.size());
                            e.setMode(0100000 | ((Integer) Files.getAttribute(f, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777));
                            t.putArchiveEntry(e);
                            try (InputStream in = Files.newInputStream(f)) {
                                in.transferTo(t);
                            }
                            t.closeArchiveEntry();
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
            String diffId = sha(tar);
            Path gz = work.resolve("layer.tar.gz");
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz), 1 << 16); InputStream in = Files.newInputStream(tar)) {
                in.transferTo(out);
            }
            String digest = sha(gz);
            long size = Files.size(gz);
            total += size;
            Files.move(gz, layout.resolve(digest.substring(7)));
            Files.delete(tar);
            diffIds.append(diffIds.isEmpty() ? "" : ",").append('"').append(diffId).append('"');
            layers.append(layers.isEmpty() ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"")
                    .append(digest).append("\",\"size\":").append(size).append('}');
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = sha(config);
        Files.write(layout.resolve(configDigest.substring(7)), config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[" + layers + "]}").getBytes(StandardCharsets.UTF_8);
        String manifestDigest = sha(manifest);
        Files.write(layout.resolve(manifestDigest.substring(7)), manifest);
        Files.writeString(work.resolve("src/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(work.resolve("src/index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"1\"}}]}");
        time(List.of("skopeo", "copy", "-q", "--dest-tls-verify=false", "oci:" + work.resolve("src") + ":1", "docker://" + ref));
        delete(work.resolve("src"));
        return total;
    }

    static double time(List<String> cmd) throws Exception {
        return time(cmd, new ArrayList<>());
    }

    /** Runs {@code cmd}, adding its stdout lines to {@code lines}; returns its wall time in seconds. */
    static double time(List<String> cmd, List<String> lines) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (p.waitFor() != 0) throw new IOException(cmd + " failed: " + out);
        lines.addAll(out.toString(StandardCharsets.UTF_8).lines().toList());
        if (cmd.getFirst().equals("skopeo") || cmd.getFirst().equals("umoci"))
            System.err.printf(Locale.ROOT, "  %s %s: %.2f s%n", cmd.getFirst(), cmd.get(1), (System.nanoTime() - t0) / 1e9);
        return (System.nanoTime() - t0) / 1e9;
    }

    static String sha(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    static String sha(byte[] b) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    static void delete(Path p) throws IOException {
        io.jcontainer.oci.unpack.FsTree.delete(p);
    }
}
