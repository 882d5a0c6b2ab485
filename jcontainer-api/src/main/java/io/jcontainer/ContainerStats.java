package io.jcontainer;

import java.time.Duration;

/**
 * A snapshot of a container's resource use, read from its cgroup. A value the host does not
 * account for this container (a v1 controller that was not attached, a kernel too old for the
 * file, a container sharing the host's network) is {@code -1}.
 *
 * @param memoryBytes         memory in use now (page cache included, as the kernel counts it)
 * @param memoryPeakBytes     the highest memory use seen
 * @param cpuUserMicros       CPU time spent in user mode, all tasks together
 * @param cpuSystemMicros     CPU time spent in the kernel on their behalf
 * @param cpuPeriods          CFS bandwidth periods that had runnable tasks (with a CPU quota)
 * @param cpuThrottledPeriods periods in which the quota ran out
 * @param cpuThrottledMicros  total time the tasks were held back by the quota
 * @param pids                tasks (processes and threads) now in the container
 * @param oomKills            processes the OOM killer ended inside the container
 * @param memoryLimitBytes    the memory limit, or the host's memory when none is set (as docker's stats show it)
 * @param memoryInactiveFileBytes page cache the kernel may drop at once ({@code inactive_file}): docker's
 *                            CLI shows {@code memoryBytes - memoryInactiveFileBytes} as the usage
 * @param pidsLimit           the task limit; {@code -1} when unlimited
 * @param blockReadBytes      bytes read from block devices
 * @param blockWriteBytes     bytes written to block devices
 * @param netRxBytes          bytes received on the container's own network interfaces (loopback excluded)
 * @param netTxBytes          bytes sent on them
 */
public record ContainerStats(long memoryBytes, long memoryPeakBytes, long cpuUserMicros, long cpuSystemMicros,
                             long cpuPeriods, long cpuThrottledPeriods, long cpuThrottledMicros, long pids, long oomKills,
                             long memoryLimitBytes, long memoryInactiveFileBytes, long pidsLimit,
                             long blockReadBytes, long blockWriteBytes, long netRxBytes, long netTxBytes) {

    /** The first nine values; the rest unknown ({@code -1}). */
    public ContainerStats(long memoryBytes, long memoryPeakBytes, long cpuUserMicros, long cpuSystemMicros,
                          long cpuPeriods, long cpuThrottledPeriods, long cpuThrottledMicros, long pids, long oomKills) {
        this(memoryBytes, memoryPeakBytes, cpuUserMicros, cpuSystemMicros, cpuPeriods, cpuThrottledPeriods, cpuThrottledMicros,
                pids, oomKills, -1, -1, -1, -1, -1, -1, -1);
    }

    /** User + system CPU time, or {@code null} when not accounted. */
    public Duration cpuTime() {
        return cpuUserMicros < 0 || cpuSystemMicros < 0 ? null : Duration.ofNanos((cpuUserMicros + cpuSystemMicros) * 1000);
    }

    /** These values with the network counters of the container's own network namespace. */
    public ContainerStats withNetwork(long rxBytes, long txBytes) {
        return new ContainerStats(memoryBytes, memoryPeakBytes, cpuUserMicros, cpuSystemMicros, cpuPeriods, cpuThrottledPeriods,
                cpuThrottledMicros, pids, oomKills, memoryLimitBytes, memoryInactiveFileBytes, pidsLimit, blockReadBytes, blockWriteBytes,
                rxBytes, txBytes);
    }

    /** These values with another memory limit (the host's memory in place of "unlimited"). */
    public ContainerStats withMemoryLimit(long limitBytes) {
        return new ContainerStats(memoryBytes, memoryPeakBytes, cpuUserMicros, cpuSystemMicros, cpuPeriods, cpuThrottledPeriods,
                cpuThrottledMicros, pids, oomKills, limitBytes, memoryInactiveFileBytes, pidsLimit, blockReadBytes, blockWriteBytes,
                netRxBytes, netTxBytes);
    }
}
