package io.jcontainer.linux.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every C function of {@link NativeSyscalls} against the real kernel, through its one downcall
 * shape (six longs in, a long out): the arguments arrive (ints, pointers, a short), an int
 * result's sign survives the cast from the long register, a failure's errno is the function's
 * own. No root needed; nothing leaves this process but a spawned /bin/sh.
 */
class NativeSyscallsTest {
    static final NativeSyscalls SYS = NativeSyscalls.INSTANCE;

    @Test
    void filesPipesAndSocketsMoveBytesAndFailuresNameTheirErrno(@TempDir Path tmp) {
        Path f = tmp.resolve("f");
        int fd = SYS.open(f.toString(), Syscalls.O_RDWR | Syscalls.O_CREAT | Syscalls.O_CLOEXEC, 0640);
        assertThat(fd).isGreaterThan(2);
        SYS.write(fd, "hello".getBytes(StandardCharsets.UTF_8), 0, 5);
        int dup = SYS.dup(fd);
        assertThat(dup).isGreaterThanOrEqualTo(3).isNotEqualTo(fd);
        SYS.close(dup);
        SYS.close(fd);
        assertThat(SYS.readFile(f.toString())).asString().isEqualTo("hello");
        fd = SYS.open(f.toString(), Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
        byte[] buf = new byte[16];
        assertThat(SYS.read(fd, buf, 2, 10)).isEqualTo(5);
        assertThat(new String(buf, 2, 5, StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(SYS.read(fd, buf, 0, 10)).isZero();
        SYS.close(fd);

        // -1 from an int function, errno from the capture
        assertThatThrownBy(() -> SYS.open(tmp.resolve("missing").toString(), Syscalls.O_RDONLY, 0))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> SYS.close(1_000_000))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("EBADF"));
        // -1 from an ssize_t function
        assertThatThrownBy(() -> SYS.read(1_000_000, buf, 0, 1))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("EBADF"));

        int[] p = SYS.pipe();
        SYS.write(p[1], new byte[]{1, 2, 3}, 0, 3);
        assertThat(SYS.read(p[0], buf, 0, 16)).isEqualTo(3);
        SYS.close(p[0]);
        SYS.close(p[1]);

        int[] s = SYS.seqpacketPair();
        int[] carried = SYS.pipe();
        SYS.sendFds(s[0], "msg".getBytes(StandardCharsets.UTF_8), new int[]{carried[0], carried[1]});
        assertThat(SYS.read(s[1], buf, 0, 16)).isEqualTo(3); // the fds are dropped by a plain read: only the bytes count here
        for (int x : new int[]{s[0], s[1], carried[0], carried[1]}) SYS.close(x);
        int[] st = SYS.socketpair();
        SYS.write(st[0], new byte[]{9}, 0, 1);
        assertThat(SYS.read(st[1], buf, 0, 1)).isEqualTo(1);
        SYS.close(st[0]);
        SYS.close(st[1]);
    }

