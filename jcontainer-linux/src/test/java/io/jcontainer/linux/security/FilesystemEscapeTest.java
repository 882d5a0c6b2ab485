package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.ContainerStartException;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Namespace;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SECURITY.md rows 1, 2, 11, 12, 13: leaving the root, re-mounting it, image symlinks. */
@RequiresRoot
class FilesystemEscapeTest extends AttackTest {

    /** Row 1: the classic chroot escape (the seed's program) lands in the container's root, not the host's. */
    @Test
    void chrootEscapeStaysInside() {
        var o = run("chroot-escape", canary.toString());
        assertThat(o.verdict()).as(o.toString()).isEqualTo("ENOENT");
    }

    /** Row 1 with every capability: pivot_root + detached old root leave nothing above "/" to reach. */
    @Test
    void chrootEscapeStaysInsideEvenPrivileged() {
        var o = run(probe("chroot-escape", canary.toString()).privileged());
        assertThat(o.verdict()).as(o.toString()).isEqualTo("ENOENT");
    }

    /** Row 2: pivot_root again, mounting, unmounting and remounting need CAP_SYS_ADMIN. */
    @Test
    void mountFamilyRefused() {
        assertThat(run("pivot").verdict()).isEqualTo("EPERM");
        assertThat(run("mount", "tmpfs", "/tmp").verdict()).isEqualTo("EPERM");
        assertThat(run("bind", "/proc/1/root", "/tmp").verdict()).isEqualTo("EPERM");
        assertThat(run("umount", "/proc/keys").verdict()).isEqualTo("EPERM");
        assertThat(run("umount", "/proc/sys").verdict()).isEqualTo("EPERM");
        assertThat(run("remount", "/", "rw").verdict()).isEqualTo("EPERM");
        assertThat(run("remount", "/proc/sys", "rw").verdict()).isEqualTo("EPERM");
    }

    /** Row 2: masks and read-only paths stay in place after the attempts. */
    @Test
    void masksStay() {
        var o = TestRuns.run(probe().command("/bin/sh", "-c",
                "/bin/probe umount /proc/keys; /bin/probe remount /proc/sys rw; /bin/probe read /proc/keys; /bin/probe write /proc/sys/kernel/core_pattern x"));
        assertThat(o.stdout().split("\n")).containsExactly("EPERM", "EPERM", "OK 0", "EROFS");
    }

    /** Row 1/2: a read-only root stays read-only, also for root inside. */
    @Test
    void readOnlyRootCannotBeWritten() {
        assertThat(run(probe("write", "/etc/passwd").readOnlyRoot(true)).verdict()).isEqualTo("EROFS");
        assertThat(run(probe("remount", "/", "rw").readOnlyRoot(true)).verdict()).isEqualTo("EPERM");
    }

    /** Row 11: /dev, /proc and a mount target shipped as symlinks out of the root resolve inside it. */
    @Test
    void imageSymlinksOutOfTheRootStayInside() throws Exception {
        Path host = canary.getParent();
        for (String d : List.of("dev", "proc", "sys")) {
            Path p = root.resolve(d);
            Files.delete(p);
        }
        Files.createSymbolicLink(root.resolve("dev"), host);                       // absolute, to the host
        Files.createSymbolicLink(root.resolve("proc"), Path.of("../../../../../../" + host)); // relative, climbing out
        Files.createSymbolicLink(root.resolve("sys"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("data"), host.resolve("mnt"));
        try {
            var o = run(probe("read", "/data/canary").tmpfs("/data"));
            assertThat(o.verdict()).as(o.toString()).isEqualTo("ENOENT");
        } catch (ContainerStartException | io.jcontainer.InvalidSpecException refused) {
            // refusing to start is also fine (RootfsChecks refuses these before anything runs; the
            // launcher's RESOLVE_IN_ROOT defence is what bindTargetSymlinkRace exercises)
        }
        try (Stream<Path> s = Files.list(host)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("canary");
        }
        assertThat(hostMounts()).noneMatch(l -> l.contains(host.toString()));
    }

    /**
     * Row 11, the legitimate case: an absolute link inside the image (Debian's /var/run -> /run)
     * is resolved inside the root for a volume's target, not refused, and nothing lands on the
     * host's /run.
     */
    @Test
    void volumeOntoAnAbsoluteLinkLandsInsideTheRoot() throws Exception {
        Path src = Files.createDirectories(dir.resolve("vol"));
        Files.writeString(src.resolve("file"), "through-var-run\n");
        Files.createDirectories(root.resolve("run"));
        Files.createDirectories(root.resolve("var"));
        Files.createSymbolicLink(root.resolve("var/run"), Path.of("/run"));
        String name = "jc-test-" + Long.toHexString(System.nanoTime());
        var o = run(probe("read", "/run/" + name + "/file").volume(src + ":/var/run/" + name + ":ro"));
        assertThat(o.verdict()).as(o.toString()).isEqualTo("OK " + "through-var-run\n".length());
        assertThat(Path.of("/run", name)).doesNotExist();
        assertThat(root.resolve("run").resolve(name)).as("the mount point made inside the image's /run").isDirectory();
    }

    /** Row 12: a bind target flipping between a directory and a symlink out of the root while containers start. */
    @Test
    void bindTargetSymlinkRace() throws Exception {
        Path host = canary.getParent();
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("payload"), "from-bind\n");
        Path target = root.resolve("mnt");
        AtomicBoolean stop = new AtomicBoolean();
        Thread flipper = Thread.ofPlatform().start(() -> {
            Path tmpLink = root.resolve("mnt.link");
            while (!stop.get()) {
                try {
                    Files.deleteIfExists(tmpLink);
                    Files.createSymbolicLink(tmpLink, host);
                    Files.move(tmpLink, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Files.delete(target);
                    Files.createDirectory(target);
                } catch (Exception ignored) {
                    // racing with the container's own mkdir: keep flipping
                }
            }
        });
        try {
            for (int i = 0; i < 30; i++) {
                try {
                    var o = TestRuns.run(probe().bind(src, "/mnt").command("/bin/probe", "read", "/mnt/canary"));
                    assertThat(o.stdout()).doesNotStartWith("OK");
                } catch (ContainerStartException lost) {
                    // losing the race may fail the start; it must never mount over the host
                }
                try (Stream<Path> s = Files.list(host)) {
                    assertThat(s.map(p -> p.getFileName().toString())).containsExactly("canary");
                }
            }
        } finally {
            stop.set(true);
            flipper.join();
        }
        assertThat(hostMounts()).noneMatch(l -> l.contains(host.toString()));
    }

    /** Row 13: the image's /etc/passwd linking to a host file is refused, never read on the host. */
    @Test
    void hostNeverReadsImageFilesThroughSymlinks() throws Exception {
        Files.writeString(canary.resolveSibling("passwd"), "evil:x:0:0::/:/bin/sh\n");
        Files.delete(root.resolve("etc/passwd"));
        Files.createSymbolicLink(root.resolve("etc/passwd"), canary.resolveSibling("passwd"));
        assertThatThrownBy(() -> Container.builder().rootfs(root).user("evil").command("/bin/true").start())
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("links outside");
        Files.delete(canary.resolveSibling("passwd"));
    }

    /** Row 1 without a PID namespace either: the root is the same. */
    @Test
    void chrootEscapeWithoutPidNamespace() {
        var o = run(probe("chroot-escape", canary.toString()).removeNamespace(Namespace.PID));
        assertThat(o.verdict()).as(o.toString()).isEqualTo("ENOENT");
    }

    static List<String> hostMounts() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mountinfo"));
    }
}
