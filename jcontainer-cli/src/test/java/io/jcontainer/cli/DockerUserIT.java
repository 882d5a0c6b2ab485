package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a docker user trips over (issue 18), through ./jcontainer itself: --init's PID 1 name,
 * OOMKilled of a detached container, start -a of a command that ends at once, -H/DOCKER_HOST naming no daemon,
 * --format on the other verbs, UTF-8 output under LANG=C.
 */
@RequiresRoot
class DockerUserIT {
    @TempDir
    Path state;

    @AfterEach
    void removeEverything() throws Exception {
        CliProcess.removeAll(state);
    }

    Result cli(String... args) throws Exception {
        return CliProcess.run(state, args);
    }

    @Test
    void initIsNamedInsideTheContainer() throws Exception {
        Result r = cli("run", "--rm", "--init", "sh", "-c", "cat /proc/1/comm; tr '\\0' ' ' </proc/1/cmdline; echo");
        assertThat(r.code()).as(r.err()).isZero();
        // the command line keeps the launcher's argument area: NULs after the name
        assertThat(r.out().lines().map(String::strip).toList()).containsExactly("jcontainer-init", "jcontainer-init");
    }

    /**
     * A JVM inside a -m 256m --cpus 1 container sizes itself by the container's limits: it finds
     * its own cgroups as the roots of /sys/fs/cgroup (read-only). The host's JDK, read-only, runs
     * a source file from a read-only bind.
     */
    @Test
    void aJvmInsideSeesTheContainersLimits(@TempDir Path app) throws Exception {
        java.nio.file.Files.writeString(app.resolve("Limits.java"), "class Limits { public static void main(String[] a) {"
                + " System.out.println(Runtime.getRuntime().maxMemory() + \" \" + Runtime.getRuntime().availableProcessors()); } }");
        String jdk = System.getProperty("java.home");
        Result r = cli("run", "--rm", "-m", "256m", "--cpus", "1", "-v", jdk + ":/jdk:ro", "-v", app + ":/app:ro",
                "/jdk/bin/java", "-Xshare:off", "/app/Limits.java");
        assertThat(r.code()).as(r.err()).isZero();
        String[] f = r.out().trim().split(" ");
        assertThat(Long.parseLong(f[0])).as(r.out()).isLessThanOrEqualTo(256L << 20).isGreaterThan(16L << 20);
        assertThat(Integer.parseInt(f[1])).isEqualTo(1);
        Result ro = cli("run", "--rm", "-m", "256m", "sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max;"
                + " echo 1 > /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || echo 1 > /sys/fs/cgroup/memory.max 2>/dev/null || echo refused");
        assertThat(ro.out()).as(ro.err()).isEqualTo("268435456\nrefused\n");
    }

