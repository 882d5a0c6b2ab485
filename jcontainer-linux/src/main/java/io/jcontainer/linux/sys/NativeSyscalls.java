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
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link Syscalls} through Panama FFM downcalls into the C library. One binding style: every
 * call goes through one downcall handle ({@link Ffm#CALL}) with {@code captureCallState("errno")},
 * and the errno is read from a per-call segment (a shared one would race between threads); EINTR
 * is retried here.
 *
 * <p>One handle, not one per function: linking spins lambda forms and a stub class per distinct
 * {@code FunctionDescriptor} (~3–5 ms of interpreted work each, none of it held by the AOT cache),
 * and {@code run --rm} used ~25 of them — a third of its CPU, and most of what C1 then compiled.
 * The handle takes the function's address as its first argument; each function's symbol lives in
 * a holder class of its own, looked up on the first call (a missing one fails only its callers).
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
        /**
         * Where errno sits in the capture segment, read with the plain int accessor that every
         * other call uses already. Summed over the struct's members, not asked of a layout path:
         * a path's VarHandle, and LayoutPath's own set-up, spin ~7 method handle classes at run
         * time (none kept by the AOT cache).
         */
        static final long ERRNO_OFFSET = errnoOffset();

        private static long errnoOffset() {
            long offset = 0;
            for (MemoryLayout m : ((java.lang.foreign.StructLayout) CAPTURE).memberLayouts()) {
                if (m.name().isPresent() && m.name().get().equals("errno")) return offset;
                offset += m.byteSize();
            }
            throw new IllegalStateException("the linker's capture state has no errno: " + CAPTURE);
        }
        /**
         * {@code long f(long, long, long, long, long, long)} at the address given first, errno
         * captured: the shape of every C function this class calls. Exact on the two ABIs
         * jcontainer runs on (x86-64 System V and AArch64 AAPCS64, Linux), because every argument
         * here is an integer or a pointer and each travels in an integer register of its own: an
         * {@code int} argument as its sign-extended 64-bit value, of which the callee reads the low
         * half; registers beyond a function's parameters are ignored by it; an {@code int} result is
         * the low half of the register (callers cast), a {@code void} one is ignored. The variadic
         * functions (open, fcntl, ioctl, syscall) read their integer varargs from the same registers:
         * on x86-64 the linker always sets %al (the vector register count: 0), and AArch64 Linux
         * passes variadic arguments as named ones. Nothing here takes more than six arguments, a
         * floating-point value or a struct by value — a function that does needs a handle of its own.
         */
        static final MethodHandle CALL = LINKER.downcallHandle(
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), ERRNO);
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
        static final MemorySegment F = symbol("memfd_create");
    }
    private static final class FcntlInt {
        static final MemorySegment F = symbol("fcntl");
    }
    private static final class Open {
        static final MemorySegment F = symbol("open");
    }
    private static final class Close {
        static final MemorySegment F = symbol("close");
    }
    private static final class Read {
        static final MemorySegment F = symbol("read");
    }
    private static final class Write {
        static final MemorySegment F = symbol("write");
    }
    private static final class Socketpair {
        static final MemorySegment F = symbol("socketpair");
    }
    private static final class Sendmsg {
        static final MemorySegment F = symbol("sendmsg");
    }
    private static final class Pipe2 {
        static final MemorySegment F = symbol("pipe2");
    }
    private static final class Waitid {
        static final MemorySegment F = symbol("waitid");
    }
    private static final class Kill {
        static final MemorySegment F = symbol("kill");
    }
    private static final class IoctlLong {
        static final MemorySegment F = symbol("ioctl");
    }
    private static final class IoctlPtr {
        static final MemorySegment F = symbol("ioctl");
    }
    /** asm-generic/ioctls.h: identical on x86_64 and aarch64. */
    private static final long TIOCSPTLCK = 0x40045431L, TIOCGPTPEER = 0x5441L, TIOCSWINSZ = 0x5414L;
    private static final int F_DUPFD_CLOEXEC = 1030;
    /** openat2 has no libc wrapper: syscall(2), same number on every architecture (asm-generic, 5.6). */
    private static final class Syscall4 {
        static final MemorySegment F = symbol("syscall");
    }
    private static final long SYS_OPENAT2 = 437;
    private static final class Mkdirat {
        static final MemorySegment F = symbol("mkdirat");
    }
    private static final class Readlink {
        static final MemorySegment F = symbol("readlink");
    }
    private static final class Lgetxattr {
        static final MemorySegment F = symbol("lgetxattr");
    }
    private static final class Mount {
        static final MemorySegment F = symbol("mount");
    }
    private static final class Umount2 {
        static final MemorySegment F = symbol("umount2");
    }
    private static final class Rmdir {
        static final MemorySegment F = symbol("rmdir");
    }
    private static final class Symlinkat {
        static final MemorySegment F = symbol("symlinkat");
    }
    private static final class Geteuid {
        static final MemorySegment F = symbol("geteuid");
    }
    private static final class Getegid {
        static final MemorySegment F = symbol("getegid");
    }
    private static final class EpollCreate1 {
        static final MemorySegment F = symbol("epoll_create1");
    }
    private static final class EpollCtl {
        static final MemorySegment F = symbol("epoll_ctl");
    }
    private static final class EpollWait {
        static final MemorySegment F = symbol("epoll_wait");
    }
    private static final class Eventfd {
        static final MemorySegment F = symbol("eventfd");
    }
    private static final class Terminal {
        static final MemorySegment ISATTY = symbol("isatty");
        static final MemorySegment TCGETATTR = symbol("tcgetattr");
        static final MemorySegment TCSETATTR = symbol("tcsetattr");
        static final MemorySegment CFMAKERAW = symbol("cfmakeraw");
        static final MemorySegment IOCTL = symbol("ioctl");
        static final long TIOCGWINSZ = 0x5413L;
        static final int TCSANOW = 0, TERMIOS_SIZE = 128; // struct termios is 60 bytes on glibc and musl: room to spare
    }
    private static final class Setns {
        static final MemorySegment F = symbol("setns");
    }
    private static final class Unshare {
        static final MemorySegment F = symbol("unshare");
    }
    private static final class Socket {
        static final MemorySegment F = symbol("socket");
    }
    private static final class Setsockopt {
        static final MemorySegment F = symbol("setsockopt");
    }
    private static final class Bind {
        static final MemorySegment F = symbol("bind");
    }
    private static final class Sendto {
        static final MemorySegment F = symbol("sendto");
    }
    private static final class Recv {
        static final MemorySegment F = symbol("recv");
    }
    private static final int AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, SOCK_DGRAM = 2, SOCK_RAW = 3;
    private static final int SOL_NETLINK = 270, NETLINK_EXT_ACK = 11, SO_REUSEADDR = 2, SO_RCVTIMEO = 20, MSG_TRUNC = 0x20;
    // posix_spawn returns the error number instead of setting errno.
    private static final class PosixSpawn {
        static final MemorySegment F = symbol("posix_spawn");
    }
    private static final class FaInit {
        static final MemorySegment F = symbol("posix_spawn_file_actions_init");
    }
    private static final class FaAdddup2 {
        static final MemorySegment F = symbol("posix_spawn_file_actions_adddup2");
    }
    /** glibc 2.34+ (null elsewhere): the JVM's descriptors without close-on-exec stay out of what it spawns. */
    private static final class FaAddclosefrom {
        static final MemorySegment F = Ffm.LIBC.find("posix_spawn_file_actions_addclosefrom_np").orElse(null);
    }
    private static final class FaDestroy {
        static final MemorySegment F = symbol("posix_spawn_file_actions_destroy");
    }
    private static final class AttrInit {
        static final MemorySegment F = symbol("posix_spawnattr_init");
    }
    private static final class AttrSetflags {
        static final MemorySegment F = symbol("posix_spawnattr_setflags");
    }
    private static final class AttrSetsigmask {
        static final MemorySegment F = symbol("posix_spawnattr_setsigmask");
    }
    private static final class AttrSetsigdefault {
        static final MemorySegment F = symbol("posix_spawnattr_setsigdefault");
    }
    private static final class AttrDestroy {
        static final MemorySegment F = symbol("posix_spawnattr_destroy");
    }
    private static final class Sigemptyset {
        static final MemorySegment F = symbol("sigemptyset");
    }
    private static final class Sigfillset {
        static final MemorySegment F = symbol("sigfillset");
    }

    private NativeSyscalls() {
    }

    private static MemorySegment symbol(String name) {
        return Ffm.LIBC.find(name).orElseThrow(() -> new HostUnsupportedException(
                "the C library has no " + name + "()", "jcontainer needs glibc >= 2.27 or musl >= 1.2 on Linux"));
    }

    /**
     * Calls the C function at {@code fn} through the one downcall shape ({@link Ffm#CALL}): up to
     * six integer or pointer arguments ({@code segment.address()}), zeros for the rest; errno lands
     * in {@code cs}. An {@code int} result is the low half of the returned {@code long} (cast it).
     */
    private static long call(MemorySegment fn, MemorySegment cs, long a, long b, long c, long d, long e, long f) throws Throwable {
        return (long) Ffm.CALL.invokeExact(fn, cs, a, b, c, d, e, f);
    }

    private static long call(MemorySegment fn, MemorySegment cs) throws Throwable {
        return call(fn, cs, 0, 0, 0, 0, 0, 0);
    }

    private static long call(MemorySegment fn, MemorySegment cs, long a) throws Throwable {
        return call(fn, cs, a, 0, 0, 0, 0, 0);
    }

    private static long call(MemorySegment fn, MemorySegment cs, long a, long b) throws Throwable {
        return call(fn, cs, a, b, 0, 0, 0, 0);
    }

    private static long call(MemorySegment fn, MemorySegment cs, long a, long b, long c) throws Throwable {
        return call(fn, cs, a, b, c, 0, 0, 0);
    }

    private static long call(MemorySegment fn, MemorySegment cs, long a, long b, long c, long d) throws Throwable {
        return call(fn, cs, a, b, c, d, 0, 0);
    }

    private static long call(MemorySegment fn, MemorySegment cs, long a, long b, long c, long d, long e) throws Throwable {
        return call(fn, cs, a, b, c, d, e, 0);
    }

    private static int errno(MemorySegment capture) {
        return capture.get(JAVA_INT, Ffm.ERRNO_OFFSET);
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
            int fd = (int) call(MemfdCreate.F, cs, a.allocateFrom(name).address(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
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
            int r = (int) call(FcntlInt.F, cs, fd, F_ADD_SEALS, F_SEAL_ALL);
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
                int fd = (int) call(Open.F, cs, p.address(), flags, mode);
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
            int r = (int) call(Close.F, cs, fd);
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
                long n = (long) call(Read.F, cs, fd, b.address(), (long) len);
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
                long n = (long) call(Write.F, cs, fd, b.asSlice(done).address(), (long) (len - done));
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
            int r = (int) call(Socketpair.F, cs, AF_UNIX, type | SOCK_CLOEXEC, 0, sv.address());
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
            iov.set(JAVA_LONG, 0, buf.address());
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
            msg.set(JAVA_LONG, 16, iov.address());
            msg.set(JAVA_LONG, 24, 1);
            msg.set(JAVA_LONG, 32, cmsg.address());
            msg.set(JAVA_LONG, 40, space);
            for (;;) {
                long r = (long) call(Sendmsg.F, cs, sock, msg.address(), MSG_NOSIGNAL);
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
            int r = (int) call(Pipe2.F, cs, fds.address(), O_CLOEXEC);
            if (r < 0) throw new SyscallException("pipe2", errno(cs), null);
            return new int[]{fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * A NULL-terminated {@code char *[]}. Pointers are stored as their 64-bit addresses (LP64, as
     * every call here): {@code ADDRESS}'s accessor would spin its own method handles at run time.
     */
    private static MemorySegment cStrings(Arena a, List<String> strings) {
        MemorySegment arr = a.allocate(JAVA_LONG, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) arr.setAtIndex(JAVA_LONG, i, a.allocateFrom(strings.get(i)).address());
        arr.setAtIndex(JAVA_LONG, strings.size(), 0L);
        return arr;
    }

    @Override
    public int spawn(String path, int[] fds, List<String> argv, List<String> env) {
        try (Arena a = Arena.ofConfined()) {
            // Opaque libc structs: generously sized for glibc (80/336 bytes) and musl.
            MemorySegment fa = a.allocate(512, 16), attr = a.allocate(1024, 16);
            MemorySegment all = a.allocate(128, 8), none = a.allocate(128, 8);
            MemorySegment cs = a.allocate(Ffm.CAPTURE); // unread: posix_spawn and its helpers return the error number
            check("posix_spawn_file_actions_init", (int) call(FaInit.F, cs, fa.address()));
            try {
                check("posix_spawnattr_init", (int) call(AttrInit.F, cs, attr.address()));
                try {
                    for (int target = 0; target < fds.length; target++)
                        check("posix_spawn_file_actions_adddup2", (int) call(FaAdddup2.F, cs, fa.address(), fds[target], target));
                    // The launcher, exec'd from its memfd (/proc/self/fd/N), needs that descriptor until
                    // its exec and closes the rest itself (close_range); other programs get only their stdio.
                    if (FaAddclosefrom.F != null && !path.startsWith("/proc/self/fd/"))
                        check("posix_spawn_file_actions_addclosefrom_np", (int) call(FaAddclosefrom.F, cs, fa.address(), fds.length));
                    // The JVM blocks and handles signals of its own; the launcher must start clean.
                    int ignored = (int) call(Sigfillset.F, cs, all.address());
                    ignored = (int) call(Sigemptyset.F, cs, none.address());
                    check("posix_spawnattr_setsigdefault", (int) call(AttrSetsigdefault.F, cs, attr.address(), all.address()));
                    check("posix_spawnattr_setsigmask", (int) call(AttrSetsigmask.F, cs, attr.address(), none.address()));
                    // Its own process group (pgid 0 = its pid): a terminal's Ctrl-C (SIGINT to the foreground
                    // group) must reach the JVM, which decides, and not kill the launcher and so the container.
                    check("posix_spawnattr_setflags", (int) call(AttrSetflags.F, cs, attr.address(), (short) (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));
                    MemorySegment pid = a.allocate(JAVA_INT);
                    int r = (int) call(PosixSpawn.F, cs, pid.address(), a.allocateFrom(path).address(), fa.address(), attr.address(), cStrings(a, argv).address(), cStrings(a, env).address());
                    if (r != 0) throw new SyscallException("posix_spawn", r, path);
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) call(AttrDestroy.F, cs, attr.address());
                }
            } finally {
                int ignored = (int) call(FaDestroy.F, cs, fa.address());
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
                int r = (int) call(Waitid.F, cs, P_PID, pid, si.address(), WEXITED | (noHang ? WNOHANG : 0));
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
            int r = (int) call(Kill.F, cs, pid, signal);
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
            if ((int) call(IoctlPtr.F, cs, master, TIOCSPTLCK, zero.address()) < 0)
                throw new SyscallException("ioctl(TIOCSPTLCK)", errno(cs), "/dev/ptmx");
            int slave = (int) call(IoctlLong.F, cs, master, TIOCGPTPEER, (long) (O_RDWR | O_NOCTTY | O_CLOEXEC));
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
            if ((int) call(IoctlPtr.F, cs, fd, TIOCSWINSZ, ws.address()) < 0)
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
                long fd = (long) call(Syscall4.F, cs, SYS_OPENAT2, dirfd, p.address(), how.address(), 24L);
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
            long n = (long) call(Readlink.F, cs, a.allocateFrom(path).address(), buf.address(), 4096L);
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
            long n = (long) call(Lgetxattr.F, cs, a.allocateFrom(path).address(), a.allocateFrom(name).address(), buf.address(), 4096L);
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
    public void mount(String source, String target, String fstype, long flags, String data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            long options = data == null ? 0 : a.allocateFrom(data).address();
            if ((int) call(Mount.F, cs, a.allocateFrom(source).address(), a.allocateFrom(target).address(), a.allocateFrom(fstype).address(),
                    flags, options) < 0) throw new SyscallException("mount", errno(cs), target);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void umount2(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) call(Umount2.F, cs, a.allocateFrom(path).address(), flags) < 0) throw new SyscallException("umount2", errno(cs), path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void rmdir(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) call(Rmdir.F, cs, a.allocateFrom(path).address()) < 0) throw new SyscallException("rmdir", errno(cs), path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void mkdirat(int dirfd, String name, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) call(Mkdirat.F, cs, dirfd, a.allocateFrom(name).address(), mode) < 0) throw new SyscallException("mkdirat", errno(cs), name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void symlinkat(String target, int dirfd, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) call(Symlinkat.F, cs, a.allocateFrom(target).address(), dirfd, a.allocateFrom(name).address()) < 0)
                throw new SyscallException("symlinkat", errno(cs), name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int dup(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            int r = (int) call(FcntlInt.F, cs, fd, F_DUPFD_CLOEXEC, 3);
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
            if ((int) call(Setns.F, cs, fd, nstype) < 0) throw new SyscallException("setns", errno(cs), "fd " + fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void unshare(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            if ((int) call(Unshare.F, cs, flags) < 0) throw new SyscallException("unshare", errno(cs), "flags 0x" + Integer.toHexString(flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void setsockopt(Arena a, MemorySegment cs, int fd, int level, int name, MemorySegment value, String what) throws Throwable {
        if ((int) call(Setsockopt.F, cs, fd, level, name, value.address(), (int) value.byteSize()) < 0)
            throw new SyscallException("setsockopt", errno(cs), what);
    }

    @Override
    public int netlinkSocket(int protocol, int timeoutMillis) {
        int fd = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            fd = (int) call(Socket.F, cs, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
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
        if ((int) call(Bind.F, cs, fd, nl.address(), 12) < 0) throw new SyscallException("bind", errno(cs), what);
    }

    private static final class Connect {
        static final MemorySegment F = symbol("connect");
    }

    private static final class Recvmsg {
        static final MemorySegment F = symbol("recvmsg");
    }

    @Override
    public int[] unixRequest(String path, byte[] data, int fd) {
        int sock = -1, dir = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            sock = (int) call(Socket.F, cs, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
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
            do r = (int) call(Connect.F, cs, sock, sa.address(), 110); while (r < 0 && errno(cs) == EINTR);
            if (r < 0) throw new SyscallException("connect", errno(cs), path);
            sendFds(sock, data, fd < 0 ? new int[0] : new int[]{fd});
            MemorySegment buf = a.allocate(16, 8);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(JAVA_LONG, 0, buf.address());
            iov.set(JAVA_LONG, 8, 16);
            MemorySegment cmsg = a.allocate(24, 8);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(JAVA_LONG, 16, iov.address());
            msg.set(JAVA_LONG, 24, 1);
            msg.set(JAVA_LONG, 32, cmsg.address());
            msg.set(JAVA_LONG, 40, 24);
            long n;
            do n = call(Recvmsg.F, cs, sock, msg.address(), MSG_CMSG_CLOEXEC); while (n < 0 && errno(cs) == EINTR);
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
                long n = (long) call(Sendto.F, cs, fd, b.address(), (long) message.length, 0, nl.address(), 12);
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
                long n = (long) call(Recv.F, cs, fd, b.address(), (long) buf.length, MSG_TRUNC);
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
            fd = (int) call(Socket.F, cs, v6 ? AF_INET6 : AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new SyscallException("socket", errno(cs), what);
            if (!udp) setsockopt(a, cs, fd, SOL_SOCKET, SO_REUSEADDR, a.allocateFrom(JAVA_INT, 1), "SO_REUSEADDR");
            MemorySegment sa = a.allocate(28, 4); // sockaddr_in (16) / sockaddr_in6 (28); port big-endian
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) (v6 ? AF_INET6 : AF_INET));
            sa.set(ValueLayout.JAVA_BYTE, 2, (byte) (port >> 8));
            sa.set(ValueLayout.JAVA_BYTE, 3, (byte) port);
            MemorySegment.copy(hostIp, 0, sa, ValueLayout.JAVA_BYTE, v6 ? 8 : 4, hostIp.length);
            if ((int) call(Bind.F, cs, fd, sa.address(), v6 ? 28 : 16) < 0) throw new SyscallException("bind", errno(cs), what);
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
        try (Arena a = Arena.ofConfined()) {
            return (int) call(Geteuid.F, a.allocate(Ffm.CAPTURE));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int getegid() {
        int id = statusId("Gid:");
        if (id >= 0) return id;
        try (Arena a = Arena.ofConfined()) {
            return (int) call(Getegid.F, a.allocate(Ffm.CAPTURE));
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
            int fd = (int) call(EpollCreate1.F, cs, EPOLL_CLOEXEC);
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
            int r = (int) call(EpollCtl.F, cs, epfd, op, fd, ev.address());
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
                int n = (int) call(EpollWait.F, cs, epfd, evs.address(), out.length, timeoutMillis);
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
            int fd = (int) call(Eventfd.F, cs, 0, O_CLOEXEC);
            if (fd < 0) throw new SyscallException("eventfd", errno(cs), null);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean isatty(int fd) {
        try (Arena a = Arena.ofConfined()) {
            return (int) call(Terminal.ISATTY, a.allocate(Ffm.CAPTURE), fd) == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public byte[] tcgetattr(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = a.allocate(Ffm.CAPTURE);
            MemorySegment t = a.allocate(Terminal.TERMIOS_SIZE, 8);
            if ((int) call(Terminal.TCGETATTR, cs, fd, t.address()) != 0) throw new SyscallException("tcgetattr", errno(cs), "fd " + fd);
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
            if ((int) call(Terminal.TCSETATTR, cs, fd, Terminal.TCSANOW, t.address()) != 0) throw new SyscallException("tcsetattr", errno(cs), "fd " + fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public byte[] cfmakeraw(byte[] termios) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(Terminal.TERMIOS_SIZE, 8);
            t.copyFrom(MemorySegment.ofArray(termios));
            call(Terminal.CFMAKERAW, a.allocate(Ffm.CAPTURE), t.address());
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
            if ((int) call(Terminal.IOCTL, cs, fd, Terminal.TIOCGWINSZ, ws.address()) != 0) return null;
            return new int[]{ws.get(ValueLayout.JAVA_SHORT, 0) & 0xffff, ws.get(ValueLayout.JAVA_SHORT, 2) & 0xffff};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
