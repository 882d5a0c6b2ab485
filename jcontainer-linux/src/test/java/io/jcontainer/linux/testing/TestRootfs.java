package io.jcontainer.linux.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A small root filesystem for tests: Debian's static busybox with its applets as symlinks, plus
 * /etc/passwd and /etc/group with a few users. Built once per JVM under target/ (never on
 * the host's real paths); {@link #fresh(Path)} makes a private copy a test may modify.
 */
public final class TestRootfs {
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "true", "false", "echo", "sleep", "cat", "ls", "id",
            "hostname", "ps", "mount", "umount", "touch", "mkdir", "rm", "ln", "chroot", "kill", "grep", "head", "tail",
            "wc", "dd", "stat", "readlink", "env", "pwd", "test", "[", "sed", "awk", "ip", "ifconfig", "uname", "yes",
            "seq", "find", "xargs", "cut", "tr", "sort", "uniq", "nproc", "date", "mknod", "chmod", "chown", "pivot_root",
            "unshare", "nsenter", "stty", "tty", "wget", "nc", "cp", "mv", "df", "free", "top", "timeout", "printf", "od",
            "hexdump", "sync", "setsid", "usleep", "basename", "dirname", "md5sum", "sha256sum", "xxd", "tee", "which");
    private static Path shared;

    private TestRootfs() {
    }

    /** The shared read-mostly busybox rootfs (tests must not write into it). */
    public static synchronized Path busybox() {
        if (shared == null) {
            shared = Path.of("target", "test-rootfs", "busybox").toAbsolutePath();
            build(shared);
        }
        return shared;
    }

    /** A new private copy under {@code dir}, for tests that change files in the root. */
    public static Path fresh(Path dir) {
        Path root = dir.resolve("rootfs").toAbsolutePath();
        build(root);
        return root;
    }

    private static void build(Path root) {
        try {
            if (!Files.isExecutable(BUSYBOX))
                throw new IllegalStateException("tests need a static busybox at " + BUSYBOX + ": apt-get install busybox-static");
            for (String d : List.of("bin", "etc", "proc", "dev", "sys", "tmp", "root", "home/user"))
                Files.createDirectories(root.resolve(d));
            Files.copy(BUSYBOX, root.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
            for (String a : APPLETS) {
                Path link = root.resolve("bin").resolve(a);
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of("busybox"));
            }
            Files.writeString(root.resolve("etc/passwd"), """
                    root:x:0:0:root:/root:/bin/sh
                    daemon:x:1:1:daemon:/usr/sbin:/bin/false
                    user:x:1000:1000:a user:/home/user:/bin/sh
                    nobody:x:65534:65534:nobody:/nonexistent:/bin/false
                    """);
            Files.writeString(root.resolve("etc/group"), """
                    root:x:0:
                    daemon:x:1:
                    tty:x:5:
                    user:x:1000:
                    audio:x:29:user
                    video:x:44:user
                    nogroup:x:65534:
                    """);
            Files.setPosixFilePermissions(root.resolve("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
