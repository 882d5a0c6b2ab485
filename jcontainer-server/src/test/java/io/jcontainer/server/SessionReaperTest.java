package io.jcontainer.server;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.ListQuery;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.TestImage;
import io.jcontainer.spi.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's native Ryuk: a real Testcontainers run in a child JVM starts a container and
 * keeps using it for three grace periods (it stays), then is killed with SIGKILL, cleaning
 * nothing up; the server removes the session's container once no connection of the session is
 * open and no request named it for the grace period.
 */
@RequiresRoot
class SessionReaperTest {
    static final String IMAGE = "localhost/reap/busybox:1";
    static final Duration GRACE = Duration.ofSeconds(2);
    @TempDir
    static Path dir;
    static ApiServer server;
    static Containers containers;
    static Images images;
    static Path state, sock;

    @BeforeAll
    static void start() throws Exception {
        state = Files.createTempDirectory(Path.of("/tmp"), "jcs");
        containers = ContainerRuntime.get().containers(state);
        images = Images.open(ImagesOptions.defaults().withStorageRoot(dir.resolve("store")).withDockerConfig(dir.resolve("auth.json")));
        images.load(TestImage.busybox("reap").writeArchive(dir.resolve("img.tar"), IMAGE));
        sock = dir.resolve("run/docker.sock");
        server = ApiServer.builder().unixSocket(sock).containers(containers).images(images).reapSessionsAfter(GRACE).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (containers != null) for (var c : containers.list(ListQuery.ALL)) {
            try {
                containers.remove(c.id(), true, true);
            } catch (Containers.NoSuchContainerException gone) {
                // reaped meanwhile
            }
        }
        if (server != null) server.close();
        if (images != null) images.close();
        if (state != null) try (var walk = Files.walk(state)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static List<String> sessionContainers() {
        return containers.list(new ListQuery(true, Map.of("label", List.of("org.testcontainers.sessionId")))).stream()
                .map(c -> c.id()).toList();
    }

    @Test
    void aKilledTestcontainersRunsContainersAreRemovedAfterTheGracePeriodAndNotWhileItWorks() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), TestcontainersSession.class.getName(),
                IMAGE, String.valueOf(GRACE.multipliedBy(3).toMillis()), String.valueOf(GRACE.dividedBy(4).toMillis())).redirectErrorStream(true);
        pb.environment().put("DOCKER_HOST", "unix://" + sock);
        pb.environment().put("TESTCONTAINERS_RYUK_DISABLED", "true");
        pb.environment().put("TESTCONTAINERS_CHECKS_DISABLE", "true");
        pb.environment().put("TESTCONTAINERS_HOST_OVERRIDE", "localhost");
        Process child = pb.start();
        StringBuilder log = new StringBuilder();
        long killed;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            boolean alive = false;
            for (String line; (line = out.readLine()) != null; ) {
                log.append(line).append('\n');
                if (line.equals("ALIVE")) {
                    alive = true;
                    break;
                }
                if (line.equals("GONE")) break;
            }
            assertThat(alive).as("the session's container stayed while the run used it for 3x the grace period:\n" + log).isTrue();
            assertThat(sessionContainers()).as(log.toString()).hasSize(1);
        } finally {
            // taken before the kill: the session's connections close after it, so its grace period ends after killed + GRACE
            killed = System.nanoTime();
            child.destroyForcibly(); // SIGKILL: Testcontainers' shutdown hook does not run
            child.waitFor(30, TimeUnit.SECONDS);
        }
        while (!sessionContainers().isEmpty() && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(30)) Thread.sleep(100);
        assertThat(sessionContainers()).as("the session's container is reaped after the child was killed:\n" + log).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isGreaterThanOrEqualTo(GRACE);
    }
}
