package io.jcontainer.linux.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny classic-BPF assembler (linux/filter.h, Documentation/networking/filter.rst): the
 * instructions a seccomp filter needs, with symbolic forward labels.
 *
 * <p>A conditional jump reaches at most 255 instructions ahead (its offsets are one byte);
 * {@link #assemble()} inserts an unconditional {@code ja} (32-bit offset) right after any
 * jump whose target is farther, and repeats until every offset fits.
 */
final class Bpf {
    // instruction classes and fields
    static final int LD = 0x00, ALU = 0x04, JMP = 0x05, RET = 0x06;
    static final int W = 0x00, ABS = 0x20, K = 0x00;
    static final int AND = 0x50;
    static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;

    /** The kernel refuses longer programs (BPF_MAXINSNS, include/uapi/linux/bpf_common.h). */
    static final int MAX_INSNS = 4096;

    /** The program exceeds {@link #MAX_INSNS}. */
    static final class TooLong extends RuntimeException {
        final int instructions;

        TooLong(int instructions) {
            super("the program needs " + instructions + " instructions; the kernel accepts at most " + MAX_INSNS);
            this.instructions = instructions;
        }
    }

    /** A position in the program, bound by {@link #mark}. */
    static final class Label {
    }

    private sealed interface Item permits Stmt, Jump, Mark {
    }

    private record Stmt(int code, int k) implements Item {
    }

    /** A jump; {@code code == JMP|JA} uses {@code jt} as its only target. */
    private record Jump(int code, int k, Label jt, Label jf) implements Item {
    }

    private record Mark(Label label) implements Item {
    }

    private final List<Item> items = new ArrayList<>();

    /** {@code A = seccomp_data[offset]} (a 32-bit word). */
    Bpf load(int offset) {
        items.add(new Stmt(LD | W | ABS, offset));
        return this;
    }

    /** {@code A &= k}. */
    Bpf and(int k) {
        items.add(new Stmt(ALU | AND | K, k));
        return this;
    }

    Bpf ret(int action) {
        items.add(new Stmt(RET | K, action));
        return this;
    }

    /** {@code if (A <op> k) goto jt else goto jf}, op one of JEQ, JGT, JGE, JSET (unsigned). */
    Bpf jump(int op, int k, Label jt, Label jf) {
        items.add(new Jump(JMP | op | K, k, jt, jf));
        return this;
    }

    Bpf jumpAlways(Label target) {
        items.add(new Jump(JMP | JA, 0, target, null));
        return this;
    }

    Bpf mark(Label l) {
        items.add(new Mark(l));
        return this;
    }

    /** struct sock_filter[], little-endian (both architectures are): u16 code, u8 jt, u8 jf, u32 k. */
    byte[] assemble() {
        List<Item> prog = new ArrayList<>(items);
        while (true) {
            Map<Label, Integer> at = positions(prog);
            int far = -1;
            int pc = 0;
            for (int i = 0; i < prog.size() && far < 0; i++) {
                if (prog.get(i) instanceof Mark) continue;
                if (prog.get(i) instanceof Jump j && j.code() != (JMP | JA)
                        && (offset(at, j.jt(), pc) > 255 || offset(at, j.jf(), pc) > 255)) far = i;
                pc++;
            }
            if (far < 0) return encode(prog, at);
            // Route the far target(s) through a "ja" placed immediately after the jump.
            Jump j = (Jump) prog.get(far);
            int pcOfJump = pcOf(prog, far);
            Label jt = j.jt(), jf = j.jf();
            List<Item> tramp = new ArrayList<>();
            if (offset(at, jt, pcOfJump) > 255) {
                Label t = new Label();
                tramp.add(new Mark(t));
                tramp.add(new Jump(JMP | JA, 0, jt, null));
                jt = t;
            }
            if (offset(at, jf, pcOfJump) > 255) {
                Label t = new Label();
                tramp.add(new Mark(t));
                tramp.add(new Jump(JMP | JA, 0, jf, null));
                jf = t;
            }
            prog.set(far, new Jump(j.code(), j.k(), jt, jf));
            prog.addAll(far + 1, tramp);
        }
    }

    private static int pcOf(List<Item> prog, int index) {
        int pc = 0;
        for (int i = 0; i < index; i++) if (!(prog.get(i) instanceof Mark)) pc++;
        return pc;
    }

    private static Map<Label, Integer> positions(List<Item> prog) {
        Map<Label, Integer> at = new IdentityHashMap<>();
        int pc = 0;
        for (Item it : prog) {
            if (it instanceof Mark m) at.put(m.label(), pc);
            else pc++;
        }
        return at;
    }

    private static int offset(Map<Label, Integer> at, Label l, int pc) {
        Integer target = at.get(l);
        if (target == null) throw new IllegalStateException("BPF label never placed");
        int off = target - pc - 1;
        if (off < 0) throw new IllegalStateException("BPF jumps only forward");
        return off;
    }

    private static byte[] encode(List<Item> prog, Map<Label, Integer> at) {
        int n = (int) prog.stream().filter(i -> !(i instanceof Mark)).count();
        if (n > MAX_INSNS) throw new TooLong(n);
        ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        int pc = 0;
        // instanceof, not a pattern switch: the switch's class is spun at run time (SwitchBootstraps),
        // outside the AOT cache, in every container-starting JVM
        for (Item it : prog) {
            if (it instanceof Mark) continue;
            if (it instanceof Stmt s) b.putShort((short) s.code()).put((byte) 0).put((byte) 0).putInt(s.k());
            else if (it instanceof Jump j && j.code() == (JMP | JA)) b.putShort((short) j.code()).put((byte) 0).put((byte) 0).putInt(offset(at, j.jt(), pc));
            else if (it instanceof Jump j) b.putShort((short) j.code()).put((byte) offset(at, j.jt(), pc)).put((byte) offset(at, j.jf(), pc)).putInt(j.k());
            pc++;
        }
        return b.array();
    }
}
