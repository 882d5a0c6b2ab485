package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the v1 freezer costs at start (issue 3), outside the full run:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.jcontainer.bench.LimitsAB 1500}.
 * Interleaves (a), (a) + limits with the freezer made at start, with it left for the first
 * pause (the default), and the first again (a drift check), in one JVM; prints the medians of
 * start → exit and of start → exit → close, and each one's difference to (a).
 */
public final class LimitsAB {
    private LimitsAB() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path root = Fixture.ensureBundle().resolve("rootfs");
        ContainerSpec ns = Configs.namespacesOnly(root).build();
        ContainerSpec limits = ns.toBuilder().resources(Configs.resolveHeadline(root).spec().resources()).build();
        String[] names = {"(a) namespaces only", "(a) + limits, freezer made at start", "(a) + limits, freezer at the first pause", "(a) + limits, freezer made at start (again)"};
        ContainerSpec[] specs = {ns, limits, limits, limits};
        String[] lazy = {"true", "false", "true", "false"};
        double[][] toExit = new double[specs.length][n], whole = new double[specs.length][n];
        String lazy0 = System.getProperty("jcontainer.lazyFreezer");
        try {
            for (int i = -n / 4; i < n; i++) {
                for (int k = 0; k < specs.length; k++) {
                    System.setProperty("jcontainer.lazyFreezer", lazy[k]);
                    long t0 = System.nanoTime(), t1;
                    try (Container c = specs[k].start()) {
                        if (c.waitFor().code() != 0) throw new IllegalStateException("/bin/true failed");
                        t1 = System.nanoTime();
                    }
                    if (i < 0) continue;
                    toExit[k][i] = (t1 - t0) / 1e3;
                    whole[k][i] = (System.nanoTime() - t0) / 1e3;
                }
            }
        } finally {
            if (lazy0 == null) System.clearProperty("jcontainer.lazyFreezer");
            else System.setProperty("jcontainer.lazyFreezer", lazy0);
        }
        System.out.printf(Locale.ROOT, "%-46s %22s %30s%n", "median of " + n + " interleaved rounds, µs", "start → exit (vs (a))", "start → exit → close (vs (a))");
        for (int k = 0; k < specs.length; k++)
            System.out.printf(Locale.ROOT, "%-46s %12.0f (%+5.0f) %20.0f (%+5.0f)%n", names[k], Phases.median(toExit[k]),
                    Phases.medianDifference(toExit[k], toExit[0]), Phases.median(whole[k]), Phases.medianDifference(whole[k], whole[0]));
    }
}
