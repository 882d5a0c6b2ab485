package io.jcontainer.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Throughput with two threads (containers started and finished per second, {@link Throughput})
 * of the headline against {@code crun run} on the same busybox bundle, and ProcessBuilder as the
 * yardstick, in one run ({@code benchmarks/run-throughput [ROUNDS]}). The machine is shared:
 * the contenders alternate round by round (the order reversed every other round) so that a
 * change of load falls on both, and each round's ratio is of figures taken minutes apart at most.
 * crun's JMH fork runs in a private mount namespace without the cgroup2 mount where the host
 * needs that (as in {@code benchmarks/run}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.jcontainer.bench.ThroughputRun ROUNDS RESULTS_DIR}.
 */
public final class ThroughputRun {
    private ThroughputRun() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path results = Path.of(args.length > 1 ? args[1] : "benchmarks/results").toAbsolutePath();
        Files.createDirectories(results);
        if (!Peer.CRUN.available()) throw new IllegalStateException("throughput against crun: " + Peer.CRUN.missingReason());
        Path bundle = Fixture.ensureBundle();
        Main.log("bundle: " + bundle + "; crun: " + Peer.CRUN.version());
        Optional<String> cgroup2 = Fixture.cgroup2WithControllers();
        String crunJvm = cgroup2.isPresent() ? Main.crunJvm(results, cgroup2.get()) : null;
        cgroup2.ifPresent(m -> Main.log("crun runs in a private mount namespace without the cgroup2 mount " + m));
        Main.Mode mode = new Main.Mode("throughput", 1, 2, 2, 4, 2, 0, 0);
        List<String> ours = List.of("Throughput.processBuilder", "Throughput.jcontainerHeadline", "Throughput.jcontainerHeadlinePooled");
        List<RunResult> all = new ArrayList<>();
        Map<String, List<Double>> perRound = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            Main.log("round " + (r + 1) + " of " + rounds + ", load " + Environment.loadAverage());
            List<RunResult> round = new ArrayList<>();
            if (r % 2 == 0) {
                round.addAll(Main.jmh(mode, ours, null, results));
                round.addAll(Main.jmh(mode, List.of("Throughput.crun"), crunJvm, results));
            } else {
                round.addAll(Main.jmh(mode, List.of("Throughput.crun"), crunJvm, results));
                round.addAll(Main.jmh(mode, ours, null, results));
            }
            all.addAll(round);
            Map<String, Double> ops = new LinkedHashMap<>();
            for (RunResult rr : round) ops.put(rr.getParams().getBenchmark().replaceAll(".*\\.", ""), rr.getPrimaryResult().getScore());
            for (var e : ops.entrySet()) perRound.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
            Double jc = ops.get("jcontainerHeadline"), crun = ops.get("crun"), pb = ops.get("processBuilder"), pooled = ops.get("jcontainerHeadlinePooled");
            System.out.printf("# round %d: ops/s jcontainer headline %.0f | from a pool %.0f | crun %.0f | ProcessBuilder %.0f -> %.2fx crun (pooled %.2fx), %.2fx ProcessBuilder%n",
                    r + 1, nz(jc), nz(pooled), nz(crun), nz(pb), nz(jc) / nz(crun), nz(pooled) / nz(crun), nz(jc) / nz(pb));
        }
        try (PrintStream out = new PrintStream(Files.newOutputStream(results.resolve("throughput.json")), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(all);
        }
        List<Double> jc = perRound.getOrDefault("jcontainerHeadline", List.of()), crun = perRound.getOrDefault("crun", List.of()),
                pooled = perRound.getOrDefault("jcontainerHeadlinePooled", List.of());
        System.out.printf("# throughput, 2 threads: medians of %d rounds — jcontainer headline %.0f ops/s, from a pool of %d %.0f ops/s, crun %.0f ops/s,"
                        + " ProcessBuilder %.0f ops/s; median of the rounds' ratios %.2fx crun (target >= 3x), pooled %.2fx crun; load at end %s%n",
                rounds, median(jc), Throughput.POOL, median(pooled), median(crun), median(perRound.getOrDefault("processBuilder", List.of())),
                medianRatio(jc, crun), medianRatio(pooled, crun), Environment.loadAverage());
    }

    /** The median of the per-round ratios a/b (rounds where either is missing count as none). */
    private static double medianRatio(List<Double> a, List<Double> b) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < a.size() && i < b.size(); i++) r.add(a.get(i) / b.get(i));
        return median(r);
    }

    private static double nz(Double d) {
        return d == null ? Double.NaN : d;
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
