package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.linux.testing.CgroupDirs;
import io.jcontainer.linux.testing.Processes;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The container pool: taken containers are fresh ones, and a closed pool leaves nothing. */
@RequiresRoot
class ContainerPoolTest {
    static final LinuxContainerRuntime RT = new LinuxContainerRuntime();

    /**
     * Every container runs the same script: it reports what a previous one could have left
     * (hostname, a file in its tmpfs, a process, an environment variable), then leaves all of it
     * behind. Each report must be clean, and each container must have namespaces and cgroups of
     * its own (nothing is reused, only made early): its cgroups are new ones.
     */
    @Test
    void noStateCarriesFromOneTakenContainerToTheNext() throws Exception {
        String script = "echo \"host=$(hostname) file=$(cat /tmp/left 2>/dev/null || echo none) env=${LEFT:-unset}"
                + " sleeps=$(grep -l sleep /proc/[0-9]*/comm 2>/dev/null | wc -l)\";"
                + " hostname dirty; echo dirty > /tmp/left; export LEFT=dirty; sleep 1000 & sleep 0.3";
        ContainerSpec spec = TestRuns.busybox().hostname("pooled").tmpfs("/tmp").memoryLimit("64m").pidsLimit(20)
                .command("/bin/sh", "-c", script).build();
        List<String> reports = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (ContainerPool pool = ContainerPool.of(RT, spec, 2)) {
            waitReady(pool, 2);
            for (int i = 0; i < 4; i++) {
                try (Container c = pool.start()) {
                    // (namespace inode numbers are recycled once a namespace is gone: not comparable here)
                    for (String ns : List.of("pid", "net", "uts", "mnt", "ipc"))
                        assertThat(Files.readSymbolicLink(Path.of("/proc/" + c.pid() + "/ns/" + ns)))
                                .as("container %d's %s namespace", i, ns).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)));
                    for (String line : Files.readAllLines(Path.of("/proc/" + c.pid() + "/cgroup")))
                        if (line.contains("memory") || line.contains("pids"))
                            assertThat(seen.add(line)).as("container %d's cgroup %s is new", i, line).isTrue();
                    reports.add(new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8).strip());
                    assertThat(c.waitFor(Duration.ofSeconds(30))).isPresent();
                }
            }
        }
        assertThat(reports).hasSize(4).containsOnly("host=pooled file=none env=unset sleeps=0");
        assertThat(Processes.leftovers()).isEmpty();
        assertThat(CgroupLimitsTest.ourCgroups()).isEmpty();
    }

    @Test
    void closingThePoolEndsTheReadyContainersAndLeavesNothing() throws Exception {
        ContainerSpec spec = TestRuns.busybox().memoryLimit("64m").pidsLimit(20).command("true").build();
        try (ContainerPool pool = ContainerPool.of(RT, spec, 3)) {
            waitReady(pool, 3);
            assertThat(Processes.leftovers()).as("the ready containers wait").isNotEmpty();
        }
        assertThat(Processes.leftovers()).isEmpty();
        assertThat(CgroupLimitsTest.ourCgroups()).isEmpty();
    }

    /**
     * A take is replaced whether the taken container ends or runs on: the refill waits for its
     * exit only a short while (a long-running container does not leave the pool short).
     */
    @Test
    void thePoolRefillsWhetherTheTakenContainerRunsOnOrEnds() throws Exception {
        ContainerSpec spec = TestRuns.busybox().memoryLimit("64m").pidsLimit(20).command("sleep", "1000").build();
        try (ContainerPool pool = ContainerPool.of(RT, spec, 1)) {
            waitReady(pool, 1);
            try (Container running = pool.start()) {
                waitReady(pool, 1); // refilled while it runs
                assertThat(running.isRunning()).isTrue();
                Container ended = pool.start();
                try (ended) {
                    ended.kill();
                    assertThat(ended.waitFor(Duration.ofSeconds(30))).isPresent();
                    waitReady(pool, 1); // refilled after its exit
                }
                assertThat(running.isRunning()).isTrue();
            }
        }
        assertThat(Processes.leftovers()).isEmpty();
        assertThat(CgroupLimitsTest.ourCgroups()).isEmpty();
    }

    @Test
    void anEmptyPoolStillStarts() throws Exception {
        ContainerSpec spec = TestRuns.busybox().command("true").build();
        try (ContainerPool pool = ContainerPool.of(RT, spec, 1)) {
            for (int i = 0; i < 3; i++) // faster than the refill: some are started directly
                try (Container c = pool.start()) {
                    assertThat(c.waitFor(Duration.ofSeconds(30)).orElseThrow().code()).isZero();
                }
        }
        assertThat(Processes.leftovers()).isEmpty();
    }

    /**
     * A taken container whose exec fails: the taker gets the start's own exception (as from
     * {@code start()}), and nothing of it is left.
     */
    @Test
    void aFailedExecIsTheTakersStartException() throws Exception {
        ContainerSpec spec = TestRuns.busybox().memoryLimit("64m").pidsLimit(20).command("/no/such/program").build();
        try (ContainerPool pool = ContainerPool.of(RT, spec, 1)) {
            waitReady(pool, 1);
            assertThatThrownBy(pool::start).isInstanceOfSatisfying(io.jcontainer.ContainerStartException.class,
                    e -> assertThat(e.syscall()).isEqualTo("execve"));
        }
        assertThat(Processes.leftovers()).isEmpty();
        assertThat(CgroupLimitsTest.ourCgroups()).isEmpty();
    }

    /** A JVM SIGKILLed with ready containers leaves none: each launcher sees its control socket close. */
    @Test
    void aKilledJvmLeavesNoReadyContainerBehind() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process jvm = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",  "-cp", System.getProperty("java.class.path"),
                PoolJvm.class.getName(), "3").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(jvm.getInputStream())).readLine();
            assertThat(line).as("the child JVM's pool is ready").isEqualTo("ready");
            List<ProcessHandle> waiting = jvm.descendants().toList();
            assertThat(waiting).as("launchers and waiting containers").hasSizeGreaterThanOrEqualTo(3);
            assertThat(CgroupDirs.of(jvm.pid())).isNotEmpty();
            jvm.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((waiting.stream().anyMatch(ProcessHandle::isAlive) || !CgroupDirs.of(jvm.pid()).isEmpty()) && System.nanoTime() < deadline)
                Thread.sleep(20);
            assertThat(waiting).as("within 5 s").noneMatch(ProcessHandle::isAlive);
            assertThat(CgroupDirs.of(jvm.pid())).as("within 5 s").isEmpty();
        } finally {
            if (jvm.isAlive()) jvm.destroyForcibly().waitFor();
        }
    }

    /** The JVM killed above: a pool of N ready containers, then "ready" on stdout, then it waits. */
    public static final class PoolJvm {
        public static void main(String[] args) throws Exception {
            int n = Integer.parseInt(args[0]);
            ContainerPool pool = ContainerPool.of(new LinuxContainerRuntime(),
                    TestRuns.busybox().memoryLimit("64m").pidsLimit(20).command("true").build(), n);
            waitReady(pool, n);
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(600_000);
        }
    }

    static void waitReady(ContainerPool pool, int n) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (pool.ready() < n && System.nanoTime() < end) Thread.sleep(10);
        assertThat(pool.ready()).as("ready containers").isEqualTo(n);
    }
}