    @Test
    void aDetachedContainerEndedByTheOomKillerIsOomKilled() throws Exception {
        Result run = cli("run", "-d", "--name", "oom", "-m", "32m", "--memory-swap", "32m", "sh", "-c", "x=a; while :; do x=$x$x; done");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(cli("wait", "oom").out()).isEqualTo("137\n");
        assertThat(cli("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "oom").out()).isEqualTo("true 137\n");
        // docker's other inspect fields scripts read, with docker's types
        assertThat(cli("inspect", "-f", "{{.RestartCount}} {{json .State.Health}} {{.HostConfig.RestartPolicy.Name}}"
                + " {{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.HostConfig.Memory}} {{.HostConfig.Privileged}} {{json .HostConfig.PortBindings}}"
                + " {{.HostConfig.ShmSize}} {{json .HostConfig.Dns}}", "oom").out())
                .isEqualTo("0 null no 0 33554432 false {} 67108864 []\n");
        // one that ends by itself is not
        assertThat(cli("run", "-d", "--name", "fine", "-m", "32m", "sh", "-c", "exit 2").code()).isZero();
        assertThat(cli("wait", "fine").out()).isEqualTo("2\n");
        assertThat(cli("inspect", "-f", "{{.State.OOMKilled}}", "fine").out()).isEqualTo("false\n");
    }

    @Test
    void startAttachedPrintsWhatACommandThatEndsAtOnceWroteAndReturnsItsCode() throws Exception {
        assertThat(cli("create", "--name", "quick", "sh", "-c", "echo out; echo err >&2; exit 3").code()).isZero();
        Result first = cli("start", "-a", "quick");
        assertThat(first.code()).as(first.err()).isEqualTo(3);
        assertThat(first.out()).isEqualTo("out\n");
        assertThat(first.err()).isEqualTo("err\n");
        // again, once exited: only this run's output, and with -i too
        Result again = cli("start", "-a", "quick");
        assertThat(again.code()).isEqualTo(3);
        assertThat(again.out()).isEqualTo("out\n");
        Result interactive = cli("start", "-ai", "quick");
        assertThat(interactive.code()).isEqualTo(3);
        assertThat(interactive.out()).isEqualTo("out\n");
    }

    @Test
    void aRemoteDaemonNobodyServesIsNamedInTheError() throws Exception {
        // -H and DOCKER_HOST make the CLI a client (RemoteCliIT drives a real service); a daemon
        // that is not there is docker's "Cannot connect" with the address, exit 1
        String nowhere = "unix://" + Path.of("/nonexistent-jcontainer-test/docker.sock");
        Result h = cli("-H", nowhere, "ps");
        assertThat(h.code()).isEqualTo(1);
        assertThat(h.err()).contains("Cannot connect to the Docker daemon at " + nowhere);
        ProcessBuilder pb = command("ps");
        pb.environment().put("DOCKER_HOST", nowhere);
        Result env = CliProcess.collect(pb, "DOCKER_HOST=... ps");
        assertThat(env.code()).isEqualTo(1);
        assertThat(env.err()).contains("Cannot connect to the Docker daemon at " + nowhere);
    }

    @Test
    void nonAsciiOutputSurvivesACLocale() throws Exception {
        ProcessBuilder pb = command("run", "--rm", "sh", "-c", "echo 'héllo ✓'");
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        Result r = CliProcess.collect(pb, "run under LANG=C");
        assertThat(r.out()).as(r.err()).isEqualTo("héllo ✓\n");
        ProcessBuilder refused = command("run", "--rm", "--name", "nï", "true");
        refused.environment().put("LANG", "C");
        refused.environment().put("LC_ALL", "C");
        assertThat(CliProcess.collect(refused, "a bad name under LANG=C").err()).contains("'nï'"); // the CLI's own (Java) output
    }

    @Test
    void formatOnImagesVolumesInfoAndVersion() throws Exception {
        assertThat(cli("volume", "create", "--label", "k=v", "fmtvol").code()).isZero();
        try {
            assertThat(cli("volume", "ls", "--format", "table {{.Name}}\t{{.Driver}}").out())
                    .isEqualTo("VOLUME NAME   DRIVER\nfmtvol        local\n");
            assertThat(cli("volume", "ls", "--format", "{{.Name}} {{.Labels}} {{upper .Scope}}").out()).isEqualTo("fmtvol k=v LOCAL\n");
            assertThat(cli("volume", "ls", "--format", "{{json .}}").out()).startsWith("{\"Availability\":\"N/A\",\"Driver\":\"local\"");
        } finally {
            cli("volume", "rm", "fmtvol");
        }
        Result images = cli("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}");
        assertThat(images.code()).as(images.err()).isZero();
        assertThat(cli("images", "--format", "table").out()).startsWith("REPOSITORY   TAG       IMAGE ID   CREATED   SIZE");
        String kernel = System.getProperty("os.version");
        assertThat(cli("info", "--format", "{{.KernelVersion}} {{.OSType}} {{if .NCPU}}cpus{{end}}").out()).isEqualTo(kernel + " linux cpus\n");
        assertThat(cli("info", "-f", "{{json .SecurityOptions}}").out()).contains("name=seccomp,profile=builtin");
        assertThat(cli("info", "-f", "{{.Containers}} {{join .SecurityOptions \",\"}}").out()).startsWith("0 name=seccomp");
        assertThat(cli("version", "--format", "{{.Client.Os}}/{{lower .Server.Os}}").out()).isEqualTo("linux/linux\n");
        assertThat(cli("version", "--format", "{{index .Client \"Os\"}}").out()).isEqualTo("linux\n");
        Result bad = cli("info", "--format", "{{.KernelVersion");
        assertThat(bad.code()).isEqualTo(125);
        assertThat(bad.err()).contains("template parsing error: template: :1: unclosed action");
        Result unknown = cli("version", "--format", "{{template \"x\"}}");
        assertThat(unknown.code()).isEqualTo(125);
        assertThat(unknown.err()).contains("template");
    }

    @Test
    void psFiltersAndTopWithPsOptions() throws Exception {
        assertThat(cli("volume", "create", "fv").code()).isZero();
        assertThat(cli("run", "-d", "--name", "first", "-v", "fv:/data", "--network", "host", "sh", "-c", "sleep 60 & sleep 61").code()).isZero();
        assertThat(cli("run", "-d", "--name", "second", "--label", "a=b", "sleep", "62").code()).isZero();
        assertThat(cli("create", "--name", "third", "true").code()).isZero();
        assertThat(names("volume=fv")).isEqualTo("first");
        assertThat(names("volume=/data")).isEqualTo("first");
        assertThat(names("before=second")).isEqualTo("first");
        assertThat(names("since=first")).isEqualTo("third second");
        assertThat(names("network=host")).isEqualTo("first");
        assertThat(names("network=none")).isEqualTo("third second"); // jcontainer's default network mode
        assertThat(names("ancestor=<default>")).isEqualTo("third second first");
        assertThat(names("health=none", "status=running")).isEqualTo("second first");
        assertThat(names("isolation=default", "is-task=false", "label=a")).isEqualTo("second");
        assertThat(names("is-task=true")).isEmpty();
        assertThat(names("publish=80/tcp")).isEmpty();
        assertThat(names("expose=8000-8080")).isEmpty();
        Result bad = cli("ps", "--filter", "health=sick");
        assertThat(bad.code()).isEqualTo(125);
        assertThat(bad.err()).contains("invalid filter 'health=sick'");
        Result noSuch = cli("ps", "--filter", "before=nothing");
        assertThat(noSuch.code()).isEqualTo(1);
        assertThat(noSuch.err()).contains("No such container: nothing");

        Result ef = cli("top", "first");
        assertThat(ef.out().lines().findFirst().orElseThrow()).matches("UID +PID +PPID +C +STIME +TTY +TIME +CMD");
        Result o = cli("top", "first", "-o", "pid,user,comm,args");
        assertThat(o.code()).as(o.err()).isZero();
        List<String> lines = o.out().lines().toList();
        assertThat(lines.getFirst()).matches("PID +USER +COMMAND +COMMAND");
        assertThat(lines).hasSize(4).anyMatch(l -> l.matches("\\d+ +root +sleep +sleep 61"));
        Result aux = cli("top", "first", "aux");
        assertThat(aux.out().lines().findFirst().orElseThrow()).matches("USER +PID +%CPU +%MEM +VSZ +RSS +TTY +STAT +START +TIME +COMMAND");
        assertThat(aux.out()).contains("sh -c sleep 60 & sleep 61");
        assertThat(cli("top", "first", "-ef").out()).isEqualTo(ef.out().replaceAll("\\d\\d:\\d\\d:\\d\\d", "00:00:00"));
        Result refused = cli("top", "first", "-L");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("ps option '-L' is not supported");
        assertThat(cli("rm", "-f", "first", "second", "third").code()).isZero();
        assertThat(cli("volume", "rm", "fv").code()).isZero();
    }

    private String names(String... filters) throws Exception {
        List<String> args = new ArrayList<>(List.of("ps", "-a", "--format", "{{.Names}}"));
        for (String f : filters) args.addAll(List.of("--filter", f));
        Result r = cli(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return String.join(" ", r.out().lines().toList());
    }

    private ProcessBuilder command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_STATE_DIR", state.toString());
        return pb;
    }
}
