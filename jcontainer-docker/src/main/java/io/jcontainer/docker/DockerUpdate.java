package io.jcontainer.docker;

import io.jcontainer.DataSize;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Resources;
import io.jcontainer.RestartPolicy;

import java.util.List;
import java.util.function.Function;

/**
 * {@code docker update}'s flags → what {@code Containers.update} takes: the limits given (the
 * others stay as they are) and a restart policy. Kept apart from the run flags' mapping
 * ({@link DockerCreate}): update takes a few of them with their own meanings ({@code -1} lifts
 * a pids limit or swap's).
 */
public final class DockerUpdate {
    /** docker update's flags, in its help's order. */
    public static final List<String> FLAGS = List.of("blkio-weight", "cpu-period", "cpu-quota", "cpu-rt-period", "cpu-rt-runtime",
            "cpu-shares", "cpus", "cpuset-cpus", "cpuset-mems", "kernel-memory", "memory", "memory-reservation", "memory-swap",
            "pids-limit", "restart");

    /** What an update changes: limits (unset fields unchanged), and a restart policy or null. */
    public record Update(Resources resources, RestartPolicy restart) {
    }

    /** Lifts a pids limit ({@code --pids-limit -1} or 0): the value Containers.update reads as "max". */
    public static final long UNLIMITED_PIDS = Long.MAX_VALUE;

    private DockerUpdate() {
    }

    /** @param flag the value of each flag by its long name, or null when not given */
    public static Update of(Function<String, String> flag) {
        if (FLAGS.stream().allMatch(f -> flag.apply(f) == null))
            throw new InvalidSpecException("update", "You must provide one or more flags when using this command.");
        if (flag.apply("cpu-rt-period") != null || flag.apply("cpu-rt-runtime") != null)
            throw new InvalidSpecException("cpu-rt-runtime", "real-time CPU scheduling (--cpu-rt-period, --cpu-rt-runtime) is not supported"
                    + " (it needs CONFIG_RT_GROUP_SCHED, which distribution kernels leave off)");
        if (flag.apply("kernel-memory") != null)
            throw new InvalidSpecException("kernel-memory", "Kernel memory limit is not supported on this host (the kernel removed it in 5.16); remove --kernel-memory");
        DataSize memory = size(flag, "memory"), reservation = size(flag, "memory-reservation");
        String swapText = flag.apply("memory-swap");
        DataSize swap = swapText == null ? null : swapText.strip().equals("-1") ? Resources.UNLIMITED_SWAP : DataSize.parse(swapText);
        double cpus = flag.apply("cpus") == null ? 0 : parseDouble("cpus", flag.apply("cpus"));
        String period = flag.apply("cpu-period"), quota = flag.apply("cpu-quota");
        if (period != null || quota != null) {
            if (cpus > 0) throw new InvalidSpecException("cpus", "Conflicting options: Nano CPUs and CPU Period cannot both be set");
            long p = period == null ? 100_000 : parseLong("cpu-period", period);
            if (p != 100_000)
                throw new InvalidSpecException("cpu-period", "a period other than 100000 (100 ms) is not supported yet: jcontainer's CPU limit uses the"
                        + " kernel's default period; give the same share with --cpus or --cpu-quota");
            if (quota == null) throw new InvalidSpecException("cpu-period", "needs --cpu-quota too");
            long q = parseLong("cpu-quota", quota);
            if (q <= 0) throw new InvalidSpecException("cpu-quota", "lifting a CPU quota (" + q + ") is not supported yet");
            if (q < 1000) throw new InvalidSpecException("cpu-quota", "CPU cfs quota can not be less than 1ms (i.e. 1000)");
            cpus = q / 100_000.0;
        }
        int shares = flag.apply("cpu-shares") == null ? 0 : (int) parseLong("cpu-shares", flag.apply("cpu-shares"));
        long pids = 0;
        if (flag.apply("pids-limit") != null) {
            pids = parseLong("pids-limit", flag.apply("pids-limit"));
            if (pids <= 0) pids = UNLIMITED_PIDS; // docker: 0 or -1 means unlimited
        }
        int weight = flag.apply("blkio-weight") == null ? 0 : (int) parseLong("blkio-weight", flag.apply("blkio-weight"));
        Resources r = new Resources(memory, swap, reservation, cpus, flag.apply("cpuset-cpus"), flag.apply("cpuset-mems"), shares, pids,
                weight, List.of(), null);
        RestartPolicy restart = flag.apply("restart") == null ? null : RestartPolicy.parse(flag.apply("restart"));
        return new Update(r, restart);
    }

    private static DataSize size(Function<String, String> flag, String name) {
        String v = flag.apply(name);
        return v == null ? null : DataSize.parse(v);
    }

    private static long parseLong(String name, String v) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(name, "invalid argument \"" + v + "\" for \"--" + name + "\" flag: strconv.ParseInt: parsing \"" + v + "\": invalid syntax");
        }
    }

    private static double parseDouble(String name, String v) {
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(name, "invalid argument \"" + v + "\" for \"--" + name + "\" flag: failed to parse " + v + " as a rational number");
        }
    }
}
