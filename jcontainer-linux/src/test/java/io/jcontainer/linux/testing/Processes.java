package io.jcontainer.linux.testing;

import java.util.Arrays;
import java.util.List;

/** What processes of ours are left: the JVM's descendants, except the spawn server(s). */
public final class Processes {
    private Processes() {
    }

    /** True for a spawn server ({@code jcontainer-launcher --serve}): it lives as long as its runtime. */
    public static boolean isSpawnServer(ProcessHandle p) {
        return p.info().arguments().map(a -> Arrays.asList(a).contains("--serve")).orElse(false);
    }

    /**
     * The JVM's descendants other than spawn servers, after waiting up to 5 s for them to go:
     * a launcher forked by the server exits right after its last report, and the server reaps
     * it asynchronously, so "gone" is a matter of microseconds, not of the call that closed it.
     */
    public static List<ProcessHandle> leftovers() throws InterruptedException {
        List<ProcessHandle> left = List.of();
        for (int i = 0; i < 500; i++) {
            left = ProcessHandle.current().descendants().filter(p -> !isSpawnServer(p)).toList();
            if (left.isEmpty()) return left;
            Thread.sleep(10);
        }
        return left;
    }
}
