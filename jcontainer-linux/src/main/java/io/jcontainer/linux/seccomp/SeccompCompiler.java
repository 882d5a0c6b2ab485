package io.jcontainer.linux.seccomp;

import io.jcontainer.Capability;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.linux.seccomp.SeccompProfile.Condition;
import io.jcontainer.linux.seccomp.SeccompProfile.Filter;
import io.jcontainer.linux.seccomp.SeccompProfile.Rule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.jcontainer.linux.seccomp.Bpf.JEQ;
import static io.jcontainer.linux.seccomp.Bpf.JGE;
import static io.jcontainer.linux.seccomp.Bpf.JGT;

/**
 * Compiles a {@link SeccompProfile} for one architecture and capability set into a classic-BPF
 * seccomp program (seccomp(2), Documentation/userspace-api/seccomp_filter.rst).
 *
 * <p>The program, in order:
 * <ol>
 *   <li>{@code seccomp_data.arch} must be the native ABI; on x86_64 the x32 ABI (numbers
 *       0x40000000..0x7fffffff, bit 30 set) is refused too, as a range of the search below. Anything else is {@code SECCOMP_RET_KILL_PROCESS} whatever
 *       the profile says: a profile names syscalls by one ABI's numbers, and another ABI's
 *       numbers would slip past it (for an allow-by-default profile they would bypass every
 *       rule). No compat syscalls are ever admitted;</li>
 *   <li>a binary search on the syscall number over ranges of numbers that share an outcome
 *       (about log2(ranges) jumps per call instead of a linear scan); a range that needs argument
 *       checks ends in an inline block for that one syscall;</li>
 *   <li>argument checks: each OCI comparison on a 64-bit argument is done on its high then its
 *       low 32-bit word (classic BPF is 32-bit); the conditions of one rule are AND-ed, the rules
 *       of one syscall tried in profile order, first match wins; a rule without conditions for
 *       that syscall applies when no conditional rule matched (so "ioctl allowed, except
 *       TIOCSTI" works in either order); with none, the default action.</li>
 * </ol>
 *
 * <p><b>Unknown syscalls get ENOSYS, not the default action</b> (when the default action
 * denies): every number above the highest syscall the profile names, and every number no
 * table entry is assigned to. A profile written before a syscall existed cannot have meant to
 * allow or deny it, and ENOSYS is what makes libc fall back to the older call (glibc does so
 * for clone3, faccessat2, fchmodat2, ...), exactly as on an older kernel. Syscalls the profile
 * does not name but that are older than its newest named syscall still get the default
 * action (EPERM for the built-in profile). This is runc's rule.
 *
 * <p>Names the tables do not know (another architecture's, or newer than the headers the
 * tables were generated from) are ignored, as runc does, and logged at debug level.
 */
