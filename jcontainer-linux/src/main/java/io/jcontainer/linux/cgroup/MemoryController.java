package io.jcontainer.linux.cgroup;

import io.jcontainer.DataSize;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Resources;
import io.jcontainer.linux.sys.SyscallException;

/**
 * memory: hard limit, memory+swap, soft limit; usage, peak and OOM-kill count.
 * v1: memory.limit_in_bytes, memory.memsw.limit_in_bytes, memory.soft_limit_in_bytes, memory.oom_control.
 * v2: memory.max, memory.swap.max (swap only, so limit − memory), memory.low, memory.events.
 */
final class MemoryController {
    /**
     * Docker's floor. Below a few MiB the container's own setup (the child's page tables, its
     * exec) is OOM-killed before the command runs, which reads as a mysterious SIGKILL.
     */
    static final long MIN_BYTES = 6 * DataSize.MIB;

    private MemoryController() {
    }

    static boolean wanted(Resources r) {
        return r.memory() != null || r.memorySwap() != null || r.memoryReservation() != null || r.memorySwappiness() != null;
    }

    static void validate(Resources r) {
        DataSize m = r.memory(), s = r.memorySwap(), low = r.memoryReservation();
        if (m != null && m.bytes() < MIN_BYTES)
            throw new InvalidSpecException("memory", m + " is below the minimum of " + DataSize.bytes(MIN_BYTES)
                    + " (the container's own setup would be OOM-killed)");
        if (Resources.UNLIMITED_SWAP.equals(s)) return; // nothing to compare: swap is not limited
        if (s != null && m == null) throw new InvalidSpecException("memory-swap", "needs a memory limit too (it is memory + swap)");
        if (s != null && s.bytes() < m.bytes())
            throw new InvalidSpecException("memory-swap", s + " is below the memory limit " + m + " (it is memory + swap, so at least as large)");
        if (low != null && low.bytes() == 0) throw new InvalidSpecException("memory-reservation", "must be positive");
        if (low != null && m != null && low.bytes() > m.bytes())
            throw new InvalidSpecException("memory-reservation", low + " is above the memory limit " + m);
    }

    static void apply(Dir d, Resources r) {
        DataSize m = r.memory(), s = r.memorySwap(), low = r.memoryReservation();
        boolean unlimitedSwap = Resources.UNLIMITED_SWAP.equals(s);
        if (d.v2()) {
            if (m != null) {
                // v1 answers a limit below the usage with EBUSY; v2 takes it and OOM-kills what it cannot
                // reclaim. A live update (docker update) is refused the v1 way instead of killing the payload.
                long used = d.number("memory.current"), cache = inactiveFile(d);
                long needed = used - Math.max(0, cache);
                if (used > 0 && m.bytes() < needed)
                    throw new InvalidSpecException("memory", m + " is below what the container uses now (" + DataSize.bytes(needed)
                            + " that cannot be reclaimed): the kernel would OOM-kill its processes (cgroup v2 has no EBUSY here, as v1 has)");
                d.set("memory", "memory.max", Long.toString(m.bytes()));
            }
            if (unlimitedSwap) {
                if (d.has("memory.swap.max")) d.set("memory-swap", "memory.swap.max", "max");
            } else if (s != null) d.set("memory-swap", "memory.swap.max", Long.toString(s.bytes() - m.bytes()));
            if (low != null) d.set("memory-reservation", "memory.low", Long.toString(low.bytes()));
            if (r.memorySwappiness() != null)
                throw new HostUnsupportedException("memory-swappiness cannot be applied: cgroup v2 has no per-cgroup swappiness (memory.swappiness is v1's)",
                        "leave --memory-swappiness out on a cgroup v2 host (docker discards it there with a warning)");
            return;
        }
        if (r.memorySwappiness() != null) {
            if (!d.has("memory.swappiness"))
                throw new HostUnsupportedException("memory-swappiness cannot be applied: no " + d.file("memory.swappiness") + " on this host", "leave --memory-swappiness out");
            d.set("memory-swappiness", "memory.swappiness", Integer.toString(r.memorySwappiness()));
        }
        if (unlimitedSwap) {
            // without swap accounting swap is unlimited already; with it, -1 lifts the limit
            // (memsw first: v1 refuses a memory limit above memsw)
            if (d.has("memory.memsw.limit_in_bytes")) d.set("memory-swap", "memory.memsw.limit_in_bytes", "-1");
            s = null;
        } else if (s != null && !d.has("memory.memsw.limit_in_bytes"))
            throw new HostUnsupportedException("memory-swap cannot be applied: swap accounting is off (no memory.memsw.limit_in_bytes)",
                    "boot the kernel with swapaccount=1");
        if (m != null) {
            // v1 refuses limit_in_bytes above memsw.limit_in_bytes (EINVAL), and memsw below limit:
            // when raising both (a live update), memsw goes first.
            try {
                d.write("memory.limit_in_bytes", Long.toString(m.bytes()));
            } catch (SyscallException e) {
                if (s == null) throw new InvalidSpecException("memory", "the kernel refused " + m + ": " + e.getMessage());
                d.set("memory-swap", "memory.memsw.limit_in_bytes", Long.toString(s.bytes()));
                d.set("memory", "memory.limit_in_bytes", Long.toString(m.bytes()));
            }
        }
        if (s != null) d.set("memory-swap", "memory.memsw.limit_in_bytes", Long.toString(s.bytes()));
        if (low != null) d.set("memory-reservation", "memory.soft_limit_in_bytes", Long.toString(low.bytes()));
    }

    static long current(Dir d) {
        return d.number(d.v2() ? "memory.current" : "memory.usage_in_bytes");
    }

    /** v2's memory.peak exists since Linux 5.19. */
    static long peak(Dir d) {
        return d.number(d.v2() ? "memory.peak" : "memory.max_usage_in_bytes");
    }

    /**
     * The hard limit; -1 when there is none (v2 "max"; v1's "no limit" is the largest page-aligned
     * long, anything above 2^62 here).
     */
    static long limit(Dir d) {
        long l = d.number(d.v2() ? "memory.max" : "memory.limit_in_bytes");
        return l >= (1L << 62) ? -1 : l;
    }

    /** Page cache on the inactive list: v1 {@code total_inactive_file} (the hierarchy's), v2 {@code inactive_file}. */
    static long inactiveFile(Dir d) {
        return d.keyed("memory.stat", d.v2() ? "inactive_file" : "total_inactive_file");
    }

    /** The oom_kill counter: v1 since Linux 4.13 (memory.oom_control), v2 memory.events. */
    static long oomKills(Dir d) {
        return d.keyed(d.v2() ? "memory.events" : "memory.oom_control", "oom_kill");
    }
}
