package io.jcontainer.linux.cgroup;

import io.jcontainer.InvalidSpecException;

import java.util.BitSet;

/**
 * The kernel's "list format" for CPUs and memory nodes ({@code 0-3,8,10-11}, see cpuset(7)),
 * parsed strictly so that a typo is refused before anything runs rather than by the kernel
 * with a bare EINVAL.
 */
public final class CpuList {
    private CpuList() {
    }

    /** Parses {@code text}; {@code setting} names the builder setting in the error. */
    public static BitSet parse(String setting, String text) {
        if (text == null || text.isBlank()) throw new InvalidSpecException(setting, "empty list (expected e.g. \"0-1,3\")");
        BitSet set = new BitSet();
        for (String part : text.strip().split(",", -1)) {
            String[] range = part.split("-", -1);
            if (range.length > 2 || part.isEmpty())
                throw new InvalidSpecException(setting, "malformed list '" + text + "' at '" + part + "' (expected e.g. \"0-1,3\")");
            int lo = number(setting, text, range[0]), hi = range.length == 2 ? number(setting, text, range[1]) : lo;
            if (hi < lo) throw new InvalidSpecException(setting, "malformed list '" + text + "': range " + part + " runs backwards");
            set.set(lo, hi + 1);
        }
        return set;
    }

    /** The largest CPU or node number accepted: the kernel's NR_CPUS is at most 8192. */
    static final int MAX = 8191;

    private static int number(String setting, String text, String s) {
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit))
            throw new InvalidSpecException(setting, "malformed list '" + text + "': '" + s + "' is not a number (expected e.g. \"0-1,3\")");
        if (s.length() > 5 || Integer.parseInt(s) > MAX)
            throw new InvalidSpecException(setting, "'" + text + "': " + s + " is out of range (CPU and memory node numbers go up to " + MAX + ")");
        return Integer.parseInt(s);
    }

    /** The list format of a set: {@code 0-2,5}. */
    public static String format(BitSet set) {
        StringBuilder sb = new StringBuilder();
        for (int i = set.nextSetBit(0); i >= 0; ) {
            int end = set.nextClearBit(i) - 1;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(i);
            if (end > i) sb.append('-').append(end);
            i = set.nextSetBit(end + 1);
        }
        return sb.toString();
    }

    /**
     * Refuses {@code wanted} unless every element is in {@code allowed} (the parent cgroup's
     * effective set: what this host lets the container have).
     */
    public static void requireSubset(String setting, String wanted, String allowed, String what) {
        BitSet w = parse(setting, wanted), a = allowed == null || allowed.isBlank() ? new BitSet() : parse(setting, allowed.strip());
        BitSet extra = (BitSet) w.clone();
        extra.andNot(a);
        if (!extra.isEmpty())
            throw new InvalidSpecException(setting, "'" + wanted + "' asks for " + what + " " + format(extra)
                    + " that this host does not allow; available: " + (a.isEmpty() ? "none" : format(a)));
    }
}
