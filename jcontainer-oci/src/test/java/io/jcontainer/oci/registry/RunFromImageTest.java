package io.jcontainer.oci.registry;

import io.jcontainer.Container;
import io.jcontainer.Root;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The last step of the round trip: an image pushed to a real registry, pulled into an
 * empty store, unpacked, and run — its Entrypoint, Cmd, Env, WorkingDir and User feeding the
 * container spec. Until the overlay root type lands (branch model), the root is the flattened
 * directory ({@link Images#unpack}).
 */
@RequiresRoot
class RunFromImageTest {

    @Test
    void pulledImageRunsWithItsConfig(@TempDir Path tmp) throws Exception {
        try (LocalRegistry registry = LocalRegistry.start()) {
            var image = TestImage.busybox("hello from the image");
            String ref = registry.host() + "/run/busybox:1";
            try (Images src = open(tmp.resolve("src"))) {
                src.load(image.writeArchive(tmp.resolve("i.tar"), ref));
                src.push(ref, ProgressListener.NONE);
            }
            try (Images images = open(tmp.resolve("store"))) {
                ImageConfig config = images.pull(ref, ProgressListener.NONE).config();
                Path rootfs = tmp.resolve("rootfs");
                images.unpack(ref, rootfs);
                var b = Container.builder().rootfs(rootfs).command(config.command())
                        .workingDir(config.workingDir()).user(config.user());
                config.env().forEach(b::env);
                try (Container c = b.start()) {
                    String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(c.waitFor().status()).isZero();
                    assertThat(out).isEqualTo("hello from the image");
                }
                var env = Container.builder().rootfs(rootfs).command("/bin/sh", "-c", "echo $GREETING $(pwd); ls /opq")
                        .workingDir(config.workingDir());
                config.env().forEach(env::env);
                try (Container c = env.start()) {
                    assertThat(new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello /tmp\nnew\n");
                    c.waitFor();
                }
            }
        }
    }

    static Images open(Path storage) {
        return Images.open(ImagesOptions.defaults().withStorageRoot(storage).withDockerConfig(storage.resolve("dc.json")));
    }

    @Test
    void builderImagePullsWhenMissingAndRunsTheImagesCommand(@TempDir Path tmp) throws Exception {
        String previous = System.getProperty("jcontainer.storage");
        System.setProperty("jcontainer.storage", tmp.resolve("default-store").toString());
        try (LocalRegistry registry = LocalRegistry.start()) {
            var image = TestImage.busybox("run IMAGE");
            String ref = registry.host() + "/run/builder:1";
            try (Images src = open(tmp.resolve("src"))) {
                src.load(image.writeArchive(tmp.resolve("i.tar"), ref));
                src.push(ref, ProgressListener.NONE);
            }
            try (Container c = Container.builder().image(ref).start()) {          // docker run IMAGE
                assertThat(new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("run IMAGE");
                assertThat(c.waitFor().status()).isZero();
            }
            try (Container c = Container.builder().image(ref)
                    .command("/bin/sh", "-c", "echo $GREETING; pwd; ls /etc; ls /opq; echo x > /x; cat /x; rm /etc/marker; ls /etc").start()) {
                assertThat(new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("hello\n/tmp\ngroup\nmarker\npasswd\nnew\nx\ngroup\npasswd\n");  // whiteouts and the opaque dir hold in the overlay
                assertThat(c.waitFor().status()).isZero();                         // writable, like docker's
            }
            Path containers = tmp.resolve("default-store/containers");
            // renamed away at close, its tree removed by the remover thread (OverlayUpper.removeIfOwnedLater)
            long until = System.nanoTime() + 10_000_000_000L;
            while (true) {
                try (var left = Files.list(containers)) {
                    // upper/work pairs made ahead for this JVM's next starts (gone at its exit) are not leftovers
                    var l = left.filter(p -> !p.getFileName().toString().startsWith(".ready-")).toList();
                    if (l.isEmpty()) break;
                    if (System.nanoTime() > until) assertThat(l).as("the upper goes with the container").isEmpty();
                }
                Thread.sleep(20);
            }
            try (Container c = Container.builder().image(ref).command("/bin/cat", "/x", "/etc/marker").start()) {
                assertThat(new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("run IMAGE");   // a fresh upper each time: no /x, the marker back
                c.waitFor();
            }
            try (Images images = open(tmp.resolve("default-store"))) {
                // a kept upper (what a commit or a build step diffs): the caller's directory, overlayfs' form
                Root.Overlay root = images.overlayRoot(ref, tmp.resolve("kept"), false);
                try (Container c = Container.builder().rootOverlay(root.lowerDirs(), root.upper(), root.work())
                        .command("/bin/sh", "-c", "echo new > /added; rm /etc/marker").start()) {
                    assertThat(c.waitFor().status()).isZero();
                }
                assertThat(Files.readString(root.upper().resolve("added"))).isEqualTo("new\n");
                var wh = Files.readAttributes(root.upper().resolve("etc/marker"), java.nio.file.attribute.PosixFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                assertThat(wh.isOther()).as("a deletion is a 0/0 character device in the upper").isTrue();
                images.remove(ref, false);
            }
        } finally {
            if (previous == null) System.clearProperty("jcontainer.storage");
            else System.setProperty("jcontainer.storage", previous);
        }
    }
}
