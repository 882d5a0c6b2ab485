package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run flags of issue 18 through ./jcontainer, one process per invocation, checked where the
 * kernel keeps them (cgroup files, namespaces, /proc/sys), in the log files and in what
 * {@code ps}/{@code inspect} show — against docker's documented behaviour and messages.
 */
@RequiresRoot
class RunFlagsIT {
    @TempDir
    Path state;
    @TempDir
    Path tmp;

    @AfterEach
    void removeEverything() throws Exception {
        CliProcess.removeAll(state);
    }

    Result cli(String... args) throws Exception {
        return CliProcess.run(state, args);
    }

    /** A block device of this host (the test limits its rate; nothing is written to it). */
    static String blockDevice() throws Exception {
        try (var s = Files.list(Path.of("/sys/block"))) {
            for (Path d : s.sorted().toList()) {
                String name = d.getFileName().toString();
                if (name.startsWith("loop") || name.startsWith("ram") || name.startsWith("zram")) continue;
                if (Files.exists(Path.of("/dev", name))) return "/dev/" + name + "@" + Files.readString(d.resolve("dev")).strip();
            }
        }
        throw new AssertionError("no block device on this host");
    }

    static String cgroupFile(List<String> dirs, String controller, String file) throws Exception {
        for (String d : dirs) if (Files.exists(Path.of(d, file))) return Files.readString(Path.of(d, file)).strip();
        throw new AssertionError(file + " (" + controller + ") in none of " + dirs);
    }

