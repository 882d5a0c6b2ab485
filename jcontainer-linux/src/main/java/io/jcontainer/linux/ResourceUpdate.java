package io.jcontainer.linux;

import io.jcontainer.DataSize;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Resources;
import io.jcontainer.linux.cgroup.RecordedCgroup;

/**
 * docker update's arithmetic: the fields given replace the container's, the others stay; the
 * result is checked as a start checks limits, with docker's messages where docker has its own.
 */
final class ResourceUpdate {
    /** docker's {@code --pids-limit -1} in an update: no limit (written as "max"). */
    static final long UNLIMITED_PIDS = Long.MAX_VALUE;

    private ResourceUpdate() {
    }

    static Resources merge(Resources old, Resources given) {
        DataSize memory = or(given.memory(), old.memory()), swap = or(given.memorySwap(), old.memorySwap());
        if (given.memory() != null && given.memorySwap() == null && old.memorySwap() != null
                && !Resources.UNLIMITED_SWAP.equals(old.memorySwap()) && given.memory().bytes() > old.memorySwap().bytes())
            throw new InvalidSpecException("memory", "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time");
        if (given.memorySwap() != null && !Resources.UNLIMITED_SWAP.equals(given.memorySwap()) && memory == null)
            throw new InvalidSpecException("memory-swap", "You should always set the Memory limit when using Memoryswap limit");
        long pids = given.pidsLimit() == UNLIMITED_PIDS ? 0 : given.pidsLimit() > 0 ? given.pidsLimit() : old.pidsLimit();
        Resources merged = new Resources(memory, swap, or(given.memoryReservation(), old.memoryReservation()),
                given.cpuQuota() > 0 ? given.cpuQuota() : old.cpuQuota(), or(given.cpusetCpus(), old.cpusetCpus()),
                or(given.cpusetMems(), old.cpusetMems()), given.cpuShares() > 0 ? given.cpuShares() : old.cpuShares(), pids,
                given.blkioWeight() > 0 ? given.blkioWeight() : old.blkioWeight(), old.deviceLimits(), old.oomScoreAdj());
        RecordedCgroup.validate(merged);
        return merged;
    }

    /**
     * What to write into the running container's cgroups: the given fields, and with any memory
     * field all three memory values of the merge (v1 orders memory and memory+swap writes by
     * comparing them).
     */
    static Resources toApply(Resources merged, Resources given) {
        boolean memory = given.memory() != null || given.memorySwap() != null || given.memoryReservation() != null;
        return new Resources(memory ? merged.memory() : null, memory ? merged.memorySwap() : null, memory ? merged.memoryReservation() : null,
                given.cpuQuota(), given.cpusetCpus(), given.cpusetMems(), given.cpuShares(), given.pidsLimit(), given.blkioWeight(),
                java.util.List.of(), null);
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }
}
