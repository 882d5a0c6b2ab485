package io.jcontainer.linux.rootfs;

import io.jcontainer.Container;
import io.jcontainer.InvalidSpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RootfsChecksTest {
    @TempDir
    Path root;

    @Test
    void devAsASymlinkIsRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("dev"), Path.of("/"));
        assertThatThrownBy(() -> RootfsChecks.check(Container.builder().rootfs(root).command("x").build()))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("/dev").hasMessageContaining("symlink");
    }

    @Test
    void targetsMayFollowLinksThatStayInside() throws Exception {
        Files.createDirectories(root.resolve("real/data"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("real"));
        assertThat(RootfsChecks.escapes(root, "/link/data")).isNull();
        assertThat(RootfsChecks.escapes(root, "/not/there/yet")).isNull();
        assertThatCode(() -> RootfsChecks.check(Container.builder().rootfs(root).tmpfs("/link/data").command("x").build()))
                .doesNotThrowAnyException();
    }

    @Test
    void targetsThroughLinksClimbingAboveTheRootAreRefused() throws Exception {
        Files.createDirectories(root.resolve("a"));
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("../../.."));
        assertThat(RootfsChecks.escapes(root, "/a/up/x")).contains("climbs above the root");
        assertThatThrownBy(() -> RootfsChecks.check(Container.builder().rootfs(root).tmpfs("/a/up/cache").command("x").build()))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("/a/up -> ../../..");
    }

    /** An absolute link means the root's own path, as Debian's /var/run -> /run: resolved there, not refused. */
    @Test
    void absoluteLinksResolveInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("var"));
        Files.createDirectories(root.resolve("run"));
        Files.createSymbolicLink(root.resolve("var/run"), Path.of("/run"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("run/loop"), Path.of("/var/run/../run/loop2"));
        assertThat(RootfsChecks.escapes(root, "/var/run/x")).isNull();
        assertThat(RootfsChecks.escapes(root, "/abs/x")).isNull();
        assertThatCode(() -> RootfsChecks.check(Container.builder().rootfs(root).volume("/tmp:/var/run/host:ro").command("x").build()))
                .doesNotThrowAnyException();
    }
}
