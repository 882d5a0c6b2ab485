package io.jcontainer.linux.launch;

import io.jcontainer.HostUnsupportedException;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.io.InputStream;

/**
 * The native launcher, executed from a sealed memfd: it never touches the disk, so there is no
 * temp file to leak or to overwrite, and the seals (write, grow, shrink, seal) make the bytes
 * immutable even for a process that reaches {@code /proc/<launcher>/exe} (CVE-2019-5736 class).
 * One memfd per JVM, created on first use.
 */
public final class LauncherImage {
    private final int fd;

    private LauncherImage(int fd) {
        this.fd = fd;
    }

    /** The path posix_spawn executes: the memfd seen through the spawning process's fd table. */
    public String path() {
        return "/proc/self/fd/" + fd;
    }

    public int fd() {
        return fd;
    }

    public static String resourceName() {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> throw new HostUnsupportedException("jcontainer has no launcher for architecture " + System.getProperty("os.arch"),
                    "supported: linux-x86_64 and linux-aarch64");
        };
        return "/io/jcontainer/linux/native/linux-" + arch + "/jcontainer-launcher";
    }

    public static LauncherImage load(Syscalls sys) {
        if (!System.getProperty("os.name", "").equals("Linux"))
            throw new HostUnsupportedException("jcontainer runs containers on Linux only, not " + System.getProperty("os.name"), null);
        String name = resourceName();
        byte[] bytes;
        try (InputStream in = LauncherImage.class.getResourceAsStream(name)) {
            if (in == null)
                throw new HostUnsupportedException("the jcontainer-linux jar has no launcher " + name,
                        "rebuild it with the C cross-compilers installed (see README: Building)");
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new HostUnsupportedException("cannot read the embedded launcher " + name + ": " + e, null);
        }
        int fd = sys.memfdCreate("jcontainer-launcher");
        try {
            sys.write(fd, bytes, 0, bytes.length);
            sys.sealAll(fd);
        } catch (RuntimeException e) {
            sys.closeQuietly(fd);
            throw e;
        }
        return new LauncherImage(fd);
    }
}
