package io.jcontainer.docker;

import io.jcontainer.ContainerStats;
import io.jcontainer.lifecycle.ContainerInfo;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code docker stats}' table: its columns, its units (binary for memory as docker's
 * {@code units.BytesSize}, decimal for I/O as {@code units.HumanSizeWithPrecision(3)}) and the
 * CPU percentage between two samples.
 */
public final class StatsColumns {
    /** docker's default {@code stats} table. */
    public static final String TABLE = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

    /** Header names where docker's differ from the field's. */
    public static final Map<String, String> HEADERS = Map.of("ID", "CONTAINER ID", "Container", "CONTAINER", "Name", "NAME",
            "CPUPerc", "CPU %", "MemUsage", "MEM USAGE / LIMIT", "MemPerc", "MEM %", "NetIO", "NET I/O", "BlockIO", "BLOCK I/O",
            "PIDs", "PIDS");

    private static final List<String> BINARY = List.of("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB");
    private static final List<String> DECIMAL = List.of("B", "kB", "MB", "GB", "TB", "PB", "EB");

    private StatsColumns() {
    }

    /** A row's measured columns as docker shows them before the first sample (the local and the client table). */
    public static Map<String, Object> noSample(Map<String, Object> m) {
        m.put("CPUPerc", "0.00%");
        m.put("MemUsage", "0B / 0B");
        m.put("MemPerc", "0.00%");
        m.put("NetIO", "0B / 0B");
        m.put("BlockIO", "0B / 0B");
        m.put("PIDs", "0");
        return m;
    }

    /**
     * One sample of one container, as the fields {@code stats --format} templates see
     * (docker's {@code formatter.StatsEntry}): Container (the reference as given), Name, ID,
     * CPUPerc, MemUsage, MemPerc, NetIO, BlockIO, PIDs.
     *
     * @param now         this sample, or null when the container does not run (zeros, as docker shows it)
     * @param prev        the previous sample of it, or null (CPU % 0)
     * @param wallNanos   the time between the two samples
     * @param full        {@code --no-trunc}: the full id
     */
    public static Map<String, Object> fields(String given, ContainerInfo c, ContainerStats now, ContainerStats prev, long wallNanos, boolean full) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Container", given);
        m.put("Name", c.name() == null ? "" : c.name());
        m.put("ID", full ? c.id() : c.shortId());
        if (now == null) return noSample(m);
        m.put("CPUPerc", percent(cpuPercent(prev, now, wallNanos)));
        long used = memoryUsed(now), limit = Math.max(0, now.memoryLimitBytes());
        m.put("MemUsage", binary(used) + " / " + binary(limit));
        m.put("MemPerc", percent(limit > 0 ? 100.0 * used / limit : 0));
        m.put("NetIO", decimal(now.netRxBytes()) + " / " + decimal(now.netTxBytes()));
        m.put("BlockIO", decimal(now.blockReadBytes()) + " / " + decimal(now.blockWriteBytes()));
        m.put("PIDs", Long.toString(Math.max(0, now.pids())));
        return m;
    }

    /** docker's CLI: usage minus the page cache the kernel can drop at once (inactive_file). */
    public static long memoryUsed(ContainerStats s) {
        long used = Math.max(0, s.memoryBytes()), inactive = s.memoryInactiveFileBytes();
        return inactive > 0 && inactive < used ? used - inactive : used;
    }

    /**
     * CPU time used between the samples over the wall time between them: docker's
     * cpuDelta / systemDelta × online CPUs, where systemDelta is wall time × CPUs.
     */
    public static double cpuPercent(ContainerStats prev, ContainerStats now, long wallNanos) {
        if (prev == null || wallNanos <= 0 || now.cpuTime() == null || prev.cpuTime() == null) return 0;
        long cpu = now.cpuTime().toNanos() - prev.cpuTime().toNanos();
        return cpu <= 0 ? 0 : 100.0 * cpu / wallNanos;
    }

    static String percent(double p) {
        return String.format(Locale.ROOT, "%.2f%%", p);
    }

    /** {@code units.BytesSize}: "%.4g" over powers of 1024, "1.5MiB". */
    public static String binary(long bytes) {
        return size(Math.max(0, bytes), 1024, BINARY, 4);
    }

    /** {@code units.HumanSizeWithPrecision(n, 3)}: "%.3g" over powers of 1000, "1.23kB". */
    public static String decimal(long bytes) {
        return size(Math.max(0, bytes), 1000, DECIMAL, 3);
    }

    private static String size(double v, double base, List<String> units, int digits) {
        int i = 0;
        while (v >= base && i < units.size() - 1) {
            v /= base;
            i++;
        }
        // Go's %g: that many significant digits, no trailing zeros
        String n = new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
        return n + units.get(i);
    }
}
