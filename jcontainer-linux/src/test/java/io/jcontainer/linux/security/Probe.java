package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.TestRootfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The hostile payload of the attack suite: {@code src/test/c/probe.c}, compiled static once per
 * JVM into {@code target/test-probe/probe} and copied into private test roots as
 * {@code /bin/probe}. Every subcommand prints one result line: {@code OK ...} or an errno symbol.
 */
public final class Probe {
    private static Path binary;

    private Probe() {
    }

    /** The compiled probe (built on first use with {@code gcc -static -O2}). */
    public static synchronized Path binary() {
        if (binary != null) return binary;
        Path src = Path.of("src", "test", "c", "probe.c").toAbsolutePath();
        Path out = Path.of("target", "test-probe", "probe").toAbsolutePath();
        try {
            Files.createDirectories(out.getParent());
            if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) < 0) {
                Path tmp = out.resolveSibling("probe.tmp");
                Process p = new ProcessBuilder("gcc", "-static", "-O2", "-Wall", "-o", tmp.toString(), src.toString())
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0)
                    throw new IllegalStateException("cannot build the test probe (gcc -static; apt-get install gcc libc6-dev):\n" + log);
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return binary = out;
    }

    /** A private busybox root under {@code dir} with {@code /bin/probe}. */
    public static Path rootfs(Path dir) {
        Path root = TestRootfs.fresh(dir);
        install(root, "bin/probe");
        return root;
    }

    /** Copies the probe into {@code root} at {@code rel}, mode 0755. */
    public static Path install(Path root, String rel) {
        try {
            Path target = root.resolve(rel);
            Files.createDirectories(target.getParent());
            Files.copy(binary(), target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A builder running {@code /bin/probe args...} in {@code root}. */
    public static ContainerSpec.Builder in(Path root, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("/bin/probe");
        argv.addAll(List.of(args));
        return Container.builder().rootfs(root).command(argv);
    }

    /** Runs the probe and returns its result. */
    public static Outcome run(ContainerSpec.Builder b) {
        return new Outcome(TestRuns.run(b));
    }

    /** A finished probe: its last line is the verdict. */
    public record Outcome(TestRuns.Result result) {
        public String verdict() {
            String[] lines = result.stdout().strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }

        public boolean succeeded() {
            return verdict().startsWith("OK");
        }

        public String stdout() {
            return result.stdout();
        }

        @Override
        public String toString() {
            return "probe exit " + result.exit() + ", stdout:\n" + result.stdout() + "stderr:\n" + result.stderr();
        }
    }
}
