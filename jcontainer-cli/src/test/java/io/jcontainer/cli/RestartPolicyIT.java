package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run -d --restart ...} through ./jcontainer: the spec is built detached from the start
 * (build() refuses a policy otherwise), and exec rebuilds it from the saved run arguments.
 */
@RequiresRoot
class RestartPolicyIT {
    @TempDir
    Path state;

    @AfterEach
    void removeEverything() throws Exception {
        CliProcess.removeAll(state);
    }

    @Test
    void aDetachedContainerWithAPolicyRunsIsRestartedAndTakesExec() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        var run = CliProcess.run(state, "run", "-d", "--name", "r1", "--restart", "on-failure:2", "--rootfs", rootfs,
                "/bin/sh", "-c", "echo run; exit 3");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(CliProcess.run(state, "wait", "r1").out()).isEqualTo("3\n"); // after the last restart
        assertThat(CliProcess.run(state, "logs", "r1").out()).isEqualTo("run\nrun\nrun\n");
        assertThat(CliProcess.run(state, "inspect", "-f", "{{json .HostConfig.RestartPolicy}}", "r1").out())
                .isEqualTo("{\"Name\":\"on-failure\",\"MaximumRetryCount\":2}\n"); // docker's shape
        // docker's RestartCount: the restarts the policy made, counted by the monitor
        assertThat(CliProcess.run(state, "inspect", "-f", "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}", "r1").out()).isEqualTo("2 exited 3\n");
        assertThat(CliProcess.run(state, "ps", "-a", "--filter", "name=r1", "--format", "{{.Status}}").out()).startsWith("Exited (3) ");

        var always = CliProcess.run(state, "run", "-d", "--name", "r2", "--restart", "always", "--rootfs", rootfs, "/bin/sleep", "100");
        assertThat(always.code()).as(always.err()).isZero();
        var exec = CliProcess.run(state, "exec", "r2", "/bin/echo", "in");
        assertThat(exec.code()).as(exec.err()).isZero();
        assertThat(exec.out()).isEqualTo("in\n");
        assertThat(CliProcess.run(state, "stop", "-t", "0", "r2").code()).isZero();
        assertThat(CliProcess.run(state, "ps", "-q").out()).isEmpty(); // a manual stop ends the policy
        assertThat(CliProcess.run(state, "inspect", "-f", "{{.RestartCount}}", "r2").out()).isEqualTo("0\n");

        // always, failing at once: the count grows; between runs ps says docker's "Restarting (1) ..."
        assertThat(CliProcess.run(state, "run", "-d", "--name", "r3", "--restart", "always", "--rootfs", rootfs, "/bin/sh", "-c", "exit 1").code()).isZero();
        long end = System.nanoTime() + 20_000_000_000L;
        int count = 0;
        boolean sawRestarting = false;
        while (System.nanoTime() < end && (count < 3 || !sawRestarting)) {
            String[] f = CliProcess.run(state, "inspect", "-f", "{{.RestartCount}}|{{.State.Status}}", "r3").out().strip().split("\\|");
            count = Integer.parseInt(f[0]);
            String ps = CliProcess.run(state, "ps", "--filter", "name=r3", "--format", "{{.Status}}").out();
            if (f[1].equals("restarting") && ps.startsWith("Restarting (1) ")) sawRestarting = true;
            Thread.sleep(50);
        }
        assertThat(count).isGreaterThanOrEqualTo(3);
        assertThat(sawRestarting).isTrue();
        assertThat(CliProcess.run(state, "stop", "-t", "0", "r3").code()).isZero();
    }
}
