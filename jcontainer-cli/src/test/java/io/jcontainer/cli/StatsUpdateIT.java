package io.jcontainer.cli;

import io.jcontainer.ContainerStats;
import io.jcontainer.DataSize;
import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import io.jcontainer.spi.ContainerRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * stats and update of containers that a ./jcontainer process started: read and changed from
 * this JVM through the lifecycle API and from later CLI processes, with the kernel enforcing
 * the new limits and the record keeping them across a restart.
 */
@RequiresRoot
class StatsUpdateIT {
    @TempDir
    Path state;

    @AfterEach
    void removeEverything() throws Exception {
        CliProcess.removeAll(state);
    }

    Result cli(String... args) throws Exception {
        return CliProcess.run(state, args);
    }

    Containers containers() {
        return ContainerRuntime.get().containers(state);
    }

    @Test
    void statsOfAContainerStartedByAnotherProcessSeeItsMemoryGrow() throws Exception {
        Result run = cli("run", "-d", "--name", "st", "--tmpfs", "/big", "--rootfs", TestRootfs.busybox().toString(), "/bin/sleep", "1000");
        assertThat(run.code()).as(run.err()).isZero();
        ContainerStats before = containers().stats("st");
        assertThat(before.memoryBytes()).isPositive();
        assertThat(before.pids()).isEqualTo(1);
        assertThat(before.pidsLimit()).as("no pids limit").isEqualTo(-1);
        assertThat(before.memoryLimitBytes()).as("unlimited: the host's memory, as docker shows it").isGreaterThan(DataSize.MB(100).bytes());
        assertThat(before.netRxBytes()).as("its own network namespace: loopback only, not counted").isZero();

        // 32 MiB in a tmpfs are charged to its memory cgroup (shmem), whoever wrote them
        Result dd = cli("exec", "st", "/bin/dd", "if=/dev/zero", "of=/big/f", "bs=1048576", "count=32");
        assertThat(dd.code()).as(dd.err()).isZero();
        ContainerStats after = containers().stats("st");
        assertThat(after.memoryBytes() - before.memoryBytes()).isGreaterThan(30L << 20);
        assertThat(after.cpuTime()).isGreaterThanOrEqualTo(before.cpuTime());

        // the stream form: samples until the sink says stop
        List<ContainerStats> seen = new ArrayList<>();
        containers().stats("st", Duration.ofMillis(50), s -> seen.add(s) && seen.size() < 3);
        assertThat(seen).hasSize(3).allSatisfy(s -> assertThat(s.memoryBytes()).isGreaterThan(30L << 20));

        Result stats = cli("stats", "--no-stream", "--format", "{{.Name}}|{{.MemUsage}}|{{.PIDs}}|{{.NetIO}}", "st");
        assertThat(stats.code()).as(stats.err()).isZero();
        assertThat(stats.out()).matches("st\\|3[2-9](\\.\\d+)?MiB / [\\d.]+GiB\\|1\\|0B / 0B\n");
        Result table = cli("stats", "--no-stream");
        assertThat(table.out().lines().toList()).hasSize(2);
        assertThat(table.out().lines().findFirst().orElseThrow())
                .matches("CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS");
        assertThat(table.out()).contains(run.out().trim().substring(0, 12)).contains(" st ");
        // -a shows a stopped one with zeros, as docker
        assertThat(cli("stop", "-t", "0", "st").code()).isZero();
        assertThat(cli("stats", "--no-stream", "-a", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}").out()).isEqualTo("st 0B / 0B 0\n");
    }

    @Test
    void updateChangesLimitsTheKernelEnforcesAndARestartKeepsThem() throws Exception {
        Result run = cli("run", "-d", "--name", "up", "--tmpfs", "/big", "-m", "256m", "--pids-limit", "50",
                "--rootfs", TestRootfs.busybox().toString(), "/bin/sleep", "1000");
        assertThat(run.code()).as(run.err()).isZero();
        // a fork loop: each sleep holds one task
        String forks = "i=0; while [ $i -lt 12 ]; do /bin/sleep 30 & i=$((i+1)); done; echo forked $i";

        Result lower = cli("update", "--pids-limit", "5", "up");
        assertThat(lower.code()).as(lower.err()).isZero();
        assertThat(lower.out()).isEqualTo("up\n");
        assertThat(containers().stats("up").pidsLimit()).isEqualTo(5);
        Result capped = cli("exec", "up", "/bin/sh", "-c", forks);
        assertThat(capped.out()).doesNotContain("forked 12");
        assertThat(capped.err()).containsIgnoringCase("fork");
        assertThat(containers().stats("up").pids()).isLessThanOrEqualTo(5);

        assertThat(cli("update", "--pids-limit", "40", "up").code()).isZero();
        Result raised = cli("exec", "up", "/bin/sh", "-c", forks);
        assertThat(raised.out()).as(raised.err()).contains("forked 12");

        // memory: fill 40 MiB of tmpfs; a limit below that is the kernel's EBUSY, and nothing changes
        assertThat(cli("exec", "up", "/bin/dd", "if=/dev/zero", "of=/big/f", "bs=1048576", "count=40").code()).isZero();
        Result tooLow = cli("update", "-m", "16m", "up");
        assertThat(tooLow.code()).isEqualTo(1);
        assertThat(tooLow.err()).contains("Cannot update container up").contains("EBUSY");
        assertThat(containers().stats("up").memoryLimitBytes()).isEqualTo(256L << 20);
        assertThat(cli("update", "-m", "128m", "--memory-reservation", "64m", "up").code()).isZero();
        assertThat(containers().stats("up").memoryLimitBytes()).isEqualTo(128L << 20);
        // docker's refusals before the kernel is asked
        assertThat(cli("update", "--memory-swap", "64m", "up").err()).contains("memory-swap");
        assertThat(cli("update", "up").err()).contains("You must provide one or more flags when using this command.");
        assertThat(cli("update", "--cpus", "0.5", "--restart", "on-failure:2", "up").code()).isZero();

        // kept in the record: inspect shows them, and a restart applies them to its new cgroups
        String shown = "{{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}";
        assertThat(cli("inspect", "-f", shown, "up").out()).startsWith((128L << 20) + " " + (64L << 20) + " 40 500000000 on-failure");
        assertThat(cli("restart", "-t", "0", "up").code()).isZero();
        assertThat(cli("inspect", "-f", shown, "up").out()).startsWith((128L << 20) + " " + (64L << 20) + " 40 500000000 on-failure");
        ContainerStats restarted = containers().stats("up");
        assertThat(restarted.memoryLimitBytes()).isEqualTo(128L << 20);
        assertThat(restarted.pidsLimit()).isEqualTo(40);
        // and -1 lifts the pids limit again
        assertThat(cli("update", "--pids-limit", "-1", "up").code()).isZero();
        assertThat(containers().stats("up").pidsLimit()).isEqualTo(-1);
        assertThat(cli("inspect", "-f", "{{.HostConfig.PidsLimit}}", "up").out()).isIn("0\n", "<nil>\n", "\n");
    }
}
