package io.jcontainer.linux.cgroup;

import io.jcontainer.InvalidSpecException;
import io.jcontainer.Resources;

/**
 * cpu: CFS bandwidth (a quota of CPU time per period) and relative weight; throttling stats.
 * v1: cpu.cfs_period_us (when one is asked for; else the kernel's 100 ms), cpu.cfs_quota_us, cpu.shares, cpu.stat.
 * v2: cpu.max "QUOTA PERIOD" ("max PERIOD" for a period alone), cpu.weight, cpu.stat.
 */
final class CpuController {
    static final long PERIOD_US = 100_000;

    private CpuController() {
    }

    static boolean wanted(Resources r) {
        return r.cpuQuota() > 0 || r.cpuShares() > 0 || r.cpuPeriod() > 0;
    }

    static void validate(Resources r) {
        // the kernel's floor for cfs_quota_us is 1 ms (sched/core.c: min_cfs_quota_period)
        if (r.cpuQuota() > 0 && quotaUs(r) < 1000)
            throw new InvalidSpecException("cpus", r.cpuPeriod() == 0 ? r.cpuQuota() + " is below the minimum of 0.01 CPUs (1 ms per 100 ms period)"
                    : r.cpuQuota() + " CPUs is below the minimum of 1 ms per " + r.cpuPeriod() + " µs period");
        // as docker: no more than the host has (a huge quota would also overflow cfs_quota_us)
        int n = HostCpus.COUNT;
        if (r.cpuQuota() > n)
            throw new InvalidSpecException("cpus", String.format(java.util.Locale.ROOT,
                    "range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", n, n));
        if (r.cpuShares() != 0 && (r.cpuShares() < 2 || r.cpuShares() > 262_144))
            throw new InvalidSpecException("cpu-shares", r.cpuShares() + " is outside 2..262144");
    }

    static long quotaUs(Resources r) {
        return Math.round(r.cpuQuota() * r.effectiveCpuPeriod());
    }

    static void apply(Dir d, Resources r) {
        if (d.v2()) {
            if (r.cpuQuota() > 0 || r.cpuPeriod() > 0)
                d.set("cpus", "cpu.max", (r.cpuQuota() > 0 ? Long.toString(quotaUs(r)) : "max") + " " + r.effectiveCpuPeriod());
            if (r.cpuShares() > 0) d.set("cpu-shares", "cpu.weight", Long.toString(weight(r.cpuShares())));
            return;
        }
        // the period first: the kernel checks the quota against it (a quota above a shorter period stays valid)
        if (r.cpuPeriod() > 0) d.set("cpu-period", "cpu.cfs_period_us", Long.toString(r.cpuPeriod()));
        if (r.cpuQuota() > 0) d.set("cpus", "cpu.cfs_quota_us", Long.toString(quotaUs(r)));
        if (r.cpuShares() > 0) d.set("cpu-shares", "cpu.shares", Integer.toString(r.cpuShares()));
    }

    /** v1 shares 2..262144 onto v2 weight 1..10000, linearly (the mapping runc and crun use). */
    static long weight(long shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    /** The host's CPUs, asked once: availableProcessors is a system call (and cgroup reads) at every start. */
    private static final class HostCpus {
        static final int COUNT = Runtime.getRuntime().availableProcessors();
    }
}
