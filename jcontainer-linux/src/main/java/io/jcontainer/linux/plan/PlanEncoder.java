package io.jcontainer.linux.plan;

import io.jcontainer.linux.attach.AttachProtocol;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Serializes a {@link Plan} into the launcher's wire format (plan.h): little-endian integers,
 * strings as length (with NUL) + bytes + NUL padded to 4, each op as opcode, length, payload.
 */
public final class PlanEncoder {
    /** plan.h PLAN_MAGIC ("JCP1"), PLAN_VERSION. */
    static final int MAGIC = 0x3150434A, VERSION = 2;
    /** Opcodes, named as in plan.h ({@code enum opcode}); PlanHeaderTest checks that both sides agree. */
    static final int OP_HOSTNAME = 1, OP_DOMAINNAME = 2, OP_MOUNT = 3, OP_REMOUNT = 4, OP_MKDIR = 5, OP_SYMLINK = 6,
            OP_WRITE_FILE = 7, OP_PIVOT_ROOT = 9, OP_CHDIR = 10, OP_SETSID = 11,
            OP_SETGROUPS = 12, OP_SETRESGID = 13, OP_SETRESUID = 14, OP_CAPS = 15, OP_NO_NEW_PRIVS = 16,
            OP_RLIMIT = 17, OP_SECCOMP = 18, OP_CLOSE_FDS = 19, OP_UMASK = 20, OP_EXEC = 21,
            OP_MAKE_PRIVATE = 22, OP_MASK_PATH = 23, OP_UNSHARE = 24, OP_KEEPCAPS = 25, OP_SETNS = 26, OP_WRITE_PID = 27,
            OP_LOOPBACK_UP = 29, OP_HOLD = 30, OP_NET_HELPER = 32, OP_JOIN_NET = 33,
            OP_CLONE_INTO_CGROUP = 35, OP_REMOVE_ON_EXIT = 36, OP_HOOK = 37, OP_START_FIFO = 38, OP_INIT = 40,
            OP_STATUS_FILE = 41, OP_LOG = 42, OP_SETCTTY = 43, OP_RESTART = 44, OP_ATTACH = 45,
            OP_CONSOLE_SOCKET = 46, OP_CONSOLE = 47, OP_REOPEN_TTY = 48, OP_UNMOUNT_ON_EXIT = 49, OP_PROXY = 50;

    private PlanEncoder() {
    }

    public static byte[] encode(Plan plan) {
        Buf b = new Buf(4096);
        write(plan, b);
        return b.bytes();
    }

    /**
     * The plan behind its 4-byte length, as the launcher reads it from the control channel: one
     * write, and a buffer big enough for a usual plan with its seccomp filter from the start (the
     * doubling and the copies showed in a profile of the start).
     */
    public static byte[] encodeFramed(Plan plan) {
        Buf b = new Buf(16384);
        b.u32(0);
        write(plan, b);
        b.patch(0, b.size() - 4);
        return b.bytes();
    }

    private static void write(Plan plan, Buf b) {
        b.u32(MAGIC).u32(VERSION).u64(plan.cloneFlags()).u32(plan.flags())
                .u32(plan.pre().size()).u32(plan.parent().size()).u32(plan.child().size());
        for (List<Op> ops : List.of(plan.pre(), plan.parent(), plan.child()))
            for (Op op : ops) encode(b, op);
    }

