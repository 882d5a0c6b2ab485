package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jcontainer events} in one process follows what other {@code jcontainer} processes do
 * to a container — run, pause, unpause, rename, kill, rm — and the newer verbs ({@code rename},
 * {@code container prune}, {@code events --since --until --format}) as docker has them.
 */
@RequiresRoot
class EventsIT {
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
    void eventsAreFollowedFromAnotherProcess() throws Exception {
        String since = Instant.now().minusSeconds(1).toString();
        ProcessBuilder pb = new ProcessBuilder(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString(), "events",
                "--since", since, "--filter", "container=ev1", "--filter", "container=ev2", "--format", "{{.Action}} {{.Actor.Attributes.name}}"
                + "{{with .Actor.Attributes.exitCode}} exit={{.}}{{end}}{{with .Actor.Attributes.signal}} signal={{.}}{{end}}");
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_STATE_DIR", state.toString());
        Process events = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            Result run = cli("run", "-d", "--name", "ev1", "--rootfs", TestRootfs.busybox().toString(), "/bin/sleep", "1000");
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(cli("pause", "ev1").code()).isZero();
            assertThat(cli("unpause", "ev1").code()).isZero();
            Result rename = cli("rename", "ev1", "ev2");
            assertThat(rename.code()).as(rename.err()).isZero();
            assertThat(cli("kill", "ev2").code()).isZero();
            assertThat(cli("wait", "ev2").out()).isEqualTo("137\n");
            assertThat(cli("rm", "ev2").code()).isZero();

            List<String> lines = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end && (lines.isEmpty() || !lines.getLast().startsWith("destroy"))) {
                String l = r.readLine();
                if (l == null) break;
                lines.add(l);
            }
            assertThat(lines).containsExactly("create ev1", "start ev1", "pause ev1", "unpause ev1", "rename ev2", "kill ev2 signal=9",
                    "die ev2 exit=137", "destroy ev2");
        } finally {
            events.destroy();
            events.waitFor(10, TimeUnit.SECONDS);
        }
        // what the journal kept, replayed and bounded by --until: docker's text form
        Result past = cli("events", "--since", since, "--until", Instant.now().toString(), "--filter", "event=die");
        assertThat(past.code()).as(past.err()).isZero();
        assertThat(past.out()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z container die [0-9a-f]{64} \\(exitCode=137, image=.*, name=ev2\\)\n");
    }

    @Test
    void renamePruneAndTheirRefusals() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        assertThat(cli("run", "-d", "--name", "a", "--rootfs", rootfs, "/bin/true").code()).isZero();
        assertThat(cli("run", "-d", "--name", "b", "--rootfs", rootfs, "/bin/sleep", "1000").code()).isZero();
        Result taken = cli("rename", "a", "b");
        assertThat(taken.code()).isEqualTo(1);
        assertThat(taken.err()).contains("Error response from daemon: Conflict. The container name \"/b\" is already in use");
        assertThat(cli("rename", "nope", "c").err()).isEqualTo("jcontainer: Error response from daemon: No such container: nope\n");
        assertThat(cli("wait", "a").out()).isEqualTo("0\n");

        Result prune = cli("container", "prune", "-f");
        assertThat(prune.code()).as(prune.err()).isZero();
        assertThat(prune.out()).startsWith("Deleted Containers:\n").endsWith("\nTotal reclaimed space: 0B\n");
        assertThat(cli("container", "ls", "-a", "-q").out().lines().count()).isEqualTo(1); // b runs on
        // system prune: stopped containers again (and the dangling images of a store of this test's own)
        assertThat(cli("run", "-d", "--name", "c", "--rootfs", rootfs, "/bin/true").code()).isZero();
        assertThat(cli("wait", "c").out()).isEqualTo("0\n");
        ProcessBuilder sp = new ProcessBuilder(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString(), "system", "prune", "-f");
        sp.environment().putAll(java.util.Map.of("JCONTAINER_NO_BUILD", "1", "JCONTAINER_STATE_DIR", state.toString(),
                "JCONTAINER_STORAGE", state.resolve("store").toString(), "JCONTAINER_DEFAULT_NETWORK", "none"));
        Result system = CliProcess.collect(sp, "system prune -f");
        assertThat(system.out()).as(system.toString()).startsWith("Deleted Containers:\n").endsWith("Total reclaimed space: 0B\n");
        assertThat(cli("container", "ls", "-a", "-q").out().lines().count()).isEqualTo(1);
        assertThat(cli("inspect", "b").out()).contains("\"Hostname\" : ").contains("\"Env\" : [");
        // docker's --format over the same data
        assertThat(cli("inspect", "-f", "{{.State.Status}} {{.Name}} {{json .Config.Cmd}}", "b").out()).isEqualTo("running /b [\"/bin/sleep\",\"1000\"]\n");
        assertThat(cli("ps", "-a", "--format", "{{.Names}}:{{.State}}").out()).isEqualTo("b:running\n");
        assertThat(cli("ps", "--format", "table {{.Names}}\t{{.Status}}").out()).matches("NAMES +STATUS\nb +Up .*\n");
    }
}
