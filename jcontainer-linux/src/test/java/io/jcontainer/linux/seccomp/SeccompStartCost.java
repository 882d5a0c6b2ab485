package io.jcontainer.linux.seccomp;

import io.jcontainer.Container;
import io.jcontainer.Seccomp;
import io.jcontainer.linux.testing.TestRootfs;

import java.time.Duration;
import java.util.Arrays;

/**
 * Not a test: a measurement to run by hand (as root) — the start-to-exit latency of
 * {@code /bin/true} in a busybox container with the built-in filter, with a 4-instruction
 * allow-all filter (the floor any filter costs) and with none, interleaved in one run (so all
 * see the same machine), after a warm-up that also fills the filter cache. Prints medians,
 * their ratios and the medians of the paired differences (each round runs all three, in a
 * rotating order), and writes the filter to target/default-seccomp-filter.bin for
 * {@code src/test/c/seccomp-loadbench.c}, which times the kernel's part alone.
 *
 * <pre>
 * ./run-tests -q -pl jcontainer-linux -am -DskipTests
 * cd jcontainer-linux && mvn -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * # the API from this checkout, not a jar some other build left in ~/.m2:
 * sed 's#[^:]*jcontainer-api-[^:]*.jar#../jcontainer-api/target/classes#' target/cp.txt > target/cp-local.txt
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(cat target/cp-local.txt) \
 *     io.jcontainer.linux.seccomp.SeccompStartCost 1000
 * gcc -O2 -o target/seccomp-loadbench src/test/c/seccomp-loadbench.c
 * target/seccomp-loadbench target/default-seccomp-filter.bin 3000
 * </pre>
 */
public final class SeccompStartCost {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        var root = TestRootfs.busybox();
        // The floor: a filter that allows everything (4 instructions) — what any filter costs.
        Seccomp allowAll = Seccomp.json("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
        Seccomp[] variants = {Seccomp.UNCONFINED, Seccomp.DEFAULT, allowAll};
        long[][] t = new long[variants.length][n];
        for (int i = -n / 5; i < n; i++) { // the first n/5 rounds are warm-up
            for (int k = 0; k < variants.length; k++) {
                int v = (i + k) % variants.length; // rotate the order every round
                if (v < 0) v += variants.length;
                long t0 = System.nanoTime();
                try (Container c = Container.builder().rootfs(root).command("/bin/true").seccomp(variants[v]).start()) {
                    var exit = c.waitFor(Duration.ofSeconds(30)).orElseThrow();
                    if (exit.code() != 0) throw new IllegalStateException("/bin/true: " + exit);
                }
                if (i >= 0) t[v][i] = System.nanoTime() - t0;
            }
        }
        double none = median(t[0]);
        System.out.printf("n=%d  median start+exit of /bin/true: unconfined %.3f ms%n", n, none / 1e6);
        String[] names = {"unconfined", "default profile", "allow-all filter"};
        for (int v = 1; v < variants.length; v++) {
            long[] diff = new long[n];
            for (int i = 0; i < n; i++) diff[i] = t[v][i] - t[0][i];
            System.out.printf("  %-17s %.3f ms, ratio %.3f; median of paired differences %+.3f ms (%+.1f%%)%n", names[v],
                    median(t[v]) / 1e6, median(t[v]) / none, median(diff) / 1e6, 100 * median(diff) / none);
        }
        var f = SeccompFilters.compile(Seccomp.DEFAULT, io.jcontainer.Capability.dockerDefaults());
        // A cache miss (a capability set not seen yet), after the JIT has warmed up above.
        var caps = java.util.EnumSet.copyOf(io.jcontainer.Capability.dockerDefaults());
        caps.add(io.jcontainer.Capability.NET_ADMIN);
        long t0 = System.nanoTime();
        SeccompFilters.compile(Seccomp.DEFAULT, caps);
        System.out.printf("default filter: %d instructions; compiling it on a cache miss took %.3f ms%n",
                f.instructions(), (System.nanoTime() - t0) / 1e6);
        // For src/test/c/seccomp-loadbench.c: the kernel's cost alone.
        java.nio.file.Files.write(java.nio.file.Path.of("target", "default-seccomp-filter.bin"), f.program());
    }

    private static double median(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
