package io.jcontainer.linux.launch;

import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.io.OutputStream;

/** An OutputStream over a pipe descriptor (the container's stdin); close() sends EOF. */
public final class FdOutputStream extends OutputStream {
    private final Syscalls sys;
    private final FdHolder fd;

    public FdOutputStream(Syscalls sys, int fd) {
        this.sys = sys;
        this.fd = new FdHolder(sys, fd);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        int f = fd.acquire();
        if (f < 0) throw new IOException("stream closed");
        try {
            sys.write(f, b, off, len);
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
