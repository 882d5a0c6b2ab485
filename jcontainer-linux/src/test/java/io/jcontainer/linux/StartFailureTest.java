package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerStartException;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A start that fails half way says exactly where, and leaves nothing behind. */
@RequiresRoot
class StartFailureTest {

    @Test
    void aFailedMountNamesStepSyscallErrnoAndPathAndLeavesNothing(@TempDir Path tmp) throws Exception {
        Path root = TestRootfs.fresh(tmp);
        Files.writeString(root.resolve("etc/blocker"), "a file where a directory is needed");
        TestRuns.sh("true"); // warm up once-per-JVM descriptors
        java.util.Set<String> records = storeEntries();
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        long fds = DescriptorTest.openFds();
        var e = catchThrowableOfType(ContainerStartException.class,
                () -> Container.builder().rootfs(root).tmpfs("/etc/blocker/sub").command("true").start());
        assertThat(e.step()).contains("mount tmpfs on /etc/blocker/sub");
        assertThat(e.syscall()).isEqualTo("openat2"); // resolving under a regular file
        assertThat(e.errno()).isEqualTo("ENOTDIR");
        assertThat(e.path()).isEqualTo("/etc/blocker/sub");
        assertThat(e.getMessage()).contains("ENOTDIR (Not a directory)");
        assertThat(io.jcontainer.linux.testing.Processes.leftovers()).as("no launcher or container process left").isEmpty();
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).isEqualTo(mounts);
        assertThat(DescriptorTest.openFds()).isEqualTo(fds);
        // no per-container directory: the shared mount point and the state store only, with no record left
        try (Stream<Path> s = Files.list(Path.of("/run/jcontainer"))) {
            assertThat(s.map(p -> p.getFileName().toString())).isSubsetOf("root", "containers");
        }
        assertThat(Files.list(Path.of("/run/jcontainer/root"))).isEmpty();
        assertThat(storeEntries()).isEqualTo(records);
    }

    static java.util.Set<String> storeEntries() throws java.io.IOException {
        Path store = Path.of("/run/jcontainer/containers");
        if (!Files.isDirectory(store)) return java.util.Set.of();
        try (Stream<Path> s = Files.list(store)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void aMissingCommandIsExecveEnoent() throws InterruptedException {
        var e = catchThrowableOfType(ContainerStartException.class,
                () -> TestRuns.busybox().command("no-such-command").start());
        assertThat(e.syscall()).isEqualTo("execve");
        assertThat(e.errno()).isEqualTo("ENOENT");
        assertThat(e.getMessage()).contains("execute no-such-command");
        assertThat(io.jcontainer.linux.testing.Processes.leftovers()).isEmpty();
    }

    @Test
    void aNonExecutableCommandIsEacces(@TempDir Path tmp) throws Exception {
        Path root = TestRootfs.fresh(tmp);
        Files.writeString(root.resolve("bin/script"), "not executable");
        var e = catchThrowableOfType(ContainerStartException.class, () -> Container.builder().rootfs(root).command("/bin/script").start());
        assertThat(e.errno()).isEqualTo("EACCES");
    }

    @Test
    void aSymlinkedDevInTheImageIsRefusedBeforeAnything(@TempDir Path tmp) throws Exception {
        Path root = TestRootfs.fresh(tmp);
        Files.delete(root.resolve("dev"));
        Files.createSymbolicLink(root.resolve("dev"), Path.of("/"));
        assertThatThrownBy(() -> Container.builder().rootfs(root).command("true").start())
                .isInstanceOf(io.jcontainer.InvalidSpecException.class).hasMessageContaining("/dev").hasMessageContaining("symlink");
    }

    @Test
    void anUnknownUserIsRefusedBeforeAnything() {
        assertThatThrownBy(() -> TestRuns.busybox().user("mallory").command("true").start())
                .isInstanceOf(io.jcontainer.InvalidSpecException.class).hasMessageContaining("unable to find user mallory");
    }
}
