package io.jcontainer;

/**
 * Setting up the container failed at a precise step. Carries the step (e.g. {@code mount /proc}),
 * the system call ({@code mount}), the errno symbol ({@code EPERM}) and the path involved, so
 * that the message alone says what failed:
 * <pre>start failed at step 7 "bind /data -> /mnt": mount(2) on /mnt: EACCES (Permission denied)</pre>
 * Nothing is left behind when this is thrown: processes, mounts, cgroups and temp files of the
 * failed start are gone.
 */
public class ContainerStartException extends ContainerException {
    private final String step;
    private final String syscall;
    private final String errno;
    private final String path;

    public ContainerStartException(String step, String syscall, String errno, String errnoText, String path) {
        super(format(step, syscall, errno, errnoText, path));
        this.step = step;
        this.syscall = syscall;
        this.errno = errno;
        this.path = path;
    }

    public ContainerStartException(String message, Throwable cause) {
        super(message, cause);
        this.step = null;
        this.syscall = null;
        this.errno = null;
        this.path = null;
    }

    private static String format(String step, String syscall, String errno, String errnoText, String path) {
        StringBuilder b = new StringBuilder("start failed at ").append(step).append(": ").append(syscall).append("(2)");
        if (path != null && !path.isEmpty()) b.append(" on ").append(path);
        b.append(": ").append(errno);
        if (errnoText != null && !errnoText.isEmpty()) b.append(" (").append(errnoText).append(')');
        return b.toString();
    }

    /** The setup step, as the plan names it. */
    public String step() { return step; }

    /** The system call that failed, e.g. {@code pivot_root}. */
    public String syscall() { return syscall; }

    /** The errno symbol, e.g. {@code EPERM}. */
    public String errno() { return errno; }

    /** The path the call was working on, or null. */
    public String path() { return path; }
}
