package io.jcontainer.runc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A foreground terminal made as runc makes it: the pty comes from the container's own devpts (so
 * {@code tty} inside names {@code /dev/pts/N}), its master sent back over a console socket this
 * process listens on, then copied to and from our stdio. The library's console-socket path
 * ({@code Stdio.Console}) does the container's side; this is the engine's side (conmon's), in
 * FFM: java.nio's unix channels cannot receive descriptors. Also the subreaper and the wait of
 * {@code run -t}, whose container process is reparented to us once its launcher has gone.
 */
final class Terminal implements AutoCloseable {
    private static final Linker L = Linker.nativeLinker();
    private static final SymbolLookup C = L.defaultLookup();

    /** Linked on first use only: exec without -t never pays for them. */
    private static final class Fn {
        static final MethodHandle SOCKET = h("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle BIND = h("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle LISTEN = h("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle ACCEPT = h("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        static final MethodHandle RECVMSG = h("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle READ = h("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle WRITE = h("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle CLOSE = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final MethodHandle IOCTL = h("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    }

    private static MethodHandle h(String name, FunctionDescriptor d) {
        return L.downcallHandle(C.find(name).orElseThrow(), d, Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle plain(String name, FunctionDescriptor d) {
        return L.downcallHandle(C.find(name).orElseThrow(), d);
    }

    private static final class Wait {
        static final MethodHandle WAITID = h("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle PRCTL = plain("prctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    private static final java.lang.invoke.VarHandle ERRNO = Linker.Option.captureStateLayout()
            .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    private final Path path;
    private final int listening;
    private int master = -1;

    /** Listening on a new socket at {@code path} (in a directory only we may write). */
    Terminal(Path path) {
        this.path = path;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            listening = (int) Fn.SOCKET.invokeExact(st, 1 /* AF_UNIX */, 1 | 0x80000 /* SOCK_STREAM | SOCK_CLOEXEC */, 0);
            if (listening < 0) throw fail("socket(2)", st);
            byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
            if (p.length > 107) throw new RuncException("console socket path too long: " + path);
            MemorySegment sa = a.allocate(110);
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) 1);
            MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, 2, p.length);
            if ((int) Fn.BIND.invokeExact(st, listening, sa, 110) < 0) throw fail("bind(2) on " + path, st);
            if ((int) Fn.LISTEN.invokeExact(st, listening, 1) < 0) throw fail("listen(2) on " + path, st);
        } catch (RuncException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    Path path() {
        return path;
    }

    private static RuncException fail(String what, MemorySegment st) {
        return new RuncException(what + " failed: errno " + (int) ERRNO.get(st, 0L));
    }

    /**
     * Takes the master the container's side sent (it has, once the process started: the launcher
     * sends it before the exec). {@code rows}/{@code cols} > 0: our terminal's size, set on it.
     */
    void receive(int rows, int cols) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            int c = (int) Fn.ACCEPT.invokeExact(st, listening, MemorySegment.NULL, MemorySegment.NULL, 0x80000);
            if (c < 0) throw fail("accept(2) on the console socket " + path, st);
            try {
                MemorySegment buf = a.allocate(256), ctl = a.allocate(64), iov = a.allocate(16), msg = a.allocate(56);
                iov.set(ADDRESS, 0, buf);
                iov.set(JAVA_LONG, 8, 256);
                msg.set(ADDRESS, 16, iov);
                msg.set(JAVA_LONG, 24, 1);
                msg.set(ADDRESS, 32, ctl);
                msg.set(JAVA_LONG, 40, 64);
                long n = (long) Fn.RECVMSG.invokeExact(st, c, msg, 0x40000000 /* MSG_CMSG_CLOEXEC */);
                if (n < 0) throw fail("recvmsg(2) on the console socket " + path, st);
                if (msg.get(JAVA_LONG, 40) < 20 || ctl.get(JAVA_INT, 8) != 1 || ctl.get(JAVA_INT, 12) != 1)
                    throw new RuncException("the console socket " + path + " got no terminal (no SCM_RIGHTS)");
                master = ctl.get(JAVA_INT, 16);
            } finally {
                int ignored = (int) Fn.CLOSE.invokeExact(st, c);
            }
            if (rows > 0 && cols > 0) {
                MemorySegment ws = a.allocate(8);
                ws.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
                ws.set(ValueLayout.JAVA_SHORT, 2, (short) cols);
                int ignored = (int) Fn.IOCTL.invokeExact(st, master, 0x5414L /* TIOCSWINSZ */, ws);
            }
        } catch (RuncException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies {@code in} to the terminal on a daemon thread (EOF: ^D, as the terminal's EOF character). */
    void pumpInput(InputStream in) {
        Thread.ofPlatform().daemon().start(() -> {
            byte[] b = new byte[8192];
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = a.allocate(b.length), st = a.allocate(Linker.Option.captureStateLayout());
                for (int n; (n = in.read(b)) > 0; ) {
                    MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, 0, n);
                    for (long off = 0; off < n; ) {
                        long w = (long) Fn.WRITE.invokeExact(st, master, m.asSlice(off), (long) n - off);
                        if (w <= 0) return;
                        off += w;
                    }
                }
            } catch (Throwable e) {
                // the terminal or our stdin went away
            }
        });
    }

    /** Copies the terminal's output to {@code out} until its last writer has gone (EIO). */
    void copyOutput(OutputStream out) {
        byte[] b = new byte[8192];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(b.length), st = a.allocate(Linker.Option.captureStateLayout());
            for (long n; ; ) {
                n = (long) Fn.READ.invokeExact(st, master, m, (long) b.length);
                if (n < 0 && (int) ERRNO.get(st, 0L) == 4 /* EINTR */) continue;
                if (n <= 0) break;
                MemorySegment.copy(m, ValueLayout.JAVA_BYTE, 0, b, 0, (int) n);
                out.write(b, 0, (int) n);
                out.flush();
            }
        } catch (IOException e) {
            // our stdout went away
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** This process as the reaper of its orphaned descendants (runc run's default: a container whose launcher exits is ours). */
    static void becomeSubreaper() {
        try {
            int ignored = (int) Wait.PRCTL.invokeExact(36 /* PR_SET_CHILD_SUBREAPER */, 1L);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for our child (or adopted orphan) {@code pid} and reaps it: its exit status, or 128 +
     * the signal that killed it, as a shell says; -1 when it is not ours to wait for.
     */
    static int waitFor(long pid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment si = a.allocate(128), st = a.allocate(Linker.Option.captureStateLayout());
            for (;;) {
                int r = (int) Wait.WAITID.invokeExact(st, 1 /* P_PID */, (int) pid, si, 4 /* WEXITED */);
                if (r == 0) break;
                if ((int) ERRNO.get(st, 0L) != 4 /* EINTR */) return -1;
            }
            int code = si.get(JAVA_INT, 8), status = si.get(JAVA_INT, 24);
            return code == 1 /* CLD_EXITED */ ? status : 128 + status;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Linker.Option.captureStateLayout());
            if (master >= 0) {
                int ignored = (int) Fn.CLOSE.invokeExact(st, master);
            }
            int ignored = (int) Fn.CLOSE.invokeExact(st, listening);
        } catch (Throwable e) {
            // closing only
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // its directory goes with the record
        }
    }
}
