package io.jcontainer.server.tc2;

import io.jcontainer.image.Images;
import io.jcontainer.server.ApiServer;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.TestImage;
import io.jcontainer.spi.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Testcontainers 2.0, unchanged, against jcontainer's API server on a unix socket: the same cycle
 * as jcontainer-server's {@code TestcontainersTest} (which holds 1.21; one class path cannot hold
 * both). Its docker-java 3.7 finds the server through {@code DOCKER_HOST}; a {@code GenericContainer}
 * of an image in jcontainer's store starts, is waited for by a log line, runs commands, shows its
 * logs, copies a file in and out and is removed; an {@code ImageFromDockerfile} is built through
 * the build endpoint and runs. Ryuk and the start-up checks are off (environment set in this
 * module's pom): their images are on Docker Hub.
 */
@RequiresRoot
class Testcontainers2Test {
    @TempDir
    static Path dir;
    static ApiServer server;
    static Containers containers;
    static Images images;
    static Path state;
    static final String IMAGE = "localhost/tc/busybox:1";

    @BeforeAll
    static void start() throws Exception {
        state = Files.createTempDirectory(Path.of("/tmp"), "jcs");
        containers = ContainerRuntime.get().containers(state);
        images = Images.open(ImagesOptions.defaults().withStorageRoot(dir.resolve("store")).withDockerConfig(dir.resolve("auth.json")));
        images.load(TestImage.busybox("tc").writeArchive(dir.resolve("tc.tar"), IMAGE));
        // Testcontainers reads DOCKER_HOST from the environment only: the build sets it (jcontainer-server/pom.xml).
        String host = System.getenv("DOCKER_HOST");
        assertThat(host).as("DOCKER_HOST set by the build").startsWith("unix:///");
        Path sock = Path.of(host.substring("unix://".length()));
        Files.createDirectories(sock.getParent());
        Files.deleteIfExists(sock); // a socket left by a killed earlier run
        server = ApiServer.builder().unixSocket(sock).containers(containers).images(images).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (images != null) images.close();
        if (state != null) try (var walk = Files.walk(state)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    void aGenericContainerStartsWaitsRunsCommandsAndIsRemoved() throws Exception {
        assertThat(DockerClientFactory.TESTCONTAINERS_VERSION).as("the Testcontainers on this class path").startsWith("2.");
        assertThat(DockerClientFactory.instance().isDockerAvailable()).isTrue();
        String id;
        try (GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withCommand("-c", "echo starting; sleep 0.2; echo ready; exec sleep 600")
                .withEnv("WHO", "testcontainers")
                .withTmpFs(java.util.Map.of("/tmp", "rw")) // HostConfig.Tmpfs through the create body
                .waitingFor(Wait.forLogMessage(".*ready.*", 1))) {
            c.start();
            id = c.getContainerId();
            assertThat(c.isRunning()).isTrue();
            var r = c.execInContainer("sh", "-c", "echo hello $WHO; cat /etc/marker");
            assertThat(r.getExitCode()).isZero();
            assertThat(r.getStdout()).isEqualTo("hello testcontainers\ntc");
            assertThat(c.getLogs()).contains("starting\n", "ready\n");
            c.copyFileToContainer(org.testcontainers.images.builder.Transferable.of("copied in\n", 0640), "/tmp/note.txt");
            assertThat(c.execInContainer("sh", "-c", "stat -c %a /tmp/note.txt; cat /tmp/note.txt").getStdout()).isEqualTo("640\ncopied in\n");
            String marker = c.copyFileFromContainer("/etc/marker", in -> new String(in.readAllBytes()));
            assertThat(marker).isEqualTo("tc");
        }
        assertThat(containers.list(io.jcontainer.lifecycle.ListQuery.ALL)).noneMatch(ci -> ci.id().equals(id));
    }

    @Test
    void anImageFromDockerfileIsBuiltThroughTheBuildEndpointAndRuns() throws Exception {
        var image = new org.testcontainers.images.builder.ImageFromDockerfile("localhost/tc/built", false)
                .withFileFromString("note.txt", "copied by the build\n")
                .withDockerfileFromBuilder(b -> b.from(IMAGE).copy("note.txt", "/srv/note.txt").run("echo ran > /srv/ran.txt").build());
        try (GenericContainer<?> c = new GenericContainer<>(image)
                .withCommand("-c", "cat /srv/note.txt /srv/ran.txt; echo done; exec sleep 600")
                .waitingFor(Wait.forLogMessage(".*done.*", 1))) {
            c.start();
            assertThat(c.getLogs()).contains("copied by the build\nran\ndone\n");
        }
    }
}
