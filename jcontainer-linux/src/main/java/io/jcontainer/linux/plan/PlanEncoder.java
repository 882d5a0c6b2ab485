package io.jcontainer.linux.plan;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Serializes a {@link Plan} into the launcher's wire format (plan.h): little-endian integers,
 * strings as length (with NUL) + bytes + NUL padded to 4, each op as opcode, length, payload.
 */
public final class PlanEncoder {
    static final int MAGIC = 0x3150434A, VERSION = 1;

    private PlanEncoder() {
    }

    public static byte[] encode(Plan plan) {
        Buf b = new Buf();
        b.u32(MAGIC).u32(VERSION).u64(plan.cloneFlags()).u32(plan.flags())
                .u32(plan.pre().size()).u32(plan.parent().size()).u32(plan.child().size());
        for (List<Op> ops : List.of(plan.pre(), plan.parent(), plan.child()))
            for (Op op : ops) encode(b, op);
        return b.bytes();
    }

    private static void encode(Buf out, Op op) {
        // opcode, then a length back-patched once the payload is written: no buffer per op
        int start = out.size();
        out.u32(0).u32(0);
        Buf p = out;
        int code = switch (op) {
            case Op.Hostname o -> { p.str(o.name()); yield 1; }
            case Op.Domainname o -> { p.str(o.name()); yield 2; }
            case Op.Mount o -> { p.str(o.source()).str(o.target()).str(o.fstype()).u64(o.flags()).str(o.data()).u32(o.mflags()); yield 3; }
            case Op.Remount o -> { p.str(o.target()).u64(o.addFlags()).u32(o.mflags()); yield 4; }
            case Op.Mkdir o -> { p.str(o.path()).u32(o.mode()); yield 5; }
            case Op.Symlink o -> { p.str(o.target()).str(o.link()); yield 6; }
            case Op.WriteFile o -> { p.str(o.path()).u32(o.mode()).blob(o.content()); yield 7; }
            case Op.RootOpen o -> { p.str(o.path()); yield 8; }
            case Op.PivotRoot o -> { p.str(o.newRoot()); yield 9; }
            case Op.Chdir o -> { p.str(o.path()); yield 10; }
            case Op.Setsid o -> 11;
            case Op.Setgroups o -> { p.u32(o.gids().size()); o.gids().forEach(p::u32); yield 12; }
            case Op.Setresgid o -> { p.u32(o.gid()); yield 13; }
            case Op.Setresuid o -> { p.u32(o.uid()); yield 14; }
            case Op.Caps o -> { p.u64(o.bounding()).u64(o.effective()).u64(o.permitted()).u64(o.inheritable()).u64(o.ambient()); yield 15; }
            case Op.NoNewPrivs o -> 16;
            case Op.Rlimit o -> { p.u32(o.resource()).u64(o.soft()).u64(o.hard()); yield 17; }
            case Op.Seccomp o -> { p.u32(o.flags()).blob(o.filter()); yield 18; }
            case Op.CloseFds o -> 19;
            case Op.Umask o -> { p.u32(o.mask()); yield 20; }
            case Op.Exec o -> {
                p.str(o.path()).u32(o.argv().size());
                o.argv().forEach(p::str);
                p.u32(o.env().size());
                o.env().forEach(p::str);
                yield 21;
            }
            case Op.MakePrivate o -> { p.str(o.path()); yield 22; }
            case Op.MaskPath o -> { p.str(o.path()); yield 23; }
            case Op.Unshare o -> { p.u32(o.flags()); yield 24; }
            case Op.Keepcaps o -> { p.u32(o.on() ? 1 : 0); yield 25; }
            case Op.Setns o -> { p.str(o.path()).u32(o.nstype()); yield 26; }
            case Op.WritePid o -> { p.str(o.pathTemplate()).str(o.contentTemplate()); yield 27; }
            case Op.LoopbackUp o -> 29;
            case Op.Hold o -> { p.str(o.path()).u32(o.optional() ? 1 : 0); yield 30; }
            case Op.Init o -> 40;
            case Op.StatusFile o -> { p.str(o.path()); yield 41; }
            case Op.WaitJvm o -> 31;
            case Op.NetHelper o -> { p.u32(o.joinUser() ? 1 : 0); yield 32; }
            case Op.JoinNet o -> 33;
            case Op.AwaitJvm o -> 34;
            case Op.CloneIntoCgroup o -> { p.str(o.dir()); yield 35; }
            case Op.RemoveOnExit o -> {
                p.u32(o.dirs().size());
                o.dirs().forEach(p::str);
                yield 36;
            }
            case Op.SetCtty o -> 43;
            case Op.Restart o -> { p.u32(o.mode()).u32(o.maxRetries()).str(o.stopMarker()).str(o.pidFile()); yield 44; }
            case Op.Log o -> { p.str(o.path()).u64(o.maxBytes()).u32(o.maxFiles()); yield 42; }
            case Op.Attach o -> { p.str(o.socketPath()).u32((o.tty() ? 1 : 0) | (o.stdin() ? 2 : 0) | (o.hold() ? 4 : 0)); yield 45; }
        };
        out.patch(start, code);
        out.patch(start + 4, out.size() - start - 8);
    }

    /** A little-endian byte buffer with the plan's string and blob encodings. */
    static final class Buf {
        private byte[] b = new byte[4096];
        private int n;

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
