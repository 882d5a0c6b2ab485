package io.jcontainer.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.ArchiveFormat;
import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.oci.Json;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.jcontainer.oci.testing.LocalRegistry.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cross-checks with the peers Debian ships: skopeo reads what jcontainer pushed with identical
 * digests; an image made with umoci and pushed by skopeo is pulled and unpacked by jcontainer;
 * podman loads jcontainer's docker-archive and OCI archive, and jcontainer loads podman's.
 * podman runs with a private --root/--runroot/--tmpdir under the test's temp directory and the
 * vfs driver, so nothing of it lands in the host's /var/lib/containers.
 */
class PeerToolsTest {
    static LocalRegistry registry;
    static Path work;
    /** skopeo (containers/image) keeps a blob-info cache there as root, with no flag to move it. */
    static final Path CONTAINERS_CACHE = Path.of("/var/lib/containers");
    static boolean cacheExisted;

    @BeforeAll
    static void start() throws Exception {
        cacheExisted = Files.exists(CONTAINERS_CACHE);
        registry = LocalRegistry.start();
        work = Files.createTempDirectory("jcontainer-oci-peers-");
    }

    @AfterAll
    static void stop() throws IOException {
        if (registry != null) registry.close();
        if (work != null) io.jcontainer.oci.unpack.FsTree.delete(work);
        if (!cacheExisted) io.jcontainer.oci.unpack.FsTree.delete(CONTAINERS_CACHE);     // leave the host as found
    }

    static Images open(Path storage) {
        return Images.open(ImagesOptions.defaults().withStorageRoot(storage).withDockerConfig(storage.resolve("dc.json")));
    }

