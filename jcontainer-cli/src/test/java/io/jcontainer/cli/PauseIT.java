package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pause}/{@code unpause} through ./jcontainer, one process per invocation: a detached
 * container started by one CLI is frozen by the next through its cgroup freezer. A counter the
 * payload writes to a bind-mounted host directory shows whether it runs (no timing asserted:
 * "did not change while frozen", "changed after thaw").
 */
@RequiresRoot
class PauseIT {
    @TempDir
    Path state;
    @TempDir
    Path out;

    @AfterEach
    void removeEverything() throws Exception {
        CliProcess.removeAll(state);
    }

    CliProcess.Result cli(String... args) throws Exception {
        return CliProcess.run(state, args);
    }

    /** run -d of a busybox loop writing an increasing counter to {@code dir/n}; returns the id. */
    String counter(String name, Path dir) throws Exception {
        CliProcess.Result run = cli("run", "-d", "--name", name, "-v", dir + ":/out", "--rootfs", TestRootfs.busybox().toString(), "/bin/sh", "-c",
                "i=0; while :; do i=$((i+1)); echo $i > /out/n.tmp; mv /out/n.tmp /out/n; sleep 0.02; done");
        assertThat(run.code()).as(run.err()).isZero();
        return run.out().trim();
    }

    static long count(Path dir) throws Exception {
        for (int i = 0; ; i++) {
            try {
                return Long.parseLong(Files.readString(dir.resolve("n")).trim());
            } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
                if (i > 1500) throw e;
                Thread.sleep(20);
            }
        }
    }

    static boolean advancesPast(Path dir, long from) throws Exception {
        for (int i = 0; i < 1500; i++) {
            if (count(dir) > from) return true;
            Thread.sleep(20);
        }
        return false;
    }

    static List<String> cgroupPaths(String inspect) {
        Matcher m = Pattern.compile("\"CgroupPaths\" : \\[([^]]*)]").matcher(inspect);
        assertThat(m.find()).as(inspect).isTrue();
        List<String> dirs = new ArrayList<>();
        Matcher q = Pattern.compile("\"([^\"]+)\"").matcher(m.group(1));
        while (q.find()) dirs.add(q.group(1));
        return dirs;
    }

    @Test
    void aLaterInvocationFreezesAndThawsADetachedContainer() throws Exception {
        String id = counter("pz", out);
        assertThat(advancesPast(out, count(out))).isTrue();
        List<String> cgroups = cgroupPaths(cli("inspect", "pz").out());
        assertThat(cgroups).anyMatch(d -> d.contains("/freezer/"));

        CliProcess.Result pause = cli("pause", "pz");
        assertThat(pause.code()).as(pause.err()).isZero();
        assertThat(pause.out()).isEqualTo("pz\n");
        long frozenAt = count(out);
        Thread.sleep(400);
        assertThat(count(out)).as("the counter of a paused container").isEqualTo(frozenAt);

        assertThat(cli("ps").out()).containsPattern("Up [^\n]* \\(Paused\\) +pz");
        assertThat(cli("ps", "-q", "--filter", "status=paused").out()).isEqualTo(id.substring(0, 12) + "\n");
        assertThat(cli("ps", "-q", "--filter", "status=running").out()).isEmpty();
        String inspect = cli("inspect", "pz").out();
        assertThat(inspect).contains("\"Status\" : \"paused\"").contains("\"Running\" : true").contains("\"Paused\" : true");

        CliProcess.Result exec = cli("exec", "pz", "/bin/true");
        assertThat(exec.code()).isEqualTo(1);
        assertThat(exec.err()).isEqualTo("jcontainer: Error response from daemon: Container " + id
                + " is paused, unpause the container before exec\n");
        CliProcess.Result again = cli("pause", "pz");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.out()).isEmpty();
        assertThat(again.err()).isEqualTo("Error response from daemon: container " + id + " is already paused\n");

        CliProcess.Result unpause = cli("unpause", id.substring(0, 8));
        assertThat(unpause.code()).as(unpause.err()).isZero();
        assertThat(unpause.out()).isEqualTo(id.substring(0, 8) + "\n");
        assertThat(advancesPast(out, frozenAt)).as("the counter after unpause").isTrue();
        assertThat(cli("ps").out()).doesNotContain("Paused");
        assertThat(cli("inspect", "pz").out()).contains("\"Status\" : \"running\"").contains("\"Paused\" : false");
        CliProcess.Result notPaused = cli("unpause", "pz");
        assertThat(notPaused.code()).isEqualTo(1);
        assertThat(notPaused.err()).isEqualTo("Error response from daemon: Container " + id + " is not paused\n");

        // stop of a paused container: sh cannot act on SIGTERM while frozen; after the grace it is SIGKILLed and thawed
        assertThat(cli("pause", "pz").code()).isZero();
        CliProcess.Result stop = cli("stop", "-t", "1", "pz");
        assertThat(stop.code()).as(stop.err()).isZero();
        assertThat(stop.out()).isEqualTo("pz\n");
        assertThat(cli("ps", "-a").out()).contains("Exited (137)").doesNotContain("Paused");
        CliProcess.Result stopped = cli("pause", "pz");
        assertThat(stopped.code()).isEqualTo(1);
        assertThat(stopped.err()).isEqualTo("Error response from daemon: container " + id + " is not running\n");

        assertThat(cli("rm", "pz").code()).isZero();
        assertThat(cgroups).allSatisfy(d -> assertThat(Path.of(d)).doesNotExist());
    }

    @Test
    void killAndForcedRemovalEndPausedContainers() throws Exception {
        Path a = Files.createDirectory(out.resolve("a")), b = Files.createDirectory(out.resolve("b"));
        counter("pk", a);
        String removed = counter("pr", b);
        count(a);
        count(b);
        CliProcess.Result pause = cli("pause", "pk", "pr");
        assertThat(pause.code()).as(pause.err()).isZero();
        assertThat(pause.out()).isEqualTo("pk\npr\n");

        assertThat(cli("kill", "pk").code()).isZero();
        assertThat(cli("wait", "pk").out()).isEqualTo("137\n");

        List<String> cgroups = cgroupPaths(cli("inspect", "pr").out());
        CliProcess.Result rm = cli("rm", "-f", "pr");
        assertThat(rm.code()).as(rm.err()).isZero();
        assertThat(cgroups).isNotEmpty().allSatisfy(d -> assertThat(Path.of(d)).doesNotExist());
        assertThat(cli("ps", "-a", "-q", "--no-trunc").out()).doesNotContain(removed);
    }

    @Test
    void unknownNamesGetDockersErrorAndTheOthersAreStillDone() throws Exception {
        CliProcess.Result none = cli("pause", "nosuch");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).isEqualTo("Error response from daemon: No such container: nosuch\n");
        CliProcess.Result noneUn = cli("unpause", "nosuch");
        assertThat(noneUn.code()).isEqualTo(1);
        assertThat(noneUn.err()).isEqualTo("Error response from daemon: No such container: nosuch\n");

        counter("pm", out);
        CliProcess.Result mixed = cli("pause", "nosuch", "pm");
        assertThat(mixed.code()).isEqualTo(1);
        assertThat(mixed.out()).isEqualTo("pm\n");
        assertThat(mixed.err()).isEqualTo("Error response from daemon: No such container: nosuch\n");
        assertThat(cli("ps").out()).contains("(Paused)");

        CliProcess.Result usage = cli("pause");
        assertThat(usage.code()).isEqualTo(125);
        assertThat(usage.err()).startsWith("jcontainer: \"pause\" requires at least 1 argument.");
    }
}
