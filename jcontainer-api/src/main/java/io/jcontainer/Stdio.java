package io.jcontainer;

import java.nio.file.Path;

/** Where one of the container's standard streams goes. */
public sealed interface Stdio {
    /** A pipe to the JVM, read or written through the handle's streams. */
    record Pipe() implements Stdio { }

    /** The JVM's own descriptor (its terminal, or whatever it was started with). */
    record Inherit() implements Stdio { }

    /** {@code /dev/null}. */
    record Null() implements Stdio { }

    /** A host file, opened by the JVM (created or truncated for output, appended if asked). */
    record File(Path path, boolean append) implements Stdio {
        public File {
            if (path == null) throw new InvalidSpecException("stdio", "file path is null");
        }
    }

    /**
     * The container's terminal handed to whoever listens on a unix socket (runc's
     * {@code --console-socket}, as conmon and containerd's shim listen): with {@code tty(true)} a
     * pty is opened from the container's own devpts instance, its slave becomes the process's
     * stdin, stdout and stderr, and its master is sent over {@code socket} (SCM_RIGHTS) before the
     * process starts. Given as stdin (stdout and stderr are the terminal then). Created containers
     * ({@code Containers.create}) and detached execs only.
     */
    record Console(Path socket) implements Stdio {
        public Console {
            if (socket == null) throw new InvalidSpecException("stdio", "console socket path is null");
        }
    }

    Stdio PIPE = new Pipe();
    Stdio INHERIT = new Inherit();
    Stdio NULL = new Null();

    static Stdio file(Path path) {
        return new File(path, false);
    }

    static Stdio append(Path path) {
        return new File(path, true);
    }
}
