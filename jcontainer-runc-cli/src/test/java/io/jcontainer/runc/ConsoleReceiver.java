package io.jcontainer.runc;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What an engine does with runc's {@code --console-socket} (conmon, containerd's shim): listens
 * on a unix socket, accepts the runtime's connection and receives one message, the file's name as
 * bytes and the pty master as SCM_RIGHTS. Then reads the terminal, as the engine would. Test-only
 * FFM (java.nio's unix channels cannot receive descriptors).
 */
final class ConsoleReceiver implements AutoCloseable {
    private static final Linker L = Linker.nativeLinker();
    private static final SymbolLookup C = L.defaultLookup();
    private static final MethodHandle SOCKET = h("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = h("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = h("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT = h("accept", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RECVMSG = h("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = h("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = h("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static MethodHandle h(String name, FunctionDescriptor d) {
        return L.downcallHandle(C.find(name).orElseThrow(), d);
    }

    final Path path;
    private final int listening;
    String name;
    int master = -1;

    /** Bound and listening at {@code path} (a socket that only binds, with {@code listen} false: "not listening"). */
    ConsoleReceiver(Path path, boolean listen) throws Throwable {
        this.path = path;
        listening = (int) SOCKET.invokeExact(1, 1 | 0x80000 /* SOCK_CLOEXEC */, 0);
        if (listening < 0) throw new IllegalStateException("socket");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(110);
            sa.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) 1);
            byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(p, 0, sa, java.lang.foreign.ValueLayout.JAVA_BYTE, 2, p.length);
            if ((int) BIND.invokeExact(listening, sa, 110) < 0) throw new IllegalStateException("bind " + path);
        }
        if (listen && (int) LISTEN.invokeExact(listening, 1) < 0) throw new IllegalStateException("listen");
    }

    /** Accepts the runtime's connection and takes the master; blocks until it comes. */
    void receive() throws Exception {
        try {
            receive0();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private void receive0() throws Throwable {
        int c = (int) ACCEPT.invokeExact(listening, MemorySegment.NULL, MemorySegment.NULL);
        if (c < 0) throw new IllegalStateException("accept");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256), ctl = a.allocate(64), iov = a.allocate(16), msg = a.allocate(56);
            iov.set(ADDRESS, 0, buf);
            iov.set(JAVA_LONG, 8, 256);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            msg.set(ADDRESS, 32, ctl);
            msg.set(JAVA_LONG, 40, 64);
            long n = (long) RECVMSG.invokeExact(c, msg, 0x40000000 /* MSG_CMSG_CLOEXEC */);
            if (n <= 0) throw new IllegalStateException("recvmsg: " + n);
            name = new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            long controllen = msg.get(JAVA_LONG, 40);
            if (controllen < 20 || ctl.get(JAVA_INT, 8) != 1 || ctl.get(JAVA_INT, 12) != 1) throw new IllegalStateException("no SCM_RIGHTS");
            master = ctl.get(JAVA_INT, 16);
        } finally {
            int ignored = (int) CLOSE.invokeExact(c);
        }
    }

    void write(String s) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            MemorySegment m = a.allocate(b.length);
            MemorySegment.copy(b, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
            long n = (long) WRITE.invokeExact(master, m, (long) b.length);
            if (n != b.length) throw new IllegalStateException("write: " + n);
        }
    }

    /** Everything the terminal says until its last writer is gone (EIO on the master). */
    String readAll() throws Exception {
        try {
            return readAll0();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private String readAll0() throws Throwable {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(4096);
            for (long n; (n = (long) READ.invokeExact(master, b, 4096L)) > 0; )
                out.write(b.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        try {
            if (master >= 0) {
                int ignored = (int) CLOSE.invokeExact(master);
            }
            int ignored = (int) CLOSE.invokeExact(listening);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        java.nio.file.Files.deleteIfExists(path);
    }
}
