package io.jcontainer.linux.rootless;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;

import java.nio.file.Path;

/**
 * Run by {@link RootlessTest} as the unprivileged user: starting a container in root {@code args[0]}
 * must fail with a {@link ContainerException} whose message contains {@code args[1]}. Exit 0 when it does.
 */
public final class RefusedStartMain {
    public static void main(String[] args) {
        try (var c = Container.builder().rootfs(Path.of(args[0])).command("/bin/true").start()) {
            System.out.println("FAIL: started although it must be refused");
            System.exit(1);
        } catch (ContainerException e) {
            System.out.println(e.getMessage());
            System.exit(e.getMessage().contains(args[1]) ? 0 : 1);
        }
    }
}
