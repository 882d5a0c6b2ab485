package io.jcontainer.linux.sys;

import io.jcontainer.HostUnsupportedException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link Syscalls} through Panama FFM downcalls into the C library. One binding style: every
 * errno-setting call is bound with {@code captureCallState("errno")} and the errno is read from
 * a per-call segment (a shared one would race between threads); EINTR is retried here.
 *
 * <p>Each downcall handle lives in a holder class of its own, linked on the first call: linking
 * spins lambda forms and a stub per signature (~5 ms each on a loaded machine), and a CLI verb
 * uses a few of them — linking them all up front was most of {@code ps}'s start.
 */
public final class NativeSyscalls implements Syscalls {
    public static final NativeSyscalls INSTANCE = new NativeSyscalls();

    /**
     * The linker and the errno capture, made on first use: their set-up spins method handles, and
     * the verbs that only read files (ps, inspect: readFile, readlink, the ids) use no downcall.
     */
    private static final class Ffm {
        static final Linker LINKER = Linker.nativeLinker();
        static final SymbolLookup LIBC = LINKER.defaultLookup();
        static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
        static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO_VH = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    }
    private static final boolean X86_64 = "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));

    private static final int EINTR = 4;
    private static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033, F_SEAL_ALL = 1 | 2 | 4 | 8;
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int P_PID = 1, WEXITED = 4, WNOHANG = 1;
    private static final int EPOLL_CLOEXEC = 02000000, EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 0x1, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000;
    /** struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16). */
    private static final int EPOLL_EVENT_SIZE = X86_64 ? 12 : 16, EPOLL_DATA_OFFSET = X86_64 ? 4 : 8;
    /** In a holder: the first ValueLayout spins lambda forms (~8 ms interpreted), which a verb that only reads files does not need. */
    private static final class Epoll {
        static final ValueLayout.OfLong UNALIGNED_LONG = JAVA_LONG.withByteAlignment(1);
    }

