package io.jcontainer.linux.launch;

import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.io.InputStream;

/**
 * An InputStream over a pipe descriptor. Closing while another thread is blocked in read()
 * defers the close(2) until that read returns, so the descriptor number is never reused under
 * a reader's feet.
 */
public final class FdInputStream extends InputStream {
    private final Syscalls sys;
    private final FdHolder fd;

    public FdInputStream(Syscalls sys, int fd) {
        this.sys = sys;
        this.fd = new FdHolder(sys, fd);
    }

    @Override
    public int read() throws IOException {
        byte[] b = new byte[1];
        int n = read(b, 0, 1);
        return n <= 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        int f = fd.acquire();
        if (f < 0) throw new IOException("stream closed");
        try {
            int n = sys.read(f, b, off, Math.min(len, 1 << 16));
            return n == 0 ? -1 : n;
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            fd.release();
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
