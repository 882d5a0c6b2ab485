package io.jcontainer.linux.terminal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The user's own terminal, for a CLI attaching to a container's pseudo-terminal (docker run -t):
 * raw mode (every keystroke, ctrl-c included, goes to the container; its terminal does the line
 * editing and echo) and its size. FFM over libc's termios calls; restore() undoes raw mode.
 */
public final class HostTerminal implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle ISATTY = fn("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle TCGETATTR = fn("tcgetattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle TCSETATTR = fn("tcsetattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CFMAKERAW = fn("cfmakeraw", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final long TIOCGWINSZ = 0x5413L;
    private static final int TCSANOW = 0, TERMIOS_SIZE = 128; // struct termios is 60 bytes on glibc/musl: room to spare

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment saved = arena.allocate(TERMIOS_SIZE, 8);
    private boolean raw;

    private HostTerminal(int fd) {
        this.fd = fd;
    }

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
    }

    public static boolean isTerminal(int fd) {
        try {
            return (int) ISATTY.invokeExact(fd) == 1;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Puts {@code fd} (0: the CLI's stdin) in raw mode until {@link #close()}. */
    public static HostTerminal raw(int fd) {
        HostTerminal t = new HostTerminal(fd);
        try {
            if ((int) TCGETATTR.invokeExact(fd, t.saved) != 0) throw new IllegalStateException("tcgetattr failed on fd " + fd);
            MemorySegment r = t.arena.allocate(TERMIOS_SIZE, 8);
            r.copyFrom(t.saved);
            CFMAKERAW.invokeExact(r);
            if ((int) TCSETATTR.invokeExact(fd, TCSANOW, r) != 0) throw new IllegalStateException("tcsetattr failed on fd " + fd);
            t.raw = true;
            return t;
        } catch (Throwable e) {
            t.arena.close();
            if (e instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e);
        }
    }

    /** {rows, cols} of the terminal on {@code fd}, or null if it is none. */
    public static int[] size(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(8, 2);
            if ((int) IOCTL.invokeExact(fd, TIOCGWINSZ, ws) != 0) return null;
            return new int[]{ws.get(ValueLayout.JAVA_SHORT, 0) & 0xffff, ws.get(ValueLayout.JAVA_SHORT, 2) & 0xffff};
        } catch (Throwable t) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (!raw) return;
        raw = false;
        try {
            int ignored = (int) TCSETATTR.invokeExact(fd, TCSANOW, saved);
        } catch (Throwable ignored) {
            // the terminal is gone: nothing to restore
        } finally {
            arena.close();
        }
    }
}
