package io.jcontainer;

import java.util.List;

/**
 * Cgroup limits of a container. Every field is optional (null or 0 = not set). Values are
 * validated against the host when the container starts, before its command runs.
 *
 * @param memory            hard memory limit (docker {@code --memory})
 * @param memorySwap        memory + swap limit ({@code --memory-swap}); {@link #UNLIMITED_SWAP} (docker's -1) = unlimited swap
 * @param memoryReservation soft limit / memory.low ({@code --memory-reservation})
 * @param cpuQuota          CPUs of time per period, e.g. 1.5 ({@code --cpus}); 0 = unlimited
 * @param cpusetCpus        CPUs the container may run on, e.g. "2,3" or "0-1" ({@code --cpuset-cpus})
 * @param cpusetMems        memory nodes ({@code --cpuset-mems})
 * @param cpuShares         relative weight, docker's shares 2..262144 ({@code --cpu-shares}); 0 = default
 * @param pidsLimit         maximum number of tasks ({@code --pids-limit}); 0 = unlimited
 * @param blkioWeight       io weight 10..1000 ({@code --blkio-weight}); 0 = default
 * @param deviceLimits      per-device io throttling
 * @param oomScoreAdj       oom_score_adj of the container's processes, -1000..1000 (null = inherit)
 * @param cpuPeriod         the CFS period in microseconds, 1000..1000000 ({@code --cpu-period}); 0 = the kernel's 100 ms.
 *                          The quota written is {@code cpuQuota × cpuPeriod}, so {@code --cpu-quota Q} is {@code Q / period} CPUs
 * @param memorySwappiness  the cgroup's swappiness 0..100 ({@code --memory-swappiness}); null = inherit. Cgroup v1 only
 *                          (v2 has no such file: a start refuses it there, naming the setting)
 */
public record Resources(DataSize memory, DataSize memorySwap, DataSize memoryReservation, double cpuQuota,
                        String cpusetCpus, String cpusetMems, int cpuShares, long pidsLimit, int blkioWeight,
                        List<DeviceLimit> deviceLimits, Integer oomScoreAdj, long cpuPeriod, Integer memorySwappiness) {

    /** Docker's {@code --memory-swap -1}: the memory limit holds, swap is not limited. */
    public static final DataSize UNLIMITED_SWAP = DataSize.bytes(Long.MAX_VALUE);

    public static final Resources NONE = new Resources(null, null, null, 0, null, null, 0, 0, 0, List.of(), null);

    /** The limits without a CFS period or swappiness (the kernel's defaults). */
    public Resources(DataSize memory, DataSize memorySwap, DataSize memoryReservation, double cpuQuota,
                     String cpusetCpus, String cpusetMems, int cpuShares, long pidsLimit, int blkioWeight,
                     List<DeviceLimit> deviceLimits, Integer oomScoreAdj) {
        this(memory, memorySwap, memoryReservation, cpuQuota, cpusetCpus, cpusetMems, cpuShares, pidsLimit, blkioWeight,
                deviceLimits, oomScoreAdj, 0, null);
    }

    public Resources {
        deviceLimits = List.copyOf(deviceLimits == null ? List.of() : deviceLimits);
        if (memory != null && memory.bytes() == 0) throw new InvalidSpecException("memory", "memory limit must be positive");
        if (cpuQuota < 0 || Double.isNaN(cpuQuota)) throw new InvalidSpecException("cpus", "must be positive: " + cpuQuota);
        if (Double.isInfinite(cpuQuota)) throw new InvalidSpecException("cpus", "must be a finite number of CPUs, not " + cpuQuota);
        if (pidsLimit < 0) throw new InvalidSpecException("pids-limit", "must be positive: " + pidsLimit);
        if (cpuShares < 0) throw new InvalidSpecException("cpu-shares", "must be positive: " + cpuShares);
        if (blkioWeight != 0 && (blkioWeight < 10 || blkioWeight > 1000))
            throw new InvalidSpecException("blkio-weight", "must be between 10 and 1000: " + blkioWeight);
        if (oomScoreAdj != null && (oomScoreAdj < -1000 || oomScoreAdj > 1000))
            throw new InvalidSpecException("oom-score-adj", "must be between -1000 and 1000: " + oomScoreAdj);
        // docker's bounds (the kernel's: sched/core.c max_cfs_quota_period and min_cfs_quota_period)
        if (cpuPeriod != 0 && (cpuPeriod < 1000 || cpuPeriod > 1_000_000))
            throw new InvalidSpecException("cpu-period", "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000): " + cpuPeriod);
        if (memorySwappiness != null && (memorySwappiness < 0 || memorySwappiness > 100))
            throw new InvalidSpecException("memory-swappiness", "must be between 0 and 100: " + memorySwappiness);
    }

    /** The CFS period in microseconds the quota is a share of: {@link #cpuPeriod()}, or the kernel's 100 ms. */
    public long effectiveCpuPeriod() {
        return cpuPeriod == 0 ? 100_000 : cpuPeriod;
    }

    public boolean isEmpty() {
        return memory == null && memorySwap == null && memoryReservation == null && cpuQuota == 0 && cpusetCpus == null
                && cpusetMems == null && cpuShares == 0 && pidsLimit == 0 && blkioWeight == 0 && deviceLimits.isEmpty()
                && cpuPeriod == 0 && memorySwappiness == null;
    }

    /**
     * Throttling or weight of one block device, docker's {@code --device-read-bps /dev/sda:1mb} and
     * friends, and {@code --blkio-weight-device /dev/sda:200} ({@link Kind#WEIGHT}).
     *
     * @param device host device path, e.g. {@code /dev/vda}
     * @param kind   which limit
     * @param value  bytes or operations per second; for {@link Kind#WEIGHT} the weight, 10..1000
     */
    public record DeviceLimit(String device, Kind kind, long value) {
        public enum Kind { READ_BPS, WRITE_BPS, READ_IOPS, WRITE_IOPS, WEIGHT }

        public DeviceLimit {
            if (device == null || !device.startsWith("/")) throw new InvalidSpecException("device", "device must be an absolute path: " + device);
            if (kind == null) throw new InvalidSpecException("device", "null kind");
            if (kind == Kind.WEIGHT && (value < 10 || value > 1000))
                throw new InvalidSpecException("blkio-weight-device", "weight must be between 10 and 1000: " + value);
            if (value <= 0) throw new InvalidSpecException("device", "rate must be positive: " + value);
        }

        /** Parses {@code /dev/sda:10mb} (bps), {@code /dev/sda:1000} (iops) or {@code /dev/sda:200} (weight). */
        public static DeviceLimit parse(Kind kind, String text) {
            int c = text.lastIndexOf(':');
            if (c <= 0) throw new InvalidSpecException("device", "expected DEVICE:RATE, got '" + text + "'");
            String rate = text.substring(c + 1);
            long v;
            if (kind == Kind.READ_BPS || kind == Kind.WRITE_BPS) v = DataSize.parse(rate).bytes();
            else {
                try {
                    v = Long.parseLong(rate);
                } catch (NumberFormatException e) {
                    throw new InvalidSpecException(kind == Kind.WEIGHT ? "blkio-weight-device" : "device",
                            (kind == Kind.WEIGHT ? "weight" : "iops") + " must be a whole number, got '" + rate + "'");
                }
            }
            return new DeviceLimit(text.substring(0, c), kind, v);
        }
    }
}
