package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code ./jcontainer} script as a user runs it: a subprocess with its own stdin, stdout,
 * stderr and signals (the container inherits the descriptors: no copying). Runs after
 * {@code package} (failsafe), with {@code JCONTAINER_NO_BUILD=1} so it never starts a nested build.
 */
class JcontainerScriptIT {
    private static final Path SCRIPT = Path.of("..", "jcontainer").toAbsolutePath().normalize();

    record Proc(int code, String out, String err) {
    }

    private static ProcessBuilder builder(List<String> command) {
        var pb = new ProcessBuilder(command);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        return pb;
    }

    private static List<String> jc(String... args) {
        List<String> l = new ArrayList<>(List.of(SCRIPT.toString()));
        l.addAll(List.of(args));
        return l;
    }

    private static Proc run(ProcessBuilder pb, String stdin) throws Exception {
        Process p = pb.start();
        var out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        var err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./jcontainer did not finish: " + pb.command());
        }
        return new Proc(p.exitValue(), out.get(), err.get());
    }

    private static String drain(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }

    @Test
    void usageErrorsAre125() throws Exception {
        var r = run(builder(jc("run", "--bogus", "true")), "");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).isEqualTo("jcontainer: unknown flag: --bogus\nSee 'jcontainer run --help'.\n");
        assertThat(run(builder(jc("version")), "").out()).startsWith("jcontainer version ");
    }

    /**
     * The AOT cache may only make the CLI faster: one the JVM cannot use (here: not a cache at all,
     * standing for a foreign or stale one; JCONTAINER_JAVA_OPTS comes after the script's own
     * -XX:AOTCache, so it wins) and none at all give the same output and no complaint.
     */
    @Test
    void anUnusableOrMissingAotCacheOnlyCostsSpeed() throws Exception {
        Path bad = Files.createTempFile("jcontainer-bad", ".aot");
        try {
            Files.write(bad, new byte[64 * 1024]);
            var garbage = builder(jc("version"));
            garbage.environment().put("JCONTAINER_JAVA_OPTS", "-XX:AOTCache=" + bad);
            var none = builder(jc("version"));
            none.environment().put("JCONTAINER_AOT", "0");
            for (var pb : List.of(garbage, none, builder(jc("version")))) {
                var r = run(pb, "");
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(r.out()).startsWith("jcontainer version ");
                assertThat(r.err()).isEmpty();
            }
        } finally {
            Files.deleteIfExists(bad);
        }
    }

    /**
     * Each kind of verb starts with its own cache (run --rm its own; a run that keeps its
     * container the whole CLI's), and the JVM really maps it: a cache made with
     * other options or another class path is ignored without a word (the script silences the
     * JVM's complaints), which would only show as a slower start.
     */
    @Test
    void eachVerbStartsWithItsOwnAotCache() throws Exception {
        Path target = SCRIPT.getParent().resolve("jcontainer-cli/target");
        assumeTrue(Files.exists(target.resolve("jcontainer-cli.aot")), "built without the AOT caches (-Djcontainer.aot.skip)");
        Path log = Files.createTempFile("jcontainer-aot", ".log");
        Path state = Files.createTempDirectory("jcontainer-aot-state");
        try {
            for (var c : List.of(List.of("jcontainer-cli-read.aot", "version"), List.of("jcontainer-cli-read.aot", "ps", "-a"),
                    List.of("jcontainer-cli-run.aot", "run", "--rm", "--help"), List.of("jcontainer-cli.aot", "run", "-d", "--rm", "--help"),
                    List.of("jcontainer-cli.aot", "run", "--help"), List.of("jcontainer-cli.aot", "volume", "ls"))) {
                var pb = builder(jc(c.subList(1, c.size()).toArray(String[]::new)));
                pb.environment().put("JCONTAINER_JAVA_OPTS", "-Xlog:aot=info:file=" + log + "::filecount=0"); // filecount=0: overwritten, no rotated copies left behind
                pb.environment().put("JCONTAINER_STATE_DIR", state.toString());
                var r = run(pb, "");
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(Files.readString(log)).as(c.toString()).contains("Opened AOT cache " + target.resolve(c.getFirst()) + ".")
                        .contains("Using AOT-linked classes: true");
            }
        } finally {
            Files.deleteIfExists(log);
            try (var s = Files.walk(state)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /**
     * What a person waits for does not initialise {@code java.math.BigDecimal}: its initialiser
     * squares its way to 5^65536 (45-60 ms of an interpreted read verb, ~30 ms with C1), and it
     * comes with the first Jackson parser. ps and inspect of a running container, and run --rm
     * (with the default seccomp profile, whose 18446744073709551615 is a BigInteger), read their
     * JSON with JsonTrees' own reader: a record or profile that falls back to Jackson shows here.
     */
    @Test
    @RequiresRoot
    void readVerbsAndRunDoNotInitialiseBigDecimal() throws Exception {
        String root = TestRootfs.busybox().toString();
        Path log = Files.createTempFile("jcontainer-init", ".log");
        // a directory of its own around the store: the runtime keeps networks beside the store
        // (../networks), and a store right in /tmp would share /tmp/networks with anything else
        // that ever ran there (ps then reads those networks' records, through Jackson)
        Path top = Files.createTempDirectory("jcontainer-init-state");
        Path state = Files.createDirectories(top.resolve("state"));
        String name = "init-probe-" + ProcessHandle.current().pid();
        try {
            var start = builder(jc("run", "-d", "--name", name, "--rootfs", root, "sleep", "60"));
            start.environment().put("JCONTAINER_STATE_DIR", state.toString());
            var s = run(start, "");
            assertThat(s.code()).as(s.err()).isZero();
            for (var argv : List.of(List.of("ps", "-a"), List.of("inspect", name), List.of("run", "--rm", "--rootfs", root, "true"))) {
                var pb = builder(jc(argv.toArray(String[]::new)));
                pb.environment().put("JCONTAINER_STATE_DIR", state.toString());
                pb.environment().put("JCONTAINER_JAVA_OPTS", "-Xlog:class+init=info:file=" + log + "::filecount=0");
                var r = run(pb, "");
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(Files.readString(log)).as(argv.toString()).contains("Initializing 'io/jcontainer/cli/Cli'")
                        .doesNotContain("'java/math/BigDecimal'");
            }
        } finally {
            var rm = builder(jc("rm", "-f", name));
            rm.environment().put("JCONTAINER_STATE_DIR", state.toString());
            run(rm, "");
            Files.deleteIfExists(log);
            try (var w = Files.walk(top)) {
                for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    @Test
    @RequiresRoot
    void runsOnTheDefaultRootWithInheritedStreams() throws Exception {
        var r = run(builder(jc("run", "--rm", "echo", "hello")), "");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello\n");
        assertThat(r.err()).isEmpty();

        r = run(builder(jc("run", "--rm", "sh", "-c", "echo to-err >&2; exit 3")), "");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("to-err\n");
    }

    @Test
    @RequiresRoot
    void interactiveHandsOverStdin() throws Exception {
        String root = TestRootfs.busybox().toString();
        assertThat(run(builder(jc("run", "-i", "--rootfs", root, "cat")), "piped\nthrough\n").out()).isEqualTo("piped\nthrough\n");
        assertThat(run(builder(jc("run", "--rm", "--rootfs", root, "cat")), "not read\n").out()).isEmpty();
    }

    @Test
    @RequiresRoot
    void exitStatuses() throws Exception {
        String root = TestRootfs.busybox().toString();
        assertThat(run(builder(jc("run", "--rootfs", root, "nope")), "").code()).isEqualTo(127);
        assertThat(run(builder(jc("run", "--rm", "--rootfs", root, "--pid", "host", "sh", "-c", "kill -9 $$")), "").code()).isEqualTo(137);
    }

    @Test
    @RequiresRoot
    void sigtermIsForwardedToTheContainer() throws Exception {
        assertForwarded("TERM", false);
    }

    /** A terminal's Ctrl-C signals the whole foreground process group: the CLI forwards it, nothing else dies. */
    @Test
    @RequiresRoot
    void ctrlCToTheProcessGroupIsForwarded() throws Exception {
        assertForwarded("INT", true);
    }

    private static void assertForwarded(String sig, boolean toGroup) throws Exception {
        String root = TestRootfs.busybox().toString();
        List<String> cmd = new ArrayList<>(List.of("setsid", "env", "--default-signal=" + sig));
        cmd.addAll(jc("run", "--rm", "--rootfs", root, "sh", "-c", "trap 'echo got " + sig + "; exit 7' " + sig + "; echo ready; while :; do sleep 0.1; done"));
        Process p = builder(cmd).start();
        var err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");
            // setsid execs (the child of a JVM is no group leader), so the pid is the CLI's and its group's
            var kill = new ProcessBuilder("kill", "-s", sig, "--", toGroup ? "-" + p.pid() : String.valueOf(p.pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out.readLine()).isEqualTo("got " + sig);
            assertThat(p.exitValue()).as(err.get()).isEqualTo(7);
        } finally {
            p.destroyForcibly();
        }
    }

    /** kill -9 of the CLI cannot be caught: the launcher sees its control socket close and kills the container. */
    @Test
    @RequiresRoot
    void whenTheCliDiesTheContainerDies() throws Exception {
        String root = TestRootfs.busybox().toString();
        Process p = builder(jc("run", "--rm", "--rootfs", root, "sh", "-c", "echo ready; sleep 1000")).start();
        try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");
            List<ProcessHandle> container = p.toHandle().descendants().toList(); // the launcher, sh, sleep
            assertThat(container).isNotEmpty();
            new ProcessBuilder("kill", "-s", "KILL", String.valueOf(p.pid())).start().waitFor();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (container.stream().anyMatch(JcontainerScriptIT::running) && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(container).noneMatch(JcontainerScriptIT::running);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Alive and not a zombie waiting for its new parent to reap it. */
    private static boolean running(ProcessHandle h) {
        try {
            String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    @RequiresRoot
    void withoutAJdk22ItSaysWhatToInstall() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare (util-linux)");
        // A private mount namespace where /usr/lib/jvm is empty, JAVA_HOME unset: no JDK >= 22 anywhere.
        var pb = builder(List.of("unshare", "-m", "sh", "-c",
                "mount -t tmpfs none /usr/lib/jvm && exec env -u JAVA_HOME \"$0\" run --rm echo hello", SCRIPT.toString()));
        var r = run(pb, "");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("jcontainer needs a JDK 22 or later").contains("apt-get install openjdk-25-jdk-headless");
    }
}
