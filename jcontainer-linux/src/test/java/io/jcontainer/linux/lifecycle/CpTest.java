package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.linux.files.ContainerFiles;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** cp in and out of a running container, with symlinks inside pointing outside (CVE-2018-15664 class). */
@RequiresRoot
class CpTest {
    @TempDir
    Path tmp;

    @Test
    void copiesResolveInsideTheContainerRootAndNeverFollowSymlinksOut() throws Exception {
        Path rootfs = TestRootfs.fresh(tmp);
        String setup = "mkdir -p /tmp/data/sub; echo hi > /tmp/data/file.txt; echo deep > /tmp/data/sub/x; "
                + "ln -s / /tmp/data/escape; ln -s /etc/passwd /tmp/data/pw; ln -s / /tmp/evil; ln -s /etc/planted-target /tmp/planted; "
                + "echo ready; exec sleep 1000";
        try (Container c = Container.builder().rootfs(rootfs).command("/bin/sh", "-c", setup).start()) {
            assertThat(new BufferedReader(new InputStreamReader(c.stdout())).readLine()).isEqualTo("ready");
            ContainerFiles files = new ContainerFiles(NativeSyscalls.INSTANCE);

            Path out = tmp.resolve("out");
            files.copyOut(c.pid(), "/tmp/data", out);
            assertThat(out.resolve("file.txt")).hasContent("hi");
            assertThat(out.resolve("sub/x")).hasContent("deep");
            assertThat(Files.readSymbolicLink(out.resolve("escape")).toString()).isEqualTo("/"); // a link, not the host's /
            assertThat(Files.readSymbolicLink(out.resolve("pw")).toString()).isEqualTo("/etc/passwd");

            // a path through a symlink to "/" stays in the container's root: its /etc/passwd, not the host's
            Path pw = tmp.resolve("passwd");
            files.copyOut(c.pid(), "/tmp/evil/etc/passwd", pw);
            assertThat(pw).hasSameTextualContentAs(rootfs.resolve("etc/passwd"));
            assertThat(Files.readString(pw)).contains("user:x:1000");

            Path src = tmp.resolve("injected");
            Files.writeString(src, "in");
            files.copyIn(c.pid(), src, "/tmp/evil/etc/jc-cp-test-injected");
            assertThat(rootfs.resolve("etc/jc-cp-test-injected")).hasContent("in");
            assertThat(Path.of("/etc/jc-cp-test-injected")).doesNotExist();

            // a symlink planted at the destination is refused, not followed
            assertThatThrownBy(() -> files.copyIn(c.pid(), src, "/tmp/planted")).isInstanceOf(SyscallException.class).hasMessageContaining("ELOOP");
            assertThat(rootfs.resolve("etc/planted-target")).doesNotExist();

            files.copyIn(c.pid(), src, "/tmp"); // into a directory
            assertThat(rootfs.resolve("tmp/injected")).hasContent("in");
        }
    }
}
