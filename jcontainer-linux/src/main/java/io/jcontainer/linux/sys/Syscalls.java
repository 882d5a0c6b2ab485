package io.jcontainer.linux.sys;

import java.util.List;

/**
 * The seam between jcontainer's JVM-side logic and the kernel: every system call the JVM makes
 * goes through here, so that logic can be tested without root against {@link RecordingSyscalls}
 * and the real tests then prove the kernel agrees. Failures throw {@link SyscallException}
 * naming the call and errno; EINTR is retried in the implementation, never by callers.
 *
 * <p>Only calls that are safe in a multi-threaded JVM belong here. Anything that must happen
 * between clone and exec is an op of the plan, executed by the native launcher.
 */
public interface Syscalls {
    int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_TRUNC = 01000, O_APPEND = 02000,
            O_NONBLOCK = 04000, O_CLOEXEC = 02000000, O_NOCTTY = 0400;

    /** memfd_create(2) with MFD_CLOEXEC | MFD_ALLOW_SEALING. */
    int memfdCreate(String name);

    /** Seals a memfd against any further change (F_SEAL_SEAL|SHRINK|GROW|WRITE). */
    void sealAll(int fd);

    int open(String path, int flags, int mode);

    void close(int fd);

    /** Closes, ignoring errors: for cleanup paths. */
    default void closeQuietly(int fd) {
        if (fd < 0) return;
        try {
            close(fd);
        } catch (RuntimeException ignored) {
            // already failing; the original error matters more
        }
    }

    /** Reads up to {@code len} bytes; 0 at end of file. */
    int read(int fd, byte[] buf, int off, int len);

    /** Writes all of it. */
    void write(int fd, byte[] buf, int off, int len);

