package io.jcontainer.oci.unpack;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.zip.ZipException;

/**
 * Gzip through ISA-L's igzip ({@code libisal.so.2}, Debian's {@code libisal2}) by FFM: about
 * twice the JDK's {@link java.util.zip.Inflater} on this machine (issue 12). igzip parses the gzip
 * header and checks the trailer's CRC-32 itself ({@code crc_flag = ISAL_GZIP}); concatenated
 * members are read one after the other, as {@link java.util.zip.GZIPInputStream} does.
 *
 * <p>The {@code struct inflate_state} offsets below are those of the public header of soname 2
 * (isa-l 2.30, checked with {@code offsetof}); applications allocate the struct themselves, so
 * the soname pins its layout. {@link #supported()} is false when the library is missing, and
 * {@link LayerUnpacker#decompress} then uses the JDK.
 */
final class IsalGzipInputStream extends InputStream {
    private static final long STATE_SIZE = 87368;
    private static final long NEXT_OUT = 0, AVAIL_OUT = 8, NEXT_IN = 16, AVAIL_IN = 32, BLOCK_STATE = 21160, CRC_FLAG = 21172;
    private static final int ISAL_GZIP = 1;
    private static final int ISAL_BLOCK_FINISH = 5;
    private static final int ISAL_NEED_DICT = 6;
    private static final int CHUNK = 1 << 18;

    private static final MethodHandle INIT;
    private static final MethodHandle RESET;
    private static final MethodHandle INFLATE;

    static {
        MethodHandle init = null, reset = null, inflate = null;
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup("libisal.so.2", Arena.global());
            Linker linker = Linker.nativeLinker();
            init = linker.downcallHandle(lib.find("isal_inflate_init").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            reset = linker.downcallHandle(lib.find("isal_inflate_reset").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            inflate = linker.downcallHandle(lib.find("isal_inflate").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        } catch (IllegalArgumentException | IllegalCallerException | java.util.NoSuchElementException missing) {
            // no libisal.so.2 (or native access refused): the JDK's Inflater is used instead
        }
        INIT = init;
        RESET = reset;
        INFLATE = inflate;
    }

    static boolean supported() {
        return INFLATE != null;
    }

    private final InputStream in;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state;
    private final MemorySegment inBuf;
    private final MemorySegment outBuf;
    private final byte[] heapIn = new byte[CHUNK];
    private long outPos;
    private long outEnd;
    private boolean inputEnded;
    private boolean finished;          // the last member's trailer was read and nothing follows
    private boolean closed;

    IsalGzipInputStream(InputStream in) {
        this.in = in;
        this.state = arena.allocate(STATE_SIZE, 64);
        this.inBuf = arena.allocate(CHUNK, 64);
        this.outBuf = arena.allocate(CHUNK, 64);
        try {
            INIT.invokeExact(state);
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException("isal_inflate_init failed", t);
        }
        state.set(ValueLayout.JAVA_INT, CRC_FLAG, ISAL_GZIP);
        state.set(ValueLayout.ADDRESS, NEXT_IN, inBuf);
        state.set(ValueLayout.JAVA_INT, AVAIL_IN, 0);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("stream closed");
        if (len == 0) return 0;
        while (outPos == outEnd) {
            if (finished) return -1;
            inflateMore();
        }
        int n = (int) Math.min(len, outEnd - outPos);
        MemorySegment.copy(outBuf, ValueLayout.JAVA_BYTE, outPos, b, off, n);
        outPos += n;
        return n;
    }

    private void inflateMore() throws IOException {
        int availIn = state.get(ValueLayout.JAVA_INT, AVAIL_IN);
        if (availIn == 0 && !inputEnded) availIn = refill();
        if (state.get(ValueLayout.JAVA_INT, BLOCK_STATE) == ISAL_BLOCK_FINISH) {
            // A member ended: another may follow (concatenated gzip), else the stream is done.
            if (availIn == 0 || !gzipMagicNext()) {      // trailing non-gzip bytes are ignored, as the JDK does
                finished = true;
                return;
            }
            call(RESET);
            state.set(ValueLayout.JAVA_INT, CRC_FLAG, ISAL_GZIP);
        }
        if (availIn == 0 && inputEnded) throw new EOFException("gzip stream ends before its trailer (truncated layer)");
        state.set(ValueLayout.ADDRESS, NEXT_OUT, outBuf);
        state.set(ValueLayout.JAVA_INT, AVAIL_OUT, CHUNK);
        int rc;
        try {
            rc = (int) INFLATE.invokeExact(state);
        } catch (Throwable t) {
            throw new IOException("isal_inflate failed: " + t, t);
        }
        if (rc < 0 || rc == ISAL_NEED_DICT) throw new ZipException("corrupt gzip data (igzip error " + rc + ")");
        outPos = 0;
        outEnd = CHUNK - Integer.toUnsignedLong(state.get(ValueLayout.JAVA_INT, AVAIL_OUT));
        if (outEnd == 0 && state.get(ValueLayout.JAVA_INT, AVAIL_IN) == availIn && inputEnded
                && state.get(ValueLayout.JAVA_INT, BLOCK_STATE) != ISAL_BLOCK_FINISH)
            throw new EOFException("gzip stream ends before its trailer (truncated layer)");
    }

    /** Whether the unread input starts with a gzip member's magic bytes (reading more if only one is left). */
    private boolean gzipMagicNext() throws IOException {
        int availIn = state.get(ValueLayout.JAVA_INT, AVAIL_IN);
        MemorySegment next = state.get(ValueLayout.ADDRESS, NEXT_IN).reinterpret(availIn);
        if (availIn < 2) {
            int n = in.readNBytes(heapIn, availIn, 2 - availIn);
            if (n < 2 - availIn) inputEnded = true;
            MemorySegment.copy(next, ValueLayout.JAVA_BYTE, 0, heapIn, 0, availIn);
            MemorySegment.copy(heapIn, 0, inBuf, ValueLayout.JAVA_BYTE, 0, availIn + n);
            state.set(ValueLayout.ADDRESS, NEXT_IN, inBuf);
            state.set(ValueLayout.JAVA_INT, AVAIL_IN, availIn + n);
            if (availIn + n < 2) return false;
            next = inBuf;
        }
        return (next.get(ValueLayout.JAVA_BYTE, 0) & 0xff) == 0x1f && (next.get(ValueLayout.JAVA_BYTE, 1) & 0xff) == 0x8b;
    }

    /** Moves what is left of the input to the buffer's start and reads more behind it. */
    private int refill() throws IOException {
        int n = in.read(heapIn, 0, CHUNK);
        if (n < 0) {
            inputEnded = true;
            return 0;
        }
        MemorySegment.copy(heapIn, 0, inBuf, ValueLayout.JAVA_BYTE, 0, n);
        state.set(ValueLayout.ADDRESS, NEXT_IN, inBuf);
        state.set(ValueLayout.JAVA_INT, AVAIL_IN, n);
        return n;
    }

    private void call(MethodHandle h) throws IOException {
        try {
            h.invokeExact(state);
        } catch (Throwable t) {
            throw new IOException("igzip call failed: " + t, t);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            in.close();
        } finally {
            arena.close();
        }
    }
}
