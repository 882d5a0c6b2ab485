package io.jcontainer.oci.registry;

import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.ImageNotFoundException;
import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.Platform;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.image.UnsupportedPlatformException;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.MediaTypes;
import io.jcontainer.oci.OciImages;
import io.jcontainer.oci.store.Store;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.Tars;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Round trips against a real registry (Debian's docker-registry on 127.0.0.1). */
class RegistryRoundTripTest {

    static LocalRegistry registry;
    static TestImage image;
    static Path work;
    static String ref;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        work = Files.createTempDirectory("jcontainer-oci-test-");
        image = TestImage.busybox("v1");
        ref = registry.host() + "/test/busybox:1";
        try (Images source = open(work.resolve("source"))) {
            assertThat(source.load(image.writeArchive(work.resolve("image.tar"), ref))).containsExactly(ref);
            assertThat(source.push(ref, ProgressListener.NONE)).isEqualTo(image.manifest.digest().toString());
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (registry != null) registry.close();
        if (work != null) io.jcontainer.oci.unpack.FsTree.delete(work);
    }

    static Images open(Path storage) {
        return Images.open(ImagesOptions.defaults().withStorageRoot(storage).withDockerConfig(storage.resolve("docker-config.json")));
    }

    @Test
    void pushedImageIsListedInCatalogAndTags() {
        try (Images images = open(work.resolve("catalog"))) {
            assertThat(images.catalog(registry.host())).contains("test/busybox");
            assertThat(images.tags(registry.host() + "/test/busybox")).containsExactly("1");
        }
    }

    @Test
    void pullIntoAnEmptyStoreThenUnpack(@TempDir Path tmp) throws IOException {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        try (Images images = open(tmp.resolve("store"))) {
            ImageInfo info = images.pull(ref, new ProgressListener() {
                @Override
                public void layerDone(String digest, boolean alreadyPresent) {
                    events.add(digest);
                }
            });
            assertThat(info.manifestDigest()).isEqualTo(image.manifest.digest().toString());
            assertThat(info.id()).isEqualTo(image.config.digest().toString());
            assertThat(info.repoTags()).containsExactly(registry.host() + "/test/busybox:1");
            assertThat(info.repoDigests()).containsExactly(registry.host() + "/test/busybox@" + image.manifest.digest());
            assertThat(info.config().command()).containsExactly("/bin/sh", "-c", "cat /etc/marker");
            assertThat(info.config().env()).containsExactly("PATH=/bin", "GREETING=hello");
            assertThat(info.config().workingDir()).isEqualTo("/tmp");
            assertThat(info.config().user()).isEqualTo("0:0");
            assertThat(info.config().volumes()).containsExactly("/data");
            assertThat(info.config().stopSignal()).isEqualTo("SIGQUIT");
            assertThat(info.config().labels()).isEqualTo(Map.of("org.example.test", "yes"));
            assertThat(info.config().exposedPorts()).containsExactly("8080/tcp");
            assertThat(info.platform()).isEqualTo(new Platform("linux", "amd64", null));
            assertThat(events).hasSize(3);
            assertThat(images.list()).hasSize(1);

            Path rootfs = tmp.resolve("rootfs");
            images.unpack(ref, rootfs);
            assertWhiteoutsApplied(rootfs, "v1");

            List<Path> layers = images.layers(ref);
            assertThat(layers).hasSize(3);
            // overlayfs' form: a 0/0 character device for a deletion, the opaque xattrs on the directory
            var whiteout = Files.readAttributes(layers.get(2).resolve("etc/doomed"), java.nio.file.attribute.PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            assertThat(whiteout.isOther()).isTrue();
            assertThat(Files.getAttribute(layers.get(2).resolve("etc/doomed"), "unix:rdev", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0L);
            assertThat(layers.get(2).resolve("etc/.wh.doomed")).doesNotExist();
            assertThat(layers.get(2).resolve("opq/.wh..wh..opq")).doesNotExist();
            var xattrs = Files.getFileAttributeView(layers.get(2).resolve("opq"), java.nio.file.attribute.UserDefinedFileAttributeView.class);
            assertThat(xattrs.list()).contains("overlay.opaque");
            assertThat(images.layers(ref)).isEqualTo(layers);          // cached per chain id

            assertThat(images.remove(ref, false)).containsExactly("Untagged: " + ref, "Deleted: " + image.config.digest());
            try (var blobs = Files.list(tmp.resolve("store/blobs/sha256")); var unpacked = Files.list(tmp.resolve("store/layers"))) {
                assertThat(blobs.toList()).isEmpty();
                assertThat(unpacked.map(p -> p.getFileName().toString()).toList()).containsExactly(Store.LAYERS_FORMAT);
            }
            assertThat(images.list()).isEmpty();
        }
    }

    static void assertWhiteoutsApplied(Path rootfs, String marker) throws IOException {
        assertThat(Files.readAllBytes(rootfs.resolve("bin/busybox"))).isEqualTo(Files.readAllBytes(TestImage.BUSYBOX));
        assertThat(Files.getAttribute(rootfs.resolve("bin/busybox"), "unix:mode")).isEqualTo(0100755);
        assertThat(Files.readSymbolicLink(rootfs.resolve("bin/sh"))).isEqualTo(Path.of("busybox"));
        assertThat(Files.readString(rootfs.resolve("etc/marker"))).isEqualTo(marker);
        assertThat(rootfs.resolve("etc/doomed")).doesNotExist();
        assertThat(rootfs.resolve("etc/.wh.doomed")).doesNotExist();
        assertThat(rootfs.resolve("opq/old")).doesNotExist();
        assertThat(rootfs.resolve("opq/.wh..wh..opq")).doesNotExist();
        assertThat(Files.readString(rootfs.resolve("opq/new"))).isEqualTo("from layer 3");
        assertThat(Files.getAttribute(rootfs.resolve("tmp"), "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(041777);
        if ("root".equals(System.getProperty("user.name")))
            assertThat(Files.getAttribute(rootfs.resolve("data/owned"), "unix:uid")).isEqualTo(1000);
    }

    @Test
    void unknownTagAndRepositoryAreNotFound(@TempDir Path tmp) {
        try (Images images = open(tmp)) {
            assertThatThrownBy(() -> images.pull(registry.host() + "/test/busybox:nope", ProgressListener.NONE))
                    .isInstanceOf(ImageNotFoundException.class).hasMessageContaining("not found").hasMessageContaining("MANIFEST_UNKNOWN");
            assertThatThrownBy(() -> images.pull(registry.host() + "/no/such:1", ProgressListener.NONE))
                    .isInstanceOf(ImageNotFoundException.class);
            assertThatThrownBy(() -> images.inspect("busybox")).isInstanceOf(ImageNotFoundException.class);
        }
    }

    @Test
    void pullByDigest(@TempDir Path tmp) {
        try (Images images = open(tmp)) {
            String byDigest = registry.host() + "/test/busybox@" + image.manifest.digest();
            ImageInfo info = images.pull(byDigest, ProgressListener.NONE);
            assertThat(info.repoTags()).isEmpty();
            assertThat(images.inspect(byDigest).id()).isEqualTo(image.config.digest().toString());
            assertThat(images.inspect(image.config.digest().hex().substring(0, 12)).manifestDigest()).isEqualTo(image.manifest.digest().toString());
        }
    }

    @Test
    void multiArchIndexSelectsThisMachinesManifest(@TempDir Path tmp) throws IOException {
        var amd64 = TestImage.busybox("amd64");
        var arm64 = TestImage.busybox("arm64");
        arm64.architecture = "arm64";
        arm64.variant = "v8";
        arm64.finish();
        String multi = registry.host() + "/test/multi";
        try (var src = (OciImages) open(tmp.resolve("src"))) {
            src.load(amd64.writeArchive(tmp.resolve("a.tar"), multi + ":amd64"));
            src.load(arm64.writeArchive(tmp.resolve("b.tar"), multi + ":arm64"));
            src.push(multi + ":amd64", ProgressListener.NONE);
            src.push(multi + ":arm64", ProgressListener.NONE);
            var index = Tars.class.getName().isEmpty() ? null : indexOf(Map.of(amd64, new Platform("linux", "amd64", null),
                    arm64, new Platform("linux", "arm64", "v8")));
            src.registryClient().putManifest(registry.host(), "test/multi", "latest", MediaTypes.OCI_INDEX, index);
        }
        try (Images images = open(tmp.resolve("amd")); Images arm = Images.open(ImagesOptions.defaults()
                .withStorageRoot(tmp.resolve("arm")).withDockerConfig(tmp.resolve("dc.json")).withPlatform(Platform.parse("linux/arm64")))) {
            assertThat(images.pull(multi, ProgressListener.NONE).id()).isEqualTo(amd64.config.digest().toString());
            assertThat(images.inspect(multi).repoDigests()).containsExactly(multi + "@" + Digest.sha256(indexOf(
                    Map.of(amd64, new Platform("linux", "amd64", null), arm64, new Platform("linux", "arm64", "v8")))));
            assertThat(arm.pull(multi, ProgressListener.NONE).id()).isEqualTo(arm64.config.digest().toString());
            assertThatThrownBy(() -> images.pull(multi, Platform.parse("linux/s390x"), ProgressListener.NONE))
                    .isInstanceOf(UnsupportedPlatformException.class).hasMessageContaining("linux/s390x")
                    .hasMessageContaining("linux/arm64/v8");
        }
    }

    static byte[] indexOf(Map<TestImage, Platform> images) {
        var index = io.jcontainer.oci.Json.MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        var ms = index.putArray("manifests");
        images.entrySet().stream().sorted(Map.Entry.comparingByValue(java.util.Comparator.comparing(Platform::toString)))
                .forEach(e -> {
                    var d = e.getKey().manifest.descriptor();
                    ms.add(new io.jcontainer.oci.Descriptor(d.mediaType(), d.digest(), d.size(), null, e.getValue(), null).toJson());
                });
        return io.jcontainer.oci.Json.bytes(index);
    }

    @Test
    void interruptedDownloadResumesWithRange(@TempDir Path tmp) throws IOException {
        try (var images = (OciImages) open(tmp)) {
            var layer = image.layers.getFirst();
            Path partial = tmp.resolve("ingest").resolve(layer.digest().hex() + ".partial");
            int half = layer.bytes().length / 2;
            Files.write(partial, java.util.Arrays.copyOf(layer.bytes(), half));      // what a killed pull left
            long resumedFrom = images.registryClient().fetchBlob(registry.host(), "test/busybox", layer.descriptor(), partial, n -> { });
            assertThat(resumedFrom).isEqualTo(half);
            assertThat(Files.readAllBytes(partial)).isEqualTo(layer.bytes());

            // a corrupt leftover is detected by the digest, thrown away, and fetched again whole
            byte[] corrupt = java.util.Arrays.copyOf(layer.bytes(), half);
            corrupt[10] ^= 1;
            Files.write(partial, corrupt);
            images.registryClient().fetchBlob(registry.host(), "test/busybox", layer.descriptor(), partial, n -> { });
            assertThat(Files.readAllBytes(partial)).isEqualTo(layer.bytes());
            Files.delete(partial);

            // the pull itself resumes what is in ingest/
            Files.write(partial, java.util.Arrays.copyOf(layer.bytes(), half));
            List<Long> firstProgress = Collections.synchronizedList(new ArrayList<>());
            images.pull(ref, new ProgressListener() {
                @Override
                public void layerProgress(String digest, long done, long size) {
                    if (digest.equals(layer.digest().toString()) && firstProgress.isEmpty()) firstProgress.add(done);
                }
            });
            assertThat(firstProgress.getFirst()).isGreaterThan(half);
            assertThat(partial).doesNotExist();
        }
    }

    @Test
    void tagAndRemoveFollowDockerSemantics(@TempDir Path tmp) {
        try (Images images = open(tmp)) {
            images.pull(ref, ProgressListener.NONE);
            images.tag(ref, "example.com/other:2");
            assertThat(images.inspect("example.com/other:2").repoTags()).containsExactlyInAnyOrder(ref, "example.com/other:2");
            assertThatThrownBy(() -> images.remove(image.config.digest().hex().substring(0, 12), false))
                    .hasMessageContaining("referenced by 2 tags");
            assertThat(images.remove("example.com/other:2", false)).containsExactly("Untagged: example.com/other:2");
            assertThat(images.list()).hasSize(1);
            assertThat(images.remove(image.config.digest().toString(), false)).contains("Deleted: " + image.config.digest());
        }
    }

    @Test
    void pushToAnotherRepositoryMountsInsteadOfUploading(@TempDir Path tmp) {
        try (Images images = open(tmp)) {
            images.pull(ref, ProgressListener.NONE);
            String other = registry.host() + "/test/mounted:1";
            images.tag(ref, other);
            List<String> uploaded = Collections.synchronizedList(new ArrayList<>());
            List<String> skipped = Collections.synchronizedList(new ArrayList<>());
            images.push(other, new ProgressListener() {
                @Override
                public void layerStarted(String digest, long size) {
                    uploaded.add(digest);
                }

                @Override
                public void layerDone(String digest, boolean alreadyPresent) {
                    if (alreadyPresent) skipped.add(digest);
                }
            });
            assertThat(uploaded).isEmpty();
            assertThat(skipped).hasSize(4);                      // 3 layers + config, all mounted
            try (Images fresh = open(tmp.resolve("fresh"))) {
                assertThat(fresh.pull(other, ProgressListener.NONE).id()).isEqualTo(image.config.digest().toString());
            }
        }
    }

    @Test
    void largeLayersAreUploadedInChunks(@TempDir Path tmp) throws IOException {
        byte[] random = new byte[40 << 20];                      // incompressible: > 2 chunks of 16 MiB
        new java.util.Random(42).nextBytes(random);
        var big = new TestImage().layer(MediaTypes.OCI_LAYER_GZIP, new Tars().file("big", random, 0644, 0, 0).tar()).finish();
        String bigRef = registry.host() + "/test/big:1";
        try (Images images = open(tmp.resolve("a"))) {
            images.load(big.writeArchive(tmp.resolve("big.tar"), bigRef));
            List<Long> progress = Collections.synchronizedList(new ArrayList<>());
            assertThat(images.push(bigRef, new ProgressListener() {
                @Override
                public void layerProgress(String digest, long done, long size) {
                    progress.add(done);
                }
            })).isEqualTo(big.manifest.digest().toString());
            assertThat(progress).contains(16L << 20, 32L << 20);
        }
        try (Images images = open(tmp.resolve("b"))) {
            images.pull(bigRef, ProgressListener.NONE);
            images.unpack(bigRef, tmp.resolve("out"));
            assertThat(tmp.resolve("out/big")).hasBinaryContent(random);
        }
    }

    @Test
    void dockerHubNamesGoToTheConfiguredMirror(@TempDir Path tmp) {
        // a Docker Hub name ("mirrored:1" = docker.io/library/mirrored:1) served by the local
        // registry as a mirror: nothing goes to the internet
        try (Images src = open(tmp.resolve("src"))) {
            src.pull(ref, ProgressListener.NONE);
            src.tag(ref, registry.host() + "/library/mirrored:1");
            src.push(registry.host() + "/library/mirrored:1", ProgressListener.NONE);
        }
        var options = ImagesOptions.defaults().withStorageRoot(tmp.resolve("m")).withDockerConfig(tmp.resolve("c.json"))
                .withRegistries(new io.jcontainer.image.RegistryConfig(java.util.Set.of(), List.of("http://" + registry.host())));
        try (Images images = Images.open(options)) {
            ImageInfo info = images.pull("mirrored:1", ProgressListener.NONE);
            assertThat(info.repoTags()).containsExactly("docker.io/library/mirrored:1");
            assertThat(info.id()).isEqualTo(image.config.digest().toString());
        }
    }
}
