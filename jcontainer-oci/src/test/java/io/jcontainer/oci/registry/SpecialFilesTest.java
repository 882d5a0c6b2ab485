package io.jcontainer.oci.registry;

import io.jcontainer.Container;
import io.jcontainer.image.Images;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.MediaTypes;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.Tars;
import io.jcontainer.oci.testing.TestImage;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FIFOs and device nodes in layers (issue 12): a hand-made layer with a FIFO, a character and a
 * block device, and a later layer whiting one of each out, pushed to the real registry, pulled
 * and run. As root the per-layer directories (the store's, 0700) hold real nodes; the container
 * sees them on its nodev overlay (they exist, but cannot be opened as devices: SECURITY.md rows
 * 15 and 31); a flattened copy into a caller's directory gets the FIFO but no device nodes.
 */
@RequiresRoot
class SpecialFilesTest {

    @Test
    void fifosAndDevicesArePulledWhitedOutAndSeenInside(@TempDir Path tmp) throws Exception {
        try (LocalRegistry registry = LocalRegistry.start()) {
            var image = TestImage.busybox("special");
            image.layer(MediaTypes.OCI_LAYER_GZIP, new Tars()
                    .dir("run", 0755)
                    .device("run/fifo", TarConstants.LF_FIFO, 0, 0)
                    .device("run/gone-fifo", TarConstants.LF_FIFO, 0, 0)
                    .device("run/null", TarConstants.LF_CHR, 1, 3)
                    .device("run/loop", TarConstants.LF_BLK, 7, 200)
                    .device("run/gone-null", TarConstants.LF_CHR, 1, 3)
                    .tar());
            image.layer(MediaTypes.OCI_LAYER, new Tars()
                    .file("run/.wh.gone-fifo", "")
                    .file("run/.wh.gone-null", "")
                    .tar());
            image.finish();
            String ref = registry.host() + "/special/nodes:1";
            try (Images src = RunFromImageTest.open(tmp.resolve("src"))) {
                src.load(image.writeArchive(tmp.resolve("i.tar"), ref));
                src.push(ref, ProgressListener.NONE);
            }
            try (Images images = RunFromImageTest.open(tmp.resolve("store"))) {
                images.pull(ref, ProgressListener.NONE);
                List<Path> layers = images.layers(ref);
                Path nodes = layers.get(3).resolve("run");
                assertThat(type(nodes.resolve("fifo"))).isEqualTo("fifo");
                assertThat(type(nodes.resolve("null"))).isEqualTo("char 1:3");
                assertThat(type(nodes.resolve("loop"))).isEqualTo("block 7:200");
                assertThat(Files.getAttribute(nodes.resolve("null"), "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0020666);
                // the whiteouts above them: overlayfs' 0/0 character devices
                assertThat(type(layers.get(4).resolve("run/gone-fifo"))).isEqualTo("char 0:0");
                assertThat(type(layers.get(4).resolve("run/gone-null"))).isEqualTo("char 0:0");

                Path flat = tmp.resolve("flat");
                images.unpack(ref, flat);
                assertThat(type(flat.resolve("run/fifo"))).isEqualTo("fifo");
                assertThat(flat.resolve("run/null")).as("no device node in a caller's directory").doesNotExist();
                assertThat(flat.resolve("run/gone-fifo")).doesNotExist();
            }
            String previous = System.getProperty("jcontainer.storage");
            System.setProperty("jcontainer.storage", tmp.resolve("store").toString());
            try (Container c = Container.builder().image(ref).command("/bin/sh", "-c",
                    "test -p /run/fifo && echo fifo; test -c /run/null && echo null; test -b /run/loop && echo loop;"
                            + " ls /run; echo x > /run/null 2>/dev/null || echo nodev").start()) {
                assertThat(new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("fifo\nnull\nloop\nfifo\nloop\nnull\nnodev\n");
                assertThat(c.waitFor().status()).isZero();
            } finally {
                if (previous == null) System.clearProperty("jcontainer.storage");
                else System.setProperty("jcontainer.storage", previous);
            }
        }
    }

    /** "fifo", "char M:m", "block M:m" or the kind of file, from lstat. */
    static String type(Path p) throws Exception {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        long rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        long major = ((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL), minor = ((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL);
        return switch (mode & 0170000) {
            case 0010000 -> "fifo";
            case 0020000 -> "char " + major + ":" + minor;
            case 0060000 -> "block " + major + ":" + minor;
            default -> "mode 0" + Integer.toOctalString(mode);
        };
    }
}
