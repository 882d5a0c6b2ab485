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
 * Rounds alternate who goes first; CPU (user + sys) of both sides is printed too. With {@code warm},
 * each round also times a pull in a JVM that pulled once before (a long-lived one's cost).
 *
 * <p>With {@code JC_PULL_CLI} (the {@code ./jcontainer} script; benchmarks/run-images sets it), each
 * round also times {@code ./jcontainer pull} into an empty store — the CLI's JVM with its flags and
 * AOT cache — with libcrypto's SHA-256 and with the JDK's ({@code -Djcontainer.sha256=jdk}).
 *
 * <pre>benchmarks/run-images [ROUNDS] [warm]</pre>
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
        if (args.length > 0 && args[0].equals("jcontainer-warm")) {     // a JVM that pulled once already, as a long-lived one (serve, an application)
            try (Images images = Images.open(ImagesOptions.defaults().withStorageRoot(Path.of(args[2], "warm-up"))
                    .withDockerConfig(Path.of(args[2], "none.json")))) {
                images.pull(args[1], ProgressListener.NONE);
            }
            delete(Path.of(args[2], "warm-up"));
            try (Images images = Images.open(ImagesOptions.defaults().withStorageRoot(Path.of(args[2], "store"))
                    .withDockerConfig(Path.of(args[2], "none.json")))) {
                long t0 = System.nanoTime();
                images.pull(args[1], ProgressListener.NONE);
                System.out.printf(Locale.ROOT, "%f%n", (System.nanoTime() - t0) / 1e9);
            }
            return;
        }
        if (args.length > 0 && args[0].equals("push")) {                // only the image, into a running registry: for profiling by hand
            buildAndPush(Files.createDirectories(Path.of(args[2])), args[1]);
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        boolean warm = args.length > 1 && args[1].equals("warm");
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
            List<Double> oursCpu = new ArrayList<>();
            List<Double> oursWarm = new ArrayList<>();
            List<Double> theirsCpu = new ArrayList<>();
            // ./jcontainer pull (the CLI: its JVM flags and AOT cache), with libcrypto's SHA-256 and with the JDK's
            String cli = System.getenv("JC_PULL_CLI");
            List<Double> cliWall = new ArrayList<>(), cliCpu = new ArrayList<>(), cliJdkWall = new ArrayList<>(), cliJdkCpu = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                Path round = Files.createDirectories(work.resolve("round" + r));
                // Who goes first alternates: the first to run after the last round's trees were
                // deleted pays for it (ext4 skips recently freed inodes when it allocates, one
                // lookup each), which always fell on jcontainer before.
                boolean oursFirst = r % 2 == 1;
                double[] theirsRun = oursFirst ? null : theirs(ref, round);
                List<String> out = new ArrayList<>();
                double cpu0 = childrenCpu();
                double whole = time(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, ImagePull.class.getName(),
                        "jcontainer", ref, round.resolve("store").toString(), round.resolve("rootfs").toString()), out);
                double cpu = childrenCpu() - cpu0;
                double flatten = Double.parseDouble(out.getFirst().strip());
                if (theirsRun == null) theirsRun = theirs(ref, round);
                if (warm) {
                    List<String> w = new ArrayList<>();
                    time(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, ImagePull.class.getName(),
                            "jcontainer-warm", ref, Files.createDirectories(round.resolve("warm")).toString()), w);
                    oursWarm.add(Double.parseDouble(w.getFirst().strip()));
                    System.out.printf(Locale.ROOT, "  jcontainer in a warm JVM (its second pull, into an empty store): %.2f s%n", oursWarm.getLast());
                }
                if (cli != null) {
                    for (boolean jdkSha : oursFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
                        Path store = round.resolve(jdkSha ? "cli-store-jdk" : "cli-store");
                        double c0 = childrenCpu();
                        double w = time(List.of("env", "JCONTAINER_STORAGE=" + store, "JCONTAINER_STATE_DIR=" + round.resolve("cli-state"),
                                "JCONTAINER_JAVA_OPTS=" + (jdkSha ? "-Djcontainer.sha256=jdk" : ""), cli, "pull", "-q", ref));
                        double c = childrenCpu() - c0;
                        (jdkSha ? cliJdkWall : cliWall).add(w);
                        (jdkSha ? cliJdkCpu : cliCpu).add(c);
                        delete(store);
                    }
                    System.out.printf(Locale.ROOT, "  ./jcontainer pull: %.2f s (CPU %.2f s); with the JDK's SHA-256: %.2f s (CPU %.2f s)%n",
                            cliWall.getLast(), cliCpu.getLast(), cliJdkWall.getLast(), cliJdkCpu.getLast());
                }
                ours.add(whole - flatten);
                oursFlat.add(whole);
                oursCpu.add(cpu);
                theirs.add(theirsRun[0]);
                theirsCpu.add(theirsRun[1]);
                System.out.printf(Locale.ROOT, "round %d (%s first): jcontainer %.2f s (with a flattened copy too: %.2f s; CPU %.2f s with it),"
                                + " skopeo+umoci %.2f s (CPU %.2f s)%n",
                        r, oursFirst ? "jcontainer" : "skopeo+umoci", ours.getLast(), oursFlat.getLast(), cpu, theirs.getLast(), theirsCpu.getLast());
                delete(round);
            }
            double a = median(ours);
            double b = median(theirs);
            double c = median(oursFlat);
            System.out.printf(Locale.ROOT, "median: jcontainer pull+unpack (the per-layer cache run uses) %.2f s, skopeo copy + umoci unpack %.2f s,"
                    + " ratio %.2f (target <= 0.5); with a flattened copy as well %.2f s, ratio %.2f%n", a, b, a / b, c, c / b);
            System.out.printf(Locale.ROOT, "CPU (user+sys, median): jcontainer with the flattened copy %.2f s, skopeo copy + umoci unpack %.2f s, ratio %.2f%n",
                    median(oursCpu), median(theirsCpu), median(oursCpu) / median(theirsCpu));
            if (cli != null) {
                System.out.printf(Locale.ROOT, "median: ./jcontainer pull %.2f s, ratio %.2f against skopeo copy + umoci unpack (CPU %.2f s, ratio %.2f)%n",
                        median(cliWall), median(cliWall) / b, median(cliCpu), median(cliCpu) / median(theirsCpu));
                System.out.printf(Locale.ROOT, "median: ./jcontainer pull with the JDK's SHA-256 (-Djcontainer.sha256=jdk) %.2f s, ratio %.2f (CPU %.2f s, ratio %.2f)%n",
                        median(cliJdkWall), median(cliJdkWall) / b, median(cliJdkCpu), median(cliJdkCpu) / median(theirsCpu));
            }
            if (warm) System.out.printf(Locale.ROOT, "median: jcontainer pull+unpack in a warm JVM %.2f s, ratio %.2f against skopeo copy + umoci unpack%n",
                    median(oursWarm), median(oursWarm) / b);
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

    /** skopeo copy + umoci unpack into {@code round}: wall seconds and CPU seconds (user + sys). */
    static double[] theirs(String ref, Path round) throws Exception {
        Path layout = round.resolve("layout");
        double cpu0 = childrenCpu();
        double wall = time(List.of("skopeo", "copy", "-q", "--src-tls-verify=false", "docker://" + ref, "oci:" + layout + ":1"))
                + time(List.of("umoci", "unpack", "--image", layout + ":1", round.resolve("bundle").toString()));
        return new double[] {wall, childrenCpu() - cpu0};
    }

    /** CPU seconds (user + sys) of this JVM's reaped children, and theirs: /proc/self/stat's cutime and cstime. */
    static double childrenCpu() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;   // fields 16 and 17, in clock ticks (USER_HZ 100)
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
