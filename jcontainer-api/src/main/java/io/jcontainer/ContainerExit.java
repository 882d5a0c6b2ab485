package io.jcontainer;

/**
 * How a container's first process ended: an exit status, or the signal that terminated it.
 *
 * @param status     the exit status (0–255) when it exited, else 0
 * @param signal     the terminating signal number, or 0 when it exited normally
 * @param coreDumped whether the kernel reported a core dump
 * @param oomKilled  whether the container's memory limit was hit and the kernel's OOM killer ran
 */
public record ContainerExit(int status, int signal, boolean coreDumped, boolean oomKilled) {
    public static ContainerExit exited(int status) {
        return new ContainerExit(status, 0, false, false);
    }

    public static ContainerExit killed(int signal) {
        return new ContainerExit(0, signal, false, false);
    }

    public boolean signaled() {
        return signal != 0;
    }

    /** The shell's and docker's convention: the status, or 128 + the signal number. */
    public int code() {
        return signal != 0 ? 128 + signal : status;
    }

    public ContainerExit withOomKilled(boolean oom) {
        return new ContainerExit(status, signal, coreDumped, oom);
    }

    @Override
    public String toString() {
        String s = signal != 0 ? "killed by " + Signal.name(signal) + (coreDumped ? " (core dumped)" : "") : "exited with " + status;
        return oomKilled ? s + ", OOM-killed" : s;
    }
}
