package io.jcontainer.server;

import io.jcontainer.lifecycle.Containers;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import io.jcontainer.spi.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Debian's docker CLI driving real containers through the server over its unix socket: run,
 * ps, logs, exec, top, inspect, stop, rm... The image is a static busybox root served as
 * {@code busybox} (a locally built root: no registry, no Docker Hub).
 */
@RequiresRoot
class ContainersCliTest {
    @TempDir
    static Path dir;
    static ApiServer server;
    static DockerCli docker;
    static Containers containers;
    static Path state;

    @BeforeAll
    static void start() throws Exception {
        if (System.getenv("CI") == null) assumeThat(DockerCli.available()).as("/usr/bin/docker (apt-get install docker.io)").isTrue();
        // short: a container's attach socket lives in its state directory, and unix socket paths end at 107 bytes
        state = Files.createTempDirectory(Path.of("/tmp"), "jcs");
        containers = ContainerRuntime.get().containers(state);
        Path sock = dir.resolve("run/docker.sock");
        server = ApiServer.builder().unixSocket(sock).containers(containers).imageDirectory("busybox", TestRootfs.busybox(), "sh").start();
        docker = DockerCli.unix(sock, Files.createDirectories(dir.resolve("config")));
    }

    @AfterEach
    void removeAll() throws Exception {
        for (var c : containers.list(io.jcontainer.lifecycle.ListQuery.ALL)) {
            try {
                containers.remove(c.id(), true, false);
            } catch (io.jcontainer.lifecycle.Containers.NoSuchContainerException gone) {
                // a --rm container (or the server's own removal after its attach) got there first
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (state != null) try (var walk = Files.walk(state)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /**
     * docker stats as docker's CLI reads it: {@code --no-stream} is one answer whose
     * precpu_stats the server filled (a CPU percentage, not 0.00%), {@code -a} shows a stopped
     * container with zeros, and the stream is one JSON object per second, each carrying the one
     * before as its precpu_stats — which the CLI turns into the CPU % of every frame after the first.
     */
    @Test
    void dockerStatsStreamsOneReadingPerSecondWithTheOneBefore() throws Exception {
        assertThat(docker.run("run", "-d", "--name", "busy", "busybox", "sh", "-c", "while :; do :; done").exit()).isZero();
        assertThat(docker.run("run", "--name", "done", "busybox", "true").exit()).isZero();

        var once = docker.run("stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}}", "busy");
        assertThat(once.exit()).as(once.toString()).isZero();
        assertThat(percent(once.out(), "busy")).as(once.out()).isPositive();
        var all = docker.run("stats", "-a", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}");
        assertThat(all.exit()).as(all.toString()).isZero();
        assertThat(all.out()).contains("done 0.00% 0B / 0B 0\n").contains("busy ");

        // the API's stream: readings a second apart, the second's precpu_stats the first's cpu_stats
        Process curl = new ProcessBuilder("curl", "-sN", "--max-time", "4.5", "--unix-socket", dir.resolve("run/docker.sock").toString(),
                "http://d/v1.41/containers/busy/stats").redirectErrorStream(true).start();
        List<com.fasterxml.jackson.databind.JsonNode> frames = new java.util.ArrayList<>();
        String streamed = new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        curl.waitFor();
        // whole lines only: curl's --max-time may cut the stream inside a frame
        for (String l : streamed.substring(0, streamed.lastIndexOf('\n') + 1).lines().toList())
            frames.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(l));
        assertThat(frames).hasSizeGreaterThanOrEqualTo(2);
        var first = frames.get(0).path("cpu_stats");
        var second = frames.get(1);
        assertThat(frames.get(0).path("precpu_stats").path("system_cpu_usage").asLong()).isZero(); // dockerd's first frame has none
        assertThat(second.path("precpu_stats").path("system_cpu_usage").asLong()).isEqualTo(first.path("system_cpu_usage").asLong());
        assertThat(second.path("precpu_stats").path("cpu_usage").path("total_usage").asLong())
                .isEqualTo(first.path("cpu_usage").path("total_usage").asLong());
        assertThat(second.path("preread").asText()).isEqualTo(frames.get(0).path("read").asText());
        long apart = java.time.Duration.between(java.time.Instant.parse(frames.get(0).path("read").asText()),
                java.time.Instant.parse(second.path("read").asText())).toMillis();
        assertThat(apart).isGreaterThanOrEqualTo(1000);

        // docker's CLI on that stream: frames until interrupted, the CPU % of the later ones from precpu_stats
        Process live = docker.start("stats", "--format", "{{.Name}} {{.CPUPerc}}", "busy");
        List<Double> seen = new java.util.ArrayList<>();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(live.getInputStream()))) {
            for (String l; seen.size() < 3 && (l = out.readLine()) != null; ) {
                var m = java.util.regex.Pattern.compile("busy ([0-9.]+)%").matcher(l);
                if (m.find()) seen.add(Double.parseDouble(m.group(1)));
            }
        } finally {
            live.destroy();
            assertThat(live.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(seen).hasSize(3);
        assertThat(seen.get(2)).as("the third frame's CPU %% of a busy loop: %s", seen).isPositive();
    }

    /** {@code docker logs NAME} once it shows something (up to 30 s). */
    private static DockerCli.Result awaitLogs(String name) throws Exception {
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        DockerCli.Result r;
        while ((r = docker.run("logs", name)).out().isEmpty() && r.exit() == 0 && System.nanoTime() < end) Thread.sleep(50);
        return r;
    }

    private static double percent(String out, String name) {
        var m = java.util.regex.Pattern.compile(name + " ([0-9.]+)%").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void dockerStatsAndUpdate() throws Exception {
        assertThat(docker.run("run", "-d", "--name", "lim", "-m", "64m", "busybox", "sleep", "60").exit()).isZero();
        var stats = docker.run("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", "lim");
        assertThat(stats.exit()).as(stats.toString()).isZero();
        assertThat(stats.out()).matches("lim [\\d.]+[KM]iB / 64MiB 1\n");
        var update = docker.run("update", "-m", "96m", "--pids-limit", "10", "--restart", "on-failure:2", "lim");
        assertThat(update.exit()).as(update.toString()).isZero();
        assertThat(docker.run("stats", "--no-stream", "--format", "{{.MemUsage}}", "lim").out()).endsWith(" / 96MiB\n");
        assertThat(docker.run("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}", "lim").out())
                .isEqualTo((96L << 20) + " 10\n");
        assertThat(containers.stats("lim").pidsLimit()).isEqualTo(10);
    }

    @Test
    void runRemoveEchoes() throws Exception {
        var r = docker.run("run", "--rm", "busybox", "echo", "hi");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("hi\n");
        assertThat(docker.run("ps", "-a", "-q").out()).isEmpty();
    }

    @Test
    void runReportsTheExitCodeAndStderr() throws Exception {
        var r = docker.run("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).isEqualTo("err\n");
    }

    @Test
    void cpInAndOutThroughTheArchiveEndpoints() throws Exception {
        var run = docker.run("run", "-d", "--name", "files", "busybox", "sh", "-c", "mkdir -p /tmp/in; exec sleep 60");
        assertThat(run.exit()).as(run.toString()).isZero();
        Path src = Files.writeString(dir.resolve("tool.sh"), "#!/bin/sh\necho from the host\n");
        Files.setPosixFilePermissions(src, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        var in = docker.run("cp", src.toString(), "files:/tmp/in/");
        assertThat(in.exit()).as(in.toString()).isZero();
        var exec = docker.run("exec", "files", "sh", "-c", "stat -c '%a' /tmp/in/tool.sh; /tmp/in/tool.sh");
        assertThat(exec.out()).isEqualTo("750\nfrom the host\n");

        Path out = Files.createDirectories(dir.resolve("out"));
        var back = docker.run("cp", "files:/tmp/in", out.toString());
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(out.resolve("in/tool.sh")).hasContent("#!/bin/sh\necho from the host");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("in/tool.sh"))))
                .isEqualTo("rwxr-x---");

        var missing = docker.run("cp", "files:/nowhere", out.toString());
        assertThat(missing.exit()).isNotZero();
        // a 404, as dockerd's: the docker CLI words it itself
        assertThat(missing.err()).contains("No such container:path: files:/nowhere");
    }

    @Test
    void detachedPsLogsExecTopInspectStopRm() throws Exception {
        var run = docker.run("run", "-d", "--name", "web", "busybox", "sh", "-c", "echo started; exec sleep 60");
        assertThat(run.exit()).as(run.toString()).isZero();
        String id = run.out().strip();
        assertThat(id).hasSize(64);

        var ps = docker.run("ps");
        assertThat(ps.exit()).as(ps.toString()).isZero();
        assertThat(ps.out()).contains("web").contains("busybox").contains(id.substring(0, 12)).contains("Up ");

        // run -d returns once the container runs, not once its shell has echoed: wait for the line
        var logs = awaitLogs("web");
        assertThat(logs.out()).as(logs.toString()).isEqualTo("started\n");

        var exec = docker.run("exec", "web", "sh", "-c", "echo inside; exit 4");
        assertThat(exec.out()).as(exec.toString()).isEqualTo("inside\n");
        assertThat(exec.exit()).isEqualTo(4);

        var top = docker.run("top", "web");
        assertThat(top.out()).as(top.toString()).contains("sleep 60");

        var state = docker.run("inspect", "-f", "{{.State.Status}} {{.Name}} {{.Config.Image}}", "web");
        assertThat(state.out().strip()).as(state.toString()).isEqualTo("running /web busybox");

        var stop = docker.run("stop", "-t", "1", "web");
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(docker.run("ps", "-a", "--format", "{{.Names}} {{.Status}}").out()).startsWith("web Exited (");

        var rm = docker.run("rm", "web");
        assertThat(rm.exit()).as(rm.toString()).isZero();
        assertThat(docker.run("ps", "-a", "-q").out()).isEmpty();
    }

    @Test
    void createThenStartWaitKillPauseRename() throws Exception {
        var create = docker.run("create", "--name", "later", "busybox", "sleep", "60");
        assertThat(create.exit()).as(create.toString()).isZero();
        assertThat(docker.run("ps", "-a", "--format", "{{.Names}} {{.Status}}").out()).contains("later Created");
        assertThat(docker.run("start", "later").exit()).isZero();
        assertThat(docker.run("pause", "later").exit()).isZero();
        assertThat(docker.run("ps", "--format", "{{.Status}}").out()).contains("(Paused)");
        assertThat(docker.run("unpause", "later").exit()).isZero();
        assertThat(docker.run("rename", "later", "renamed").exit()).isZero();
        assertThat(docker.run("kill", "renamed").exit()).isZero();
        var w = docker.run("wait", "renamed");
        assertThat(w.out().strip()).as(w.toString()).isEqualTo("137");
        assertThat(docker.run("rm", "renamed").exit()).isZero();
    }

    @Test
    void execWithATerminalOfItsOwnAndWithout() throws Exception {
        docker.run("run", "-d", "--name", "box", "busybox", "sleep", "60");
        var e = docker.run("exec", "-e", "GREETING=hello", "-w", "/tmp", "box", "sh", "-c", "echo $GREETING from $(pwd)");
        assertThat(e.out()).as(e.toString()).isEqualTo("hello from /tmp\n");
        var d = docker.run("exec", "-d", "box", "sh", "-c", "echo detached > /tmp/mark.new && mv /tmp/mark.new /tmp/mark");
        assertThat(d.exit()).as(d.toString()).isZero();
        // exec -d returns once the process started, not once it wrote: wait for the file (renamed into place whole)
        var mark = docker.run("exec", "box", "sh", "-c", "timeout 30 sh -c 'until [ -e /tmp/mark ]; do sleep 0.05; done'; cat /tmp/mark");
        assertThat(mark.out()).as(mark.toString()).isEqualTo("detached\n");
    }

    @Test
    void eventsBetweenTwoTimes() throws Exception {
        long since = System.currentTimeMillis() / 1000 - 1;
        assertThat(docker.run("run", "--rm", "--name", "ev", "busybox", "true").exit()).isZero();
        long until = System.currentTimeMillis() / 1000 + 1;
        var ev = docker.run("events", "--since", String.valueOf(since), "--until", String.valueOf(until), "--filter", "container=ev",
                "--format", "{{.Action}}");
        assertThat(ev.exit()).as(ev.toString()).isZero();
        // (die and destroy are journalled by whoever looks next in the lifecycle API: not asserted here)
        assertThat(ev.out().lines().toList()).contains("create", "start");
    }

    @Test
    void aClientGoneMidAttachLeavesTheContainerRunning() throws Exception {
        docker.run("run", "-d", "--name", "stay", "busybox", "sh", "-c", "while true; do echo tick; sleep 0.2; done");
        Process attach = docker.start("attach", "--no-stdin", "stay");
        try (var in = attach.getInputStream()) {
            assertThat(new String(in.readNBytes(5))).isEqualTo("tick\n");
        } finally {
            attach.destroyForcibly().waitFor(); // the client vanishes mid-attach
        }
        int before = docker.run("logs", "stay").out().length();
        // it goes on writing after its client vanished (a tick every 0.2 s: waited for, not slept for)
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        int after;
        while ((after = docker.run("logs", "stay").out().length()) <= before && System.nanoTime() < end) Thread.sleep(100);
        assertThat(after).isGreaterThan(before);
        assertThat(docker.run("inspect", "-f", "{{.State.Running}}", "stay").out().strip()).isEqualTo("true");
    }

    @Test
    void logsFollowUntilTheContainerEndsAndTheSystemVerbsCountIt() throws Exception {
        assertThat(docker.run("run", "-d", "--name", "talk", "busybox", "sh", "-c", "echo a; sleep 1; echo b >&2").exit()).isZero();
        var info = docker.run("info", "--format", "{{.Containers}}");
        assertThat(info.out().strip()).as(info.toString()).isEqualTo("1");
        var f = docker.run("logs", "-f", "talk");
        assertThat(f.exit()).as(f.toString()).isZero();
        assertThat(f.out()).isEqualTo("a\n");
        assertThat(f.err()).isEqualTo("b\n");
        var df = docker.run("system", "df", "--format", "{{.Type}} {{.TotalCount}}");
        assertThat(df.out()).as(df.toString()).contains("Containers 1");
    }

    @Test
    void overTlsTcpOnLoopback() throws Exception {
        TestCerts certs = TestCerts.make(dir.resolve("certs"));
        try (ApiServer tls = ApiServer.builder().noUnixSocket().tcp("127.0.0.1", 0).tls(certs.ca, certs.serverCert, certs.serverKey)
                .containers(containers).imageDirectory("busybox", TestRootfs.busybox(), "sh").start()) {
            DockerCli overTls = new DockerCli(java.util.Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + tls.tcpAddress().orElseThrow().getPort(),
                    "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.ca.getParent().toString(),
                    "DOCKER_CONFIG", dir.resolve("config").toString()));
            var r = overTls.run("run", "--rm", "busybox", "echo", "over tls");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).isEqualTo("over tls\n");
            assertThat(overTls.run("run", "-d", "--name", "tlsbox", "busybox", "sleep", "60").exit()).isZero();
            assertThat(overTls.run("ps", "--format", "{{.Names}}").out()).contains("tlsbox");
            assertThat(overTls.run("logs", "tlsbox").exit()).isZero();
            assertThat(overTls.run("stop", "-t", "1", "tlsbox").exit()).isZero();
            assertThat(overTls.run("rm", "tlsbox").exit()).isZero();
        }
    }

    @Test
    void refusesWhatItCannotDoInDockersWords() throws Exception {
        // (nothing here may publish a port or join a bridge: this test runs in the machine's network namespace)
        var p = docker.run("run", "--rm", "--link", "db:db", "busybox", "true");
        assertThat(p.exit()).isNotZero();
        assertThat(p.err()).contains("not supported");
        // a registry on a closed loopback port: the pull the missing image causes stays on this host (not Docker Hub)
        var img = docker.run("run", "--rm", "127.0.0.1:1/no-such-image", "true");
        assertThat(img.exit()).isNotZero();
        assertThat(img.err()).contains("no-such-image");
        var gone = docker.run("logs", "nothing-here");
        assertThat(gone.err()).contains("No such container: nothing-here");
    }

    /**
     * Prune's label filters (Testcontainers without Ryuk prunes its session's things by label when
     * its JVM ends): only what matches goes, and a filter the server does not know is refused.
     */
    @Test
    void pruneRemovesOnlyWhatItsLabelFiltersMatch() throws Exception {
        assertThat(docker.run("run", "--name", "mine", "--label", "session=a", "busybox", "true").exit()).isZero();
        assertThat(docker.run("run", "--name", "theirs", "--label", "session=b", "busybox", "true").exit()).isZero();
        var prune = docker.run("container", "prune", "-f", "--filter", "label=session=a");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(docker.run("ps", "-a", "--format", "{{.Names}}").out()).isEqualTo("theirs\n");

        assertThat(docker.run("volume", "create", "--label", "session=a", "va").exit()).isZero();
        assertThat(docker.run("volume", "create", "--label", "session=b", "vb").exit()).isZero();
        var volumes = docker.run("volume", "prune", "-f", "--filter", "all=true", "--filter", "label=session=a");
        assertThat(volumes.out()).as(volumes.toString()).isEqualTo("Deleted Volumes:\nva\n\nTotal reclaimed space: 0B\n");
        assertThat(docker.run("volume", "ls", "-q").out()).isEqualTo("vb\n");
        assertThat(docker.run("volume", "rm", "vb").exit()).isZero();

        var until = docker.run("container", "prune", "-f", "--filter", "until=1h");
        assertThat(until.exit()).as(until.toString()).isZero();
        assertThat(docker.run("ps", "-a", "--format", "{{.Names}}").out()).isEqualTo("theirs\n"); // made within the hour: kept
        var unknown = docker.run("container", "prune", "-f", "--filter", "status=exited");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("status");
        var images = docker.run("image", "prune", "-a", "-f", "--filter", "label=session=a");
        assertThat(images.exit()).isNotZero();
        assertThat(images.err()).contains("not supported yet");
    }
}
