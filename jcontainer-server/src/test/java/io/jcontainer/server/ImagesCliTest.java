package io.jcontainer.server;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.TestImage;
import io.jcontainer.spi.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Debian's docker CLI using the server's image and volume endpoints: load, images, inspect,
 * history, tag, push to and pull from a real registry (docker-registry on 127.0.0.1), rmi, run
 * of a stored image and of one the CLI pulls on demand, save, and named volumes shared by two
 * containers. The store, the state and the registry are the test's own.
 */
@RequiresRoot
class ImagesCliTest {
    @TempDir
    static Path dir;
    static ApiServer server;
    static DockerCli docker;
    static Containers containers;
    static Images images;
    static LocalRegistry registry;
    static Path state;
    static TestImage image;
    static String ref;

    @BeforeAll
    static void start() throws Exception {
        if (System.getenv("CI") == null) {
            assumeThat(DockerCli.available()).as("/usr/bin/docker (apt-get install docker.io)").isTrue();
            assumeThat(LocalRegistry.available()).as("docker-registry").isTrue();
        }
        registry = LocalRegistry.start();
        state = Files.createTempDirectory(Path.of("/tmp"), "jcs");
        containers = ContainerRuntime.get().containers(state);
        images = Images.open(ImagesOptions.defaults().withStorageRoot(dir.resolve("store"))
                .withDockerConfig(dir.resolve("jc-docker-config.json")));
        Path sock = dir.resolve("run/docker.sock");
        server = ApiServer.builder().unixSocket(sock).containers(containers).images(images).start();
        docker = DockerCli.unix(sock, Files.createDirectories(dir.resolve("config")));
        image = TestImage.busybox("from the store");
        ref = registry.host() + "/srv/busybox:1";
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
        if (registry != null) registry.close();
        if (state != null) try (var walk = Files.walk(state)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static DockerCli.Result ok(String... args) throws Exception {
        var r = docker.run(args);
        assertThat(r.exit()).as("docker " + String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    @Test
    void loadListInspectTagPushPullRunSaveRemove() throws Exception {
        Path archive = image.writeArchive(dir.resolve("in.tar"), ref);
        assertThat(ok("load", "-i", archive.toString()).out()).isEqualTo("Loaded image: " + ref + "\n");

        String id = image.config.digest().toString();
        assertThat(ok("images", "--no-trunc", "--filter", "reference=*/srv/busybox", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").out())
                .isEqualTo(ref + " " + id + "\n");
        assertThat(ok("image", "inspect", "-f", "{{.Id}} {{.Config.Entrypoint}} {{.Os}}", ref).out())
                .isEqualTo(id + " [/bin/sh] linux\n");
        assertThat(ok("history", "--no-trunc", "--format", "{{.CreatedBy}}", ref).out())
                .isEqualTo("test layer 3\ntest layer 2\ntest layer 1\n");

        // A stored image runs with its Entrypoint + Cmd, Env and WorkingDir.
        assertThat(ok("run", "--rm", ref).out()).isEqualTo("from the store");
        assertThat(ok("run", "--rm", ref, "-c", "echo $GREETING in $(pwd)").out()).isEqualTo("hello in /tmp\n");
        // Each container writes to an overlay upper of its own, removed with it: the image is unchanged.
        assertThat(ok("run", "--rm", ref, "-c", "echo x > /f && cat /f").out()).isEqualTo("x\n");
        assertThat(ok("run", "--rm", ref, "-c", "test -e /f && echo shared || echo own").out()).isEqualTo("own\n");
        Path uppers = dir.resolve("store/containers");
        if (Files.isDirectory(uppers)) try (var left = Files.list(uppers)) {
            assertThat(left.toList()).as("overlay uppers left after --rm").isEmpty();
        }

        String other = registry.host() + "/srv/other:2";
        ok("tag", ref, other);
        assertThat(ok("images", "--format", "{{.Repository}}:{{.Tag}}").out()).contains(ref, other);

        var push = ok("push", ref);
        assertThat(push.out()).contains("The push refers to repository [" + registry.host() + "/srv/busybox]")
                .contains("1: digest: " + image.manifest.digest());

        var rmi = ok("rmi", ref, other);
        assertThat(rmi.out()).contains("Untagged: " + ref).contains("Untagged: " + other).contains("Deleted: " + id);
        assertThat(ok("images", "-q", "--filter", "reference=*/srv/busybox").out()).isEmpty();
        var missing = docker.run("image", "inspect", ref);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).containsIgnoringCase("no such image");

        var pull = ok("pull", ref);
        assertThat(pull.out()).contains("1: Pulling from srv/busybox").contains("Pull complete")
                .contains("Digest: " + image.manifest.digest())
                .contains("Status: Downloaded newer image for " + ref);
        assertThat(ok("pull", ref).out()).contains("Status: Image is up to date for " + ref);

        // docker run of an image the store lacks: the CLI sees the 404, pulls, and runs it.
        ok("rmi", ref);
        var run = ok("run", "--rm", ref, "-c", "cat /etc/marker; echo; ls /opq");
        assertThat(run.err()).contains("Unable to find image '" + ref + "' locally");
        assertThat(run.out()).isEqualTo("from the store\nnew\n");

        Path saved = dir.resolve("saved.tar");
        ok("save", "-o", saved.toString(), ref);
        ok("rmi", ref);
        assertThat(ok("load", "-i", saved.toString()).out()).isEqualTo("Loaded image: " + ref + "\n");
        assertThat(ok("images", "-q", "--no-trunc", "--filter", "reference=*/srv/busybox").out()).isEqualTo(id + "\n");

        var unknown = docker.run("pull", registry.host() + "/srv/nothing:1");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).isNotEmpty();
    }

    /**
     * Container sizes as docker's daemon reports them: SizeRw what the container wrote (its
     * overlay's upper), SizeRootFs with the image's files — in ps -s, inspect -s (size=1) and
     * system df (and -v).
     */
    @Test
    void containerSizesInPsInspectAndSystemDf() throws Exception {
        Path archive = TestImage.busybox("for sizes").writeArchive(dir.resolve("sizes.tar"), registry.host() + "/srv/sizes:1");
        ok("load", "-i", archive.toString());
        String img = registry.host() + "/srv/sizes:1";
        ok("run", "--name", "writer", img, "-c", "head -c 300000 /dev/zero > /big");
        try {
            long rw = Long.parseLong(ok("inspect", "-s", "-f", "{{.SizeRw}}", "writer").out().strip());
            long rootFs = Long.parseLong(ok("inspect", "-s", "-f", "{{.SizeRootFs}}", "writer").out().strip());
            assertThat(rw).isBetween(300_000L, 310_000L); // the file, and whatever the shell left (none, or a few bytes)
            assertThat(rootFs).isGreaterThan(rw + 500_000); // the image's busybox too
            assertThat(ok("inspect", "-f", "{{.SizeRw}}", "writer").out()).as("only asked for").isEqualTo("<nil>\n"); // docker: a nil *int64
            assertThat(ok("ps", "-a", "-s", "--filter", "name=writer", "--format", "{{.Names}} {{.Size}}").out())
                    .matches("writer 30[0-9.]*kB \\(virtual [0-9.]+MB\\)\n");
            assertThat(ok("ps", "-a", "-s", "--filter", "name=writer").out()).contains("SIZE").contains("kB (virtual ");
            String df = ok("system", "df").out();
            assertThat(df.lines().filter(l -> l.startsWith("Containers")).findFirst().orElseThrow()).matches("Containers\\s+1\\s+0\\s+30[0-9.]*kB\\s.*");
            // the image counts as used by its container (found by the name it was run by, not by the root it runs on)
            assertThat(ok("system", "df", "--format", "{{.Type}} {{.Active}}").out()).contains("Images 1\n");
            assertThat(ok("system", "df", "-v").out()).containsPattern("writer *\n").containsPattern("30[0-9.]*kB +[A-Za-z0-9 ]+ ago");
        } finally {
            ok("rm", "-f", "writer");
            ok("rmi", img);
        }
    }

    @Test
    void namedVolumesOutliveTheirContainers() throws Exception {
        // An image of its own (another marker, another id), so the other test's rmi deletes its own.
        Path archive = TestImage.busybox("for volumes").writeArchive(dir.resolve("vol.tar"), registry.host() + "/srv/vol:1");
        ok("load", "-i", archive.toString());
        String img = registry.host() + "/srv/vol:1";

        assertThat(ok("volume", "create", "--label", "team=a", "shared").out()).isEqualTo("shared\n");
        assertThat(ok("volume", "ls", "--format", "{{.Name}} {{.Driver}}").out()).contains("shared local");
        assertThat(ok("volume", "inspect", "-f", "{{.Labels.team}} {{.Scope}}", "shared").out()).isEqualTo("a local\n");

        ok("run", "--rm", "-v", "shared:/data", img, "-c", "echo kept > /data/note");
        assertThat(ok("run", "--rm", "-v", "shared:/data:ro", img, "-c", "cat /data/note").out()).isEqualTo("kept\n");

        ok("run", "-d", "--name", "holder", "-v", "shared:/data", img, "-c", "exec sleep 60");
        var busy = docker.run("volume", "rm", "shared");
        assertThat(busy.exit()).isNotZero();
        assertThat(busy.err()).contains("in use");
        ok("rm", "-f", "holder");
        ok("volume", "rm", "shared");
        var gone = docker.run("volume", "inspect", "shared");
        assertThat(gone.exit()).isNotZero();
        ok("rmi", img);
    }
}
