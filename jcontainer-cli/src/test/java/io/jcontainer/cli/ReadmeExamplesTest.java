package io.jcontainer.cli;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerStartException;
import io.jcontainer.DataSize;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Stdio;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.jcontainer.Namespace.IPC;
import static io.jcontainer.Namespace.MNT;
import static io.jcontainer.Namespace.NET;
import static io.jcontainer.Namespace.PID;
import static io.jcontainer.Namespace.USER;
import static io.jcontainer.Namespace.UTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Java in README.md, run as written (with the busybox test root for /srv/rootfs): the README only claims what works. */
@RequiresRoot
class ReadmeExamplesTest {
    private final Path rootfs = TestRootfs.busybox();

    @Test
    void designCard() throws Exception {
        try (var c = Container.builder()
                .namespaces(PID, NET, MNT, UTS, IPC, USER)
                .rootfs(rootfs)
                .hostname("job-42")
                .command("/bin/sh", "-c", "echo hello from $(hostname)")
                .start()) {
            String out = new String(c.stdout().readAllBytes());
            ContainerExit exit = c.waitFor();
            assertThat(out).isEqualTo("hello from job-42\n");
            assertThat(exit.code()).isZero();
        }
    }

    @Test
    void mountsAndStdio(@TempDir Path data) throws Exception {
        Files.writeString(data.resolve("in.txt"), "input\n");
        Path log = data.resolve("out.log");
        try (var c = Container.builder()
                .rootfs(rootfs)
                .volume(data + ":/data:ro")
                .tmpfs("/scratch", DataSize.MB(16))
                .readOnlyRoot(true)
                .stdin(Stdio.PIPE)
                .stdout(Stdio.file(log))
                .command("sh", "-c", "cat /data/in.txt - > /scratch/all && cat /scratch/all")
                .start()) {
            c.stdin().write("from the JVM\n".getBytes(StandardCharsets.UTF_8));
            c.stdin().close();
            assertThat(c.waitFor().code()).isZero();
        }
        assertThat(Files.readString(log)).isEqualTo("input\nfrom the JVM\n");
    }

    @Test
    void errors() {
        assertThatThrownBy(() -> Container.builder().rootfs(Path.of("relative/root")))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.setting()).isEqualTo("rootfs"));
        try (var c = Container.builder().rootfs(rootfs).command("no-such-command").start()) {
            throw new AssertionError("started: " + c);
        } catch (ContainerStartException e) {
            assertThat(e.syscall()).isEqualTo("execve");
            assertThat(e.errno()).isEqualTo("ENOENT");
            assertThat(e.getMessage()).contains("execve(2)").contains("ENOENT");
        } catch (ContainerException e) {
            throw new AssertionError(e);
        }
    }
}
