package io.jcontainer.server;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.TestImage;
import io.jcontainer.spi.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code docker build} (the legacy builder protocol: {@code DOCKER_BUILDKIT=0}) through the
 * server's {@code POST /build}: the CLI sends the context as a tar, the server streams it into
 * jcontainer's image builder and answers with docker's JSON progress; the image is then run.
 * RUN steps have a loopback-only network namespace of their own (docs/build.md).
 */
@RequiresRoot
class BuildCliTest {
    static final String BASE = "localhost/build/busybox:1";
    @TempDir
    static Path dir;
    static ApiServer server;
    static DockerCli docker;
    static Containers containers;
    static Images images;
    static Path state;

    @BeforeAll
    static void start() throws Exception {
        if (System.getenv("CI") == null) assumeThat(DockerCli.available()).as("/usr/bin/docker (apt-get install docker.io)").isTrue();
        state = Files.createTempDirectory(Path.of("/tmp"), "jcs");
        containers = ContainerRuntime.get().containers(state);
        images = Images.open(ImagesOptions.defaults().withStorageRoot(dir.resolve("store")).withDockerConfig(dir.resolve("auth.json")));
        images.load(TestImage.busybox("base").writeArchive(dir.resolve("base.tar"), BASE));
        Path sock = dir.resolve("run/docker.sock");
        server = ApiServer.builder().unixSocket(sock).containers(containers).images(images).start();
        docker = new DockerCli(Map.of("DOCKER_HOST", "unix://" + sock, "DOCKER_CONFIG", Files.createDirectories(dir.resolve("config")).toString(),
                "DOCKER_BUILDKIT", "0"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (containers != null) for (var c : containers.list(io.jcontainer.lifecycle.ListQuery.ALL)) {
            try {
                containers.remove(c.id(), true, false);
            } catch (Containers.NoSuchContainerException gone) {
                // removed by --rm meanwhile
            }
        }
        if (server != null) server.close();
        if (images != null) images.close();
        if (state != null) try (var walk = Files.walk(state)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static Path context(String name, String dockerfileName, String dockerfile) throws Exception {
        Path ctx = Files.createDirectories(dir.resolve(name));
        Files.writeString(ctx.resolve(dockerfileName), dockerfile);
        Files.writeString(ctx.resolve("hello.txt"), "from the context\n");
        return ctx;
    }

    @Test
    void dockerBuildTagsAnImageThatRuns() throws Exception {
        Path ctx = context("app", "Dockerfile", """
                FROM %s
                ARG WHO=nobody
                COPY hello.txt /srv/hello.txt
                RUN echo "built for $WHO" > /srv/who.txt && echo step output
                CMD ["-c", "cat /srv/hello.txt /srv/who.txt"]
                """.formatted(BASE));
        var build = docker.run("build", "-t", "localhost/app:1", "--build-arg", "WHO=docker", "--label", "org.example.built-by=docker",
                ctx.toString());
        assertThat(build.exit()).as(build.toString()).isZero();
        assertThat(docker.run("inspect", "--format", "{{index .Config.Labels \"org.example.built-by\"}}", "localhost/app:1").out().strip())
                .as("the build's labels are the image's").isEqualTo("docker");
        assertThat(build.out()).contains("step output", "Successfully built ", "Successfully tagged localhost/app:1");
        var run = docker.run("run", "--rm", "localhost/app:1");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("from the context\nbuilt for docker\n");
        assertThat(docker.run("images", "--format", "{{.Repository}}:{{.Tag}}").out()).contains("localhost/app:1");
    }

    @Test
    void quietBuildWithAnotherDockerfileAndATargetPrintsTheId() throws Exception {
        Path ctx = context("multi", "build.Dockerfile", """
                FROM %s AS first
                RUN echo first > /srv-first
                FROM first AS second
                RUN echo second > /srv-second
                FROM %s
                RUN echo never > /never
                """.formatted(BASE, BASE));
        var build = docker.run("build", "-q", "-f", ctx.resolve("build.Dockerfile").toString(), "--target", "second", "-t", "localhost/multi:2",
                "--no-cache", ctx.toString());
        assertThat(build.exit()).as(build.toString()).isZero();
        assertThat(build.out().strip()).matches("sha256:[0-9a-f]{64}");
        var run = docker.run("run", "--rm", "localhost/multi:2", "-c", "cat /srv-first /srv-second; ls /never 2>&1");
        assertThat(run.out()).startsWith("first\nsecond\n").contains("No such file");
    }

    /**
     * {@code -f} naming a Dockerfile outside the context: docker's CLI adds it to the context tar
     * under a generated name ({@code .dockerfile.<20 hex>}), appends that name to the tar's
     * .dockerignore and passes it as {@code dockerfile=} — and ends that tar without the last
     * entry's padding and the end-of-archive blocks (its tar writer is closed after the pipe),
     * which the server reads as dockerd's Go reader does.
     */
    @Test
    void aDockerfileOutsideTheContext() throws Exception {
        Path ctx = context("outside", "unused", "");
        Files.writeString(ctx.resolve("secret"), "kept out by .dockerignore\n");
        Files.writeString(ctx.resolve(".dockerignore"), "secret\nunused\n");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("Dockerfile"), "FROM " + BASE + "\nCOPY . /ctx/\nCMD [\"-c\", \"ls -A /ctx\"]\n");
        for (boolean withIgnoreFile : new boolean[]{true, false}) {
            if (!withIgnoreFile) Files.delete(ctx.resolve(".dockerignore"));
            var build = docker.run("build", "-t", "localhost/outside:1", "-f", elsewhere.resolve("Dockerfile").toString(), ctx.toString());
            assertThat(build.exit()).as(build.toString()).isZero();
            var run = docker.run("run", "--rm", "localhost/outside:1");
            assertThat(run.exit()).as(run.toString()).isZero();
            // docker's own result: the generated Dockerfile is ignored; the context's .dockerignore is copied (it does not
            // name itself), the one docker's CLI makes when there is none names itself
            assertThat(run.out()).isEqualTo(withIgnoreFile ? ".dockerignore\nhello.txt\n" : "hello.txt\nsecret\nunused\n");
        }
    }

    @Test
    void aFailingStepIsDockersErrorAndBuildKitIsRefusedByName() throws Exception {
        Path ctx = context("bad", "Dockerfile", "FROM " + BASE + "\nRUN echo about to fail; exit 7\n");
        var build = docker.run("build", "-t", "localhost/bad:1", ctx.toString());
        assertThat(build.exit()).as(build.toString()).isNotZero();
        assertThat(build.out()).contains("about to fail");
        assertThat(build.err()).contains("did not complete successfully: exit code: 7");
        // BuildKit's session protocol is not spoken: the server's refusal names the way out
        var raw = RawHttp.exchange(dir.resolve("run/docker.sock"), "POST /v1.41/build?version=2 HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n");
        assertThat(raw.status()).isEqualTo(501);
        assertThat(raw.text()).contains("DOCKER_BUILDKIT=0");
    }
}