public final class SeccompCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(SeccompCompiler.class);

    // struct seccomp_data (linux/seccomp.h): int nr; u32 arch; u64 instruction_pointer; u64 args[6].
    static final int OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16;

    /**
     * What a profile is compiled for.
     *
     * @param caps   the container's capabilities, for Docker's {@code includes/excludes.caps}
     * @param kernel {major, minor} of the running kernel, for {@code minKernel}
     */
    public record Target(Arch arch, Set<Capability> caps, int major, int minor) {
        public Target {
            caps = Set.copyOf(caps);
        }

        /** This host: its architecture and the kernel from {@code os.version} (uname -r). */
        public static Target host(Set<Capability> caps) {
            return new Target(Arch.host(), caps, HOST_KERNEL[0], HOST_KERNEL[1]);
        }
    }

    private static final int[] HOST_KERNEL = hostKernel();

    private static int[] hostKernel() {
        int[] v = SeccompProfile.kernelVersion(System.getProperty("os.version", "0.0"));
        return v == null ? new int[]{0, 0} : v;
    }

    private SeccompCompiler() {
    }

    /**
     * The program as struct sock_filter[] bytes.
     *
     * @throws InvalidSpecException when the profile needs more than the kernel's 4096 instructions
     */
    public static byte[] compile(SeccompProfile profile, Target target) {
        try {
            return program(profile, target);
        } catch (Bpf.TooLong e) {
            throw new InvalidSpecException("seccomp", "the profile compiles to " + e.instructions + " BPF instructions for "
                    + target.arch() + "; the kernel accepts at most " + Bpf.MAX_INSNS + " (fewer argument conditions would help)");
        }
    }

    private static byte[] program(SeccompProfile profile, Target target) {
        Arch arch = target.arch();
        TreeMap<Integer, List<Rule>> byNr = new TreeMap<>();
        int maxNamed = -1;
        Set<String> unknown = new TreeSet<>();
        for (Rule r : profile.rules()) {
            boolean applies = applies(r, target);
            for (String name : r.names()) {
                int nr = arch.number(name);
                if (nr < 0) {
                    unknown.add(name);
                    continue;
                }
                maxNamed = Math.max(maxNamed, nr);
                if (applies) byNr.computeIfAbsent(nr, k -> new ArrayList<>()).add(r);
            }
        }
        if (!unknown.isEmpty() && LOG.isDebugEnabled())
            LOG.debug("seccomp: ignoring syscalls unknown on {} (tables from Linux {} headers): {}", arch, arch.tablesVersion(), unknown);

        int dflt = profile.defaultAction();
        int unknownAction = SeccompProfile.permits(dflt) || maxNamed < 0 ? dflt : SeccompProfile.errno(SeccompProfile.ENOSYS);

        // Ranges of numbers [start, next start) with one outcome, covering 0 .. 2^32-1.
        List<Range> ranges = new ArrayList<>();
        for (int nr = 0; nr <= maxNamed; nr++) {
            List<Rule> rules = byNr.get(nr);
            Leaf leaf = rules != null ? leaf(rules, dflt) : new Action(arch.name(nr) != null ? dflt : unknownAction);
            add(ranges, nr, leaf);
        }
        add(ranges, maxNamed + 1, new Action(unknownAction));
        if (arch == Arch.X86_64) {
            // x32 (bit 30 set): another ABI, refused like a foreign arch. Numbers with bit 31 set
            // are not x32 but simply invalid (-1 is what a tracer uses to skip a call): unknown.
            add(ranges, Arch.X32_SYSCALL_BIT, new Action(SeccompProfile.RET_KILL_PROCESS));
            add(ranges, 0x80000000, new Action(unknownAction));
        }

        Emitter e = new Emitter(new Bpf(), ranges);
        Bpf.Label native_ = new Bpf.Label();
        e.b.load(OFF_ARCH).jump(JEQ, arch.auditArch(), native_, e.ret(SeccompProfile.RET_KILL_PROCESS));
        e.b.mark(native_).load(OFF_NR);
        e.node(0, ranges.size() - 1);
        e.rets.forEach((action, label) -> e.b.mark(label).ret(action));
        return e.b.assemble();
    }

    private sealed interface Leaf permits Action, Checks {
    }

    /** One outcome whatever the arguments. */
    private record Action(int ret) implements Leaf {
    }

    /** Conditional rules tried in order, then {@code fallback}. */
    private record Checks(List<Rule> rules, int fallback) implements Leaf {
    }

    private record Range(int start, Leaf leaf) {
    }

    private static void add(List<Range> ranges, int start, Leaf leaf) {
        // the ret compared, not the records (a record's equals is bootstrapped at run time, see SeccompFilters.Key)
        if (!ranges.isEmpty() && leaf instanceof Action a && ranges.getLast().leaf() instanceof Action last && last.ret() == a.ret()) return;
        ranges.add(new Range(start, leaf));
    }

    private static Leaf leaf(List<Rule> rules, int dflt) {
        List<Rule> conditional = new ArrayList<>();
        Integer fallback = null;
        for (Rule r : rules) {
            if (!r.conditions().isEmpty()) conditional.add(r);
            else if (fallback == null) fallback = r.action();
        }
        int fb = fallback != null ? fallback : dflt;
        // A trailing rule whose action is the fallback anyway changes nothing.
        while (!conditional.isEmpty() && conditional.getLast().action() == fb) conditional.removeLast();
        return conditional.isEmpty() ? new Action(fb) : new Checks(conditional, fb);
    }

    /**
     * Emits the search. One shared {@code ret} per distinct action, at the end: a search node
     * whose side is a single outcome jumps straight to it (no extra step; about half the
     * instructions of a {@code ret} per range, and the kernel's JIT time grows with length).
     */
    private static final class Emitter {
        final Bpf b;
        final List<Range> ranges;
        final java.util.Map<Integer, Bpf.Label> rets = new java.util.LinkedHashMap<>();

        Emitter(Bpf b, List<Range> ranges) {
            this.b = b;
            this.ranges = ranges;
        }

        Bpf.Label ret(int action) {
            return rets.computeIfAbsent(action, k -> new Bpf.Label());
        }

        /** Binary search over ranges[lo..hi]; A holds the syscall number. */
        void node(int lo, int hi) {
            if (lo == hi) {
                // instanceof, not a pattern switch: each pattern switch links a class spun at run
                // time (SwitchBootstraps), outside the AOT cache, on every JVM's first start
                Leaf leaf = ranges.get(lo).leaf();
                if (leaf instanceof Action a) b.jumpAlways(ret(a.ret())); // only when one range covers everything
                else checks((Checks) leaf);
                return;
            }
            int mid = (lo + hi + 1) >>> 1;
            Bpf.Label left = side(lo, mid - 1), right = side(mid, hi);
            b.jump(JGE, ranges.get(mid).start(), right, left);
            if (!rets.containsValue(left)) {
                b.mark(left);
                node(lo, mid - 1);
            }
            if (!rets.containsValue(right)) {
                b.mark(right);
                node(mid, hi);
            }
        }

        private Bpf.Label side(int lo, int hi) {
            return lo == hi && ranges.get(lo).leaf() instanceof Action a ? ret(a.ret()) : new Bpf.Label();
        }

        private void checks(Checks c) {
            for (Rule r : c.rules()) {
                Bpf.Label next = new Bpf.Label();
                for (Condition cond : r.conditions()) {
                    Bpf.Label ok = new Bpf.Label();
                    condition(b, cond, ok, next);
                    b.mark(ok);
                }
                b.ret(r.action());
                b.mark(next);
            }
            b.ret(c.fallback());
        }
    }

    /** Jumps to {@code ok} when the 64-bit comparison holds, else to {@code fail}; unsigned, as libseccomp. */
    private static void condition(Bpf b, Condition c, Bpf.Label ok, Bpf.Label fail) {
        int lo = OFF_ARGS + 8 * c.index(), hi = lo + 4; // little-endian u64
        int vlo = (int) c.value(), vhi = (int) (c.value() >>> 32);
        Bpf.Label c1 = new Bpf.Label(), c2 = new Bpf.Label();
        switch (c.op()) {
            case EQ -> {
                b.load(hi).jump(JEQ, vhi, c1, fail);
                b.mark(c1).load(lo).jump(JEQ, vlo, ok, fail);
            }
            case NE -> {
                b.load(hi).jump(JEQ, vhi, c1, ok);
                b.mark(c1).load(lo).jump(JEQ, vlo, fail, ok);
            }
            case GT, GE -> {
                b.load(hi).jump(JGT, vhi, ok, c1);
                b.mark(c1).jump(JEQ, vhi, c2, fail);
                b.mark(c2).load(lo).jump(c.op() == SeccompProfile.Cmp.GT ? JGT : JGE, vlo, ok, fail);
            }
            case LT, LE -> {
                b.load(hi).jump(JGT, vhi, fail, c1);
                b.mark(c1).jump(JEQ, vhi, c2, ok);
                b.mark(c2).load(lo).jump(c.op() == SeccompProfile.Cmp.LT ? JGE : JGT, vlo, fail, ok);
            }
            case MASKED_EQ -> {
                int mlo = vlo, mhi = vhi;
                int elo = (int) c.valueTwo(), ehi = (int) (c.valueTwo() >>> 32);
                if (mhi != 0 || ehi != 0) {
                    b.load(hi);
                    if (mhi != -1) b.and(mhi);
                    b.jump(JEQ, ehi, c1, fail);
                }
                b.mark(c1).load(lo);
                if (mlo != -1) b.and(mlo);
                b.jump(JEQ, elo, ok, fail);
            }
        }
    }

    static boolean applies(Rule r, Target t) {
        Filter in = r.includes(), ex = r.excludes();
        for (String cap : in.caps()) if (!holds(t, cap)) return false;
        if (!in.arches().isEmpty() && in.arches().stream().noneMatch(t.arch()::isCalled)) return false;
        if (in.minKernel() != null && !atLeast(t, in.minKernel())) return false;
        for (String cap : ex.caps()) if (holds(t, cap)) return false;
        if (ex.arches().stream().anyMatch(t.arch()::isCalled)) return false;
        if (ex.minKernel() != null && atLeast(t, ex.minKernel())) return false;
        return true;
    }

    private static boolean holds(Target t, String cap) {
        String n = cap.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("CAP_")) n = n.substring(4);
        for (Capability c : t.caps()) if (c.name().equals(n)) return true;
        return false; // a capability this JVM's enum does not know is not held
    }

    private static boolean atLeast(Target t, int[] v) {
        return t.major() > v[0] || (t.major() == v[0] && t.minor() >= v[1]);
    }
}
