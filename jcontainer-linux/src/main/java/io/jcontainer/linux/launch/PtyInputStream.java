package io.jcontainer.linux.launch;

import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The master side of a pseudo-terminal: read(2) fails with EIO once every slave is closed; that is its end of file. */
public final class PtyInputStream extends FilterInputStream {
    public PtyInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        byte[] b = new byte[1];
        int n = read(b, 0, 1);
        return n <= 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            if (e.getCause() instanceof SyscallException s && s.errno() == Errno.EIO) return -1;
            throw e;
        }
    }
}
