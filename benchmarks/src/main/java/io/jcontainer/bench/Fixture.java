package io.jcontainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What every benchmark runs on: one busybox root filesystem, used both as jcontainer's rootfs
 * and as the OCI bundle of crun and runc (so every contender starts the very same
 * {@code /bin/true}), and the peers found on the PATH.
 *
 * <p>The bundle lives in {@code jc.bench.dir} (default {@code /tmp/jcontainer-bench}); the
 * harness creates it once before the JMH forks start, so forks only read it.
 */
public final class Fixture {
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "true", "false", "echo", "sleep", "cat", "ls", "id");

    private Fixture() {
    }

    public static Path dir() {
        return Path.of(System.getProperty("jc.bench.dir", "/tmp/jcontainer-bench")).toAbsolutePath();
    }

    public static Path bundle() {
        return dir().resolve("bundle");
    }

    public static Path rootfs() {
        return bundle().resolve("rootfs");
    }

    /** Makes the bundle (rootfs + config.json running /bin/true) if it is not there yet. */
    public static synchronized Path ensureBundle() {
        Path bundle = bundle();
        if (Files.isRegularFile(bundle.resolve("config.json")) && Files.isExecutable(rootfs().resolve("bin/busybox")))
            return bundle;
        try {
            if (!Files.isExecutable(BUSYBOX))
                throw new IllegalStateException("the benchmarks need a static busybox at " + BUSYBOX + ": apt-get install busybox-static");
            Path root = rootfs();
            for (String d : List.of("bin", "etc", "proc", "dev", "sys", "tmp", "root"))
                Files.createDirectories(root.resolve(d));
            Files.copy(BUSYBOX, root.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
            for (String a : APPLETS) {
                Path link = root.resolve("bin").resolve(a);
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of("busybox"));
            }
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
            Files.writeString(bundle.resolve("config.json"), ociConfig(bundle));
            return bundle;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The OCI config of the peers: exactly what {@code runc spec} (or {@code crun spec}) writes
     * — their defaults: pid/net/ipc/uts/mnt namespaces, a cgroup, masked paths, their seccomp
     * profile for crun, capabilities — with no terminal and {@code /bin/true} as the command,
     * as {@code ../shared/bench/busybox-bundle.sh} does.
     */
    private static String ociConfig(Path bundle) throws IOException {
        String tool = Peer.RUNC.available() ? "runc" : Peer.CRUN.available() ? "crun" : null;
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec;
        if (tool == null) {
            // Neither peer is installed: nobody reads the config, but keep the bundle complete.
            spec = json.createObjectNode();
            spec.put("ociVersion", "1.0.2");
            spec.putObject("process").putArray("args");
            spec.putObject("root").put("path", "rootfs");
        } else {
            Path tmp = Files.createTempDirectory(bundle.getParent(), "spec");
            try {
                run(tmp.toFile(), tool, "spec");
                spec = (ObjectNode) json.readTree(tmp.resolve("config.json").toFile());
            } finally {
                Files.deleteIfExists(tmp.resolve("config.json"));
                Files.deleteIfExists(tmp);
            }
        }
        ObjectNode process = (ObjectNode) spec.get("process");
        process.put("terminal", false);
        ArrayNode args = process.putArray("args");
        args.add("/bin/true");
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(spec);
    }

    static String run(File cwd, String... argv) {
        try {
            Process p = new ProcessBuilder(argv).directory(cwd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + ": timed out");
            }
            if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", argv) + " failed (" + p.exitValue() + "): " + out.strip());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The output of a command, or empty when it cannot run. */
    static Optional<String> output(String... argv) {
        try {
            return Optional.of(run(null, argv).strip());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a cgroup2 file system listing controllers is mounted in this process's mount
     * namespace. crun 1.8 refuses such hybrid hosts ("cgroupv2 controllers on a hybrid host"),
     * so crun then runs in a private mount namespace without that mount.
     */
    public static boolean cgroup2WithControllersMounted() {
        return cgroup2WithControllers().isPresent();
    }

    /** The mount point of a cgroup2 file system that lists controllers, if one is mounted here. */
    public static Optional<String> cgroup2WithControllers() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (dash < 0 || dash + 1 >= f.length || !"cgroup2".equals(f[dash + 1])) continue;
                Path controllers = Path.of(f[4].replace("\\040", " ")).resolve("cgroup.controllers");
                if (Files.isReadable(controllers) && !Files.readString(controllers).isBlank()) return Optional.of(f[4]);
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
