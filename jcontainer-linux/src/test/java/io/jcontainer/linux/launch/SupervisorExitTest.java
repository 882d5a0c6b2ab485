package io.jcontainer.linux.launch;

import io.jcontainer.Container;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The supervisor's thread, blocked in epoll_wait, made HotSpot's exit wait 300 ms for it (a
 * thread inside a native call) in every JVM that had started a container. At shutdown it now
 * ends once nothing is watched, and still serves the exits other shutdown hooks wait for.
 */
@RequiresRoot
class SupervisorExitTest {

    @Test
    void theSupervisorEndsAtTheJvmsExitOnceNothingIsWatched() throws Exception {
        assertThat(childJvm("closed")).containsExactly("supervisor gone");
    }

    @Test
    void aShutdownHookStillGetsTheExitOfAContainerItStops() throws Exception {
        assertThat(childJvm("running")).containsExactly("stopped 137", "supervisor gone");
    }

    private static List<String> childJvm(String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process jvm = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), mode).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var r = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> lines = r.lines().toList();
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return lines;
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** Starts a container, closes it or leaves it running for a shutdown hook, and returns from main. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Container c = TestRuns.busybox().command(args[0].equals("closed") ? List.of("true") : List.of("sleep", "100")).build().start();
            Thread stopper = null;
            if (args[0].equals("closed")) {
                c.waitFor(); // an exit the supervisor reported
                c.close();
            } else {
                stopper = new Thread(() -> {
                    try {
                        c.kill();
                        System.out.println("stopped " + c.waitFor().code());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    c.close();
                });
                Runtime.getRuntime().addShutdownHook(stopper);
            }
            Thread stopped = stopper;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    if (stopped != null) stopped.join(10_000);
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (supervisorAlive() && System.nanoTime() < deadline) Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.out.println(supervisorAlive() ? "supervisor alive" : "supervisor gone");
                System.out.flush();
            }));
        }

        static boolean supervisorAlive() {
            return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("jcontainer-supervisor") && t.isAlive());
        }
    }
}
