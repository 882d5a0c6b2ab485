package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.jcontainer.cli.CliHarness.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An image root for an ordinary user ({@code jcuser}, as {@link RootlessBuildIT} runs it): the
 * image is pushed to the real local registry (docker-registry on 127.0.0.1) by root, then
 * {@code ./jcontainer pull} and {@code run --rm} as jcuser, into that user's own store. The root
 * is the kernel's overlay mounted in the container's user namespace ({@code userxattr}): the
 * three layers' whiteouts and opaque directory apply, the image's root-owned files show as
 * root's, the container writes to its own upper, and nothing of it is left in the store.
 */
@RequiresRoot
class RootlessImageIT {
    static final String USER = JcUser.NAME;
    JcUser user;

    @TempDir
    Path tmp;
    Path xdg, home, store;
    int uid, gid;
    LocalRegistry registry;
    String previous;
    /** -D options for jcuser's JVM: the image root mechanism forced (io.jcontainer.linux.rootfs.ImageRoots). */
    String javaOpts = "";

    @BeforeEach
    void setUp() throws Exception {
        user = JcUser.ensure();
        uid = user.uid();
        gid = user.gid();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        xdg = Files.createDirectory(tmp.resolve("xdg"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        home = Files.createDirectory(tmp.resolve("home"));
        store = Files.createDirectory(tmp.resolve("store"));
        for (Path p : List.of(xdg, home, store)) assertThat(sh("chown", uid + ":" + gid, p.toString()).code()).isZero();
        previous = System.getProperty("jcontainer.storage");
        System.setProperty("jcontainer.storage", tmp.resolve("root-store").toString());
        registry = LocalRegistry.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        registry.close();
        if (previous == null) System.clearProperty("jcontainer.storage");
        else System.setProperty("jcontainer.storage", previous);
        // jcuser's files: removable by root's @TempDir once opened (overlayfs leaves work/work at mode 000)
        sh("chmod", "-R", "u+rwx", tmp.toString());
    }

    /** ./jcontainer as jcuser with only what a login would set, and its own store. */
    Result asUser(String... args) throws Exception {
        return user.jcontainer(home, List.of("XDG_RUNTIME_DIR=" + xdg, "JCONTAINER_STORAGE=" + store, "JCONTAINER_JAVA_OPTS=" + javaOpts), args);
    }

    static Result sh(String... cmd) throws Exception {
        return JcUser.sh(cmd);
    }

    @Test
    void anOrdinaryUserPullsFromTheRegistryAndRunsTheImage() throws Exception {
        pullAndRun(null);
    }

    /**
     * The same on each image root mechanism, forced: the kernel overlay, fuse-overlayfs (mounted
     * through fusermount3 by jcuser's JVM), a copy; and auto with the kernel's overlay really
     * refused, which falls back to fuse-overlayfs and says so on stderr. No mount and no
     * fuse-overlayfs process is left.
     */
    @ParameterizedTest
    @ValueSource(strings = {"overlay", "fuse-overlayfs", "copy", "refused"})
    void eachImageRootMechanism(String mechanism) throws Exception {
        javaOpts = mechanism.equals("refused") ? "-Djcontainer.imageRoot=auto -Djcontainer.imageRoot.refuseKernelOverlay=true"
                : "-Djcontainer.imageRoot=" + mechanism;
        pullAndRun(mechanism);
    }

    void pullAndRun(String mechanism) throws Exception {
        var image = TestImage.busybox("rootless");
        String ref = registry.host() + "/rootless/busybox:1";
        var load = cli("load", "-i", image.writeArchive(tmp.resolve("in.tar"), ref).toString());
        assertThat(load.code()).as(load.toString()).isZero();
        var push = cli("push", ref);
        assertThat(push.code()).as(push.toString()).isZero();

        Result pull = asUser("pull", ref);
        assertThat(pull.code()).as(pull.err()).isZero();
        assertThat(pull.out()).contains("Digest: " + image.manifest.digest());

        // the image's Entrypoint is /bin/sh, its Cmd "-c" "cat /etc/marker": a command replaces the Cmd
        Result run = asUser("run", "--rm", ref, "-c",
                "b=/bin/busybox; $b id -u; $b stat -c %u:%g /bin/busybox; $b cat /etc/marker; echo;"
                        + " $b ls /etc/doomed /opq/old 2>&1 | $b wc -l; $b cat /opq/new; echo;"
                        + " echo written > /etc/marker && $b cat /etc/marker");
        assertThat(run.code()).as(run.err()).isZero();
        if ("refused".equals(mechanism)) assertThat(run.err()).contains("the kernel refused the image root's overlay");
        else assertThat(run.err()).doesNotContain("refused");
        assertThat(run.out()).isEqualTo("""
                0
                0:0
                rootless
                2
                from layer 3
                written
                """);
        if (mechanism != null) {
            // the root's file system type says which mechanism ran it
            Result fs = asUser("run", "--rm", ref, "-c",
                    "/bin/busybox awk '$5==\"/\" {for (i = 7; i <= NF; i++) if ($i == \"-\") print $(i+1)}' /proc/self/mountinfo");
            assertThat(fs.code()).as(fs.err()).isZero();
            switch (mechanism) {
                case "overlay" -> assertThat(fs.out().strip()).isEqualTo("overlay");
                case "copy" -> assertThat(fs.out().strip()).isNotEmpty().isNotIn("overlay", "fuse.fuse-overlayfs");
                default -> assertThat(fs.out().strip()).isEqualTo("fuse.fuse-overlayfs");
            }
        }
        // the write went to that container's upper: the image is as pulled
        Result again = asUser("run", "--rm", ref);
        assertThat(again.out()).as(again.err()).isEqualTo("rootless");

        // nothing left of the containers' uppers, ready pairs included
        try (Stream<Path> left = Files.list(store.resolve("containers"))) {
            assertThat(left.toList()).isEmpty();
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(store.toString());
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(cmd -> cmd.contains("fuse-overlayfs") && cmd.contains(store.toString())).toList()).isEmpty();
        // and the store's layers are the user's files (unpacked without privilege)
        try (Stream<Path> layers = Files.list(store.resolve("layers"))) {
            for (Path l : layers.toList()) assertThat(Files.getAttribute(l, "unix:uid")).isEqualTo(uid);
        }
    }
}