    @Test
    void resourceNamespaceAndRecordFlagsReachTheKernel() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        String[] dev = blockDevice().split("@");
        Path cidfile = tmp.resolve("cid"), labels = Files.writeString(tmp.resolve("labels"), "# team\ncom.example.team=infra\n");
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", "x", "--cpu-period", "50000", "--cpu-quota", "25000",
                "--device-write-bps", dev[0] + ":1mb", "--sysctl", "kernel.shmmax=123456", "--stop-timeout", "1",
                "--label-file", labels.toString(), "--cidfile", cidfile.toString()));
        if (!v2) run.addAll(List.of("--memory-swappiness", "10"));
        run.addAll(List.of("--rootfs", rootfs, "sleep", "1000")); // PID 1 without a TERM handler: only the KILL ends it
        Result r = cli(run.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        String id = r.out().strip();
        assertThat(Files.readString(cidfile)).isEqualTo(id);
        Result again = cli("run", "-d", "--cidfile", cidfile.toString(), "--rootfs", rootfs, "true");
        assertThat(again.code()).isEqualTo(125);
        assertThat(again.err()).contains("Container ID file found, make sure the other container isn't running or delete " + cidfile);

        String inspect = cli("inspect", "x").out();
        List<String> dirs = PauseIT.cgroupPaths(inspect);
        if (v2) {
            assertThat(cgroupFile(dirs, "cpu", "cpu.max")).isEqualTo("25000 50000");
            assertThat(cgroupFile(dirs, "io", "io.max")).contains(dev[1] + " rbps=max wbps=1048576");
        } else {
            assertThat(cgroupFile(dirs, "cpu", "cpu.cfs_period_us")).isEqualTo("50000");
            assertThat(cgroupFile(dirs, "cpu", "cpu.cfs_quota_us")).isEqualTo("25000");
            assertThat(cgroupFile(dirs, "blkio", "blkio.throttle.write_bps_device")).isEqualTo(dev[1] + " 1048576");
            assertThat(cgroupFile(dirs, "memory", "memory.swappiness")).isEqualTo("10");
        }
        assertThat(inspect).contains("\"StopTimeout\" : 1").contains("\"com.example.team\" : \"infra\"")
                .contains("\"CpuPeriod\" : 50000").contains("\"CpuQuota\" : 25000");

        // --pid container: sees x's processes; --ipc container: shares its IPC namespace (an IPC sysctl is per namespace)
        Result ps = cli("run", "--rm", "--pid", "container:x", "--rootfs", rootfs, "ps", "-o", "comm,args");
        assertThat(ps.code()).as(ps.err()).isZero();
        assertThat(ps.out()).contains("sleep 1000");
        Result ipc = cli("run", "--rm", "--ipc", "container:x", "--rootfs", rootfs, "cat", "/proc/sys/kernel/shmmax");
        assertThat(ipc.out()).as(ipc.err()).isEqualTo("123456\n");
        assertThat(cli("run", "--rm", "--rootfs", rootfs, "cat", "/proc/sys/kernel/shmmax").out()).isNotEqualTo("123456\n");
        assertThat(cli("run", "--rm", "--pid", "container:nosuch", "--rootfs", rootfs, "true").err()).contains("No such container: nosuch");

        // stop without -t: the container's --stop-timeout (1 s), not docker's 10 s
        long t0 = System.nanoTime();
        assertThat(cli("stop", "x").code()).isZero();
        assertThat((System.nanoTime() - t0) / 1_000_000_000.0).isLessThan(9.0);
        assertThat(cli("inspect", "-f", "{{.State.ExitCode}}", "x").out()).isEqualTo("137\n");

        // refusals and warnings with docker's words
        int n = Runtime.getRuntime().availableProcessors();
        Result cpus = cli("run", "--rm", "--cpus", String.valueOf(n + 1), "--rootfs", rootfs, "true");
        assertThat(cpus.code()).isEqualTo(125);
        assertThat(cpus.err()).contains("range of CPUs is from 0.01 to " + n + ".00, as there are only " + n + " CPUs available");
        assertThat(cli("run", "--rm", "--cpu-rt-runtime", "950000", "--rootfs", rootfs, "true").err())
                .startsWith("jcontainer: --cpu-rt-runtime is not supported yet: jcontainer does not give real-time CPU time");
        Result kmem = cli("run", "--rm", "--kernel-memory", "50m", "--rootfs", rootfs, "echo", "ran");
        assertThat(kmem.out()).isEqualTo("ran\n");
        assertThat(kmem.err()).contains("WARNING: Specifying a kernel memory limit is deprecated");
        String other = io.jcontainer.image.Platform.current().architecture().equals("arm64") ? "linux/amd64" : "linux/arm64";
        Result platform = cli("run", "--rm", "--platform", other, "--rootfs", rootfs, "true");
        assertThat(platform.code()).isEqualTo(125);
        assertThat(platform.err()).contains("platform " + other + " is not supported: this machine runs");
        assertThat(cli("run", "--rm", "--platform", io.jcontainer.image.Platform.current().toString(), "--rootfs", rootfs, "echo", "ok").out())
                .isEqualTo("ok\n");
    }

    @Test
    void logOptsRotateTheLogAndLogsPrintsTheTailFromEveryPart() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        Result r = cli("run", "-d", "--name", "chatty", "--log-opt", "max-size=1k", "--log-opt", "max-file=2", "--rootfs", rootfs,
                "sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line-$i-0123456789abcdef; i=$((i+1)); done");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(cli("wait", "chatty").out()).isEqualTo("0\n");
        Path dir = Path.of(cli("inspect", "-f", "{{.LogPath}}", "chatty").out().strip());
        assertThat(dir).exists();
        assertThat(dir.resolveSibling(dir.getFileName() + ".1")).exists();                 // rotated once at least
        assertThat(dir.resolveSibling(dir.getFileName() + ".2")).doesNotExist();           // max-file=2: the current and one more
        assertThat(Files.size(dir)).isLessThanOrEqualTo(2048);
        List<String> lines = cli("logs", "chatty").out().lines().toList();
        assertThat(lines.getLast()).isEqualTo("line-199-0123456789abcdef");
        assertThat(lines.size()).isBetween(10, 100);                                        // the tail only: ~2 KiB of it
        int first = Integer.parseInt(lines.getFirst().split("-")[1]);
        for (int i = 0; i < lines.size(); i++) assertThat(lines.get(i)).isEqualTo("line-" + (first + i) + "-0123456789abcdef");
        assertThat(cli("inspect", "chatty").out()).contains("\"max-size\" : \"1024\"").contains("\"max-file\" : \"2\"");

        Result none = cli("run", "-d", "--name", "quiet", "--log-driver", "none", "--rootfs", rootfs, "echo", "lost");
        assertThat(none.code()).as(none.err()).isZero();
        assertThat(cli("wait", "quiet").out()).isEqualTo("0\n");
        assertThat(cli("logs", "quiet").err()).contains("configured logging driver does not support reading");
        Result syslog = cli("run", "-d", "--log-driver", "syslog", "--rootfs", rootfs, "true");
        assertThat(syslog.code()).isEqualTo(125);
        assertThat(syslog.err()).contains("logging driver 'syslog' is not supported");
    }

    /** Polls {@code ps}'s STATUS of {@code name} until it matches, for at most 60 s. */
    String awaitStatus(String name, Predicate<String> p) throws Exception {
        String s = "";
        for (long end = System.nanoTime() + 60_000_000_000L; System.nanoTime() < end; Thread.sleep(500)) {
            s = cli("ps", "--filter", "name=" + name, "--format", "{{.Status}}").out().strip();
            if (p.test(s)) return s;
        }
        throw new AssertionError("status of " + name + " is still '" + s + "'");
    }

    @Test
    void aHealthCheckTurnsHealthyThenUnhealthyAndItsCheckerEndsWithTheContainer() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        Result r = cli("run", "-d", "--name", "doc", "--tmpfs", "/tmp", "--health-cmd", "test -e /tmp/ok && echo fine",
                "--health-interval", "1s", "--health-timeout", "5s", "--health-retries", "2", "--rootfs", rootfs,
                "sh", "-c", "touch /tmp/ok; exec sleep 1000");
        assertThat(r.code()).as(r.err()).isZero();
        String id = r.out().strip();
        assertThat(awaitStatus("doc", s -> s.endsWith("(healthy)"))).matches("Up .* \\(healthy\\)");
        assertThat(cli("inspect", "-f", "{{.State.Health.Status}}", "doc").out()).isEqualTo("healthy\n");
        assertThat(cli("exec", "doc", "rm", "/tmp/ok").code()).isZero();
        assertThat(awaitStatus("doc", s -> s.endsWith("(unhealthy)"))).matches("Up .* \\(unhealthy\\)");
        String inspect = cli("inspect", "doc").out();
        assertThat(inspect).contains("\"Status\" : \"unhealthy\"").contains("\"Output\" : \"fine\\n\"").contains("\"ExitCode\" : 1")
                .contains("\"Test\" : [ \"CMD-SHELL\", \"test -e /tmp/ok && echo fine\" ]").contains("\"Retries\" : 2");
        assertThat(checkers(id)).isEqualTo(1);
        assertThat(cli("rm", "-f", "doc").code()).isZero();
        for (long end = System.nanoTime() + 30_000_000_000L; checkers(id) > 0 && System.nanoTime() < end; ) Thread.sleep(200);
        assertThat(checkers(id)).as("the checker ends with its container").isZero();
    }

    static long checkers(String id) {
        return ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains("HealthMonitor " + id)).count();
    }

    @Test
    void deviceRulesGrantOnlyThePermissionsGiven() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        // a loop device: a disk in use can refuse opens from a container whatever its rules (seen with virtio vda)
        String[] dev = null;
        for (int i = 0; i < 8 && dev == null; i++)
            if (Files.exists(Path.of("/dev/loop" + i)) && Files.exists(Path.of("/sys/block/loop" + i + "/dev")))
                dev = new String[]{"/dev/loop" + i, Files.readString(Path.of("/sys/block/loop" + i + "/dev")).strip()};
        if (dev == null) throw new AssertionError("no loop device on this host (/dev/loop0-7)");
        String[] mm = dev[1].split(":");
        // count=0: the opens are what is checked, nothing is ever written to the host's disk
        String probe = "dd if=/dev/xd of=/dev/null count=0 2>/dev/null && echo read; "
                + "dd if=/dev/zero of=/dev/xd count=0 conv=notrunc 2>/dev/null && echo write; "
                + "mknod /tmp/n b " + mm[0] + " " + mm[1] + " 2>/dev/null && echo mknod; true";
        if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
            Result v2 = cli("run", "--rm", "--device", dev[0] + ":/dev/xd:r", "--rootfs", rootfs, "true");
            assertThat(v2.err()).contains("cannot be enforced on cgroup v2 yet");
            return;
        }
        Result r = cli("run", "--rm", "--device", dev[0] + ":/dev/xd:r", "--tmpfs", "/tmp", "--rootfs", rootfs, "sh", "-c", probe);
        assertThat(r.out()).as(r.err()).isEqualTo("read\n");
        Result rwm = cli("run", "--rm", "--device", dev[0] + ":/dev/xd:rwm", "--tmpfs", "/tmp", "--rootfs", rootfs, "sh", "-c", probe);
        assertThat(rwm.out()).as(rwm.err()).isEqualTo("read\nwrite\nmknod\n");
        assertThat(cli("run", "--rm", "--device", dev[0] + ":/dev/xd:rwx", "--rootfs", rootfs, "true").err())
                .contains("permissions must be a subset of 'rwm'");
        assertThat(cli("run", "--rm", "--sysctl", "vm.swappiness=1", "--rootfs", rootfs, "true").err())
                .contains("'vm.swappiness' is not namespaced");
    }

    @Test
    void entrypointGroupsShmSizeAndEnvFileInsideTheContainer() throws Exception {
        String rootfs = TestRootfs.busybox().toString();
        Result ep = cli("run", "--rm", "--entrypoint", "/bin/echo", "--rootfs", rootfs, "from", "entrypoint");
        assertThat(ep.out()).as(ep.err()).isEqualTo("from entrypoint\n");
        // --group-add: names from the container's /etc/group (audio is 29 there), numbers as they are
        Result groups = cli("run", "--rm", "--group-add", "audio", "--group-add", "1234", "--rootfs", rootfs, "id", "-G");
        assertThat(groups.out()).as(groups.err()).isEqualTo("0 29 1234\n");
        Result unknown = cli("run", "--rm", "--group-add", "nosuchgroup", "--rootfs", rootfs, "true");
        assertThat(unknown.code()).isEqualTo(125);
        assertThat(unknown.err()).contains("unable to find group nosuchgroup");
        Result shm = cli("run", "--rm", "--shm-size", "1m", "--rootfs", rootfs, "df", "-k", "/dev/shm");
        assertThat(shm.out()).as(shm.err()).containsPattern("shm\\s+1024\\s");
        // --env-file: comments skipped, a bare name takes this process's value
        Path env = Files.writeString(tmp.resolve("env"), "# settings\n\nFROM_FILE=a b\nFROM_HOST\n");
        ProcessBuilder pb = new ProcessBuilder(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString(), "run", "--rm",
                "--env-file", env.toString(), "--rootfs", rootfs, "sh", "-c", "echo \"$FROM_FILE|$FROM_HOST\"");
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_STATE_DIR", state.toString());
        pb.environment().put("FROM_HOST", "host value");
        Result e = CliProcess.collect(pb, "run --env-file");
        assertThat(e.out()).as(e.err()).isEqualTo("a b|host value\n");
    }
}