    @Test
    void aMemfdIsSealed() {
        int fd = SYS.memfdCreate("native-syscalls-test");
        SYS.write(fd, new byte[]{1, 2}, 0, 2);
        SYS.sealAll(fd);
        assertThatThrownBy(() -> SYS.write(fd, new byte[]{3}, 0, 1))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("EPERM"));
        SYS.close(fd);
    }

    @Test
    void directoriesLinksAndAttributes(@TempDir Path tmp) throws Exception {
        int dir = SYS.open(tmp.toString(), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0);
        try {
            SYS.mkdirat(dir, "d", 0700);
            assertThat(Files.isDirectory(tmp.resolve("d"))).isTrue();
            assertThatThrownBy(() -> SYS.mkdirat(dir, "d", 0700))
                    .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("EEXIST"));
            SYS.symlinkat("d", dir, "l");
            assertThat(SYS.readlink(tmp.resolve("l").toString())).isEqualTo("d");
            int viaOpenat2 = SYS.openat2(dir, "d", Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, 0);
            SYS.close(viaOpenat2);
            // RESOLVE_NO_SYMLINKS (4): the link is refused with ELOOP
            assertThatThrownBy(() -> SYS.openat2(dir, "l", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0, 4))
                    .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("ELOOP"));
        } finally {
            SYS.close(dir);
        }
        assertThat(SYS.lgetxattr(tmp.resolve("d").toString(), "user.none")).isNull();
        SYS.rmdir(tmp.resolve("d").toString());
        assertThat(Files.exists(tmp.resolve("d"))).isFalse();
        assertThatThrownBy(() -> SYS.rmdir(tmp.resolve("d").toString()))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> SYS.umount2(tmp.toString(), 0))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isIn("EINVAL", "EPERM"));
    }

    @Test
    void aSpawnedProgramGetsItsArgvEnvAndStdioAndIsReaped(@TempDir Path tmp) {
        int[] out = SYS.pipe();
        int devNull = SYS.open("/dev/null", Syscalls.O_RDWR | Syscalls.O_CLOEXEC, 0);
        int pid = SYS.spawn("/bin/sh", new int[]{devNull, out[1], devNull}, List.of("sh", "-c", "echo \"$0 $X\"; exit 7", "arg0"), List.of("X=env"));
        SYS.close(out[1]);
        SYS.close(devNull);
        byte[] buf = new byte[64];
        int n = SYS.read(out[0], buf, 0, buf.length);
        SYS.close(out[0]);
        assertThat(new String(buf, 0, n, StandardCharsets.UTF_8)).isEqualTo("arg0 env\n");
        Syscalls.WaitStatus w = SYS.waitPid(pid, false);
        assertThat(w.pid()).isEqualTo(pid);
        assertThat(w.status()).isEqualTo(7);
        assertThatThrownBy(() -> SYS.kill(pid, 0)).isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("ESRCH"));
        SYS.kill((int) ProcessHandle.current().pid(), 0);
        assertThatThrownBy(() -> SYS.waitPid(pid, true)).isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("ECHILD"));
    }

    @Test
    void epollReportsAnEventfdWithItsData() {
        int ep = SYS.epollCreate();
        int ev = SYS.eventfd();
        try {
            long data = 0x1234_5678_9abc_def0L; // all 64 bits of epoll_data come back
            SYS.epollAdd(ep, ev, data);
            long[] got = new long[4];
            assertThat(SYS.epollWait(ep, got, 0)).isZero();
            SYS.write(ev, new byte[]{1, 0, 0, 0, 0, 0, 0, 0}, 0, 8);
            assertThat(SYS.epollWait(ep, got, 1000)).isEqualTo(1);
            assertThat(got[0]).isEqualTo(data);
            SYS.epollDelete(ep, ev);
            assertThat(SYS.epollWait(ep, got, 0)).isZero();
        } finally {
            SYS.close(ev);
            SYS.close(ep);
        }
    }

    @Test
    void aPtyHasAWindowSizeAndTermios() {
        int[] pty = SYS.openPty();
        try {
            assertThat(SYS.isatty(pty[1])).isTrue();
            SYS.setWindowSize(pty[0], 33, 101);
            assertThat(SYS.windowSize(pty[1])).containsExactly(33, 101);
            byte[] t = SYS.tcgetattr(pty[1]);
            byte[] raw = SYS.cfmakeraw(t);
            assertThat(raw).isNotEqualTo(t);
            SYS.tcsetattr(pty[1], raw);
            assertThat(SYS.tcgetattr(pty[1])).isEqualTo(raw);
        } finally {
            SYS.close(pty[0]);
            SYS.close(pty[1]);
        }
        int devNull = SYS.open("/dev/null", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
        assertThat(SYS.isatty(devNull)).isFalse();
        assertThat(SYS.windowSize(devNull)).isNull();
        SYS.close(devNull);
    }

    @Test
    void namespacesSocketsAndIds() {
        SYS.unshare(0); // no flags: nothing changes, the call is still made
        assertThatThrownBy(() -> SYS.setns(1_000_000, 0)).isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("EBADF"));
        int nl = SYS.netlinkSocket(0 /* NETLINK_ROUTE */, 50);
        try {
            // NLMSG_NOOP with NLM_F_REQUEST|NLM_F_ACK: the kernel only acknowledges it (sendto's six
            // arguments, the address last but one); the answer is NLMSG_ERROR (2) with error 0
            java.nio.ByteBuffer req = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.nativeOrder());
            req.putInt(16).putShort((short) 1).putShort((short) (1 | 4)).putInt(42).putInt(0);
            SYS.netlinkSend(nl, req.array());
            byte[] ack = new byte[4096];
            int n = SYS.netlinkReceive(nl, ack);
            java.nio.ByteBuffer a = java.nio.ByteBuffer.wrap(ack, 0, n).order(java.nio.ByteOrder.nativeOrder());
            assertThat(n).isGreaterThanOrEqualTo(20);
            assertThat(a.getShort(4)).isEqualTo((short) 2);
            assertThat(a.getInt(8)).isEqualTo(42);
            assertThat(a.getInt(16)).isZero();
            // nothing was asked: the receive timeout (SO_RCVTIMEO, set through setsockopt) ends it
            assertThatThrownBy(() -> SYS.netlinkReceive(nl, new byte[4096]))
                    .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("ETIMEDOUT"));
        } finally {
            SYS.close(nl);
        }
        SYS.probeBind(new byte[]{127, 0, 0, 1}, 0, false);
        SYS.probeBind(new byte[]{127, 0, 0, 1}, 0, true);
        assertThat(SYS.geteuid()).isGreaterThanOrEqualTo(0);
        assertThat(SYS.getegid()).isGreaterThanOrEqualTo(0);
    }
}
