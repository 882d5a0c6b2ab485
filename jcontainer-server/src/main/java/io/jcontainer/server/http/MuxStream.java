package io.jcontainer.server.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Docker's multiplexed stream (logs and attach without a terminal): each write becomes a frame
 * of an 8-byte header — the stream (0 stdin, 1 stdout, 2 stderr), three zero bytes, the payload's
 * length as a big-endian uint32 — and the payload. Both streams of one container share the
 * underlying output; frames are written whole under its lock so they never interleave.
 */
public final class MuxStream extends OutputStream {
    public static final int STDIN = 0, STDOUT = 1, STDERR = 2;

    private final OutputStream out;
    private final int stream;
    private final Object lock;

    private MuxStream(OutputStream out, int stream, Object lock) {
        this.out = out;
        this.stream = stream;
        this.lock = lock;
    }

    /** The stdout and stderr of one multiplexed output. */
    public static MuxStream[] pair(OutputStream out) {
        Object lock = new Object();
        return new MuxStream[]{new MuxStream(out, STDOUT, lock), new MuxStream(out, STDERR, lock)};
    }

    public static byte[] header(int stream, int length) {
        return new byte[]{(byte) stream, 0, 0, 0, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) return;
        byte[] frame = new byte[8 + len];
        System.arraycopy(header(stream, len), 0, frame, 0, 8);
        System.arraycopy(b, off, frame, 8, len);
        synchronized (lock) {
            out.write(frame);
            out.flush();
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
