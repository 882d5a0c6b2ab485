package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle verbs through ./jcontainer itself, one process per invocation: a detached
 * container outlives the CLI that started it and is listed, exec'd into, logged, stopped and
 * removed by later ones; bad requests get docker's messages and exit codes and change nothing.
 */
@RequiresRoot
class LifecycleIT {
    @TempDir
    Path state;

    @org.junit.jupiter.api.AfterEach
    void removeEverything() throws Exception {
        for (String id : cli("ps", "-a", "-q", "--no-trunc").out().split("\n")) if (!id.isBlank()) cli("rm", "-f", id);
    }

    Result cli(String... args) throws Exception {
        return CliProcess.run(state, args);
    }

    @Test
    void createInOneProcessStartInAnother() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        Result create = cli("create", "--name", "later", "--rootfs", rootfs, "/bin/sh", "-c", "echo started-$((6*7)); exit 4");
        assertThat(create.code()).as(create.err()).isZero();
        String id = create.out().trim();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(cli("ps", "-a").out()).contains("later").contains("Created");
        assertThat(cli("ps", "-q").out()).isEmpty(); // not running
        assertThat(cli("logs", "later").out()).isEmpty(); // it waits before exec: nothing ran
        assertThat(cli("start", "later").code()).isZero();
        assertThat(cli("wait", "later").out()).isEqualTo("4\n");
        assertThat(cli("logs", "later").out()).isEqualTo("started-42\n");
        // one whose start never comes: listed as created, removed cleanly
        assertThat(cli("create", "--name", "never", "--rootfs", rootfs, "/bin/true").code()).isZero();
        assertThat(cli("inspect", "-f", "{{.State.Status}}", "never").out()).isEqualTo("created\n");
        assertThat(cli("rm", "never").code()).isZero();
        assertThat(cli("ps", "-a", "--format", "{{.Names}}").out()).isEqualTo("later\n");
    }

    @Test
    void runWithoutRmKeepsTheContainerAsDocker() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        Result run = cli("run", "--name", "kept", "--rootfs", rootfs, "/bin/sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(run.code()).as(run.err()).isEqualTo(3);
        assertThat(run.out()).isEqualTo("out\n");
        assertThat(run.err()).isEqualTo("err\n");
        assertThat(cli("ps", "-a").out()).contains("kept").contains("Exited (3)");
        assertThat(cli("logs", "kept").out()).isEqualTo("out\n");
        assertThat(cli("start", "kept").code()).isZero();
        assertThat(cli("wait", "kept").out()).isEqualTo("3\n");
        assertThat(cli("logs", "kept").out()).isEqualTo("out\nout\n");
        assertThat(cli("inspect", "kept").out()).contains("\"ExitCode\" : 3").contains("\"Cmd\" : [ \"/bin/sh\", \"-c\"");
        // --rm, and -i (whose end of input must reach the payload's stdin), leave nothing
        assertThat(cli("run", "--rm", "--rootfs", rootfs, "/bin/true").code()).isZero();
        assertThat(cli("ps", "-a", "-q").out().lines().count()).isEqualTo(1);
    }

    @Test
    void aDetachedContainerSurvivesTheCliAndIsManagedByLaterInvocations() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        Result run = cli("run", "-d", "--name", "lc", "--rootfs", rootfs, "/bin/sh", "-c", "echo hello; echo oops >&2; sleep 1000 & wait");
        assertThat(run.code()).as(run.err()).isZero();
        String id = run.out().trim();
        assertThat(id).matches("[0-9a-f]{64}");

        Result ps = cli("ps");
        assertThat(ps.out().lines().findFirst().orElseThrow()).matches("CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES");
        assertThat(ps.out()).contains(id.substring(0, 12)).contains("Up ").contains("lc");
        assertThat(cli("ps", "-q", "--no-trunc").out()).isEqualTo(id + "\n");

        assertThat(cli("logs", "lc").out()).isEqualTo("hello\n");
        assertThat(cli("logs", "lc").err()).isEqualTo("oops\n");
        assertThat(cli("logs", "-t", "--tail", "2", id.substring(0, 6)).out()).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z hello\n");

        Result exec = cli("exec", "-e", "X=42", "lc", "/bin/sh", "-c", "echo $X $(cat /proc/1/comm); exit 3");
        assertThat(exec.code()).as(exec.err()).isEqualTo(3);
        assertThat(exec.out()).isEqualTo("42 sh\n");

        java.nio.file.Files.writeString(state.resolve("in.txt"), "copied in");
        assertThat(cli("cp", state.resolve("in.txt").toString(), "lc:/tmp/in.txt").code()).isZero();
        assertThat(cli("cp", "lc:/tmp/in.txt", state.resolve("out.txt").toString()).code()).isZero();
        assertThat(state.resolve("out.txt")).hasContent("copied in");
        // docker's rules: onto an existing directory, dest/basename; -a and -L are accepted
        java.nio.file.Path outDir = java.nio.file.Files.createDirectories(state.resolve("outdir"));
        assertThat(cli("cp", "-a", "-L", "lc:/tmp/in.txt", outDir.toString()).code()).isZero();
        assertThat(outDir.resolve("in.txt")).hasContent("copied in");
        Result fifo = cli("cp", "lc:/dev/null", outDir.toString());
        assertThat(fifo.code()).isEqualTo(1);
        assertThat(fifo.err()).contains("a character device");

        assertThat(cli("top", "lc").out()).startsWith("UID").contains("sleep 1000");
        assertThat(cli("inspect", "lc").out()).contains("\"Id\" : \"" + id + "\"").contains("\"Status\" : \"running\"");

        Result dup = cli("run", "-d", "--name", "lc", "--rootfs", rootfs, "/bin/true");
        assertThat(dup.code()).isEqualTo(125);
        assertThat(dup.err()).contains("Conflict. The container name \"/lc\" is already in use by container \"" + id + "\"");
        Result rmRunning = cli("rm", "lc");
        assertThat(rmRunning.code()).isEqualTo(1);
        assertThat(rmRunning.err()).contains("You cannot remove a running container " + id);

        Result stop = cli("stop", "-t", "1", "lc");
        assertThat(stop.code()).as(stop.err()).isZero();
        assertThat(stop.out()).isEqualTo("lc\n");
        assertThat(cli("ps", "-a").out()).contains("Exited (137)");
        assertThat(cli("ps").out().lines().count()).isEqualTo(1); // the header only
        assertThat(cli("wait", "lc").out()).isEqualTo("137\n");

        Result start = cli("start", "lc");
        assertThat(start.code()).as(start.err()).isZero();
        assertThat(cli("ps").out()).contains(id.substring(0, 12)).contains("Up "); // same id, same name
        assertThat(cli("logs", "lc").out()).isEqualTo("hello\nhello\n"); // the log continues
        Result restart = cli("restart", "-t", "0", "lc");
        assertThat(restart.code()).as(restart.err()).isZero();
        assertThat(cli("ps", "-q").out()).isEqualTo(id.substring(0, 12) + "\n");
        assertThat(cli("stop", "-t", "0", "lc").code()).isZero();

        Result execStopped = cli("exec", "lc", "/bin/true");
        assertThat(execStopped.code()).isEqualTo(1);
        assertThat(execStopped.err()).contains("container " + id + " is not running");

        assertThat(cli("rm", "lc").code()).isZero();
        assertThat(cli("ps", "-a", "-q").out()).isEmpty();
        Result none = cli("stop", "lc");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("No such container: lc");
    }
}
