package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.junit.TestContainer;
import io.jcontainer.junit.Wait;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The JUnit extension's {@code Wait.forListeningPort}: a {@code TestContainer} of {@code busybox
 * httpd} on the default root started and waited for until port 8080 listens in its private
 * network namespace, then closed; N rounds after 5 warm-ups. Prints the median, p90, and how many
 * rounds took over 100 ms (one missed first check used to cost a whole 100 ms poll interval).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.jcontainer.bench.JunitPortWait 40</pre>
 */
public final class JunitPortWait {
    private JunitPortWait() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        ContainerSpec spec = Container.builder().command("busybox", "httpd", "-f", "-p", "8080", "-h", "/").build();
        List<Double> v = new ArrayList<>();
        for (int i = -5; i < n; i++) {
            long t0 = System.nanoTime();
            try (TestContainer c = TestContainer.of(spec).waitingFor(Wait.forListeningPort(8080)).start()) {
                if (i >= 0) v.add((System.nanoTime() - t0) / 1e6);
            }
        }
        Collections.sort(v);
        System.out.printf(Locale.ROOT, "start + listening-port wait: median %.1f ms  p90 %.1f ms  min %.1f ms  over 100 ms: %d of %d%n",
                v.get(v.size() / 2), v.get(v.size() * 9 / 10), v.getFirst(), v.stream().filter(x -> x > 100).count(), v.size());
    }
}
