package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Seccomp;
import io.jcontainer.Stdio;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.jcontainer.Namespace.IPC;
import static io.jcontainer.Namespace.MNT;
import static io.jcontainer.Namespace.PID;
import static io.jcontainer.Namespace.UTS;

/**
 * N idle containers at once ({@code sleep 1000} in the busybox root): what each one costs the
 * host outside its payload — JVM threads (must not grow: one supervisor thread for all), JVM
 * heap after GC, PSS of its launcher (the parent of the container's first process) — and proof
 * that closing them leaves nothing: no process, no descriptor, no thread.
 *
 * <p>The minimal configuration: PID, MNT, UTS and IPC namespaces, the busybox root, no cgroup
 * limits, no seccomp filter, stdio from/to /dev/null (so the JVM holds one descriptor per
 * container: its control socket).
 */
public final class Footprint {
    private Footprint() {
    }

    public static ContainerSpec idleSpec(Path rootfs) {
        return Container.builder().namespaces(PID, MNT, UTS, IPC).rootfs(rootfs).seccomp(Seccomp.UNCONFINED)
                .stdin(Stdio.NULL).stdout(Stdio.NULL).stderr(Stdio.NULL)
                .command("/bin/sleep", "1000").build();
    }

    public static Map<String, Object> measure(int wanted, Path rootfs) {
        Map<String, Object> r = new LinkedHashMap<>();
        long fdLimit = openFilesLimit();
        int n = wanted;
        // Each container holds a few descriptors in the JVM while it starts and ~1-3 while it runs.
        if (fdLimit > 0 && (long) n * 4 + 200 > fdLimit) {
            n = (int) Math.max(10, (fdLimit - 200) / 4);
            r.put("note", "open-files limit " + fdLimit + " allows only " + n + " containers (asked for " + wanted + ")");
        }
        r.put("requested", wanted);
        r.put("containers", n);
        r.put("openFilesLimit", fdLimit);
        r.put("config", "namespaces PID, MNT, UTS, IPC; busybox root; no cgroup limits; no seccomp; stdio /dev/null; sleep 1000");
        ContainerSpec spec = idleSpec(rootfs);
        // Warm the runtime up (launcher memfd, supervisor thread) so the baseline includes them.
        try (Container warm = spec.toBuilder().command("/bin/true").build().start()) {
            warm.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        int threads0 = threadCount();
        long heap0 = heapAfterGc();
        int fds0 = fdCount();

        List<Container> live = new ArrayList<>(n);
        long t0 = System.nanoTime();
        String failure = null;
        double[] each = new double[n];
        try {
            for (int i = 0; i < n; i++) {
                long s0 = System.nanoTime();
                live.add(spec.start());
                each[i] = (System.nanoTime() - s0) / 1e3;
            }
        } catch (RuntimeException e) {
            failure = "container " + (live.size() + 1) + " failed to start: " + Configs.describe(e);
        }
        long startNanos = System.nanoTime() - t0;
        int started = live.size();
        r.put("started", started);
        if (failure != null) r.put("startFailure", failure);
        r.put("totalStartMs", startNanos / 1e6);
        r.put("perContainerStartUs", started == 0 ? 0 : startNanos / 1e3 / started);
        // Does a start get slower as more containers live? Median of the first and last tenth.
        int tenth = Math.max(1, started / 10);
        r.put("firstTenthMedianStartUs", Phases.median(java.util.Arrays.copyOfRange(each, 0, tenth)));
        r.put("lastTenthMedianStartUs", Phases.median(java.util.Arrays.copyOfRange(each, Math.max(0, started - tenth), Math.max(tenth, started))));

        int threads1 = threadCount();
        long heap1 = heapAfterGc();
        int fds1 = fdCount();
        long pssLaunchers = 0, pssPayloads = 0, running = 0;
        List<Long> launcherPids = new ArrayList<>();
        for (Container c : live) {
            if (c.isRunning()) running++;
            long ppid = ppid(c.pid());
            if (ppid > 0) {
                launcherPids.add(ppid);
                pssLaunchers += pssKb(ppid);
            }
            pssPayloads += pssKb(c.pid());
        }
        r.put("running", running);
        r.put("jvmThreadsBefore", threads0);
        r.put("jvmThreadsWith", threads1);
        r.put("jvmHeapBytesPerContainer", started == 0 ? 0 : (heap1 - heap0) / started);
        r.put("jvmFdsPerContainer", started == 0 ? 0 : (double) (fds1 - fds0) / started);
        r.put("launchersFound", launcherPids.size());
        r.put("launcherPssKbPerContainer", launcherPids.isEmpty() ? 0 : (double) pssLaunchers / launcherPids.size());
        r.put("payloadPssKbPerContainer", started == 0 ? 0 : (double) pssPayloads / started);

        long c0 = System.nanoTime();
        for (Container c : live) c.close();
        r.put("totalCloseMs", (System.nanoTime() - c0) / 1e6);
        // What is left: processes (launchers, payloads), descriptors, threads.
        long leftProcs = 0;
        for (int i = 0; i < 50; i++) {
            leftProcs = launcherPids.stream().filter(p -> Files.exists(Path.of("/proc", Long.toString(p)))).count()
                    + live.stream().filter(c -> Files.exists(Path.of("/proc", Long.toString(c.pid())))).count();
            if (leftProcs == 0) break;
            sleep(100);
        }
        r.put("processesLeft", leftProcs);
        r.put("jvmFdsLeft", fdCount() - fds0);
        r.put("jvmThreadsAfter", threadCount());
        return r;
    }

    static long openFilesLimit() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/limits")))
                if (l.startsWith("Max open files")) {
                    String soft = l.substring("Max open files".length()).trim().split("\\s+")[0];
                    return "unlimited".equals(soft) ? Long.MAX_VALUE : Long.parseLong(soft);
                }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return -1;
    }

    private static int threadCount() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static int fdCount() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Field 4 of /proc/PID/stat (after the parenthesised command, which may hold spaces). */
    static long ppid(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long pssKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup")))
                if (l.startsWith("Pss:")) return Long.parseLong(l.substring(4).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
