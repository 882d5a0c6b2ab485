package io.jcontainer.linux.seccomp;

import io.jcontainer.Container;
import io.jcontainer.Seccomp;
import io.jcontainer.linux.testing.TestRootfs;

import java.time.Duration;
import java.util.Arrays;

/**
 * Not a test: a measurement to run by hand (as root) — the start-to-exit latency of
 * {@code /bin/true} in a busybox sandbox with the built-in filter vs none, interleaved in one
 * run (so both see the same machine), after a warm-up that also fills the filter cache.
 * Prints medians, their ratio and the median of the paired differences (each round runs both,
 * in alternating order), and writes the filter to target/default-seccomp-filter.bin for
 * {@code src/test/c/seccomp-loadbench.c}, which times the kernel's part alone.
 *
 * <pre>
 * cd jcontainer-linux && mvn -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     io.jcontainer.linux.seccomp.SeccompStartCost 300
 * </pre>
 */
public final class SeccompStartCost {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        var root = TestRootfs.busybox();
        long[] with = new long[n], without = new long[n];
        for (int i = -n / 5; i < n; i++) { // the first n/5 rounds are warm-up
            for (boolean filtered : new boolean[]{i % 2 == 0, i % 2 != 0}) {
                long t0 = System.nanoTime();
                try (Container c = Container.builder().rootfs(root).command("/bin/true")
                        .seccomp(filtered ? Seccomp.DEFAULT : Seccomp.UNCONFINED).start()) {
                    var exit = c.waitFor(Duration.ofSeconds(30)).orElseThrow();
                    if (exit.code() != 0) throw new IllegalStateException("/bin/true: " + exit);
                }
                long dt = System.nanoTime() - t0;
                if (i >= 0) (filtered ? with : without)[i] = dt;
            }
        }
        double mWith = median(with), mWithout = median(without);
        long[] diff = new long[n];
        for (int i = 0; i < n; i++) diff[i] = with[i] - without[i];
        System.out.printf("n=%d  median start+exit of /bin/true: default filter %.3f ms, unconfined %.3f ms, ratio %.3f; "
                        + "median of paired differences %+.3f ms (%+.1f%%)%n",
                n, mWith / 1e6, mWithout / 1e6, mWith / mWithout, median(diff) / 1e6, 100 * median(diff) / mWithout);
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
