package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** No descriptor of the JVM reaches a container (CVE-2024-21626 class), not even another container's. */
@RequiresRoot
class DescriptorTest {
    // ls is a child of the shell: it lists the shell's descriptors, not its own directory handle
    static final String LIST_FDS = "ls /proc/$$/fd; readlink /proc/$$/cwd";

    @Test
    void onlyStdioReachesThePayloadWhileTheJvmHoldsManyFiles(@TempDir Path tmp) throws Exception {
        List<AutoCloseable> held = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) held.add(new FileInputStream(Files.writeString(tmp.resolve("f" + i), "x").toFile()));
            for (int i = 0; i < 5; i++) held.add(new ServerSocket(0));
            var r = TestRuns.sh(LIST_FDS);
            assertThat(r.stdout().lines().toList()).containsExactly("0", "1", "2", "/");
        } finally {
            for (AutoCloseable c : held) c.close();
        }
    }

    @Test
    void concurrentStartsNeverShareTheirPipes() throws Exception {
        // If container B's launcher inherited A's stdout pipe, A's reader would not see EOF until B
        // ended. Half the containers linger; the quick ones' streams must end while they linger.
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            List<Container> slow = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < n; i++) {
                int id = i;
                results.add(pool.submit((Callable<String>) () -> {
                    boolean lingers = id % 2 == 1;
                    List<Container> slowOnes = slow;
                    Container c = TestRuns.busybox().command("sh", "-c", "echo marker-" + id + "; " + LIST_FDS
                            + (lingers ? "; exec sleep 20" : "")).start();
                    if (lingers) {
                        slowOnes.add(c);
                        return "slow";
                    }
                    try (c; InputStream out = c.stdout()) {
                        String s = new String(out.readAllBytes(), StandardCharsets.UTF_8);
                        c.waitFor();
                        return s;
                    }
                }));
            }
            try {
                for (int i = 0; i < n; i++) {
                    String s = results.get(i).get();
                    if (i % 2 == 1) continue;
                    assertThat(s.lines().toList()).containsExactly("marker-" + i, "0", "1", "2", "/");
                }
                // every quick stream ended while the slow containers still ran
                for (Container c : slow) assertThat(c.isRunning()).isTrue();
            } finally {
                for (Container c : slow) c.close();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theJvmKeepsNoDescriptorOfAClosedContainer() throws Exception {
        TestRuns.sh("true"); // warm up: the launcher memfd and the supervisor's epoll are opened once
        long before = openFds();
        for (int i = 0; i < 20; i++) TestRuns.sh("echo hi");
        try (Container c = TestRuns.busybox().command("sleep", "60").start()) {
            assertThat(openFds()).isGreaterThan(before);
        }
        assertThat(openFds()).isEqualTo(before);
    }

    static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