    /**
     * The whole of a kernel file (/proc, /sys): read(2) until end of file. Such files say size 0
     * and some hand out a few bytes per read (the sysctls), so neither a stat nor one read will do.
     * {@code ENOENT}/{@code ESRCH} for a process that is gone.
     */
    default byte[] readFile(String path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC, 0);
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = read(fd, buf, 0, buf.length)) > 0; ) out.write(buf, 0, n);
            return out.toByteArray();
        } finally {
            close(fd);
        }
    }

    /**
     * lgetxattr(2): the value of extended attribute {@code name} of {@code path} (a symbolic link's
     * own), or null when it has none (ENODATA) — overlayfs's {@code trusted.overlay.opaque} of an
     * upper directory, which {@code java.nio} cannot read (it sees the user namespace only).
     */
    default byte[] lgetxattr(String path, String name) {
        throw new UnsupportedOperationException("lgetxattr");
    }

    /**
     * mount(2) outside any container, in this JVM's own mount namespace: a root JVM's image roots
     * mounted ahead of their starts ({@code ReadyRoots}); {@code data} the file system's options.
     */
    default void mount(String source, String target, String fstype, long flags, String data) {
        throw new UnsupportedOperationException("mount");
    }

    /**
     * umount2(2) of a mount of this JVM's own outside any container (a fuse-overlayfs image root
     * a root JVM mounted); {@code flags} e.g. MNT_DETACH (2) | UMOUNT_NOFOLLOW (8).
     */
    default void umount2(String path, int flags) {
        throw new UnsupportedOperationException("umount2");
    }

    /** readlink(2): where a symbolic link points (/proc's magic links too: exe, ns/*). */
    default String readlink(String path) {
        throw new UnsupportedOperationException("readlink");
    }

    /** A connected AF_UNIX SOCK_STREAM pair, both ends close-on-exec. */
    int[] socketpair();

    /**
     * A connected AF_UNIX SOCK_SEQPACKET pair, both ends close-on-exec: message boundaries are
     * kept, so concurrent senders never interleave (the spawn server's socket).
     */
    default int[] seqpacketPair() {
        throw new UnsupportedOperationException("socketpair SOCK_SEQPACKET");
    }

    /**
     * sendmsg(2) of {@code data} with {@code fds} as SCM_RIGHTS, and MSG_NOSIGNAL: a closed peer
     * is an EPIPE exception, never a SIGPIPE.
     */
    default void sendFds(int sock, byte[] data, int[] fds) {
        throw new UnsupportedOperationException("sendmsg");
    }

    /** A pipe, both ends close-on-exec: [read, write]. */
    int[] pipe();

    /**
     * posix_spawn(3) of {@code path} with {@code fds[i]} dup'ed to descriptor {@code i}, every
     * signal reset to its default and none blocked. vfork-like: costs the same whatever the
     * size of the JVM's heap.
     */
    int spawn(String path, int[] fds, List<String> argv, List<String> env);

    /** waitid(2) for a child pid: its exit, or null with {@code noHang} while it runs. */
    WaitStatus waitPid(int pid, boolean noHang);

    void kill(int pid, int signal);

    /**
     * A new pseudo-terminal: {master, slave}, both close-on-exec and not our controlling
     * terminal. /dev/ptmx, unlocked (TIOCSPTLCK), the slave opened through the master
     * (TIOCGPTPEER, Linux 4.13) so no /dev/pts path can be raced.
     */
    default int[] openPty() {
        throw new UnsupportedOperationException("openPty");
    }

    /** TIOCSWINSZ: the terminal's size; the kernel sends SIGWINCH to its foreground group. */
    default void setWindowSize(int fd, int rows, int cols) {
        throw new UnsupportedOperationException("setWindowSize");
    }

    /** openat2(2) flags of struct open_how.resolve. */
    long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08,
            RESOLVE_IN_ROOT = 0x10;
    /** O_DIRECTORY and O_NOFOLLOW differ between x86_64 and aarch64 (asm/fcntl.h). */
    boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    int O_DIRECTORY = AARCH64 ? 040000 : 0200000, O_NOFOLLOW = AARCH64 ? 0100000 : 0400000, O_PATH = 010000000, O_EXCL = 0200;

    /** openat2(2) (Linux 5.6): {@code resolve} confines how {@code path} is looked up under {@code dirfd}. */
    default int openat2(int dirfd, String path, int flags, int mode, long resolve) {
        throw new UnsupportedOperationException("openat2");
    }

    /**
     * rmdir(2). The default goes through java.nio (which stats the path first), so fakes that
     * work on a fixture tree on disk remove real directories; {@link NativeSyscalls} makes the
     * one system call.
     */
    default void rmdir(String path) {
        try {
            java.nio.file.Files.delete(java.nio.file.Path.of(path));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SyscallException("rmdir", Errno.ENOENT, path);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            throw new SyscallException("rmdir", 39 /* ENOTEMPTY */, path);
        } catch (java.io.IOException e) {
            throw new SyscallException("rmdir", e.getMessage() != null && e.getMessage().contains("busy") ? Errno.EBUSY : Errno.EIO, path);
        }
    }

    /** mkdirat(2). */
    default void mkdirat(int dirfd, String name, int mode) {
        throw new UnsupportedOperationException("mkdirat");
    }

    /** symlinkat(2): creates {@code name} in {@code dirfd} pointing to {@code target} (never followed here). */
    default void symlinkat(String target, int dirfd, String name) {
        throw new UnsupportedOperationException("symlinkat");
    }

    /** fcntl(F_DUPFD_CLOEXEC). */
    default int dup(int fd) {
        throw new UnsupportedOperationException("dup");
    }

    /** setns(2) namespace types and unshare(2) flags. */
    int CLONE_NEWNET = 0x40000000;

    /**
     * setns(2) of the <em>calling thread</em>: for a network namespace this moves only this
     * thread, so callers do it on a thread of their own that runs nothing else.
     */
    default void setns(int fd, int nstype) {
        throw new UnsupportedOperationException("setns");
    }

    /** unshare(2) of the calling thread (CLONE_NEWNET: this thread gets a new network namespace). */
    default void unshare(int flags) {
        throw new UnsupportedOperationException("unshare");
    }

    /**
     * A netlink socket another process opened (its network namespace is the opener's) made ready
     * as {@link #netlinkSocket} makes its own: extended acks, a receive timeout, bound.
     */
    default void netlinkAdopt(int fd, int timeoutMillis) {
        throw new UnsupportedOperationException("netlinkAdopt");
    }

    /**
     * One request on a new AF_UNIX SOCK_SEQPACKET connection to {@code path} (a path longer than
     * sun_path is reached through its directory): {@code data} sent with {@code fd} as SCM_RIGHTS
     * (none when -1), then one answer read — its first {@code int} (native order) and the
     * descriptor it carries, close-on-exec, or -1. The connection is closed. ECONNREFUSED or
     * ENOENT: nobody listens there.
     */
    default int[] unixRequest(String path, byte[] data, int fd) {
        throw new UnsupportedOperationException("unixRequest");
    }

    /**
     * A netlink socket of {@code protocol} (NETLINK_ROUTE = 0, NETLINK_NETFILTER = 12), close-on-exec,
     * bound with a kernel-chosen port, with extended acks on and a receive timeout of
     * {@code timeoutMillis} (a kernel that never answers is an ETIMEDOUT error, never a hang). It
     * belongs to the network namespace of the calling thread.
     */
    default int netlinkSocket(int protocol, int timeoutMillis) {
        throw new UnsupportedOperationException("socket(AF_NETLINK)");
    }

    /** sendto(2) of one netlink message (or a batch) to the kernel. */
    default void netlinkSend(int fd, byte[] message) {
        throw new UnsupportedOperationException("sendto");
    }

    /** recv(2) of one datagram of netlink messages into {@code buf}; returns its length. */
    default int netlinkReceive(int fd, byte[] buf) {
        throw new UnsupportedOperationException("recv");
    }

    /**
     * bind(2) + close of a TCP or UDP socket on {@code hostIp:port} (SO_REUSEADDR for TCP, as a
     * server would): whether a published port is free, asked of the kernel before anything is
     * started. Throws EADDRINUSE when it is not.
     */
    default void probeBind(byte[] hostIp, int port, boolean udp) {
        throw new UnsupportedOperationException("bind");
    }

    int geteuid();

    int getegid();

    int epollCreate();

    /** Adds {@code fd} for readability (and hang-up), reported with {@code data}. */
    void epollAdd(int epfd, int fd, long data);

    void epollDelete(int epfd, int fd);

    /** Waits for ready descriptors; returns how many {@code data} values were written to out. */
    int epollWait(int epfd, long[] out, int timeoutMillis);

    /** An eventfd(2), for waking a thread blocked in epoll. */
    int eventfd();

    // ---- the user's own terminal (the CLI's -t): termios and size ----

    /** isatty(3): whether {@code fd} is a terminal. */
    default boolean isatty(int fd) {
        throw new UnsupportedOperationException("isatty");
    }

    /** tcgetattr(3): the terminal's settings, as opaque bytes (a struct termios) for {@link #tcsetattr}. */
    default byte[] tcgetattr(int fd) {
        throw new UnsupportedOperationException("tcgetattr");
    }

    /** tcsetattr(3) with {@code TCSANOW}: settings from {@link #tcgetattr} or {@link #cfmakeraw}. */
    default void tcsetattr(int fd, byte[] termios) {
        throw new UnsupportedOperationException("tcsetattr");
    }

    /** cfmakeraw(3) on a copy of {@code termios}: every byte passed through, no echo, no signals. */
    default byte[] cfmakeraw(byte[] termios) {
        throw new UnsupportedOperationException("cfmakeraw");
    }

    /** ioctl TIOCGWINSZ: {rows, cols} of the terminal on {@code fd}, or null if it is none. */
    default int[] windowSize(int fd) {
        throw new UnsupportedOperationException("windowSize");
    }

    /** The result of waitid: how a child ended. */
    record WaitStatus(int pid, int code, int status) {
        public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

        public boolean exited() {
            return code == CLD_EXITED;
        }
    }
}
