package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.ExecSpec;
import io.jcontainer.ContainerProcess;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 8 threads create, exec into, kill and close containers for 20 s; afterwards the JVM's
 * descriptors, mounts and child zombies are exactly where they started, and it has no more
 * threads than before (fewer is no leak: the JVM's own compiler and pool threads come and go
 * with the load, which under a loaded CI host ended the run with 52 threads instead of 55).
 */
@RequiresRoot
class ChurnTest {
    record Census(long fds, long threads, long mounts, long zombies) {
        /** Nothing of ours left: the same descriptors, mounts and zombies, no more threads. */
        boolean leaksNothingSince(Census before) {
            return fds == before.fds && mounts == before.mounts && zombies == before.zombies && threads <= before.threads;
        }
    }

    static Census census() throws IOException {
        long self = ProcessHandle.current().pid();
        long zombies = 0;
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) continue;
                String[] f;
                try {
                    String st = Files.readString(p.resolve("stat"));
                    f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                } catch (IOException e) {
                    continue;
                }
                if (f[0].equals("Z") && Long.parseLong(f[1]) == self) zombies++;
            }
        }
        try (var fds = Files.list(Path.of("/proc/self/fd")); var tasks = Files.list(Path.of("/proc/self/task"))) {
            return new Census(fds.count(), tasks.count(), Files.readAllLines(Path.of("/proc/self/mountinfo")).size(), zombies);
        }
    }

    @Test
    void createExecKillRemoveLeavesNothingBehind() throws Exception {
        // warm up: the supervisor thread and the launcher memfd exist from the first start on
        try (Container c = TestRuns.busybox().command("/bin/true").start()) {
            c.waitFor();
        }
        Census before = census();
        AtomicInteger rounds = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int n = t;
            threads.add(Thread.ofPlatform().name("churn-" + t).start(() -> {
                try {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        try (Container c = TestRuns.busybox().init(i % 2 == 0).command("/bin/sleep", "1000").start()) {
                            try (ContainerProcess p = c.exec(ExecSpec.of("/bin/sh", "-c", "echo " + n))) {
                                assertThat(new String(p.stdout().readAllBytes())).isEqualTo(n + "\n");
                                assertThat(p.waitFor().code()).isZero();
                            }
                            if (i % 3 == 0) c.exec(ExecSpec.of("/bin/sleep", "1000")); // left running: the container's end must end it
                            if (i % 2 == 0) c.kill();
                            else c.stop(Duration.ofMillis(50));
                        }
                        rounds.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertThat(failures).isEmpty();
        assertThat(rounds.get()).isPositive();
        boolean settled = ContainerProcs.eventually(10, () -> {
            try {
                return census().leaksNothingSince(before);
            } catch (IOException e) {
                return false;
            }
        });
        Census after = census();
        assertThat(after.leaksNothingSince(before)).as("after %d rounds: %s, before: %s", rounds.get(), after, before).isTrue();
        assertThat(settled).isTrue();
    }
}
