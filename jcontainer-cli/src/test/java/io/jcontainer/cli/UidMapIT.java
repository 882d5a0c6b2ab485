package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --uidmap}/{@code --gidmap} on the embedded default root (no --rootfs), through
 * ./jcontainer (issue 18: {@code run --rm --uidmap 0:100000:65536 id} failed at
 * {@code mkdirat /usr: EACCES}). Root inside is host uid 100000 as the host sees it, the root
 * it is given works, and its limits, pause and removal still reach it.
 */
@RequiresRoot
class UidMapIT {
    @TempDir
    Path state;

    @AfterEach
    void removeEverything() throws Exception {
        CliProcess.removeAll(state);
    }

    CliProcess.Result cli(String... args) throws Exception {
        return CliProcess.run(state, args);
    }

    @Test
    void theIssuesCommandRuns() throws Exception {
        CliProcess.Result r = cli("run", "--rm", "--uidmap", "0:100000:65536", "id");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("uid=0(root) gid=0(root)");
    }

    @Test
    void rootInsideIsTheMappedHostUidAndTheDefaultRootWorks() throws Exception {
        CliProcess.Result run = cli("run", "-d", "--name", "mapped", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536",
                "-m", "64m", "--pids-limit", "50", "sh", "-c",
                "ls /usr >/dev/null && id -u && touch /tmp/x && mkdir -p /work && echo ready; exec sleep 1000");
        assertThat(run.code()).as(run.err()).isZero();
        String out = "";
        for (int i = 0; i < 500 && !out.contains("ready"); i++) {
            out = cli("logs", "mapped").out();
            if (!out.contains("ready")) Thread.sleep(20);
        }
        assertThat(out).isEqualTo("0\nready\n");
        long pid = Long.parseLong(cli("inspect", "-f", "{{.State.Pid}}", "mapped").out().trim());
        List<String> status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
        assertThat(status).as("the host's view of the payload").contains("Uid:\t100000\t100000\t100000\t100000")
                .contains("Gid:\t100000\t100000\t100000\t100000");
        // in its own memory cgroup, with the limit (v1: the memory hierarchy; v2: the unified one)
        boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        String memory = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
                .map(l -> l.split(":", 3)).filter(f -> v2 ? f[0].equals("0") : List.of(f[1].split(",")).contains("memory"))
                .map(f -> v2 ? "/sys/fs/cgroup" + f[2] + "/memory.max" : "/sys/fs/cgroup/memory" + f[2] + "/memory.limit_in_bytes")
                .findFirst().orElseThrow();
        assertThat(memory).contains("jcontainer");
        assertThat(Files.readString(Path.of(memory)).trim()).isEqualTo(Long.toString(64L << 20));

        assertThat(cli("pause", "mapped").code()).isZero();
        assertThat(cli("inspect", "-f", "{{.State.Status}}", "mapped").out()).isEqualTo("paused\n");
        assertThat(cli("unpause", "mapped").code()).isZero();
        assertThat(cli("inspect", "-f", "{{.State.Status}}", "mapped").out()).isEqualTo("running\n");
        assertThat(cli("rm", "-f", "mapped").code()).isZero();
        assertThat(Path.of("/proc/" + pid)).doesNotExist();
        assertThat(Path.of(memory).getParent()).doesNotExist();
    }
}
