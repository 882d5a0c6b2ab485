package io.jcontainer.linux.rootless;

import io.jcontainer.Container;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Namespace;

import java.nio.file.Path;

/**
 * Run by {@link RootlessTest} in a user namespace whose {@code user.max_user_namespaces} is 0
 * (a per-namespace sysctl, so the host is untouched): starting a container with a USER namespace
 * must fail with a HostUnsupportedException naming that sysctl. Exit 0 when it does.
 */
public final class BlockedUserNamespaceMain {
    public static void main(String[] args) {
        try (var c = Container.builder().rootfs(Path.of(args[0])).addNamespace(Namespace.USER).command("/bin/true").start()) {
            System.out.println("FAIL: started although user namespaces are disabled");
            System.exit(1);
        } catch (HostUnsupportedException e) {
            System.out.println(e.getMessage());
            System.exit(e.getMessage().contains("max_user_namespaces") ? 0 : 1);
        }
    }
}
