package io.jcontainer.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training runs of the CLI's AOT caches (JDK 25, {@code -XX:AOTCacheOutput}), run by the
 * build (jcontainer-cli's pom, phase {@code package}), one cache per kind of verb:
 * <ul>
 * <li>{@code read}: {@code ps}, {@code inspect}, {@code --version}, {@code --help} — what a person
 *     (and a script polling the store) starts most;</li>
 * <li>{@code run}: {@code run --rm} as {@code ./jcontainer} runs it (a run that keeps its
 *     container, {@code run -d}, gets the whole CLI's cache);</li>
 * <li>{@code build}: {@code build} cold (a base image pulled from a registry on loopback, RUN
 *     steps), again through the step cache, and again answered by the whole-build memo;</li>
 * <li>{@code all}: every verb above, then {@code build}, {@code push} and {@code pull} — for all the others.</li>
 * </ul>
 * One cache per kind because the JVM loads and links every class of a cache when it starts
 * (AOT-linked classes, JEP 483), used or not: {@code --version} with the whole CLI's cache (3,266
 * classes) cost ~90 ms of CPU, with a cache of what it uses ~45 ms. {@code ./jcontainer} picks the
 * cache by the verb.
 *
 * <p>Everything here is harmless on a build host: the store is a directory under
 * {@code target/} ({@code -Djcontainer.stateDir}), the containers' roots hold nothing or only the
 * launcher as /bin/true (exit 1 at once); when the host cannot make containers at all a verb fails
 * early, and the cache is only smaller.
 * Output is discarded; a failing verb does not fail the build.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path work = Path.of(args.length > 0 ? args[0] : "target/aot-training");
        String kind = args.length > 1 ? args[1] : "all";
        Path root = Files.createDirectories(work.resolve("empty-root"));
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // loopback only for every training run: the CLI's default (docker's) would put them on the
        // default bridge, made in the network namespace of whoever packages jcontainer
        System.setProperty("jcontainer.defaultNetwork", "none");
        switch (kind) {
            case "read" -> read(root);
            case "run" -> run(work);
            case "build" -> build(work);
            case "all" -> {
                read(root);
                run(work);
                runDetached(work);
                build(work);
            }
            default -> throw new IllegalArgumentException("AotTraining: no kind " + kind + " (read, run, build, all)");
        }
    }

    /**
     * The read verbs on a store holding a created container (its launcher alive, waiting to exec),
     * so that ps and inspect go through the state file, the liveness check and the stored config.
     * It is made and removed by another JVM: the start path's classes would otherwise be in this
     * cache, and every read verb would load them.
     */
    private static void read(Path root) throws IOException, InterruptedException {
        verb("--version");
        verb("--help");
        verb("inspect", "aot-training-no-such-container");
        boolean made = otherJvm("create", "--name", "aot-training", "--rootfs", root.toString(), "/bin/true");
        // and a running one, when the host has a static busybox to run (.ci/run installs it): ps and
        // inspect of a running container read its cgroup freezer and its network endpoints, which
        // the classes of a created one never reach
        Path busybox = Path.of("/bin/busybox");
        boolean running = false;
        if (Files.isRegularFile(busybox) && Files.isExecutable(busybox)) {
            Path runRoot = Files.createDirectories(root.resolveSibling("running-root").resolve("bin"));
            Files.copy(busybox, runRoot.resolve("sleep"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            running = otherJvm("run", "-d", "--name", "aot-training-running", "--rootfs", runRoot.getParent().toString(), "/bin/sleep", "60");
        }
        try {
            verb("ps");
            verb("ps", "-a");
            verb("ps", "-a", "-q");
            verb("inspect", "aot-training");
            if (running) verb("inspect", "aot-training-running");
        } finally {
            if (made) otherJvm("rm", "-f", "aot-training");
            if (running) otherJvm("rm", "-f", "aot-training-running");
        }
        verb("ps", "-a");
    }

    /**
     * {@code run --rm} of a command that runs: its /bin/true is the launcher (static and libc-free,
     * the one binary every build has), which exits 1 at once when started without a plan — the
     * path of a container that ran, whose classes an empty root (exec fails, 127) never loads.
     */
    private static void run(Path work) throws IOException {
        Path root = work.resolve("run-root");
        Files.createDirectories(root.resolve("bin"));
        String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        try (InputStream launcher = ClassLoader.getSystemResourceAsStream("io/jcontainer/linux/native/linux-" + arch + "/jcontainer-launcher")) {
            if (launcher != null) {
                Files.copy(launcher, root.resolve("bin/true"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                root.resolve("bin/true").toFile().setExecutable(true);
            }
        }
        // as ./jcontainer runs it: this JVM's own descriptors inherited (no pumps, signals forwarded)
        Cli cli = new Cli(Io.system());
        cli.execute(new String[]{"run", "--rm", "--rootfs", root.toString(), "/bin/true"});
        cli.execute(new String[]{"run", "--rm", "--rootfs", root.toString(), "/bin/true"});
    }

    /**
     * {@code run -d}, and {@code rm}: the record written and removed (Jackson's mapper, the
     * monitor). Not in the run cache: every class of a cache is loaded at each start, and
     * {@code run --rm} would pay for these; {@code ./jcontainer} gives a run that keeps its
     * container the whole CLI's cache.
     */
    private static void runDetached(Path work) {
        Path root = work.resolve("run-root");
        verb("run", "--rm", "--rootfs", root.toString(), "/bin/true"); // piped streams (in-process, tests)
        verb("run", "-d", "--name", "aot-training", "--rootfs", root.toString(), "/bin/true");
        verb("rm", "-f", "aot-training");
    }

    /**
     * A build, the same build after a file was rewritten unchanged (every step a step-cache hit),
     * then again (the whole-build memo answers: what an edit-build loop repeats most); a build
     * with RUN steps; then push and pull through a registry on loopback and a build whose base
     * image is pulled. Each training starts from empty stores: a store left by the last package
     * would answer every build from its memo and train nothing else.
     */
    private static void build(Path work) throws IOException {
        // every training build says --network none: a root build's RUN steps would otherwise be on
        // the default bridge, made in the network namespace of whoever packages jcontainer
        Path store = work.resolve("build-store");
        Path pulledStore = work.resolve("build-store-pulled");
        deleteTree(store);
        deleteTree(pulledStore);
        String savedStore = System.getProperty("jcontainer.storage");
        System.setProperty("jcontainer.storage", store.toString());
        try {
            build(work, pulledStore);
        } finally {
            if (savedStore == null) System.clearProperty("jcontainer.storage");
            else System.setProperty("jcontainer.storage", savedStore);
            deleteTree(store);
            deleteTree(pulledStore);
        }
    }

    private static void build(Path work, Path pulledStore) throws IOException {
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
        verb("build", "--network", "none", "-q", "-t", "aot-training/build:1", ctx.toString());
        Files.writeString(ctx.resolve("app.txt"), "aot training\n"); // same content, new ctime: the memo misses, the step cache hits
        verb("build", "--network", "none", "-q", "-t", "aot-training/build:1", ctx.toString());
        verb("build", "--network", "none", "-t", "aot-training/build:1", ctx.toString());
        verb("build", "--network", "none", "-q", "-t", "aot-training/build:1", ctx.toString());
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
        verb("build", "--network", "none", "-t", "aot-training/run:1", runCtx.toString());
        verb("build", "--network", "none", "-q", "-t", "aot-training/run:1", runCtx.toString());
        pushPullAndBuildFromIt(work, pulledStore);
    }

    /**
     * The image just built pushed to a registry on loopback, then, in a second store, a build
     * FROM it (the base image pulled, as a build on a fresh machine does) and the pull verb.
     */
    private static void pushPullAndBuildFromIt(Path work, Path pulledStore) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.jcontainer.cli.TrainingRegistry"); // by name: not loaded here
        Process registry = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String port = new java.io.BufferedReader(new java.io.InputStreamReader(registry.getInputStream())).readLine();
            if (port == null || !port.matches("\\d+")) return; // no registry: the cache is only smaller
            String ref = "127.0.0.1:" + port + "/aot-training/base:1";
            // the busybox image when its RUN steps could run here, else the FROM scratch one
            if (verb("tag", "aot-training/run:1", ref) != 0) verb("tag", "aot-training/build:1", ref);
            verb("push", ref);
            System.setProperty("jcontainer.storage", pulledStore.toString());
            Path ctx = Files.createDirectories(work.resolve("build-pull-context"));
            Files.writeString(ctx.resolve("app.txt"), "aot training, pulled base\n");
            boolean busybox = Files.isRegularFile(Path.of("/bin/busybox"));
            Files.writeString(ctx.resolve("Dockerfile"), "FROM " + ref + "\nCOPY app.txt /app/\n"
                    + (busybox ? "RUN [\"/bin/busybox\", \"cp\", \"/app/app.txt\", \"/app/copy.txt\"]\n" : "")
                    + "ENV APP=/app\nWORKDIR /app\nCMD [\"/app/run\"]\n");
            verb("build", "--network", "none", "-q", "-t", "aot-training/pulled:1", ctx.toString());
            verb("build", "--network", "none", "-q", "-t", "aot-training/pulled:1", ctx.toString());
            verb("rmi", ref);
            verb("pull", ref);
        } finally {
            registry.getOutputStream().close();
            try {
                if (!registry.waitFor(10, TimeUnit.SECONDS)) registry.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                registry.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Best effort: a training store (layer directories, cache) under target/. */
    private static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | java.io.UncheckedIOException e) {
            // what is left is in target/, removed by mvn clean
        }
    }

    private static int verb(String... argv) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink);
        int rc = Cli.run(argv, InputStream.nullInputStream(), ps, ps);
        if (Boolean.getBoolean("jcontainer.aot.verbose")) System.out.println("aot training: jcontainer " + String.join(" ", argv) + " -> " + rc);
        return rc;
    }

    /** The CLI in a JVM of its own (same class path and store, no cache): true when it exited 0. */
    private static boolean otherJvm(String... argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        for (String p : List.of("jcontainer.stateDir", "jcontainer.runtime", "jcontainer.defaultNetwork", "org.slf4j.simpleLogger.defaultLogLevel"))
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Cli.class.getName()));
        cmd.addAll(List.of(argv));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return false;
        }
        int rc = p.exitValue();
        if (Boolean.getBoolean("jcontainer.aot.verbose")) System.out.println("aot training (own JVM): jcontainer " + String.join(" ", argv) + " -> " + rc);
        return rc == 0;
    }
}
