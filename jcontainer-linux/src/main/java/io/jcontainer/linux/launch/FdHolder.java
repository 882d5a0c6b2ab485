package io.jcontainer.linux.launch;

import io.jcontainer.linux.sys.Syscalls;

/** A descriptor shared by readers/writers and a closer: close(2) happens after the last user. */
final class FdHolder {
    private final Syscalls sys;
    private final int fd;
    private int users;
    private boolean closing, closed;

    FdHolder(Syscalls sys, int fd) {
        this.sys = sys;
        this.fd = fd;
    }

    synchronized int acquire() {
        if (closing) return -1;
        users++;
        return fd;
    }

    void release() {
        boolean doClose;
        synchronized (this) {
            users--;
            doClose = closing && users == 0 && !closed;
            if (doClose) closed = true;
        }
        if (doClose) sys.closeQuietly(fd);
    }

    void close() {
        boolean doClose;
        synchronized (this) {
            if (closing) return;
            closing = true;
            doClose = users == 0;
            if (doClose) closed = true;
        }
        if (doClose) sys.closeQuietly(fd);
    }
}
