package io.jcontainer.bench;

import io.jcontainer.ContainerSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the v1 freezer costs at start (issue 3), outside the full run:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.jcontainer.bench.LimitsAB 1500}.
 * Interleaves (a), (a) + limits with the freezer made at start, with it left for the first
 * pause (the default), and the first again (a drift check), in one JVM
 * ({@link Phases#limitVariants}); prints the medians of start → exit and of start → exit →
 * close, and each one's pair difference to (a).
 */
public final class LimitsAB {
    private LimitsAB() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path root = Fixture.ensureBundle().resolve("rootfs");
        ContainerSpec ns = Configs.namespacesOnly(root).build();
        ContainerSpec limits = Configs.limitsOnly(ns, Configs.resolveHeadline(root).spec());
        Map<String, Map<String, Double>> r = Phases.limitVariants(List.of(
                new Phases.LimitVariant("(a) namespaces only", ns, true),
                new Phases.LimitVariant("(a) + limits, freezer made at start", limits, false),
                new Phases.LimitVariant("(a) + limits, freezer at the first pause", limits, true),
                new Phases.LimitVariant("(a) + limits, freezer made at start (again)", limits, false)), n);
        System.out.printf(Locale.ROOT, "%-46s %22s %30s%n", "median of " + n + " interleaved rounds, µs", "start → exit (vs (a))", "start → exit → close (vs (a))");
        r.forEach((name, f) -> System.out.printf(Locale.ROOT, "%-46s %12.0f (%+5.0f) %20.0f (%+5.0f)%n", name,
                f.get("start → exit"), f.get("start → exit, added"), f.get("start → exit → close"), f.get("start → exit → close, added")));
    }
}
