package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.linux.ContainerPool;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.spi.ContainerRuntime;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a {@link ContainerPool} of N ready containers of the headline configuration costs while
 * it waits: the processes it keeps (each container's launcher and its child parked before exec:
 * RSS and PSS, from smaps_rollup), the JVM's threads, descriptors and heap after GC, and that
 * closing it leaves no process behind. Run as root:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.jcontainer.bench.PoolFootprint 8}.
 */
public final class PoolFootprint {
    private PoolFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        System.out.println(measure(n));
    }

    public static Map<String, Object> measure(int n) throws InterruptedException {
        Map<String, Object> r = new LinkedHashMap<>();
        LinuxContainerRuntime rt = (LinuxContainerRuntime) ContainerRuntime.get();
        ContainerSpec spec = Contenders.get().headlineSpec();
        Contenders.run(spec); // warm: the launcher image, the supervisor thread are in the baseline
        long self = ProcessHandle.current().pid();
        Set<Long> before = descendants(self);
        int threads0 = ManagementFactory.getThreadMXBean().getThreadCount();
        long heap0 = heapAfterGc();
        int fds0 = fds();
        Set<Long> pooled = new TreeSet<>();
        try (ContainerPool pool = ContainerPool.of(rt, spec, n)) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (pool.ready() < n && System.nanoTime() < deadline) Thread.sleep(10);
            r.put("pool", n);
            r.put("ready", pool.ready());
            pooled.addAll(descendants(self));
            pooled.removeAll(before);
            long rss = 0, pss = 0;
            for (long pid : pooled) {
                rss += smapsKb(pid, "Rss:");
                pss += smapsKb(pid, "Pss:");
            }
            r.put("processes", pooled.size());
            r.put("processesPerContainer", (double) pooled.size() / n);
            r.put("rssKbPerContainer", rss / n);
            r.put("pssKbPerContainer", pss / n);
            r.put("jvmThreadsPerContainer", (double) (ManagementFactory.getThreadMXBean().getThreadCount() - threads0) / n);
            r.put("jvmFdsPerContainer", (double) (fds() - fds0) / n);
            r.put("jvmHeapBytesPerContainer", (heapAfterGc() - heap0) / n);
            try (Container c = pool.start()) {
                r.put("pooledStartExit", c.waitFor().code());
            }
        }
        long left = 0;
        for (int i = 0; i < 50; i++) {
            left = pooled.stream().filter(p -> Files.exists(Path.of("/proc", Long.toString(p)))).count();
            if (left == 0) break;
            Thread.sleep(100);
        }
        r.put("processesLeftAfterClose", left);
        return r;
    }

    /** Every process below pid (its threads' children, recursively). */
    static Set<Long> descendants(long pid) {
        Set<Long> out = new TreeSet<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                String children = Files.readString(t.resolve("children")).strip();
                if (children.isEmpty()) continue;
                for (String c : children.split(" ")) {
                    long child = Long.parseLong(c);
                    if (out.add(child)) out.addAll(descendants(child));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile
        }
        return out;
    }

    static long smapsKb(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup")))
                if (l.startsWith(field)) return Long.parseLong(l.substring(field.length()).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static int fds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
