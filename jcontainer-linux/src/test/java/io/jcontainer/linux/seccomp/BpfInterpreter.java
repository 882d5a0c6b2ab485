package io.jcontainer.linux.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a classic-BPF seccomp program the way the kernel does (kernel/seccomp.c
 * seccomp_check_filter, net/core/filter.c bpf_check_classic): first the same checks the kernel
 * makes when the filter is loaded, then execution against one {@code struct seccomp_data}.
 * Only the instructions seccomp filters may use are accepted.
 */
final class BpfInterpreter {
    private final int[] code, jt, jf, k;
    /** Instructions executed by the last {@link #run}. */
    int steps;

    BpfInterpreter(byte[] program) {
        if (program.length % 8 != 0) throw new IllegalArgumentException("length " + program.length + " is not a multiple of 8");
        int n = program.length / 8;
        if (n == 0 || n > 4096) throw new IllegalArgumentException("bad program length " + n);
        ByteBuffer b = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        code = new int[n];
        jt = new int[n];
        jf = new int[n];
        k = new int[n];
        for (int i = 0; i < n; i++) {
            code[i] = b.getShort() & 0xffff;
            jt[i] = b.get() & 0xff;
            jf[i] = b.get() & 0xff;
            k[i] = b.getInt();
        }
        for (int i = 0; i < n; i++) {
            switch (code[i]) {
                case 0x20 -> { // LD W ABS
                    if ((k[i] & 3) != 0 || Integer.compareUnsigned(k[i], 64) >= 0)
                        throw new IllegalArgumentException(i + ": load at bad offset " + k[i]);
                }
                case 0x54, 0x06 -> { // ALU AND K, RET K
                }
                case 0x05 -> { // JA
                    if (Integer.compareUnsigned(k[i], n - i - 1) >= 0) throw new IllegalArgumentException(i + ": ja out of range");
                }
                case 0x15, 0x25, 0x35, 0x45 -> { // JEQ JGT JGE JSET K
                    if (i + 1 + jt[i] >= n || i + 1 + jf[i] >= n) throw new IllegalArgumentException(i + ": jump out of range");
                }
                default -> throw new IllegalArgumentException(i + ": instruction 0x" + Integer.toHexString(code[i]) + " not allowed in seccomp");
            }
        }
        if (code[n - 1] != 0x06) throw new IllegalArgumentException("the last instruction must be a return");
    }

    int length() {
        return code.length;
    }

    /** The filter's SECCOMP_RET_* answer for a syscall. */
    int run(int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0x7f00_1234_5678L);
        for (int i = 0; i < args.length; i++) data.putLong(16 + 8 * i, args[i]);
        int a = 0, pc = 0;
        steps = 0;
        while (true) {
            steps++;
            int c = code[pc], kk = k[pc];
            switch (c) {
                case 0x20 -> { a = data.getInt(kk); pc++; }
                case 0x54 -> { a &= kk; pc++; }
                case 0x06 -> { return kk; }
                case 0x05 -> pc += 1 + kk;
                case 0x15 -> pc += 1 + (a == kk ? jt[pc] : jf[pc]);
                case 0x25 -> pc += 1 + (Integer.compareUnsigned(a, kk) > 0 ? jt[pc] : jf[pc]);
                case 0x35 -> pc += 1 + (Integer.compareUnsigned(a, kk) >= 0 ? jt[pc] : jf[pc]);
                case 0x45 -> pc += 1 + ((a & kk) != 0 ? jt[pc] : jf[pc]);
                default -> throw new IllegalStateException();
            }
        }
    }
}