    private static void encode(Buf out, Op op) {
        // opcode, then a length back-patched once the payload is written: no buffer per op
        int start = out.size();
        out.u32(0).u32(0);
        Buf p = out;
        int code = switch (op) {
            case Op.Hostname o -> { p.str(o.name()); yield OP_HOSTNAME; }
            case Op.Domainname o -> { p.str(o.name()); yield OP_DOMAINNAME; }
            case Op.Mount o -> { p.str(o.source()).str(o.target()).str(o.fstype()).u64(o.flags()).str(o.data()).u32(o.mflags()); yield OP_MOUNT; }
            case Op.Remount o -> { p.str(o.target()).u64(o.addFlags()).u32(o.mflags()); yield OP_REMOUNT; }
            case Op.Mkdir o -> { p.str(o.path()).u32(o.mode()); yield OP_MKDIR; }
            case Op.Symlink o -> { p.str(o.target()).str(o.link()); yield OP_SYMLINK; }
            case Op.WriteFile o -> { p.str(o.path()).u32(o.mode()).blob(o.content()); yield OP_WRITE_FILE; }
            case Op.PivotRoot o -> { p.str(o.newRoot()); yield OP_PIVOT_ROOT; }
            case Op.Chdir o -> { p.str(o.path()); yield OP_CHDIR; }
            case Op.Setsid o -> OP_SETSID;
            case Op.Setgroups o -> { p.u32(o.gids().size()); o.gids().forEach(p::u32); yield OP_SETGROUPS; }
            case Op.Setresgid o -> { p.u32(o.gid()); yield OP_SETRESGID; }
            case Op.Setresuid o -> { p.u32(o.uid()); yield OP_SETRESUID; }
            case Op.Caps o -> { p.u64(o.bounding()).u64(o.effective()).u64(o.permitted()).u64(o.inheritable()).u64(o.ambient()); yield OP_CAPS; }
            case Op.NoNewPrivs o -> OP_NO_NEW_PRIVS;
            case Op.Rlimit o -> { p.u32(o.resource()).u64(o.soft()).u64(o.hard()); yield OP_RLIMIT; }
            case Op.Seccomp o -> { p.u32(o.flags()).blob(o.filter()); yield OP_SECCOMP; }
            case Op.CloseFds o -> OP_CLOSE_FDS;
            case Op.Umask o -> { p.u32(o.mask()); yield OP_UMASK; }
            case Op.Exec o -> {
                p.str(o.path()).u32(o.argv().size());
                o.argv().forEach(p::str);
                p.u32(o.env().size());
                o.env().forEach(p::str);
                yield OP_EXEC;
            }
            case Op.MakePrivate o -> { p.str(o.path()); yield OP_MAKE_PRIVATE; }
            case Op.MaskPath o -> { p.str(o.path()); yield OP_MASK_PATH; }
            case Op.Unshare o -> { p.u32(o.flags()); yield OP_UNSHARE; }
            case Op.Keepcaps o -> { p.u32(o.on() ? 1 : 0); yield OP_KEEPCAPS; }
            case Op.Setns o -> { p.str(o.path()).u32(o.nstype()); yield OP_SETNS; }
            case Op.WritePid o -> { p.str(o.pathTemplate()).str(o.contentTemplate()); yield OP_WRITE_PID; }
            case Op.LoopbackUp o -> OP_LOOPBACK_UP;
            case Op.Hold o -> { p.str(o.path()).u32(o.optional() ? 1 : 0); yield OP_HOLD; }
            case Op.Init o -> OP_INIT;
            case Op.StatusFile o -> { p.str(o.path()); yield OP_STATUS_FILE; }
            case Op.NetHelper o -> { p.u32(o.joinUser() ? 1 : 0); yield OP_NET_HELPER; }
            case Op.JoinNet o -> OP_JOIN_NET;
            case Op.Hook o -> { p.u32(o.point().wire()).u32(o.flags()); yield OP_HOOK; }
            case Op.StartFifo o -> { p.str(o.path()); yield OP_START_FIFO; }
            case Op.CloneIntoCgroup o -> { p.str(o.dir()); yield OP_CLONE_INTO_CGROUP; }
            case Op.RemoveOnExit o -> {
                p.u32(o.ifJvmGone() ? Op.RemoveOnExit.IF_JVM_GONE : 0).u32(o.dirs().size());
                o.dirs().forEach(p::str);
                yield OP_REMOVE_ON_EXIT;
            }
            case Op.UnmountOnExit o -> {
                p.u32(o.ifJvmGone() ? Op.RemoveOnExit.IF_JVM_GONE : 0).str(o.path()).str(o.helper() == null ? "" : o.helper());
                yield OP_UNMOUNT_ON_EXIT;
            }
            case Op.SetCtty o -> OP_SETCTTY;
            case Op.ReopenTty o -> { p.str(o.path()); yield OP_REOPEN_TTY; }
            case Op.Restart o -> { p.u32(o.mode()).u32(o.maxRetries()).str(o.stopMarker()).str(o.pidFile()); yield OP_RESTART; }
            case Op.Log o -> { p.str(o.path()).u64(o.maxBytes()).u32(o.maxFiles()); yield OP_LOG; }
            case Op.ConsoleSocket o -> { p.str(o.path()); yield OP_CONSOLE_SOCKET; }
            case Op.Console o -> { p.u32(o.rows()).u32(o.cols()); yield OP_CONSOLE; }
            case Op.Proxy o -> { p.blob(o.listen().getAddress()).u32(o.listenPort()).blob(o.target().getAddress()).u32(o.targetPort()); yield OP_PROXY; }
            case Op.Attach o -> { p.str(o.socketPath()).u32((o.tty() ? AttachProtocol.FLAG_TTY : 0) | (o.stdin() ? AttachProtocol.FLAG_STDIN : 0) | (o.hold() ? AttachProtocol.FLAG_HOLD : 0)); yield OP_ATTACH; }
        };
        out.patch(start, code);
        out.patch(start + 4, out.size() - start - 8);
    }

    /** A little-endian byte buffer with the plan's string and blob encodings. */
    static final class Buf {
        private byte[] b;
        private int n;

        Buf() {
            this(4096);
        }

        Buf(int capacity) {
            b = new byte[capacity];
        }

        private void ensure(int more) {
            if (n + more > b.length) b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, n + more));
        }

        int size() {
            return n;
        }

        void patch(int at, int v) {
            b[at] = (byte) v;
            b[at + 1] = (byte) (v >>> 8);
            b[at + 2] = (byte) (v >>> 16);
            b[at + 3] = (byte) (v >>> 24);
        }

        Buf u32(int v) {
            ensure(4);
            patch(n, v);
            n += 4;
            return this;
        }

        Buf u32(Integer v) {
            return u32(v.intValue());
        }

        Buf u64(long v) {
            u32((int) v);
            return u32((int) (v >>> 32));
        }

        Buf str(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            for (byte c : bytes) if (c == 0) throw new IllegalArgumentException("NUL byte in plan string: " + s);
            int len = bytes.length + 1;
            ensure(4 + len + 3);
            u32(len);
            System.arraycopy(bytes, 0, b, n, bytes.length);
            n += bytes.length;
            b[n++] = 0;
            while (n % 4 != 0) b[n++] = 0;
            return this;
        }

        Buf blob(byte[] data) {
            ensure(4 + data.length + 3);
            u32(data.length);
            System.arraycopy(data, 0, b, n, data.length);
            n += data.length;
            while (n % 4 != 0) b[n++] = 0;
            return this;
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(b, n);
        }
    }
}