    /**
     * A Dockerfile build pushed to the registry reads the same from outside: skopeo's view of the
     * image config carries the Entrypoint, Cmd, Env, WorkingDir, User, ExposedPorts, Volumes,
     * Labels and StopSignal the builder wrote (and that jcontainer's own inspect shows).
     */
    @Test
    void skopeoReadsAPushedBuildsConfigAsTheDockerfileSaid(@TempDir Path tmp) throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("app.txt"), "app\n");
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM scratch
                COPY app.txt /srv/app/
                ENV APP_HOME=/srv/app GREETING="two words"
                WORKDIR $APP_HOME
                USER 65534:65534
                EXPOSE 8080/tcp 53/udp
                VOLUME ["/data", "/cache"]
                LABEL org.opencontainers.image.version=1.0 description="built by jcontainer"
                STOPSIGNAL SIGINT
                ENTRYPOINT ["/srv/app/run", "--flag"]
                CMD ["arg one", "arg2"]
                """);
        String ref = registry.host() + "/peers/built:1";
        io.jcontainer.image.ImageConfig ours;
        try (Images images = open(tmp.resolve("s"))) {
            io.jcontainer.image.build.ImageBuilder.of(images).build(ctx,
                    io.jcontainer.image.build.BuildOptions.defaults().withTags(ref), io.jcontainer.image.build.BuildListener.NONE);
            images.push(ref, ProgressListener.NONE);
            ours = images.inspect(ref).config();
        }
        JsonNode config = Json.MAPPER.readTree(run(List.of("skopeo", "inspect", "--tls-verify=false", "--config", "docker://" + ref))).path("config");
        assertThat(strings(config.path("Entrypoint"))).containsExactly("/srv/app/run", "--flag").isEqualTo(ours.entrypoint());
        assertThat(strings(config.path("Cmd"))).containsExactly("arg one", "arg2").isEqualTo(ours.cmd());
        assertThat(strings(config.path("Env"))).contains("APP_HOME=/srv/app", "GREETING=two words").isEqualTo(ours.env());
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/srv/app").isEqualTo(ours.workingDir());
        assertThat(config.path("User").asText()).isEqualTo("65534:65534").isEqualTo(ours.user());
        assertThat(names(config.path("ExposedPorts"))).containsExactlyInAnyOrder("8080/tcp", "53/udp").isEqualTo(ours.exposedPorts());
        assertThat(names(config.path("Volumes"))).containsExactlyInAnyOrder("/data", "/cache").isEqualTo(ours.volumes());
        assertThat(config.path("Labels").path("org.opencontainers.image.version").asText()).isEqualTo("1.0");
        assertThat(config.path("Labels").path("description").asText()).isEqualTo("built by jcontainer");
        assertThat(config.path("Labels").size()).isEqualTo(ours.labels().size());
        assertThat(config.path("StopSignal").asText()).isEqualTo("SIGINT").isEqualTo(ours.stopSignal());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static java.util.Set<String> names(JsonNode object) {
        java.util.Set<String> out = new java.util.HashSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void skopeoSeesWhatJcontainerPushedWithIdenticalDigests(@TempDir Path tmp) throws Exception {
        var image = TestImage.busybox("skopeo");
        String ref = registry.host() + "/peers/pushed:1";
        String pushed;
        try (Images images = open(tmp.resolve("s"))) {
            images.load(image.writeArchive(tmp.resolve("i.tar"), ref));
            pushed = images.push(ref, ProgressListener.NONE);
        }
        assertThat(pushed).isEqualTo(image.manifest.digest().toString());
        // skopeo prints the manifest's bytes (plus a newline): they are ours, byte for byte
        String raw = run(List.of("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + ref));
        assertThat(raw.stripTrailing()).isEqualTo(new String(image.manifest.bytes(), StandardCharsets.UTF_8));
        JsonNode inspect = Json.MAPPER.readTree(run(List.of("skopeo", "inspect", "--tls-verify=false", "docker://" + ref)));
        assertThat(inspect.path("Digest").asText()).isEqualTo(pushed);
        assertThat(inspect.path("Layers").size()).isEqualTo(3);

        Path layout = tmp.resolve("copied");
        run(List.of("skopeo", "copy", "--preserve-digests", "--src-tls-verify=false", "docker://" + ref, "oci:" + layout + ":copy"));
        JsonNode index = Json.MAPPER.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests").get(0).path("digest").asText()).isEqualTo(pushed);
        for (var l : image.layers)
            assertThat(layout.resolve("blobs/sha256").resolve(l.digest().hex())).hasBinaryContent(l.bytes());
    }

    @Test
    void umociImagePushedBySkopeoIsPulledAndUnpacked(@TempDir Path tmp) throws Exception {
        Path layout = tmp.resolve("layout");
        Path bundle = tmp.resolve("bundle");
        run(List.of("umoci", "init", "--layout", layout.toString()));
        run(List.of("umoci", "new", "--image", layout + ":base"));
        List<String> unpack = new ArrayList<>(List.of("umoci", "unpack", "--image", layout + ":base", bundle.toString()));
        if (!"root".equals(System.getProperty("user.name"))) unpack.add(2, "--rootless");
        run(unpack);
        Path rootfs = bundle.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.copy(TestImage.BUSYBOX, rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        Files.writeString(rootfs.resolve("etc/made-by"), "umoci");
        run(List.of("umoci", "repack", "--image", layout + ":base", bundle.toString()));
        run(List.of("umoci", "config", "--image", layout + ":base", "--config.cmd", "/bin/sh"));
        String ref = registry.host() + "/peers/umoci:1";
        run(List.of("skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":base", "docker://" + ref));
        String digest = Json.MAPPER.readTree(run(List.of("skopeo", "inspect", "--tls-verify=false", "docker://" + ref))).path("Digest").asText();

        try (Images images = open(tmp.resolve("s"))) {
            ImageInfo info = images.pull(ref, ProgressListener.NONE);
            assertThat(info.manifestDigest()).isEqualTo(digest);
            assertThat(info.config().cmd()).containsExactly("/bin/sh");
            Path out = tmp.resolve("out");
            images.unpack(ref, out);
            assertThat(out.resolve("bin/busybox")).hasSameBinaryContentAs(TestImage.BUSYBOX);
            assertThat(Files.readSymbolicLink(out.resolve("bin/sh"))).isEqualTo(Path.of("busybox"));
            assertThat(out.resolve("etc/made-by")).hasContent("umoci");
        }
    }

    static List<String> podman(Path tmp, String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", tmp.resolve("podman/root").toString(),
                "--runroot", tmp.resolve("podman/run").toString(), "--tmpdir", tmp.resolve("podman/tmp").toString(),
                "--storage-driver", "vfs", "--events-backend", "none", "--cgroup-manager", "cgroupfs"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Root: the image owns a file as 1000:1000, which rootless podman can only store with
     * /etc/subuid ranges for the user ("potentially insufficient UIDs or GIDs available").
     */
    @Test
    @io.jcontainer.linux.testing.RequiresRoot
    void podmanLoadsOurArchivesAndWeLoadPodmans(@TempDir Path tmp) throws Exception {
        // gzip layers only: podman 4.3 cannot write zstd layers into a docker-archive
        var image = TestImage.busybox("podman", io.jcontainer.oci.MediaTypes.OCI_LAYER_GZIP);
        String ref = "example.com/peers/podman:1";
        try (Images images = open(tmp.resolve("s"))) {
            images.load(image.writeArchive(tmp.resolve("i.tar"), ref));
            images.save(List.of(ref), tmp.resolve("docker.tar"), ArchiveFormat.DOCKER_ARCHIVE);
            images.save(List.of(ref), tmp.resolve("oci.tar"), ArchiveFormat.OCI_ARCHIVE);
            try {
                assertThat(run(podman(tmp, "load", "-i", tmp.resolve("docker.tar").toString()))).contains(ref);
                String id = run(podman(tmp, "image", "inspect", "--format", "{{.Id}}", ref)).strip();
                assertThat("sha256:" + id).isEqualTo(image.config.digest().toString());
                run(podman(tmp, "rmi", "-a", "-f"));
                assertThat(run(podman(tmp, "load", "-i", tmp.resolve("oci.tar").toString()))).contains("Loaded image");
                run(podman(tmp, "tag", image.config.digest().hex().substring(0, 12), "example.com/peers/back:2"));
                run(podman(tmp, "save", "--format", "docker-archive", "-o", tmp.resolve("back.tar").toString(), "example.com/peers/back:2"));
                run(podman(tmp, "save", "--format", "oci-archive", "-o", tmp.resolve("back-oci.tar").toString(), "example.com/peers/back:2"));
            } finally {
                run(podman(tmp, "rmi", "-a", "-f"));
            }
        }
        for (String archive : List.of("back.tar", "back-oci.tar")) {
            try (Images fresh = open(tmp.resolve("fresh-" + archive))) {
                List<String> loaded = fresh.load(tmp.resolve(archive));
                assertThat(loaded).hasSize(1);
                ImageInfo info = fresh.inspect(loaded.getFirst());
                assertThat(info.id()).isEqualTo(image.config.digest().toString());
                Path out = tmp.resolve("out-" + archive);
                fresh.unpack(loaded.getFirst(), out);
                RegistryRoundTripTest.assertWhiteoutsApplied(out, "podman");
            }
        }
    }
}
