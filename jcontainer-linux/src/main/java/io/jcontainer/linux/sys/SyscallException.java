package io.jcontainer.linux.sys;

import io.jcontainer.ContainerException;

/** A system call made by the JVM side failed: names the call, the errno symbol and the path. */
public class SyscallException extends ContainerException {
    private final String syscall;
    private final int errno;
    private final String path;

    public SyscallException(String syscall, int errno, String path) {
        super(syscall + "(2)" + (path == null ? "" : " on " + path) + ": " + Errno.name(errno) + " (" + Errno.text(errno) + ")");
        this.syscall = syscall;
        this.errno = errno;
        this.path = path;
    }

    public String syscall() { return syscall; }
    public int errno() { return errno; }
    public String errnoName() { return Errno.name(errno); }
    public String path() { return path; }
}
