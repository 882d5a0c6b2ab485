package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.ContainerStartException;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.linux.HostInfo;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SECURITY.md row 35: jcontainer's runtime directory (where each container mounts its new root;
 * {@code /tmp/jcontainer-UID} for a user without XDG_RUNTIME_DIR) cannot be claimed by another
 * user, and the mount point in it is opened once, without following a symlink. The same squat
 * as a real unprivileged user: {@code rootless/RootlessTest}.
 */
@RequiresRoot
class RuntimeDirectoryTest {
    @TempDir
    Path dir;

    /** A runtime like the default one, with its runtime directory at {@code runtimeDir}. */
    static LinuxContainerRuntime runtimeAt(Path runtimeDir) {
        HostInfo real = HostInfo.probe(NativeSyscalls.INSTANCE);
        HostInfo host = new HostInfo(real.euid(), real.egid(), real.capLastCap(), real.timeNamespace(), runtimeDir,
                runtimeDir.resolve("root"), real.thermalThrottleDirs(), real.hostDirs(), real.hostEtcFiles());
        return new LinuxContainerRuntime(NativeSyscalls.INSTANCE, host, null).spawnMode("direct");
    }

    @Test
    void aRuntimeDirectoryOfAnotherUserIsRefusedNamingItsOwner() throws Exception {
        Path squatted = Files.createDirectories(dir.resolve("jcontainer-1000"));
        UserPrincipal nobody = squatted.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(squatted, nobody);
        int uid = (Integer) Files.getAttribute(squatted, "unix:uid");
        var rt = runtimeAt(squatted);
        assertThatThrownBy(() -> rt.start(Container.builder().rootfs(Probe.rootfs(dir)).command("/bin/true").build()))
                .isInstanceOf(HostUnsupportedException.class)
                .hasMessageContaining(squatted + " belongs to uid " + uid + " (nobody)")
                .hasMessageContaining("XDG_RUNTIME_DIR");
        assertThat(squatted.resolve("root")).as("nothing made in the squatted directory").doesNotExist();
    }

    @Test
    void aRuntimeDirectoryOthersMayWriteIsRefused() throws Exception {
        Path open = Files.createDirectories(dir.resolve("open"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        var rt = runtimeAt(open.resolve("jcontainer"));
        assertThatThrownBy(() -> rt.start(Container.builder().rootfs(Probe.rootfs(dir)).command("/bin/true").build()))
                .isInstanceOf(HostUnsupportedException.class).hasMessageContaining(open + " is writable by others");
    }

    /**
     * The mount point swapped for a symlink (what a rename loop in a claimed directory does): the
     * launcher opens it once with O_NOFOLLOW and refuses, instead of mounting the root wherever
     * the link points and opening that path again.
     */
    @Test
    void aMountPointSwappedForASymlinkIsRefused() throws Exception {
        Path runtime = Files.createDirectories(dir.resolve("runtime"));
        Path decoy = Files.createDirectories(dir.resolve("decoy"));
        Files.writeString(decoy.resolve("marker"), "decoy\n");
        Files.createSymbolicLink(runtime.resolve("root"), decoy);
        var rt = runtimeAt(runtime);
        assertThatThrownBy(() -> rt.start(Container.builder().rootfs(Probe.rootfs(dir)).command("/bin/true").build()))
                .isInstanceOfSatisfying(ContainerStartException.class, e -> {
                    assertThat(e.syscall()).isEqualTo("openat");
                    assertThat(e.errno()).isIn("ENOTDIR", "ELOOP");
                    assertThat(e.path()).isEqualTo(runtime.resolve("root").toString());
                });
        assertThat(Files.readString(decoy.resolve("marker"))).isEqualTo("decoy\n");
    }

    @Test
    void theRealMountPointStillWorks() throws Exception {
        var rt = runtimeAt(Files.createDirectories(dir.resolve("ok")));
        try (var c = rt.start(Container.builder().rootfs(Probe.rootfs(dir)).command("/bin/echo", "inside").build())) {
            assertThat(new String(c.stdout().readAllBytes())).isEqualTo("inside\n");
            assertThat(c.waitFor().status()).isZero();
        }
    }
}
