package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.Stdio;
import io.jcontainer.linux.CreatedContainer;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.testing.TestRootfs;

import java.nio.file.Path;

/**
 * A JVM that creates a container and goes: {@code CreateJvm STATE-DIR} creates a busybox
 * container (64 MB memory limit) that prints a line and exits with 7 once started, its output in
 * STATE-DIR/out, prints "ID PID" and exits.
 */
public final class CreateJvm {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        CreatedContainer c = new LinuxContainerRuntime().create(Container.builder().rootfs(TestRootfs.busybox()).memoryLimit("64m")
                .pidsLimit(50).stdout(Stdio.file(dir.resolve("out"))).stderr(Stdio.NULL)
                .command("/bin/sh", "-c", "echo hello from created; exit 7").build(), dir);
        System.out.println(c.id() + " " + c.pid());
        System.out.flush();
        System.exit(0);
    }
}
