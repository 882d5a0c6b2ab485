package io.jcontainer.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run of the CLI's AOT cache (JDK 25, {@code -XX:AOTCacheOutput}), run by the build
 * (jcontainer-cli's pom, phase {@code package}): the verbs a person starts most, so the cache
 * holds the classes they load — parsed, linked, with their lambdas and the FFM stubs spun.
 *
 * <p>Everything here is harmless on a build host: the store is a directory under
 * {@code target/} ({@code -Djcontainer.stateDir}), the {@code run} has an empty root (it goes
 * through the whole start — spec, seccomp, plan, launcher — and fails at execve with 127; when
 * the host cannot make containers at all it fails earlier, and the cache is only smaller).
 * Output is discarded; a failing verb does not fail the build.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path work = Path.of(args.length > 0 ? args[0] : "target/aot-training");
        Path root = Files.createDirectories(work.resolve("empty-root"));
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        verb("--version");
        verb("--help");
        verb("run", "--help");
        verb("ps");
        verb("ps", "-a");
        verb("inspect", "aot-training-no-such-container");
        verb("run", "--rm", "--rootfs", root.toString(), "/bin/true");
        // A record to read: ps and inspect of a store with a container in it go through the state
        // file, the stored config and its conversion back to a spec, which an empty store never
        // reaches. It exits at once (127: nothing to execute in the empty root) and is removed.
        verb("run", "-d", "--name", "aot-training", "--rootfs", root.toString(), "/bin/true");
        verb("ps");
        verb("ps", "-a");
        verb("inspect", "aot-training");
        verb("rm", "-f", "aot-training");
        verb("ps", "-a", "-q");
        // a build, then the same build again: every step a cache hit (what an edit-build loop repeats)
        if (System.getProperty("jcontainer.storage") == null) System.setProperty("jcontainer.storage", work.resolve("store").toString());
        Path ctx = Files.createDirectories(work.resolve("build-context"));
        Files.writeString(ctx.resolve("app.txt"), "aot training\n");
        Files.writeString(ctx.resolve(".dockerignore"), "*.tmp\n");
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM scratch
                ARG V=1
                COPY app.txt /app/
                ENV APP=/app V=$V
                WORKDIR /app
                LABEL training=yes
                CMD ["/app/run"]
                """);
        verb("build", "-q", "-t", "aot-training/build:1", ctx.toString());
        verb("build", "-q", "-t", "aot-training/build:1", ctx.toString());
        verb("build", "-t", "aot-training/build:1", ctx.toString());
        // a RUN step: its overlay over the stage's layer directories, the container with piped
        // output, the upper read back as a layer. With the host's busybox the step succeeds (and
        // the second RUN goes over the first one's adopted upper); without it, it fails at execve
        // (127) after the whole start, which trains the same code up to the layer.
        Path runCtx = Files.createDirectories(work.resolve("build-run-context"));
        Path busybox = Path.of("/bin/busybox");
        if (Files.isRegularFile(busybox) && Files.isExecutable(busybox)) {
            Files.copy(busybox, runCtx.resolve("busybox"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(runCtx.resolve("Dockerfile"), """
                    FROM scratch
                    COPY busybox /bin/busybox
                    RUN ["/bin/busybox", "mkdir", "-p", "/made/dir"]
                    RUN ["/bin/busybox", "sh", "-c", "echo made > /made/dir/file; /bin/busybox rm -r /made/dir"]
                    WORKDIR /made
                    """);
        } else {
            Files.writeString(runCtx.resolve("app"), "not a program\n");
            Files.writeString(runCtx.resolve("Dockerfile"), """
                    FROM scratch
                    COPY app /app
                    RUN ["/app"]
                    """);
        }
        verb("build", "-t", "aot-training/run:1", runCtx.toString());
        verb("build", "-q", "-t", "aot-training/run:1", runCtx.toString());
    }

    private static void verb(String... argv) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink);
        int rc = Cli.run(argv, InputStream.nullInputStream(), ps, ps);
        if (Boolean.getBoolean("jcontainer.aot.verbose")) System.out.println("aot training: jcontainer " + String.join(" ", argv) + " -> " + rc);
    }
}
