package io.jcontainer.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.ContainerSpec;
import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.WaitCondition;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.TestImage;
import io.jcontainer.spi.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Debian's docker CLI using the server's root filesystem endpoints: {@code export} piped into
 * {@code import -}, {@code diff} and {@code commit} then {@code run} of the committed image. The
 * changed container has an overlay root made through the library (the image's tree as the
 * lower, an upper directory here); an API-made container of a stored image that changed nothing
 * (its overlay upper holds only the runtime's mount points) has an empty diff (checked too).
 */
@RequiresRoot
class CommitExportCliTest {
    static final String IMAGE = "jc-srv/busybox:1";
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
        // short: a container's attach socket lives in its state directory, and unix socket paths end at 107 bytes
        state = Files.createTempDirectory(Path.of("/tmp"), "jcs");
        containers = ContainerRuntime.get().containers(state);
        images = Images.open(ImagesOptions.defaults().withStorageRoot(dir.resolve("store"))
                .withDockerConfig(dir.resolve("jc-docker-config.json")));
        images.load(TestImage.busybox("from the image").writeArchive(dir.resolve("in.tar"), "docker.io/" + IMAGE));
        Path sock = dir.resolve("run/docker.sock");
        server = ApiServer.builder().unixSocket(sock).containers(containers).images(images).start();
        docker = DockerCli.unix(sock, Files.createDirectories(dir.resolve("config")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (containers != null) for (var c : containers.list(io.jcontainer.lifecycle.ListQuery.ALL)) {
            try {
                containers.remove(c.id(), true, true);
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

    private static DockerCli.Result ok(String... args) throws Exception {
        return ok(null, args);
    }

    private static DockerCli.Result ok(byte[] stdin, String... args) throws Exception {
        var r = docker.run(stdin, args);
        assertThat(r.exit()).as("docker " + String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    /** {@code docker export NAME} to its stdout, as a pipe would take it. */
    private static byte[] export(String name) throws Exception {
        Process p = docker.start("export", name);
        byte[] tar = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(tar, StandardCharsets.UTF_8)).isZero();
        return tar;
    }

    /** A container of {@code image} on an overlay root of its own, run to its end: {@code script} changed its files. */
    private static String changedContainer(String name, String image, String script) throws Exception {
        Path upper = Files.createDirectories(dir.resolve(name + "-upper")), work = Files.createDirectories(dir.resolve(name + "-work"));
        var spec = io.jcontainer.Container.builder().rootOverlay(List.of(images.rootfs(image)), upper, work).readOnlyRoot(false)
                .annotation(ContainerSpec.Builder.IMAGE_ANNOTATION, image)
                .annotation(ContainerSpec.Builder.IMAGE_ID_ANNOTATION, images.inspect(image).id())
                .name(name).detached(true).command("/bin/busybox", "sh", "-c", script).build();
        String id = containers.run(spec, false);
        var exit = containers.wait(id, WaitCondition.NOT_RUNNING);
        assertThat(exit).isPresent();
        assertThat(exit.get().code()).isZero();
        return id;
    }

    @Test
    void exportPipedIntoImportThenDiffCommitAndRun() throws Exception {
        // export of a container the API made (its root: the image's read-only tree), straight into import -
        ok("run", "--name", "src", IMAGE, "-c", "true");
        byte[] tar = export("src");
        assertThat(tar.length % 512).isZero();
        var imported = ok(tar, "import", "-m", "flat", "-", "jc-srv/flat:1");
        assertThat(imported.out()).startsWith("sha256:");
        // the image's deleted and hidden files stay out of the export: the merged tree, not the layers
        assertThat(ok("run", "--rm", "jc-srv/flat:1", "/bin/sh", "-c", "cat /etc/marker; ls /etc/doomed /opq/old 2>/dev/null | wc -l; cat /opq/new").out())
                .isEqualTo("from the image0\nfrom layer 3");
        assertThat(ok("history", "--no-trunc", "--format", "{{.Comment}}", "jc-srv/flat:1").out()).isEqualTo("flat\n");

        // a container of the imported image changes its root; diff lists it in docker's shape
        changedContainer("chg", "jc-srv/flat:1", "echo committed > /x && /bin/busybox rm /etc/marker");
        assertThat(ok("diff", "chg").out()).isEqualTo("C /etc\nD /etc/marker\nA /x\n");

        var commit = ok("commit", "-c", "CMD [\"cat\",\"/x\"]", "-m", "the change", "-a", "tester", "chg", "jc-srv/committed:1");
        assertThat(commit.out()).matches("sha256:[0-9a-f]{64}\n");
        assertThat(ok("run", "--rm", "jc-srv/committed:1").out()).isEqualTo("committed\n");
        assertThat(docker.run("run", "--rm", "jc-srv/committed:1", "cat", "/etc/marker").exit()).isNotZero();
        assertThat(ok("image", "inspect", "-f", "{{.Id}}", "jc-srv/committed:1").out()).isEqualTo(commit.out());
        assertThat(ok("history", "--no-trunc", "--format", "{{.Comment}}|{{.CreatedBy}}", "jc-srv/committed:1").out())
                .startsWith("the change|/bin/busybox sh -c echo committed > /x");

        // docker's errors: no such container, a change commit cannot make
        var missing = docker.run("commit", "nosuch", "jc-srv/x:1");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).containsIgnoringCase("no such container");
        var run = docker.run("commit", "-c", "RUN true", "chg", "jc-srv/x:1");
        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("RUN");
        var raw = RawHttp.exchange(dir.resolve("run/docker.sock"), "POST /v1.41/commit?container=chg&changes=RUN%20true HTTP/1.1\r\n"
                + "Host: d\r\nContent-Length: 0\r\n\r\n");
        assertThat(raw.status()).isEqualTo(400);
        raw = RawHttp.exchange(dir.resolve("run/docker.sock"), "GET /v1.41/containers/nosuch/changes HTTP/1.1\r\nHost: d\r\n\r\n");
        assertThat(raw.status()).isEqualTo(404);
    }

    @Test
    void commitBodyOverridesTheConfigAndChangesKinds() throws Exception {
        changedContainer("body", IMAGE, "echo hi > /etc/marker && echo new > /added && /bin/busybox rm /etc/passwd");
        var changes = RawHttp.exchange(dir.resolve("run/docker.sock"), "GET /v1.41/containers/body/changes HTTP/1.1\r\nHost: d\r\n\r\n");
        assertThat(changes.status()).isEqualTo(200);
        JsonNode list = new ObjectMapper().readTree(changes.body());
        assertThat(list.toString()).isEqualTo("[{\"Path\":\"/added\",\"Kind\":1},{\"Path\":\"/etc\",\"Kind\":0},"
                + "{\"Path\":\"/etc/marker\",\"Kind\":0},{\"Path\":\"/etc/passwd\",\"Kind\":2}]");

        // docker's body: a container Config whose Entrypoint/Cmd/Env override, then the changes
        String body = "{\"Entrypoint\":[\"/bin/cat\"],\"Cmd\":[\"/etc/marker\"],\"Env\":[\"A=1 2\",\"C=$x\"],\"Labels\":{\"k\":\"v\"}}";
        var commit = RawHttp.exchange(dir.resolve("run/docker.sock"), "POST /v1.41/commit?container=body&repo=jc-srv/body&tag=2"
                + "&changes=ENV%20B%3D3 HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body);
        assertThat(commit.status()).as(new String(commit.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        assertThat(new ObjectMapper().readTree(commit.body()).path("Id").asText()).startsWith("sha256:");
        assertThat(ok("run", "--rm", "jc-srv/body:2").out()).isEqualTo("hi\n");
        assertThat(ok("run", "--rm", "--entrypoint", "/bin/sh", "jc-srv/body:2", "-c", "echo \"$A $B $C\"").out()).isEqualTo("1 2 3 $x\n");
        assertThat(ok("image", "inspect", "-f", "{{.Config.Labels.k}}", "jc-srv/body:2").out()).isEqualTo("v\n");
    }

    @Test
    void anUnchangedImageRootHasNoChangesAndCommitsAnEmptyLayer() throws Exception {
        ok("run", "--name", "ro", IMAGE, "-c", "true");
        var diff = ok("diff", "ro");
        assertThat(diff.out()).isEmpty();
        ok("commit", "ro", "jc-srv/ro:1");
        // the container's command after the image's Entrypoint is the new image's Cmd, as docker makes it
        assertThat(ok("image", "inspect", "-f", "{{.Config.Entrypoint}} {{.Config.Cmd}} {{len .RootFS.Layers}}", "jc-srv/ro:1").out())
                .isEqualTo("[/bin/sh] [-c true] 4\n");
    }
}
