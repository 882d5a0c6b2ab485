package io.jcontainer.linux.launch;

import io.jcontainer.linux.sys.Syscalls;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The JVM's end of the launcher's control socket (plan.h): the plan goes out, then frames of
 * {@code u32 type, u32 length, payload} come back (STARTED, FAILED, EXITED, HOOK); commands
 * (signals) go out the same way. Closing it tells an attached launcher that the JVM is gone.
 */
public final class ControlChannel {
    public static final int MSG_STARTED = 1, MSG_FAILED = 2, MSG_EXITED = 3, MSG_HOOK = 4;
    public static final int CMD_SIGNAL = 1, CMD_SIGNAL_GROUP = 2, CMD_CONTINUE = 3, CMD_ABORT = 4;
    /** The longest message a CMD_ABORT carries (the launcher's failure detail holds 512 bytes with its NUL). */
    static final int ABORT_MESSAGE_MAX = 500;

    private final Syscalls sys;
    private final int fd;
    private boolean closed;

    public ControlChannel(Syscalls sys, int fd) {
        this.sys = sys;
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    /** One frame from the launcher; null on end of file. */
    public record Frame(int type, ByteBuffer payload) {
        public int int32(int index) {
            return payload.getInt(index * 4);
        }

        public String string(int offset) {
            int end = offset;
            while (end < payload.limit() && payload.get(end) != 0) end++;
            byte[] b = new byte[end - offset];
            payload.get(offset, b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** @param framed the plan behind its length ({@link io.jcontainer.linux.plan.PlanEncoder#encodeFramed}): one write */
    public void sendPlan(byte[] framed) {
        int len = (framed[0] & 0xff) | (framed[1] & 0xff) << 8 | (framed[2] & 0xff) << 16 | (framed[3] & 0xff) << 24;
        if (len != framed.length - 4) throw new IllegalArgumentException("not a framed plan: its first 4 bytes say " + len + ", it has " + (framed.length - 4));
        sys.write(fd, framed, 0, framed.length);
    }

    public synchronized void sendCommand(int type, int arg) {
        if (closed) return;
        byte[] b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(4).putInt(arg).array();
        sys.write(fd, b, 0, b.length);
    }

    /** CMD_ABORT: the work at hook point {@code point} failed with {@code errno} (0: EPERM) and {@code message}. */
    public synchronized void sendAbort(int point, int errno, String message) {
        if (closed) return;
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(m.length, ABORT_MESSAGE_MAX);
        while (n > 0 && n < m.length && (m[n] & 0xc0) == 0x80) n--; // not inside a UTF-8 sequence
        ByteBuffer b = ByteBuffer.allocate(8 + 8 + n + 1).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(CMD_ABORT).putInt(8 + n + 1).putInt(point).putInt(errno).put(m, 0, n).put((byte) 0);
        sys.write(fd, b.array(), 0, b.capacity());
    }

    public Frame read() {
        byte[] hdr = new byte[8];
        if (!readFully(hdr)) return null;
        ByteBuffer h = ByteBuffer.wrap(hdr).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(0), len = h.getInt(4);
        if (len < 0 || len > 1 << 20) return null;
        byte[] p = new byte[len];
        if (!readFully(p)) return null;
        return new Frame(type, ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN));
    }

    private boolean readFully(byte[] b) {
        int off = 0;
        while (off < b.length) {
            int n = sys.read(fd, b, off, b.length - off);
            if (n <= 0) return false;
            off += n;
        }
        return true;
    }

    public synchronized void close() {
        if (closed) return;
        closed = true;
        sys.closeQuietly(fd);
    }
}
