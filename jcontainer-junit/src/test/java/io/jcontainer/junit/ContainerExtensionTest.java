package io.jcontainer.junit;

import io.jcontainer.Container;
import io.jcontainer.Namespace;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventType;
import org.junit.platform.testkit.engine.Events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The extension driven by JUnit itself: each fixture below is a test class run through the
 * Jupiter engine in this JVM (EngineTestKit), and the checks look at what it saw and at what is
 * left on the host afterwards. Real containers throughout.
 */
@RequiresRoot
class ContainerExtensionTest {
    /** pids the fixtures saw, per fixture: checked against the host after the run. */
    static final List<Long> seen = new CopyOnWriteArrayList<>();

    private static Events run(Class<?> fixture, String... config) {
        seen.clear();
        var kit = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture));
        for (int i = 0; i + 1 < config.length; i += 2) kit = kit.configurationParameter(config[i], config[i + 1]);
        return kit.execute().allEvents();
    }

    private static boolean alive(long pid) {
        return Files.exists(Path.of("/proc", Long.toString(pid)));
    }

    private static void assertAllGone() throws InterruptedException {
        for (long pid : seen) {
            for (int i = 0; i < 500 && alive(pid); i++) Thread.sleep(20); // a bound (10 s, room for a loaded machine), not a wait
            assertThat(alive(pid)).as("container process %d after the run", pid).isFalse();
        }
    }

    // ---- a static field: one container for the class ----

    static class PerClass {
        @Sandbox
        static final TestContainer shared = TestContainer.of(Container.builder()
                .command("sh", "-c", "echo up; exec sleep 600"))
                .waitingFor(Wait.forLogLine("^up$"));
        static long beforeAllPid;

        @BeforeAll
        static void started() {
            // Started before the class's own @BeforeAll methods.
            beforeAllPid = shared.pid();
        }

        @Test
        void one() {
            seen.add(shared.pid());
            assertThat(shared.container().isRunning()).isTrue();
        }

        @Test
        void two() {
            seen.add(shared.pid());
            assertThat(shared.pid()).isEqualTo(beforeAllPid);
        }
    }

    @Test
    void aStaticFieldRunsOneContainerForTheWholeClassAndIsRemovedAfterIt() throws Exception {
        Events events = run(PerClass.class);
        events.assertStatistics(s -> s.failed(0).succeeded(4)); // engine, class, two tests
        assertThat(Set.copyOf(seen)).hasSize(1);
        assertAllGone();
    }

    // ---- instance fields: one container per test ----

    static class PerTest {
        @Sandbox
        final TestContainer mine = TestContainer.of(Container.builder().command("sleep", "600"));

        @Test
        void one() {
            seen.add(mine.pid());
        }

        @Test
        void two() {
            seen.add(mine.pid());
        }

        @Test
        void three() {
            seen.add(mine.pid());
        }
    }

    @Test
    void anInstanceFieldRunsAContainerPerTest() throws Exception {
        run(PerTest.class).assertStatistics(s -> s.failed(0).succeeded(5));
        assertThat(Set.copyOf(seen)).hasSize(3);
        assertAllGone();
    }

    @Test
    void testsInParallelEachGetTheirOwn() throws Exception {
        run(PerTest.class,
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "3")
                .assertStatistics(s -> s.failed(0).succeeded(5));
        assertThat(Set.copyOf(seen)).hasSize(3);
        assertAllGone();
    }

    // ---- failures carry the container's output ----

    static class Failing {
        @Sandbox
        final TestContainer talker = TestContainer.of(Container.builder()
                .command("sh", "-c", "echo 'listening on 8080'; echo 'warning: disk almost full' >&2; exec sleep 600"))
                .waitingFor(Wait.forLogLine("listening", 1));

        @Test
        void fails() {
            seen.add(talker.pid());
            // Both lines are in before the wait ends only for stdout: wait for stderr's too.
            for (int i = 0; i < 100 && !talker.stderr().contains("warning"); i++) sleep(20);
            throw new AssertionError("the answer was wrong");
        }
    }

    @Test
    void aFailingTestGetsTheContainersOutputAttached() throws Exception {
        Events events = run(Failing.class);
        events.assertStatistics(s -> s.failed(1));
        Throwable failure = events.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(failure).hasMessage("the answer was wrong");
        assertThat(failure.getSuppressed()).singleElement().satisfies(s -> {
            assertThat(s).isInstanceOf(ContainerExtension.ContainerLogs.class);
            assertThat(s.getMessage()).contains("Failing.talker", "listening on 8080", "warning: disk almost full");
        });
        assertThat(events.filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED).count()).isEqualTo(1);
        assertAllGone();
    }

    // ---- a container that never gets ready ----

    static class NeverReady {
        @Sandbox
        final TestContainer quitter = TestContainer.of(Container.builder()
                .command("sh", "-c", "echo 'config error: no such file'; exit 3"))
                .waitingFor(Wait.forLogLine("ready"))
                .startupTimeout(Duration.ofSeconds(20));

        @Test
        void neverRuns() {
            seen.add(-1L);
        }
    }

    @Test
    void aContainerThatExitsBeforeItIsReadyFailsTheTestWithItsOutput() throws Exception {
        Events events = run(NeverReady.class);
        events.assertStatistics(s -> s.failed(1));
        assertThat(seen).isEmpty(); // the test body never ran
        Throwable failure = events.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(ContainerNotReadyException.class)
                .hasMessageContaining("NeverReady.quitter")
                .hasMessageContaining("exited with")
                .hasMessageContaining("config error: no such file");
    }

    static class TooSlow {
        @Sandbox
        final TestContainer slow = TestContainer.of(Container.builder().command("sleep", "600"))
                .waitingFor(Wait.forLogLine("ready"))
                .startupTimeout(Duration.ofMillis(300));

        @Test
        void neverRuns() {
        }
    }

    @Test
    void aContainerThatStaysUnreadyFailsAtItsTimeoutAndIsRemoved() throws Exception {
        long before = ProcessHandle.current().descendants().count();
        Events events = run(TooSlow.class);
        Throwable failure = events.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(ContainerNotReadyException.class)
                .hasMessageContaining("not ready after 300 ms").hasMessageContaining("(it printed nothing)");
        for (int i = 0; i < 500 && ProcessHandle.current().descendants().count() > before; i++) Thread.sleep(20); // up to 10 s
        assertThat(ProcessHandle.current().descendants().count()).isLessThanOrEqualTo(before);
    }

    // ---- ports and commands ----

    static class Server {
        // busybox's httpd in a network namespace of its own: the wait reads the kernel's socket
        // table for the port, sending nothing anywhere.
        @Sandbox
        static final TestContainer httpd = TestContainer.of(Container.builder()
                .namespaces(Namespace.PID, Namespace.NET, Namespace.MNT, Namespace.UTS, Namespace.IPC)
                .command("sh", "-c", "mkdir -p /tmp/www && echo hello > /tmp/www/index.html && sleep 0.3 && exec busybox httpd -f -p 8080 -h /tmp/www"))
                .waitingFor(Wait.forListeningPort(8080));

        @Test
        void listens() {
            seen.add(httpd.pid());
            assertThat(httpd.readFile("/tmp/www/index.html")).isEqualTo("hello\n");
        }

        @Test
        void commandsRunInside() {
            ExecResult r = httpd.exec("sh", "-c", "echo out; echo err >&2; hostname >/dev/null; exit 4");
            assertThat(r).isEqualTo(new ExecResult(4, "out\n", "err\n"));
            assertThat(httpd.exec("busybox", "netstat", "-ltn").stdout()).contains(":8080");
        }
    }

    @Test
    void aListeningPortAndCommandsInsideTheContainer() throws Exception {
        run(Server.class).assertStatistics(s -> s.failed(0).succeeded(4));
        assertAllGone();
    }

    static class ByCommand {
        @Sandbox
        final TestContainer marker = TestContainer.of(Container.builder()
                .command("sh", "-c", "sleep 0.2; touch /tmp/ready; exec sleep 600"))
                .waitingFor(Wait.forSuccessfulCommand("test", "-e", "/tmp/ready"));

        @Test
        void ready() {
            seen.add(marker.pid());
            assertThat(marker.exec("test", "-e", "/tmp/ready").exitCode()).isZero();
        }
    }

    @Test
    void aCommandAsTheReadinessCheck() throws Exception {
        run(ByCommand.class).assertStatistics(s -> s.failed(0).succeeded(3));
        assertAllGone();
    }

    // ---- configuration errors ----

    static class WrongType {
        @Sandbox
        final String notAContainer = "x";

        @Test
        void neverRuns() {
        }
    }

    @Test
    void aFieldOfAnotherTypeIsAConfigurationError() {
        Throwable failure = run(WrongType.class).failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(failure).hasMessageContaining("WrongType.notAContainer must be of type TestContainer");
    }

    @Test
    void byHandInATryBlock() throws Exception {
        try (TestContainer c = TestContainer.of(Container.builder().command("sh", "-c", "echo hi; exec sleep 600"))
                .waitingFor(Wait.forLogLine("hi")).start()) {
            assertThat(c.logs()).isEqualTo("hi\n");
            seen.clear();
            seen.add(c.pid());
        }
        assertAllGone();
    }

    @Test
    void theWholeOutputIsReadableAfterClose() throws Exception {
        // close() does not wait for the readers; logs() after it waits for the last of the output
        TestContainer c = TestContainer.of(Container.builder().command("sh", "-c", "seq 1 3000; echo end")).start();
        try {
            assertThat(c.container().waitFor(Duration.ofSeconds(30))).isPresent();
        } finally {
            c.close();
        }
        String logs = c.logs();
        assertThat(logs).endsWith("2999\n3000\nend\n");
        assertThat(logs.lines().count()).isEqualTo(3001);
        assertThat(c.stdout()).isEqualTo(logs);
        assertThat(c.stderr()).isEmpty();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    @AfterAll
    static void nothingOfOursRemains() throws InterruptedException {
        assertThat(io.jcontainer.linux.testing.Processes.leftovers()).isEmpty();
    }
}
