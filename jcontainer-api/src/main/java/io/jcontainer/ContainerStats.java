package io.jcontainer;

import java.time.Duration;

/**
 * A snapshot of a sandbox's resource use, read from its cgroup. A value the host does not
 * account for this sandbox (a v1 controller that was not attached, a kernel too old for the
 * file) is {@code -1}.
 *
 * @param memoryBytes         memory in use now (page cache included, as the kernel counts it)
 * @param memoryPeakBytes     the highest memory use seen
 * @param cpuUserMicros       CPU time spent in user mode, all tasks together
 * @param cpuSystemMicros     CPU time spent in the kernel on their behalf
 * @param cpuPeriods          CFS bandwidth periods that had runnable tasks (with a CPU quota)
 * @param cpuThrottledPeriods periods in which the quota ran out
 * @param cpuThrottledMicros  total time the tasks were held back by the quota
 * @param pids                tasks (processes and threads) now in the sandbox
 * @param oomKills            processes the OOM killer ended inside the sandbox
 */
public record ContainerStats(long memoryBytes, long memoryPeakBytes, long cpuUserMicros, long cpuSystemMicros,
                             long cpuPeriods, long cpuThrottledPeriods, long cpuThrottledMicros, long pids, long oomKills) {

    /** User + system CPU time, or {@code null} when not accounted. */
    public Duration cpuTime() {
        return cpuUserMicros < 0 || cpuSystemMicros < 0 ? null : Duration.ofNanos((cpuUserMicros + cpuSystemMicros) * 1000);
    }
}