    private static final class MemfdCreate {
        static final MethodHandle H = errnoFn("memfd_create", JAVA_INT, ADDRESS, JAVA_INT);
    }
    private static final class FcntlInt {
        static final MethodHandle H = variadicFn("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }
    private static final class Open {
        static final MethodHandle H = variadicFn("open", 2, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    }
    private static final class Close {
        static final MethodHandle H = errnoFn("close", JAVA_INT, JAVA_INT);
    }
    private static final class Read {
        static final MethodHandle H = errnoFn("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    }
    private static final class Write {
        static final MethodHandle H = errnoFn("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    }
    private static final class Socketpair {
        static final MethodHandle H = errnoFn("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    }
    private static final class Sendmsg {
        static final MethodHandle H = errnoFn("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    }
    private static final class Pipe2 {
        static final MethodHandle H = errnoFn("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
    }
    private static final class Waitid {
        static final MethodHandle H = errnoFn("waitid", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }
    private static final class Kill {
        static final MethodHandle H = errnoFn("kill", JAVA_INT, JAVA_INT, JAVA_INT);
    }
    private static final class IoctlLong {
        static final MethodHandle H = variadicFn("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }
    private static final class IoctlPtr {
        static final MethodHandle H = variadicFn("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    }
    /** asm-generic/ioctls.h: identical on x86_64 and aarch64. */
    private static final long TIOCSPTLCK = 0x40045431L, TIOCGPTPEER = 0x5441L, TIOCSWINSZ = 0x5414L;
    private static final int F_DUPFD_CLOEXEC = 1030;
    /** openat2 has no libc wrapper: syscall(2), same number on every architecture (asm-generic, 5.6). */
    private static final class Syscall4 {
        static final MethodHandle H = variadicFn("syscall", 1, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    }
    private static final long SYS_OPENAT2 = 437;
    private static final class Mkdirat {
        static final MethodHandle H = errnoFn("mkdirat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }
    private static final class Readlink {
        static final MethodHandle H = errnoFn("readlink", JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
    }
    private static final class Lgetxattr {
        static final MethodHandle H = errnoFn("lgetxattr", JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    }
    private static final class Umount2 {
        static final MethodHandle H = errnoFn("umount2", JAVA_INT, ADDRESS, JAVA_INT);
    }
    private static final class Rmdir {
        static final MethodHandle H = errnoFn("rmdir", JAVA_INT, ADDRESS);
    }
    private static final class Symlinkat {
        static final MethodHandle H = errnoFn("symlinkat", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
    }
    private static final class Geteuid {
        static final MethodHandle H = fn("geteuid", JAVA_INT);
    }
    private static final class Getegid {
        static final MethodHandle H = fn("getegid", JAVA_INT);
    }
    private static final class EpollCreate1 {
        static final MethodHandle H = errnoFn("epoll_create1", JAVA_INT, JAVA_INT);
    }
    private static final class EpollCtl {
        static final MethodHandle H = errnoFn("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    }
    private static final class EpollWait {
        static final MethodHandle H = errnoFn("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    }
    private static final class Eventfd {
        static final MethodHandle H = errnoFn("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    }
    private static final class Terminal {
        static final MethodHandle ISATTY = fn("isatty", JAVA_INT, JAVA_INT);
        static final MethodHandle TCGETATTR = errnoFn("tcgetattr", JAVA_INT, JAVA_INT, ADDRESS);
        static final MethodHandle TCSETATTR = errnoFn("tcsetattr", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
        static final MethodHandle CFMAKERAW = Ffm.LINKER.downcallHandle(symbol("cfmakeraw"), FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle IOCTL = variadicFn("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
        static final long TIOCGWINSZ = 0x5413L;
        static final int TCSANOW = 0, TERMIOS_SIZE = 128; // struct termios is 60 bytes on glibc and musl: room to spare
    }
    private static final class Setns {
        static final MethodHandle H = errnoFn("setns", JAVA_INT, JAVA_INT, JAVA_INT);
    }
    private static final class Unshare {
        static final MethodHandle H = errnoFn("unshare", JAVA_INT, JAVA_INT);
    }
    private static final class Socket {
        static final MethodHandle H = errnoFn("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }
    private static final class Setsockopt {
        static final MethodHandle H = errnoFn("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }
    private static final class Bind {
        static final MethodHandle H = errnoFn("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }
    private static final class Sendto {
        static final MethodHandle H = errnoFn("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    }
    private static final class Recv {
        static final MethodHandle H = errnoFn("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    }
    private static final int AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, SOCK_DGRAM = 2, SOCK_RAW = 3;
    private static final int SOL_NETLINK = 270, NETLINK_EXT_ACK = 11, SO_REUSEADDR = 2, SO_RCVTIMEO = 20, MSG_TRUNC = 0x20;
    // posix_spawn returns the error number instead of setting errno.
    private static final class PosixSpawn {
        static final MethodHandle H = fn("posix_spawn", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    }
    private static final class FaInit {
        static final MethodHandle H = fn("posix_spawn_file_actions_init", JAVA_INT, ADDRESS);
    }
    private static final class FaAdddup2 {
        static final MethodHandle H = fn("posix_spawn_file_actions_adddup2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    }
    /** glibc 2.34+ (null elsewhere): the JVM's descriptors without close-on-exec stay out of what it spawns. */
    private static final class FaAddclosefrom {
        static final MethodHandle H = Ffm.LIBC.find("posix_spawn_file_actions_addclosefrom_np")
                .map(f -> Ffm.LINKER.downcallHandle(f, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT))).orElse(null);
    }
    private static final class FaDestroy {
        static final MethodHandle H = fn("posix_spawn_file_actions_destroy", JAVA_INT, ADDRESS);
    }
    private static final class AttrInit {
        static final MethodHandle H = fn("posix_spawnattr_init", JAVA_INT, ADDRESS);
    }
    private static final class AttrSetflags {
        static final MethodHandle H = fn("posix_spawnattr_setflags", JAVA_INT, ADDRESS, ValueLayout.JAVA_SHORT);
    }
    private static final class AttrSetsigmask {
        static final MethodHandle H = fn("posix_spawnattr_setsigmask", JAVA_INT, ADDRESS, ADDRESS);
    }
    private static final class AttrSetsigdefault {
        static final MethodHandle H = fn("posix_spawnattr_setsigdefault", JAVA_INT, ADDRESS, ADDRESS);
    }
    private static final class AttrDestroy {
        static final MethodHandle H = fn("posix_spawnattr_destroy", JAVA_INT, ADDRESS);
    }
    private static final class Sigemptyset {
        static final MethodHandle H = fn("sigemptyset", JAVA_INT, ADDRESS);
    }
    private static final class Sigfillset {
        static final MethodHandle H = fn("sigfillset", JAVA_INT, ADDRESS);
    }

    private NativeSyscalls() {
    }

    private static MemorySegment symbol(String name) {
        return Ffm.LIBC.find(name).orElseThrow(() -> new HostUnsupportedException(
                "the C library has no " + name + "()", "jcontainer needs glibc >= 2.27 or musl >= 1.2 on Linux"));
    }

    private static MethodHandle fn(String name, ValueLayout ret, ValueLayout... args) {
        return Ffm.LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(ret, args));
    }

    private static MethodHandle errnoFn(String name, ValueLayout ret, ValueLayout... args) {
        return Ffm.LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(ret, args), Ffm.ERRNO);
    }

    private static MethodHandle variadicFn(String name, int firstVariadic, ValueLayout ret, ValueLayout... args) {
        return Ffm.LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(ret, args), Ffm.ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    private static int errno(MemorySegment capture) {
        return (int) Ffm.ERRNO_VH.get(capture, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    @Override
    public int memfdCreate(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            int fd = (int) MemfdCreate.H.invokeExact(cs, a.allocateFrom(name), MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (fd < 0) throw new SyscallException("memfd_create", errno(cs), name);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void sealAll(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            int r = (int) FcntlInt.H.invokeExact(cs, fd, F_ADD_SEALS, F_SEAL_ALL);
            if (r < 0) throw new SyscallException("fcntl(F_ADD_SEALS)", errno(cs), null);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int open(String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment p = a.allocateFrom(path);
            for (;;) {
                int fd = (int) Open.H.invokeExact(cs, p, flags, mode);
                if (fd >= 0) return fd;
                if (errno(cs) != EINTR) throw new SyscallException("open", errno(cs), path);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            // Never retry close on EINTR: on Linux the descriptor is gone either way.
            int r = (int) Close.H.invokeExact(cs, fd);
            if (r < 0 && errno(cs) != EINTR) throw new SyscallException("close", errno(cs), "fd " + fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int read(int fd, byte[] buf, int off, int len) {
        if (len == 0) return 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment b = a.allocate(len);
            for (;;) {
                long n = (long) Read.H.invokeExact(cs, fd, b, (long) len);
                if (n >= 0) {
                    MemorySegment.copy(b, ValueLayout.JAVA_BYTE, 0, buf, off, (int) n);
                    return (int) n;
                }
                if (errno(cs) != EINTR) throw new SyscallException("read", errno(cs), "fd " + fd);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void write(int fd, byte[] buf, int off, int len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment b = a.allocate(Math.max(1, len));
            MemorySegment.copy(buf, off, b, ValueLayout.JAVA_BYTE, 0, len);
            long done = 0;
            while (done < len) {
                long n = (long) Write.H.invokeExact(cs, fd, b.asSlice(done), (long) (len - done));
                if (n < 0) {
                    if (errno(cs) == EINTR) continue;
                    throw new SyscallException("write", errno(cs), "fd " + fd);
                }
                done += n;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int[] socketpair() {
        return socketpair(SOCK_STREAM, null);
    }

    @Override
    public int[] seqpacketPair() {
        return socketpair(SOCK_SEQPACKET, "SOCK_SEQPACKET");
    }

    /** An AF_UNIX pair of {@code type}, close-on-exec; {@code what} names it in an error. */
    private static int[] socketpair(int type, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            int r = (int) Socketpair.H.invokeExact(cs, AF_UNIX, type | SOCK_CLOEXEC, 0, sv);
            if (r < 0) throw new SyscallException("socketpair", errno(cs), what);
            return new int[]{sv.getAtIndex(JAVA_INT, 0), sv.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void sendFds(int sock, byte[] data, int[] fds) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment iov = a.allocate(16, 8); // struct iovec {base, len}
            iov.set(ADDRESS, 0, buf);
            iov.set(JAVA_LONG, 8, data.length);
            // struct cmsghdr {size_t len; int level, type;} then the fds, padded to 8 (CMSG_SPACE)
            long cmsgLen = 16 + 4L * fds.length, space = (cmsgLen + 7) & ~7L;
            MemorySegment cmsg = a.allocate(space, 8);
            cmsg.set(JAVA_LONG, 0, cmsgLen);
            cmsg.set(JAVA_INT, 8, SOL_SOCKET);
            cmsg.set(JAVA_INT, 12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) cmsg.set(JAVA_INT, 16 + 4L * i, fds[i]);
            // struct msghdr (LP64): name, namelen(+pad), iov, iovlen, control, controllen, flags
            MemorySegment msg = a.allocate(56, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            msg.set(ADDRESS, 32, cmsg);
            msg.set(JAVA_LONG, 40, space);
            for (;;) {
                long r = (long) Sendmsg.H.invokeExact(cs, sock, msg, MSG_NOSIGNAL);
                if (r >= 0) return;
                if (errno(cs) != EINTR) throw new SyscallException("sendmsg", errno(cs), "fd " + sock);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int[] pipe() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            int r = (int) Pipe2.H.invokeExact(cs, fds, O_CLOEXEC);
            if (r < 0) throw new SyscallException("pipe2", errno(cs), null);
            return new int[]{fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment cStrings(Arena a, List<String> strings) {
        MemorySegment arr = a.allocate(ADDRESS, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) arr.setAtIndex(ADDRESS, i, a.allocateFrom(strings.get(i)));
        arr.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return arr;
    }

    @Override
    public int spawn(String path, int[] fds, List<String> argv, List<String> env) {
        try (Arena a = Arena.ofConfined()) {
            // Opaque libc structs: generously sized for glibc (80/336 bytes) and musl.
            MemorySegment fa = a.allocate(512, 16), attr = a.allocate(1024, 16);
            MemorySegment all = a.allocate(128, 8), none = a.allocate(128, 8);
            check("posix_spawn_file_actions_init", (int) FaInit.H.invokeExact(fa));
            try {
                check("posix_spawnattr_init", (int) AttrInit.H.invokeExact(attr));
                try {
                    for (int target = 0; target < fds.length; target++)
                        check("posix_spawn_file_actions_adddup2", (int) FaAdddup2.H.invokeExact(fa, fds[target], target));
                    // The launcher, exec'd from its memfd (/proc/self/fd/N), needs that descriptor until
                    // its exec and closes the rest itself (close_range); other programs get only their stdio.
                    if (FaAddclosefrom.H != null && !path.startsWith("/proc/self/fd/"))
                        check("posix_spawn_file_actions_addclosefrom_np", (int) FaAddclosefrom.H.invokeExact(fa, fds.length));
                    // The JVM blocks and handles signals of its own; the launcher must start clean.
                    int ignored = (int) Sigfillset.H.invokeExact(all);
                    ignored = (int) Sigemptyset.H.invokeExact(none);
                    check("posix_spawnattr_setsigdefault", (int) AttrSetsigdefault.H.invokeExact(attr, all));
                    check("posix_spawnattr_setsigmask", (int) AttrSetsigmask.H.invokeExact(attr, none));
                    // Its own process group (pgid 0 = its pid): a terminal's Ctrl-C (SIGINT to the foreground
                    // group) must reach the JVM, which decides, and not kill the launcher and so the container.
                    check("posix_spawnattr_setflags", (int) AttrSetflags.H.invokeExact(attr,
                            (short) (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));
                    MemorySegment pid = a.allocate(JAVA_INT);
                    int r = (int) PosixSpawn.H.invokeExact(pid, a.allocateFrom(path), fa, attr, cStrings(a, argv), cStrings(a, env));
                    if (r != 0) throw new SyscallException("posix_spawn", r, path);
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) AttrDestroy.H.invokeExact(attr);
                }
            } finally {
                int ignored = (int) FaDestroy.H.invokeExact(fa);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void check(String what, int r) {
        if (r != 0) throw new SyscallException(what, r, null);
    }

    @Override
    public WaitStatus waitPid(int pid, boolean noHang) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment si = a.allocate(128, 8);
            for (;;) {
                int r = (int) Waitid.H.invokeExact(cs, P_PID, pid, si, WEXITED | (noHang ? WNOHANG : 0));
                if (r < 0) {
                    if (errno(cs) == EINTR) continue;
                    throw new SyscallException("waitid", errno(cs), "pid " + pid);
                }
                // siginfo_t: si_signo, si_errno, si_code, (pad), si_pid @16, si_uid @20, si_status @24
                int got = si.get(JAVA_INT, 16);
                if (got == 0) return null;
                return new WaitStatus(got, si.get(JAVA_INT, 8), si.get(JAVA_INT, 24));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void kill(int pid, int signal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            int r = (int) Kill.H.invokeExact(cs, pid, signal);
            if (r < 0) throw new SyscallException("kill", errno(cs), "pid " + pid);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int[] openPty() {
        int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment zero = a.allocate(JAVA_INT);
            if ((int) IoctlPtr.H.invokeExact(cs, master, TIOCSPTLCK, zero) < 0)
                throw new SyscallException("ioctl(TIOCSPTLCK)", errno(cs), "/dev/ptmx");
            int slave = (int) IoctlLong.H.invokeExact(cs, master, TIOCGPTPEER, (long) (O_RDWR | O_NOCTTY | O_CLOEXEC));
            if (slave < 0) throw new SyscallException("ioctl(TIOCGPTPEER)", errno(cs), "/dev/ptmx");
            return new int[]{master, slave};
        } catch (Throwable t) {
            closeQuietly(master);
            throw rethrow(t);
        }
    }

    @Override
    public void setWindowSize(int fd, int rows, int cols) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment ws = a.allocate(8, 2); // struct winsize { ws_row, ws_col, ws_xpixel, ws_ypixel }
            ws.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
            ws.set(ValueLayout.JAVA_SHORT, 2, (short) cols);
            if ((int) IoctlPtr.H.invokeExact(cs, fd, TIOCSWINSZ, ws) < 0)
                throw new SyscallException("ioctl(TIOCSWINSZ)", errno(cs), "fd " + fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int openat2(int dirfd, String path, int flags, int mode, long resolve) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment how = a.allocate(24, 8); // struct open_how { u64 flags, mode, resolve }
            how.set(JAVA_LONG, 0, flags & 0xffffffffL);
            how.set(JAVA_LONG, 8, mode);
            how.set(JAVA_LONG, 16, resolve);
            MemorySegment p = a.allocateFrom(path);
            for (;;) {
                long fd = (long) Syscall4.H.invokeExact(cs, SYS_OPENAT2, dirfd, p, how, 24L);
                if (fd >= 0) return (int) fd;
                if (errno(cs) != EINTR) throw new SyscallException("openat2", errno(cs), path);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public String readlink(String path) {
        // The JDK's readlink (its own native code, linked already) first: linking a downcall costs
        // a CLI verb that only reads /proc more than the verb's work. Failures other than the
        // common ones go through the downcall, which names the exact errno.
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of(path)).toString();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SyscallException("readlink", Errno.ENOENT, path);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new SyscallException("readlink", Errno.EACCES, path);
        } catch (java.nio.file.NotLinkException e) {
            throw new SyscallException("readlink", Errno.EINVAL, path);
        } catch (java.io.IOException | RuntimeException e) {
            return readlinkDowncall(path);
        }
    }

    private String readlinkDowncall(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment buf = a.allocate(4096);
            long n = (long) Readlink.H.invokeExact(cs, a.allocateFrom(path), buf, 4096L);
            if (n < 0) throw new SyscallException("readlink", errno(cs), path);
            byte[] b = new byte[(int) n];
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, 0, (int) n);
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public byte[] lgetxattr(String path, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment buf = a.allocate(4096);
            long n = (long) Lgetxattr.H.invokeExact(cs, a.allocateFrom(path), a.allocateFrom(name), buf, 4096L);
            if (n < 0) {
                int e = errno(cs);
                if (e == 61 /* ENODATA */ || e == 95 /* EOPNOTSUPP: the filesystem has no xattrs */) return null;
                throw new SyscallException("lgetxattr " + name, e, path);
            }
            byte[] b = new byte[(int) n];
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, 0, (int) n);
            return b;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void umount2(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) Umount2.H.invokeExact(cs, a.allocateFrom(path), flags) < 0) throw new SyscallException("umount2", errno(cs), path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void rmdir(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) Rmdir.H.invokeExact(cs, a.allocateFrom(path)) < 0) throw new SyscallException("rmdir", errno(cs), path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void mkdirat(int dirfd, String name, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) Mkdirat.H.invokeExact(cs, dirfd, a.allocateFrom(name), mode) < 0) throw new SyscallException("mkdirat", errno(cs), name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void symlinkat(String target, int dirfd, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) Symlinkat.H.invokeExact(cs, a.allocateFrom(target), dirfd, a.allocateFrom(name)) < 0)
                throw new SyscallException("symlinkat", errno(cs), name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int dup(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            int r = (int) FcntlInt.H.invokeExact(cs, fd, F_DUPFD_CLOEXEC, 3);
            if (r < 0) throw new SyscallException("fcntl(F_DUPFD_CLOEXEC)", errno(cs), "fd " + fd);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void setns(int fd, int nstype) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) Setns.H.invokeExact(cs, fd, nstype) < 0) throw new SyscallException("setns", errno(cs), "fd " + fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void unshare(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) Unshare.H.invokeExact(cs, flags) < 0) throw new SyscallException("unshare", errno(cs), "flags 0x" + Integer.toHexString(flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void setsockopt(Arena a, MemorySegment cs, int fd, int level, int name, MemorySegment value, String what) throws Throwable {
        if ((int) Setsockopt.H.invokeExact(cs, fd, level, name, value, (int) value.byteSize()) < 0)
            throw new SyscallException("setsockopt", errno(cs), what);
    }

    @Override
    public int netlinkSocket(int protocol, int timeoutMillis) {
        int fd = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            fd = (int) Socket.H.invokeExact(cs, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
            if (fd < 0) throw new SyscallException("socket", errno(cs), "AF_NETLINK protocol " + protocol);
            netlinkReady(a, cs, fd, timeoutMillis, "AF_NETLINK protocol " + protocol);
            return fd;
        } catch (Throwable t) {
            closeQuietly(fd);
            throw rethrow(t);
        }
    }

    @Override
    public void netlinkAdopt(int fd, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            netlinkReady(a, a.allocate(Ffm.CAPTURE), fd, timeoutMillis, "netlink fd " + fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void netlinkReady(Arena a, MemorySegment cs, int fd, int timeoutMillis, String what) throws Throwable {
        // the kernel's own words for a refused request ("Unknown device type"...) come back with the error
        setsockopt(a, cs, fd, SOL_NETLINK, NETLINK_EXT_ACK, a.allocateFrom(JAVA_INT, 1), "NETLINK_EXT_ACK");
        MemorySegment tv = a.allocate(16, 8); // struct timeval { long sec, usec }
        tv.set(JAVA_LONG, 0, timeoutMillis / 1000);
        tv.set(JAVA_LONG, 8, (timeoutMillis % 1000) * 1000L);
        setsockopt(a, cs, fd, SOL_SOCKET, SO_RCVTIMEO, tv, "SO_RCVTIMEO");
        MemorySegment nl = a.allocate(12, 4); // struct sockaddr_nl { u16 family, pad; u32 pid, groups }
        nl.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
        if ((int) Bind.H.invokeExact(cs, fd, nl, 12) < 0) throw new SyscallException("bind", errno(cs), what);
    }

    private static final class Connect {
        static final MethodHandle H = errnoFn("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }

    private static final class Recvmsg {
        static final MethodHandle H = errnoFn("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    }

    @Override
    public int[] unixRequest(String path, byte[] data, int fd) {
        int sock = -1, dir = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            sock = (int) Socket.H.invokeExact(cs, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            if (sock < 0) throw new SyscallException("socket", errno(cs), "AF_UNIX " + path);
            // struct sockaddr_un: sun_path holds 107 bytes; a longer path through its directory's fd
            String target = path;
            byte[] p = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (p.length > 107) {
                java.nio.file.Path f = java.nio.file.Path.of(path);
                dir = open(f.getParent().toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                target = "/proc/self/fd/" + dir + "/" + f.getFileName();
                p = target.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (p.length > 107) throw new SyscallException("connect", 36 /* ENAMETOOLONG */, path);
            }
            MemorySegment sa = a.allocate(110, 2);
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, 2, p.length);
            int r;
            do r = (int) Connect.H.invokeExact(cs, sock, sa, 110); while (r < 0 && errno(cs) == EINTR);
            if (r < 0) throw new SyscallException("connect", errno(cs), path);
            sendFds(sock, data, fd < 0 ? new int[0] : new int[]{fd});
            MemorySegment buf = a.allocate(16, 8);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ADDRESS, 0, buf);
            iov.set(JAVA_LONG, 8, 16);
            MemorySegment cmsg = a.allocate(24, 8);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            msg.set(ADDRESS, 32, cmsg);
            msg.set(JAVA_LONG, 40, 24);
            long n;
            do n = (long) Recvmsg.H.invokeExact(cs, sock, msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno(cs) == EINTR);
            if (n < 0) throw new SyscallException("recvmsg", errno(cs), path);
            if (n < 4) throw new SyscallException("recvmsg", 32 /* EPIPE */, path + " (no answer)");
            int got = -1;
            long controllen = msg.get(JAVA_LONG, 40);
            if (controllen >= 20 && cmsg.get(JAVA_INT, 8) == SOL_SOCKET && cmsg.get(JAVA_INT, 12) == SCM_RIGHTS) got = cmsg.get(JAVA_INT, 16);
            return new int[]{buf.get(JAVA_INT, 0), got};
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            closeQuietly(sock);
            closeQuietly(dir);
        }
    }

    @Override
    public void netlinkSend(int fd, byte[] message) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment b = a.allocateFrom(ValueLayout.JAVA_BYTE, message);
            MemorySegment nl = a.allocate(12, 4);
            nl.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            for (;;) {
                long n = (long) Sendto.H.invokeExact(cs, fd, b, (long) message.length, 0, nl, 12);
                if (n >= 0) return;
                if (errno(cs) != EINTR) throw new SyscallException("sendto", errno(cs), "netlink fd " + fd);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int netlinkReceive(int fd, byte[] buf) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment b = a.allocate(buf.length);
            for (;;) {
                long n = (long) Recv.H.invokeExact(cs, fd, b, (long) buf.length, MSG_TRUNC);
                if (n >= 0) {
                    if (n > buf.length) throw new SyscallException("recv", 90 /* EMSGSIZE */, "netlink fd " + fd + ": a " + n + "-byte message");
                    MemorySegment.copy(b, ValueLayout.JAVA_BYTE, 0, buf, 0, (int) n);
                    return (int) n;
                }
                int e = errno(cs);
                if (e == EINTR) continue;
                // SO_RCVTIMEO expired: say so rather than "try again"
                throw new SyscallException("recv", e == Errno.EAGAIN ? 110 /* ETIMEDOUT */ : e, "netlink fd " + fd);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void probeBind(byte[] hostIp, int port, boolean udp) {
        int fd = -1;
        String what;
        try {
            what = (udp ? "udp " : "tcp ") + java.net.InetAddress.getByAddress(hostIp).getHostAddress() + ":" + port; // no lookup: a literal
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("an address of " + hostIp.length + " bytes", e);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            boolean v6 = hostIp.length == 16;
            fd = (int) Socket.H.invokeExact(cs, v6 ? AF_INET6 : AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new SyscallException("socket", errno(cs), what);
            if (!udp) setsockopt(a, cs, fd, SOL_SOCKET, SO_REUSEADDR, a.allocateFrom(JAVA_INT, 1), "SO_REUSEADDR");
            MemorySegment sa = a.allocate(28, 4); // sockaddr_in (16) / sockaddr_in6 (28); port big-endian
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) (v6 ? AF_INET6 : AF_INET));
            sa.set(ValueLayout.JAVA_BYTE, 2, (byte) (port >> 8));
            sa.set(ValueLayout.JAVA_BYTE, 3, (byte) port);
            MemorySegment.copy(hostIp, 0, sa, ValueLayout.JAVA_BYTE, v6 ? 8 : 4, hostIp.length);
            if ((int) Bind.H.invokeExact(cs, fd, sa, v6 ? 28 : 16) < 0) throw new SyscallException("bind", errno(cs), what);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            closeQuietly(fd);
        }
    }

    @Override
    public int geteuid() {
        int id = statusId("Uid:");
        if (id >= 0) return id;
        try {
            return (int) Geteuid.H.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int getegid() {
        int id = statusId("Gid:");
        if (id >= 0) return id;
        try {
            return (int) Getegid.H.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The effective id of this process from /proc/self/status ({@code Uid:} / {@code Gid:} real,
     * effective, saved, fs), or -1 without procfs. The kernel's answer as geteuid(2) gives it, without
     * linking a downcall: {@code ps} and {@code inspect} need the ids and nothing else of libc.
     */
    private static int statusId(String key) {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (!l.startsWith(key)) continue;
                String[] f = l.substring(key.length()).strip().split("\\s+");
                return f.length >= 2 ? Integer.parseInt(f[1]) : -1;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no procfs: the downcall answers
        }
        return -1;
    }

    /**
     * Through the JDK's file I/O (its own native code, linked already), not the open/read/close
     * downcalls: reading /proc is most of what {@code ps} and {@code inspect} do, and linking three
     * downcalls cost them more than the reading. A missing file or a refusal is the errno open(2)
     * would give; any other failure goes through the downcalls, which name the exact errno
     * (ESRCH for a process that died between open and read).
     */
    @Override
    public byte[] readFile(String path) {
        try {
            // not Files.readAllBytes: for a size-0 file it reads one byte first, and a /proc/sys file
            // read from offset 1 answers end of file ("32768" came back as "3"); the stream's
            // readAllBytes asks for 8 KiB at once
            try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(path))) {
                return in.readAllBytes();
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SyscallException("open", Errno.ENOENT, path);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new SyscallException("open", Errno.EACCES, path);
        } catch (java.io.IOException | RuntimeException e) {
            return Syscalls.super.readFile(path);
        }
    }

    @Override
    public int epollCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            int fd = (int) EpollCreate1.H.invokeExact(cs, EPOLL_CLOEXEC);
            if (fd < 0) throw new SyscallException("epoll_create1", errno(cs), null);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void epollAdd(int epfd, int fd, long data) {
        epollCtl(epfd, EPOLL_CTL_ADD, fd, data);
    }

    @Override
    public void epollDelete(int epfd, int fd) {
        epollCtl(epfd, EPOLL_CTL_DEL, fd, 0);
    }

    private void epollCtl(int epfd, int op, int fd, long data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment ev = a.allocate(16, 8);
            ev.set(JAVA_INT, 0, EPOLLIN | EPOLLHUP | EPOLLRDHUP);
            ev.set(Epoll.UNALIGNED_LONG, EPOLL_DATA_OFFSET, data);
            int r = (int) EpollCtl.H.invokeExact(cs, epfd, op, fd, ev);
            if (r < 0) throw new SyscallException("epoll_ctl", errno(cs), "fd " + fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int epollWait(int epfd, long[] out, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment evs = a.allocate((long) EPOLL_EVENT_SIZE * out.length, 8);
            for (;;) {
                int n = (int) EpollWait.H.invokeExact(cs, epfd, evs, out.length, timeoutMillis);
                if (n < 0) {
                    if (errno(cs) == EINTR) continue;
                    throw new SyscallException("epoll_wait", errno(cs), null);
                }
                for (int i = 0; i < n; i++) out[i] = evs.get(Epoll.UNALIGNED_LONG, (long) i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET);
                return n;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int eventfd() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            int fd = (int) Eventfd.H.invokeExact(cs, 0, O_CLOEXEC);
            if (fd < 0) throw new SyscallException("eventfd", errno(cs), null);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean isatty(int fd) {
        try {
            return (int) Terminal.ISATTY.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public byte[] tcgetattr(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment t = a.allocate(Terminal.TERMIOS_SIZE, 8);
            if ((int) Terminal.TCGETATTR.invokeExact(cs, fd, t) != 0) throw new SyscallException("tcgetattr", errno(cs), "fd " + fd);
            return t.toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void tcsetattr(int fd, byte[] termios) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment t = a.allocate(Terminal.TERMIOS_SIZE, 8);
            t.copyFrom(MemorySegment.ofArray(termios));
            if ((int) Terminal.TCSETATTR.invokeExact(cs, fd, Terminal.TCSANOW, t) != 0) throw new SyscallException("tcsetattr", errno(cs), "fd " + fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public byte[] cfmakeraw(byte[] termios) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(Terminal.TERMIOS_SIZE, 8);
            t.copyFrom(MemorySegment.ofArray(termios));
            Terminal.CFMAKERAW.invokeExact(t);
            return t.toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int[] windowSize(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment ws = a.allocate(8, 2);
            if ((int) Terminal.IOCTL.invokeExact(cs, fd, Terminal.TIOCGWINSZ, ws) != 0) return null;
            return new int[]{ws.get(ValueLayout.JAVA_SHORT, 0) & 0xffff, ws.get(ValueLayout.JAVA_SHORT, 2) & 0xffff};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
