package io.jcontainer.linux.attach;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The frames a detached container's monitor and its attach clients exchange on the unix stream
 * socket {@code attach} in the container's state directory (mirrors {@code ATT_*} in plan.h; the
 * monitor side is {@code attach.c}, OP_ATTACH). Both ways a frame is {@code u32 type, u32
 * length, payload}, little-endian.
 *
 * <pre>
 * monitor -> client   HELLO  u32 flags (TTY 1, STDIN 2)       first, right after accept
 *                     STDOUT bytes (a terminal's output is stdout)
 *                     STDERR bytes
 *                     EXIT   s32 si_code, s32 si_status        the payload ended; then EOF
 * client -> monitor   STDIN  bytes (at most 64 KiB a frame; dropped if stdin is not held);
 *                            empty: the input ended, stdin is closed once the rest is written
 *                     RESIZE u16 rows, u16 cols                TIOCSWINSZ on the terminal
 * </pre>
 *
 * A client that cannot take a whole frame at once (its socket buffer is full) is disconnected:
 * EOF without EXIT, possibly inside a frame (the part that fit was written; the client drops
 * it). A malformed or oversized client frame also disconnects it.
 */
public final class AttachProtocol {
    public static final int STDOUT = 1, STDERR = 2, EXIT = 3, HELLO = 4;
    public static final int STDIN = 1, RESIZE = 2;
    /** plan.h ATTACH_*: the monitor holds a terminal; it holds stdin; it reads no output before the first client. */
    public static final int FLAG_TTY = 1, FLAG_STDIN = 2, FLAG_HOLD = 4;
    public static final int MAX_INPUT = 65536;

    private AttachProtocol() {
    }

    /** One frame read from the monitor. */
    public record Frame(int type, byte[] payload) {
        public int int32(int offset) {
            return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
        }
    }

    /** The frame {@code type} carrying {@code len} bytes of {@code data} from {@code off}. */
    public static byte[] frame(int type, byte[] data, int off, int len) {
        ByteBuffer b = ByteBuffer.allocate(8 + len).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(len).put(data, off, len);
        return b.array();
    }

    public static byte[] resize(int rows, int cols) {
        if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff)
            throw new IllegalArgumentException("terminal size out of range: " + rows + "x" + cols);
        byte[] p = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) rows).putShort((short) cols).array();
        return frame(RESIZE, p, 0, 4);
    }

    /** The next frame, or null at a clean end of stream (between frames). */
    public static Frame read(InputStream in) throws IOException {
        byte[] hdr = new byte[8];
        int got = in.readNBytes(hdr, 0, 8);
        if (got == 0) return null;
        if (got < 8) throw new EOFException("attach socket closed inside a frame header");
        ByteBuffer b = ByteBuffer.wrap(hdr).order(ByteOrder.LITTLE_ENDIAN);
        int type = b.getInt(), len = b.getInt();
        if (len < 0 || len > (1 << 20)) throw new IOException("malformed attach frame: type " + type + ", length " + len);
        byte[] payload = in.readNBytes(len);
        if (payload.length < len) throw new EOFException("attach socket closed inside a frame");
        return new Frame(type, payload);
    }
}
