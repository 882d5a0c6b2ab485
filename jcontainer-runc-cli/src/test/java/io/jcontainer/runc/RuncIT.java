package io.jcontainer.runc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ./jcontainer-runc as engines run it: separate processes sharing a --root, on the busybox bundle
 * from shared/bench/busybox-bundle.sh (made here the same way, with runc's own `spec`).
 */
@RequiresRoot
class RuncIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path SCRIPT = Path.of("..", "jcontainer-runc").toAbsolutePath().normalize();

    @TempDir
    static Path shared;
    static Path bundle;

    @TempDir
    Path tmp;
    Path root;
    final List<Process> started = new ArrayList<>();

    record Result(int code, String out, String err) {
    }

    @BeforeAll
    static void busyboxBundle() throws Exception {
        bundle = shared.resolve("bundle");
        Path script = Path.of("..", "..", "shared", "bench", "busybox-bundle.sh").toAbsolutePath().normalize();
        if (!Files.exists(script)) script = Path.of("/work/shared/bench/busybox-bundle.sh");
        Result r = collect(new ProcessBuilder("sh", script.toString(), bundle.toString(), "sh", "-c", "echo hello from $(hostname); exit 3"));
        assertThat(r.code()).as(r.err()).isZero();
    }

    Result runc(String... args) throws Exception {
        return collect(pb(args));
    }

    ProcessBuilder pb(String... args) {
        if (root == null) root = tmp.resolve("root");
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "--root", root.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        return pb;
    }

    static Result collect(ProcessBuilder pb) throws Exception {
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        var err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(pb.command() + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }

    /** A bundle running {@code args} with the busybox root of the shared one. */
    Path bundleRunning(String... args) throws Exception {
        Path b = tmp.resolve("b" + started.size() + System.nanoTime());
        Files.createDirectories(b);
        Files.createSymbolicLink(b.resolve("rootfs"), bundle.resolve("rootfs"));
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        var a = ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("process")).putArray("args");
        for (String s : args) a.add(s);
        Files.writeString(b.resolve("config.json"), cfg.toPrettyString());
        return b;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (root != null && Files.isDirectory(root))
            for (String id : runc("list", "-q").out().split("\n")) if (!id.isBlank()) runc("delete", "--force", id);
        for (Process p : started) {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void busyboxBundleRunsInTheForeground() throws Exception {
        Result r = runc("run", "-b", bundle.toString(), "bb1");
        assertThat(r.out()).isEqualTo("hello from runc\n");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(runc("list", "-q").out()).as("not --keep: the record went with the container").isEmpty();
    }

    @Test
    void runWithATerminalGivesAPtyOfTheContainersDevpts() throws Exception {
        // as runc's tty.bats "runc run [tty ptsname]": fds 0-2 are the container's /dev/pts/0; the
        // container was created without a monitor, we its subreaper: its status is ours
        Path b = bundleRunning("sh", "-c", "for f in /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; do readlink $f; done; exit 6");
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(b.resolve("config.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("process")).put("terminal", true);
        Files.writeString(b.resolve("config.json"), cfg.toString());
        Result r = collect(pb("run", "-b", b.toString(), "tty1").redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
        assertThat(r.code()).as(r.err()).isEqualTo(6);
        assertThat(r.out().replace("\r", "")).isEqualTo("/dev/pts/0\n/dev/pts/0\n/dev/pts/0\n");
        assertThat(runc("list", "-q").out()).as("not --keep: the record went with the container").isEmpty();
    }

    @Test
    void stateListKillDeleteFromOtherProcesses() throws Exception {
        Path b = bundleRunning("sleep", "60");
        Path pidFile = tmp.resolve("pid");
        Process run = pb("run", "--keep", "-pid-file", pidFile.toString(), "-b", b.toString(), "c1")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(tmp.resolve("run.err").toFile()).start();
        started.add(run);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(pidFile) && run.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(pidFile).as(Files.exists(tmp.resolve("run.err")) ? Files.readString(tmp.resolve("run.err")) : "").exists();
        long pid = Long.parseLong(Files.readString(pidFile));

        Result st = runc("state", "c1");
        assertThat(st.code()).as(st.err()).isZero();
        JsonNode state = JSON.readTree(st.out());
        assertThat(Schema.stateErrors(state)).isEmpty();
        assertThat(state.get("id").asText()).isEqualTo("c1");
        assertThat(state.get("status").asText()).isEqualTo("running");
        assertThat(state.get("pid").asLong()).isEqualTo(pid);
        assertThat(state.get("bundle").asText()).isEqualTo(b.toString());

        Result list = runc("list");
        assertThat(list.out()).startsWith("ID").contains("c1").contains("running").contains(Long.toString(pid));
        JsonNode json = JSON.readTree(runc("list", "--format", "json").out());
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("id").asText()).isEqualTo("c1");
        assertThat(runc("ps", "--format", "json", "c1").out().trim()).isEqualTo("[" + pid + "]");

        Result del = runc("delete", "c1");
        assertThat(del.code()).isEqualTo(1);
        assertThat(del.err()).contains("cannot delete container c1 that is not stopped: running");

        Result kill = runc("kill", "c1", "KILL");
        assertThat(kill.code()).as(kill.err()).isZero();
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).isEqualTo(137);

        JsonNode stopped = JSON.readTree(runc("state", "c1").out());
        assertThat(stopped.get("status").asText()).as("--keep: recorded as stopped").isEqualTo("stopped");
        assertThat(Schema.stateErrors(stopped)).isEmpty();
        assertThat(runc("kill", "c1").err()).contains("container not running");
        assertThat(runc("delete", "c1").code()).isZero();
        assertThat(runc("state", "c1").err()).contains("container does not exist");
        assertThat(ProcessHandle.of(pid)).isEmpty();
    }

    @Test
    void signalsByNameAndNumberAndForcedDelete() throws Exception {
        Path b = bundleRunning("sh", "-c", "trap 'exit 42' USR1; while :; do sleep 1; done");
        Path pidFile = tmp.resolve("pid");
        Process run = pb("run", "-pid-file", pidFile.toString(), "-b", b.toString(), "c2")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(run);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(pidFile) && run.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(runc("kill", "c2", "BOGUS").err()).contains("unknown signal \\\"BOGUS\\\"");
        assertThat(runc("kill", "c2", "10").code()).isZero(); // SIGUSR1 by number
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).isEqualTo(42);
        assertThat(runc("list", "-q").out()).isEmpty();

        Path b2 = bundleRunning("sleep", "60");
        Path pid2 = tmp.resolve("pid2");
        Process run2 = pb("run", "--pid-file", pid2.toString(), "--bundle", b2.toString(), "c3")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(run2);
        while (!Files.exists(pid2) && run2.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        Result forced = runc("delete", "--force", "c3");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(run2.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(runc("list", "-q").out()).isEmpty();
    }

    @Test
    void badInputGetsRuncsMessagesAndStatus() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result r = runc("run", "-b", empty.toString(), "x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("level=error msg=\"runc run failed: JSON specification file config.json not found\"");

        r = runc("run", "-b", bundle.toString(), "bad/id");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("invalid container ID format");

        r = runc("state", "nope");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("container does not exist");

        Path unsupported = bundleRunning("true");
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(unsupported.resolve("config.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("process")).put("apparmorProfile", "docker-default");
        Files.writeString(unsupported.resolve("config.json"), cfg.toString());
        r = runc("--log-format", "json", "run", "-b", unsupported.toString(), "x");
        assertThat(r.code()).isEqualTo(1);
        JsonNode line = JSON.readTree(r.err().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertThat(line.get("level").asText()).isEqualTo("error");
        assertThat(line.get("msg").asText()).isEqualTo("runc run failed: process.apparmorProfile: not supported by jcontainer: apparmorProfile (no AppArmor or SELinux support)");

        Files.writeString(unsupported.resolve("config.json"), "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": \"sh\"}}");
        Path logFile = tmp.resolve("runc.log");
        r = runc("--log", logFile.toString(), "run", "-b", unsupported.toString(), "x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(Files.readString(logFile)).contains("process.args: expected an array, got a string");
        assertThat(r.err()).contains("process.args: expected an array, got a string");

        assertThat(runc("--systemd-cgroup", "list").err()).contains("--systemd-cgroup is not supported");
        assertThat(runc("start", "nothing-here").err()).contains("container does not exist");
        assertThat(runc("exec", "nothing-here", "true").err()).contains("container does not exist");
        assertThat(runc("bogus").code()).isEqualTo(3);
        assertThat(runc("list", "-q").out()).isEmpty();

        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Result o = collect(new ProcessBuilder(SCRIPT.toString(), "--root", open.toString(), "list").redirectErrorStream(false));
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).contains("is writable by others");
    }

    @Test
    void pauseAndResumeFromOtherProcesses() throws Exception {
        Path b = bundleRunning("sleep", "60");
        // the freezer needs the container's own cgroup: jcontainer makes one when a limit is set
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(b.resolve("config.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.at("/linux/resources")).putObject("pids").put("limit", 100);
        Files.writeString(b.resolve("config.json"), cfg.toString());
        Path pidFile = tmp.resolve("pid");
        Process run = pb("run", "-pid-file", pidFile.toString(), "-b", b.toString(), "p1")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(run);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(pidFile) && run.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(runc("resume", "p1").err()).contains("container not paused");
        Result p = runc("pause", "p1");
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(JSON.readTree(runc("state", "p1").out()).get("status").asText()).isEqualTo("paused");
        assertThat(runc("list").out()).contains("paused");
        assertThat(runc("resume", "p1").code()).isZero();
        assertThat(JSON.readTree(runc("state", "p1").out()).get("status").asText()).isEqualTo("running");

        // update: flags and --resources, reaching the running container's cgroup
        Result u = runc("update", "--pids-limit", "50", "p1");
        assertThat(u.code()).as(u.err()).isZero();
        Path res = tmp.resolve("res.json");
        Files.writeString(res, "{\"pids\": {\"limit\": 60}}");
        assertThat(runc("update", "--resources", res.toString(), "p1").code()).isZero();
        Files.writeString(res, "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 1}]}");
        Result bad = runc("update", "-r", res.toString(), "p1");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("resources.hugepageLimits: not supported by jcontainer");
        assertThat(runc("delete", "-f", "p1").code()).isZero();
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void prestartHookGetsTheState() throws Exception {
        Path b = bundleRunning("true");
        Path got = tmp.resolve("hook-state.json");
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(b.resolve("config.json").toFile());
        var hook = cfg.putObject("hooks").putArray("prestart").addObject().put("path", "/bin/sh").put("timeout", 10);
        hook.putArray("args").add("sh").add("-c").add("cat > " + got);
        Files.writeString(b.resolve("config.json"), cfg.toString());
        Result r = runc("run", "-b", b.toString(), "h1");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode state = JSON.readTree(got.toFile());
        assertThat(state.get("bundle").asText()).isEqualTo(b.toString());
        assertThat(state.get("pid").asLong()).isPositive();
        assertThat(Schema.stateErrors(state)).isEmpty();
    }

    /**
     * create's container keeps our stdio (stdout and stderr: files here, so nothing waits for the
     * container to close a pipe); runc's own errors are in the stderr file too.
     */
    Result create(Path out, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("create"));
        a.addAll(List.of(args));
        Path errFile = out.resolveSibling(out.getFileName() + ".err");
        ProcessBuilder b = pb(a.toArray(String[]::new)).redirectOutput(out.toFile()).redirectError(errFile.toFile());
        Process p = b.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("create returns while the container waits for its start").isTrue();
        return new Result(p.exitValue(), "", Files.readString(errFile));
    }

    String status(String id) throws Exception {
        Result r = runc("state", id);
        return r.code() != 0 ? r.err() : JSON.readTree(r.out()).get("status").asText();
    }

    void awaitStatus(String id, String want) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!status(id).equals(want) && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(status(id)).isEqualTo(want);
    }

    @Test
    void createStartExecKillDeleteAreSeparateProcesses() throws Exception {
        Path b = bundleRunning("sh", "-c", "echo started; trap 'echo got TERM; exit 42' TERM; while :; do sleep 1; done");
        Path out = tmp.resolve("out"), pidFile = tmp.resolve("pid");
        Result c = create(out, "--bundle", b.toString(), "--pid-file", pidFile.toString(), "--no-new-keyring", "lc1");
        assertThat(c.code()).as(c.err()).isZero();
        JsonNode created = JSON.readTree(runc("state", "lc1").out());
        assertThat(Schema.stateErrors(created)).isEmpty();
        assertThat(created.get("status").asText()).isEqualTo("created");
        long pid = created.get("pid").asLong();
        assertThat(Path.of("/proc/" + pid)).exists();
        // the pid an engine's subreaper waits on: the container's first process, as runc's; nothing
        // of jcontainer stays to keep it (its parent is whoever reaps orphans here, not a launcher)
        assertThat(Long.parseLong(Files.readString(pidFile).strip())).isEqualTo(pid);
        long parent = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(0L);
        assertThat(Files.readString(Path.of("/proc/" + parent + "/cmdline"))).doesNotStartWith("jcontainer-launcher");
        assertThat(Files.readString(out)).as("nothing runs before start").isEmpty();

        Result st = runc("start", "lc1");
        assertThat(st.code()).as(st.err()).isZero();
        assertThat(status("lc1")).isEqualTo("running");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.readString(out).contains("started") && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(Files.readString(out)).as("the container's stdout is the one create was given").isEqualTo("started\n");
        Result again = runc("start", "lc1");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("cannot start an already running container");

        // exec: in its namespaces (pid 1 is its init), our stdio, its exit status
        Result ex = runc("exec", "lc1", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; exit 4");
        assertThat(ex.code()).as(ex.err()).isEqualTo(4);
        assertThat(ex.out()).startsWith("sh -c echo started");
        Path process = tmp.resolve("process.json");
        Files.writeString(process, "{\"args\": [\"sh\", \"-c\", \"echo $X in $(pwd)\"], \"env\": [\"X=from-process-json\"], \"cwd\": \"/tmp\", "
                + "\"user\": {\"uid\": 0, \"gid\": 0}, \"terminal\": false}");
        ex = runc("exec", "--process", process.toString(), "lc1");
        assertThat(ex.code()).as(ex.err()).isZero();
        assertThat(ex.out()).isEqualTo("from-process-json in /tmp\n");
        Path execPid = tmp.resolve("exec.pid");
        // its stdio are ours (files: collect() would wait for the process to close a pipe)
        Process exd = pb("exec", "-d", "--pid-file", execPid.toString(), "lc1", "sleep", "30").redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(tmp.resolve("exec.out").toFile()).redirectError(tmp.resolve("exec.err").toFile()).start();
        assertThat(exd.waitFor(60, TimeUnit.SECONDS)).as("exec -d returns while its process runs").isTrue();
        assertThat(exd.exitValue()).as(Files.readString(tmp.resolve("exec.err"))).isZero();
        // as runc's: the process itself (no monitor stays: our subreaper, or init here, reaps it)
        long execProcess = Long.parseLong(Files.readString(execPid).strip());
        assertThat(Files.readString(Path.of("/proc/" + execProcess + "/cmdline"))).isEqualTo("sleep\u000030\u0000");
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + execProcess + "/ns/pid"))).isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")));
        assertThat(runc("ps", "--format", "json", "lc1").out()).contains(",");

        Result del = runc("delete", "lc1");
        assertThat(del.code()).isEqualTo(1);
        assertThat(del.err()).contains("cannot delete container lc1 that is not stopped: running");

        assertThat(runc("kill", "lc1", "TERM").code()).isZero();
        awaitStatus("lc1", "stopped");
        assertThat(Files.readString(out)).endsWith("got TERM\n");
        assertThat(JSON.readTree(runc("state", "lc1").out()).get("pid").asLong()).isZero();
        assertThat(runc("exec", "lc1", "true").err()).contains("cannot exec in a stopped container");
        assertThat(runc("delete", "lc1").code()).isZero();
        assertThat(runc("state", "lc1").err()).contains("container does not exist");
        assertEndedAndReaped(pid);
        try (var left = Files.list(root.resolve("jcontainer:lifecycle").resolve("containers"))) {
            // the store's lock and event journal stay; no container record does
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))).isEmpty();
        }
    }

    /** A bundle running {@code args} with {@code process.terminal} and a console size. */
    Path terminalBundle(String... args) throws Exception {
        Path b = bundleRunning(args);
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(b.resolve("config.json").toFile());
        var p = (com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("process");
        p.put("terminal", true);
        p.putObject("consoleSize").put("height", 30).put("width", 100);
        Files.writeString(b.resolve("config.json"), cfg.toPrettyString());
        return b;
    }

    /**
     * --console-socket as conmon and containerd's shim use it: create sends the master of a pty
     * from the container's own devpts (so tty says /dev/pts/0) with runc's message, before
     * create returns; the engine reads and writes the terminal; exec -d -t does the same.
     */
    /** Blocking work off the common pool (one thread on 2 CPUs), which collect() reads stderr on. */
    static <T> java.util.concurrent.CompletableFuture<T> async(java.util.concurrent.Callable<T> work) {
        var f = new java.util.concurrent.CompletableFuture<T>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Test
    void consoleSocketGetsTheContainersTerminal() throws Throwable {
        Path b = terminalBundle("sh", "-c", "tty; stty size; read line; echo got $line; sleep 60");
        try (ConsoleReceiver engine = new ConsoleReceiver(tmp.resolve("console.sock"), true)) {
            var received = async(() -> {
                engine.receive();
                return null;
            });
            Result c = create(tmp.resolve("out"), "-b", b.toString(), "--console-socket", engine.path.toString(), "tc1");
            assertThat(c.code()).as(c.err()).isZero();
            received.get(10, TimeUnit.SECONDS); // before create returned, as conmon needs it
            assertThat(engine.name).isEqualTo("/dev/ptmx");
            assertThat(runc("start", "tc1").code()).isZero();
            engine.write("hello\n");
            var output = async(engine::readAll);
            Thread.sleep(1000);
            // exec -d with its own terminal, sent to another socket
            try (ConsoleReceiver engine2 = new ConsoleReceiver(tmp.resolve("exec.sock"), true)) {
                var got = async(() -> {
                    engine2.receive();
                    return null;
                });
                Result ex = runc("exec", "-d", "-t", "--console-socket", engine2.path.toString(), "tc1", "sh", "-c", "tty; echo exec-tty");
                assertThat(ex.code()).as(ex.err()).isZero();
                got.get(10, TimeUnit.SECONDS);
                assertThat(engine2.readAll()).isEqualTo("/dev/pts/1\r\nexec-tty\r\n");
            }
            // a process.json's consoleSize sizes the exec's terminal before it runs (runc's tty.bats "exec [tty consolesize]")
            Path process = tmp.resolve("process.json");
            Files.writeString(process, "{\"terminal\": true, \"consoleSize\": {\"height\": 10, \"width\": 110}, \"args\": [\"busybox\", \"stty\", \"size\"], \"cwd\": \"/\"}");
            try (ConsoleReceiver engine3 = new ConsoleReceiver(tmp.resolve("exec3.sock"), true)) {
                var got = async(() -> {
                    engine3.receive();
                    return null;
                });
                Result ex = runc("exec", "-d", "--console-socket", engine3.path.toString(), "-p", process.toString(), "tc1");
                assertThat(ex.code()).as(ex.err()).isZero();
                got.get(10, TimeUnit.SECONDS);
                assertThat(engine3.readAll()).isEqualTo("10 110\r\n");
            }
            assertThat(runc("kill", "tc1", "KILL").code()).isZero();
            // the terminal echoes "hello" as soon as it is written: before, between or after the shell's
            // first lines, as start returns once the process may go on (runc's start does the same; the
            // start without a JVM returns before the shell has printed anything); always before "got hello"
            assertThat(output.get(30, TimeUnit.SECONDS).replaceFirst("hello\r\n", "")).contains("/dev/pts/0\r\n30 100\r\ngot hello\r\n");
            awaitStatus("tc1", "stopped");
            assertThat(runc("delete", "tc1").code()).isZero();
        }
    }

    /** runc's checks and a socket nobody listens on: runc's messages, status 1, nothing left. */
    @Test
    void consoleSocketErrors() throws Throwable {
        Path b = terminalBundle("true");
        Result r = create(tmp.resolve("o1"), "-b", b.toString(), "tc2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot allocate tty if runc will detach without setting console socket");
        r = create(tmp.resolve("o2"), "-b", bundleRunning("true").toString(), "--console-socket", tmp.resolve("x.sock").toString(), "tc2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot use console socket if runc will not detach or allocate tty");
        r = create(tmp.resolve("o3"), "-b", b.toString(), "--console-socket", tmp.resolve("missing.sock").toString(), "tc2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("missing.sock");
        try (ConsoleReceiver deaf = new ConsoleReceiver(tmp.resolve("deaf.sock"), false)) {
            r = create(tmp.resolve("o4"), "-b", b.toString(), "--console-socket", deaf.path.toString(), "tc2");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("connect(2) on " + deaf.path).contains("ECONNREFUSED");
        }
        assertThat(runc("list", "-q").out()).isBlank();
        try (var left = Files.list(root.resolve("jcontainer:lifecycle").resolve("containers"))) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))).isEmpty();
        }
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(tmp.toString())).toList()).isEmpty();
    }

    @Test
    void aCreatedContainerIsDeletedWithoutEverRunning() throws Exception {
        Path out = tmp.resolve("out");
        Path b = bundleRunning("sh", "-c", "echo should never run");
        assertThat(create(out, "-b", b.toString(), "lc2").code()).isZero();
        long pid = JSON.readTree(runc("state", "lc2").out()).get("pid").asLong();
        assertThat(runc("delete", "lc2").code()).as("runc deletes a created container without --force").isZero();
        assertThat(runc("list", "-q").out()).isBlank();
        assertEndedAndReaped(pid);
        assertThat(Files.readString(out)).isEmpty();
    }

    /**
     * The container's first process has ended and is reaped. Nothing of jcontainer is its parent
     * (as with runc): whoever reaps orphans here does, an engine's subreaper at once, but this
     * machine's init only every few seconds — so until then it may only be a zombie, never running.
     */
    static void assertEndedAndReaped(long pid) throws Exception {
        Path proc = Path.of("/proc/" + pid);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Files.exists(proc) && System.nanoTime() < deadline) {
            String stat;
            try {
                stat = Files.readString(proc.resolve("stat"));
            } catch (java.io.IOException reaped) {
                break;
            }
            assertThat(stat.substring(stat.lastIndexOf(')') + 2).charAt(0)).as("the state of " + proc + " after delete").isEqualTo('Z');
            Thread.sleep(100);
        }
        assertThat(proc).as("reaped by init within 30 s").doesNotExist();
    }

    @Test
    void execRunsInACreatedContainerBeforeItStarts() throws Exception {
        Path out = tmp.resolve("out");
        Path b = bundleRunning("sh", "-c", "echo first process ran");
        assertThat(create(out, "-b", b.toString(), "lc4").code()).isZero();
        // as runc: the created container's namespaces are complete while its process waits for start
        Result exec = runc("exec", "lc4", "sh", "-c", "echo joined; echo $$");
        assertThat(exec.code()).as(exec.err()).isZero();
        assertThat(exec.out()).startsWith("joined\n");
        assertThat(exec.out().lines().toList().getLast()).as("pid in the container's own pid namespace").isNotEqualTo("1");
        assertThat(status("lc4")).as("an exec does not start it").isEqualTo("created");
        assertThat(runc("start", "lc4").code()).isZero();
        awaitStatus("lc4", "stopped");
        assertThat(Files.readString(out)).contains("first process ran");
        assertThat(runc("delete", "lc4").code()).isZero();
    }

    @Test
    void execWithATerminalInTheForeground() throws Exception {
        Path b = bundleRunning("sleep", "60");
        // the container keeps run -d's stdout: a file, not a pipe we would wait on
        Process run = pb("run", "-d", "-b", b.toString(), "lc5")
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(Files.readString(tmp.resolve("err"))).isZero();
        // runc exec -t without a console socket: a pty of the container's own devpts (tty(1) names
        // it, its group is devpts' tty group 5), copied to and from our stdio; the process's status
        Result exec = runc("exec", "-t", "lc5", "sh", "-c", "[ -t 0 ] && [ -t 1 ] && echo terminal; tty; stat -c %g $(tty); exit 5");
        assertThat(exec.code()).as(exec.err()).isEqualTo(5);
        assertThat(exec.out()).startsWith("terminal").contains("/dev/pts/0").contains("\n5");
        assertThat(runc("kill", "lc5", "KILL").code()).isZero();
        awaitStatus("lc5", "stopped");
        assertThat(runc("delete", "lc5").code()).isZero();
    }

    @Test
    void runDetachedReturnsAndTheContainerRunsOn() throws Exception {
        Path b = bundleRunning("sleep", "60");
        Path pidFile = tmp.resolve("pid");
        ProcessBuilder p = pb("run", "-d", "--pid-file", pidFile.toString(), "-b", b.toString(), "lc3")
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile());
        Process run = p.start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(Files.readString(tmp.resolve("err"))).isZero();
        assertThat(status("lc3")).isEqualTo("running");
        assertThat(runc("kill", "--all", "lc3", "KILL").code()).isZero();
        awaitStatus("lc3", "stopped");
        assertThat(runc("delete", "lc3").code()).isZero();
    }

    @Test
    void cgroupsPathPlacesTheContainer() throws Exception {
        String parent = "jcontainer-runc-it-" + ProcessHandle.current().pid();
        Path b = bundleRunning("sleep", "60");
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(b.resolve("config.json").toFile());
        var linux = (com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("linux");
        linux.put("cgroupsPath", "/" + parent + "/lc4");
        linux.putObject("resources").putObject("pids").put("limit", 99);
        Files.writeString(b.resolve("config.json"), cfg.toString());
        Path pids = Path.of("/sys/fs/cgroup/pids").toFile().isDirectory() ? Path.of("/sys/fs/cgroup/pids") : Path.of("/sys/fs/cgroup");
        try {
            assertThat(create(tmp.resolve("out"), "-b", b.toString(), "lc4").code()).isZero();
            long pid = JSON.readTree(runc("state", "lc4").out()).get("pid").asLong();
            assertThat(pids.resolve(parent).resolve("lc4").resolve("pids.max")).hasContent("99");
            assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup"))).contains("/" + parent + "/lc4");
            assertThat(runc("delete", "--force", "lc4").code()).isZero();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Files.exists(pids.resolve(parent).resolve("lc4")) && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(pids.resolve(parent).resolve("lc4")).doesNotExist();
            // a path leaving the cgroup mounts is refused, naming the field
            linux.put("cgroupsPath", "/" + parent + "/../../escape");
            Files.writeString(b.resolve("config.json"), cfg.toString());
            Result bad = create(tmp.resolve("out2"), "-b", b.toString(), "lc5");
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.err()).contains("cgroupsPath");
            assertThat(runc("list", "-q").out()).isBlank();
        } finally {
            // the parent was made in every hierarchy the container got a cgroup in (cpuset too, now): look in all
            Files.deleteIfExists(Path.of("/sys/fs/cgroup", parent));
            try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                for (Path h : hierarchies.toList()) if (!Files.isSymbolicLink(h)) Files.deleteIfExists(h.resolve(parent));
            }
        }
    }

    @Test
    void configFieldsAreHonoured() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("f"), "from the host");
        Path b = bundleRunning("sh", "-c", "cat /data/f; echo; hostname; echo $GREETING; id -u; cd /tmp && pwd; "
                + "mkdir /tmp/x 2>/dev/null && echo made || echo refused; echo no > /data/g 2>/dev/null || echo read-only");
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(b.resolve("config.json").toFile());
        cfg.put("hostname", "from-config");
        var p = (com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("process");
        ((com.fasterxml.jackson.databind.node.ArrayNode) p.get("env")).add("GREETING=hi");
        p.putObject("user").put("uid", 1000).put("gid", 1000);
        p.put("cwd", "/tmp");
        ((com.fasterxml.jackson.databind.node.ArrayNode) cfg.get("mounts")).addObject().put("destination", "/data").put("type", "bind")
                .put("source", data.toString()).putArray("options").add("rbind").add("ro");
        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("linux")).putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW")
                .putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO").put("errnoRet", 1).putArray("names").add("mkdir").add("mkdirat");
        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("root")).put("readonly", false);
        ((com.fasterxml.jackson.databind.node.ArrayNode) cfg.get("mounts")).addObject().put("destination", "/tmp").put("type", "tmpfs")
                .put("source", "tmpfs").putArray("options").add("mode=1777");
        Files.writeString(b.resolve("config.json"), cfg.toString());
        Result r = runc("run", "-b", b.toString(), "f1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("from the host\nfrom-config\nhi\n1000\n/tmp\nrefused\nread-only\n");
    }

    @Test
    void existingIdIsRefused() throws Exception {
        Path b = bundleRunning("sleep", "60");
        Path pidFile = tmp.resolve("pid");
        Process run = pb("run", "-pid-file", pidFile.toString(), "-b", b.toString(), "dup")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(run);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(pidFile) && run.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        Result r = runc("run", "-b", bundle.toString(), "dup");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("runc run failed: container with given ID already exists");
        assertThat(runc("state", "dup").out()).contains("\"running\"");
    }

    @Test
    void specWritesAConfigTheRuntimeRuns() throws Exception {
        Path b = Files.createDirectories(tmp.resolve("spec"));
        assertThat(runc("spec", "--bundle", b.toString()).code()).isZero();
        assertThat(Schema.configErrors(JSON.readTree(b.resolve("config.json").toFile()))).isEmpty();
        Result again = runc("spec", "-b", b.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("File config.json exists. Remove it first");
        Result v = runc("--version");
        assertThat(v.out().lines().limit(3).toList()).satisfiesExactly(
                l -> assertThat(l).startsWith("jcontainer-runc version "),
                l -> assertThat(l).startsWith("commit: "),
                l -> assertThat(l).isEqualTo("spec: 1.2.0"));
        // ./jcontainer oci is the same command
        ProcessBuilder viaCli = new ProcessBuilder(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString(), "oci", "--version");
        viaCli.environment().put("JCONTAINER_NO_BUILD", "1");
        assertThat(collect(viaCli).out()).isEqualTo(v.out());
        JsonNode features = JSON.readTree(runc("features").out());
        assertThat(features.get("ociVersionMax").asText()).isEqualTo("1.2.0");
        assertThat(features.at("/linux/namespaces")).isNotEmpty();
    }
}
