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
    void targetsThroughLinksLeavingTheRootAreRefused() throws Exception {
        Files.createDirectories(root.resolve("a"));
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("../../.."));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/etc"));
        assertThat(RootfsChecks.escapes(root, "/a/up/x")).contains("climbs above the root");
        assertThat(RootfsChecks.escapes(root, "/abs/x")).contains("absolute link");
        assertThatThrownBy(() -> RootfsChecks.check(Container.builder().rootfs(root).tmpfs("/abs/cache").command("x").build()))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("/abs -> /etc");
    }
}
