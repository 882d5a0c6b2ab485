package io.jcontainer.linux.terminal;

import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.Syscalls;

/**
 * The user's own terminal, for a CLI attaching to a container's pseudo-terminal (docker run -t):
 * raw mode (every keystroke, ctrl-c included, goes to the container; its terminal does the line
 * editing and echo) and its size. termios through the syscall seam; close() undoes raw mode.
 */
public final class HostTerminal implements AutoCloseable {
    private final Syscalls sys;
    private final int fd;
    private final byte[] saved;
    private boolean raw = true;

    private HostTerminal(Syscalls sys, int fd, byte[] saved) {
        this.sys = sys;
        this.fd = fd;
        this.saved = saved;
    }

    public static boolean isTerminal(int fd) {
        try {
            return NativeSyscalls.INSTANCE.isatty(fd);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Puts {@code fd} (0: the CLI's stdin) in raw mode until {@link #close()}. */
    public static HostTerminal raw(int fd) {
        return raw(NativeSyscalls.INSTANCE, fd);
    }

    static HostTerminal raw(Syscalls sys, int fd) {
        byte[] saved = sys.tcgetattr(fd);
        sys.tcsetattr(fd, sys.cfmakeraw(saved));
        return new HostTerminal(sys, fd, saved);
    }

    /** {rows, cols} of the terminal on {@code fd}, or null if it is none. */
    public static int[] size(int fd) {
        try {
            return NativeSyscalls.INSTANCE.windowSize(fd);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (!raw) return;
        raw = false;
        try {
            sys.tcsetattr(fd, saved);
        } catch (RuntimeException ignored) {
            // the terminal is gone: nothing to restore
        }
    }
}
