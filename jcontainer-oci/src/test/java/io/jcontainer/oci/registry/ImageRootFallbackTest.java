package io.jcontainer.oci.registry;

import io.jcontainer.Container;
import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.ProgressListener;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An image root on each mechanism, forced by {@code -Djcontainer.imageRoot} (as root; the
 * ordinary user's side is {@code RootlessImageIT}): the kernel overlay, fuse-overlayfs started
 * for the container, and a copy of the flattened layers. The image is pushed to the real local
 * registry and pulled by {@code builder().image()}; the three layers' whiteouts and opaque
 * directory hold, a write stays in that container, and afterwards nothing is left: no directory
 * in the store, no mount, no fuse-overlayfs process.
 */
@RequiresRoot
class ImageRootFallbackTest {
    /** The runtime's switches (io.jcontainer.linux.rootfs.ImageRoots): a mechanism forced; the kernel overlay really refused. */
    static final String MECHANISM = "jcontainer.imageRoot", REFUSE = "jcontainer.imageRoot.refuseKernelOverlay";
    static LocalRegistry registry;
    static String ref;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void push() throws Exception {
        registry = LocalRegistry.start();
        ref = registry.host() + "/fallback/busybox:1";
        try (Images src = Images.open(ImagesOptions.defaults().withStorageRoot(tmp.resolve("src")).withDockerConfig(tmp.resolve("dc.json")))) {
            src.load(TestImage.busybox("fallback").writeArchive(tmp.resolve("i.tar"), ref));
            src.push(ref, ProgressListener.NONE);
        }
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "fuse-overlayfs", "copy"})
    void eachMechanismRunsTheImageAndLeavesNothing(String mechanism) throws Exception {
        run(mechanism, false);
    }

    /** auto, with the kernel's overlay really refused (a lower directory that is not there): the next one runs it. */
    @Test
    void aRefusedKernelOverlayFallsBack() throws Exception {
        run("auto", true);
    }

    private void run(String mechanism, boolean refuse) throws Exception {
        Path store = tmp.resolve("store-" + mechanism);
        String previous = System.getProperty("jcontainer.storage");
        System.setProperty("jcontainer.storage", store.toString());
        System.setProperty(MECHANISM, mechanism);
        if (refuse) System.setProperty(REFUSE, "true");
        try {
            try (Container c = Container.builder().image(ref)
                    .command("/bin/sh", "-c", "ls /etc; ls /opq; cat /opq/new; echo; echo x > /x; cat /x; rm /etc/marker; ls /etc;"
                            + " /bin/busybox awk '$5==\"/\" {for (i = 7; i <= NF; i++) if ($i == \"-\") print $(i+1)}' /proc/self/mountinfo").start()) {
                String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(c.waitFor().status()).as(out).isZero();
                // /etc/doomed is whited out, /opq's older entry hidden by the opaque directory
                assertThat(out).startsWith("group\nmarker\npasswd\nnew\nfrom layer 3\nx\ngroup\npasswd\n");
                // the root's file system type says which mechanism it is
                String fsType = out.substring(out.lastIndexOf('\n', out.length() - 2) + 1).strip();
                switch (mechanism) {
                    case "overlay" -> assertThat(fsType).isEqualTo("overlay");
                    case "copy" -> assertThat(fsType).isNotEmpty().isNotIn("overlay", "fuse.fuse-overlayfs");
                    default -> assertThat(fsType).as("auto after a refused kernel overlay: fuse-overlayfs").isEqualTo("fuse.fuse-overlayfs");
                }
            }
            try (Container c = Container.builder().image(ref).command("/bin/sh", "-c", "ls /x 2>&1; cat /etc/marker").start()) {
                String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8);
                c.waitFor();
                assertThat(out).as("the write stayed in the first container").contains("No such file").endsWith("fallback");
            }
            Path containers = store.resolve("containers");
            long until = System.nanoTime() + 10_000_000_000L;
            while (true) {
                try (var left = Files.list(containers)) {
                    var l = left.filter(p -> !p.getFileName().toString().startsWith(".ready-")).toList();
                    if (l.isEmpty()) break;
                    if (System.nanoTime() > until) assertThat(l).as("the container's directory goes with it").isEmpty();
                }
                Thread.sleep(20);
            }
            // the roots this JVM keeps mounted ahead for the store's next starts (ReadyRoots) are its
            // own, not a container's leftovers: let them go, then nothing may be mounted from the store
            io.jcontainer.linux.rootfs.ReadyRoots.release(containers);
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(store.toString());
            assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                    .filter(cmd -> cmd.contains("fuse-overlayfs") && cmd.contains(store.toString())).toList()).isEmpty();
        } finally {
            System.clearProperty(MECHANISM);
            System.clearProperty(REFUSE);
            if (previous == null) System.clearProperty("jcontainer.storage");
            else System.setProperty("jcontainer.storage", previous);
        }
    }
}
