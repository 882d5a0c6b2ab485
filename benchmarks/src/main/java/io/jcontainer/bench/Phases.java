package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.Settings;
import io.jcontainer.linux.launch.LauncherImage;
import io.jcontainer.linux.plan.PlanEncoder;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.Syscalls;
import io.jcontainer.spi.ContainerRuntime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.jcontainer.Namespace.CGROUP;
import static io.jcontainer.Namespace.IPC;
import static io.jcontainer.Namespace.MNT;
import static io.jcontainer.Namespace.PID;
import static io.jcontainer.Namespace.USER;
import static io.jcontainer.Namespace.UTS;

/**
 * Where the time of one container goes, with clock readings around public steps (no tracer):
 * compiling the spec into plan bytes, posix_spawn of the launcher alone (and its whole life
 * when it gets no plan), {@code start()} (Java call → STARTED frame: spawn, plan write,
 * clone3, the child's mounts and exec), STARTED → exit observed, and {@code close()}. The
 * same split for {@code ProcessBuilder}: {@code start()} (returns after exec) and
 * {@code waitFor()}. Medians in µs over {@code n} rounds after a warm-up.
 */
public final class Phases {
    private Phases() {
    }

    public static Map<String, Map<String, Double>> measure(ContainerSpec headline, ContainerSpec namespacesOnly, int n) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        out.put("ProcessBuilder", processBuilder(n));
        out.put("jcontainer headline", container(headline, n));
        out.put("jcontainer namespaces only", container(namespacesOnly, n));
        out.put("jcontainer start → exit → close, adding one thing at a time", ablation(headline, namespacesOnly, Math.max(4, n / 2)));
        out.put("jcontainer start → exit → close, the start path technique by technique", techniques(headline, namespacesOnly, Math.max(4, n / 2)));
        out.put("cgroup limits: what memory + cpu + pids add, start → exit and close() apart", limits(headline, namespacesOnly, n));
        return out;
    }

    /**
     * What each technique of the start path buys, each switched on in turn and interleaved in
     * one loop: launchers posix_spawned per container or forked by the spawn server
     * ({@code spawnMode}), the network namespace made by clone3 or by the helper beside the
     * child ({@code jcontainer.netHelper}), cgroups made before the launch or while the child
     * sets up ({@code jcontainer.deferCgroups}).
     */
    private static Map<String, Double> techniques(ContainerSpec headline, ContainerSpec namespacesOnly, int n) {
        record Variant(String name, LinuxContainerRuntime rt, ContainerSpec spec, boolean netHelper, boolean deferCgroups, boolean lazyFreezer) {
            Variant(String name, LinuxContainerRuntime rt, ContainerSpec spec, boolean netHelper, boolean deferCgroups) {
                this(name, rt, spec, netHelper, deferCgroups, false);
            }
        }
        LinuxContainerRuntime direct = new LinuxContainerRuntime().spawnMode("direct"), server = new LinuxContainerRuntime().spawnMode("server");
        List<Variant> vs = List.of(
                new Variant("(a) posix_spawn per launcher, clone3 makes the netns", direct, namespacesOnly, false, false),
                new Variant("(a) + spawn server", server, namespacesOnly, false, false),
                new Variant("(a) + spawn server + network helper (the default)", server, namespacesOnly, true, false),
                new Variant("headline: posix_spawn, clone3 netns, cgroups made before the launch", direct, headline, false, false),
                new Variant("headline + spawn server + network helper", server, headline, true, false),
                new Variant("headline + cgroups made while the child sets up", server, headline, true, true),
                new Variant("headline + v1 freezer made at the first pause (the default)", server, headline, true, true, true));
        double[][] t = new double[vs.size()][n];
        String helper0 = System.getProperty(Settings.NET_HELPER), defer0 = System.getProperty(Settings.DEFER_CGROUPS);
        String lazy0 = System.getProperty(Settings.LAZY_FREEZER);
        try {
            for (int i = -n / 4; i < n; i++) {
                for (int k = 0; k < vs.size(); k++) {
                    Variant v = vs.get(k);
                    System.setProperty(Settings.NET_HELPER, String.valueOf(v.netHelper()));
                    System.setProperty(Settings.DEFER_CGROUPS, String.valueOf(v.deferCgroups()));
                    System.setProperty(Settings.LAZY_FREEZER, String.valueOf(v.lazyFreezer()));
                    long t0 = System.nanoTime();
                    try (Container c = v.rt().start(v.spec())) {
                        if (c.waitFor().code() != 0) throw new IllegalStateException(v.name() + ": /bin/true failed");
                    }
                    if (i >= 0) t[k][i] = (System.nanoTime() - t0) / 1e3;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            restore(Settings.NET_HELPER, helper0);
            restore(Settings.DEFER_CGROUPS, defer0);
            restore(Settings.LAZY_FREEZER, lazy0);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < vs.size(); k++) m.put(vs.get(k).name(), median(t[k]));
        return m;
    }

    /**
     * Issue 3's figure: (a) against (a) + the headline's memory, cpu and pids limits,
     * interleaved, with the start → observed exit (PERF.md's start latency) and {@code close()}
     * (which removes the cgroup directories) timed apart. "added" rows are medians of the
     * differences between adjacent pairs, so load that hits both cancels out.
     */
    private static Map<String, Double> limits(ContainerSpec headline, ContainerSpec namespacesOnly, int n) {
        Map<String, Map<String, Double>> r = limitVariants(List.of(new LimitVariant("(a)", namespacesOnly, true),
                new LimitVariant("(a) + limits", Configs.limitsOnly(namespacesOnly, headline), true)), n);
        Map<String, Double> m = new LinkedHashMap<>();
        r.forEach((name, figs) -> {
            m.put(name + ": start → exit observed", figs.get("start → exit"));
            m.put(name + ": close()", figs.get("close()"));
        });
        Map<String, Double> added = r.get("(a) + limits");
        m.put("added by the limits: start → exit observed", added.get("start → exit, added"));
        m.put("added by the limits: close()", added.get("close(), added"));
        m.put("added by the limits: start → exit → close", added.get("start → exit → close, added"));
        return m;
    }

    /** A configuration for {@link #limitVariants}; {@code lazyFreezer} is {@code -Djcontainer.lazyFreezer}. */
    record LimitVariant(String name, ContainerSpec spec, boolean lazyFreezer) {
    }

    /**
     * The variants interleaved, round after round; per variant the medians of start → exit,
     * {@code close()} and the whole, and the medians of their pair differences to the first
     * variant ("…, added").
     */
    static Map<String, Map<String, Double>> limitVariants(List<LimitVariant> vs, int n) {
        double[][] toExit = new double[vs.size()][n], close = new double[vs.size()][n], whole = new double[vs.size()][n];
        String lazy0 = System.getProperty(Settings.LAZY_FREEZER);
        try {
            for (int i = -n / 4; i < n; i++) {
                for (int k = 0; k < vs.size(); k++) {
                    System.setProperty(Settings.LAZY_FREEZER, String.valueOf(vs.get(k).lazyFreezer()));
                    long t0 = System.nanoTime();
                    Container c = vs.get(k).spec().start();
                    long t1;
                    try {
                        if (c.waitFor().code() != 0) throw new IllegalStateException(vs.get(k).name() + ": /bin/true failed");
                        t1 = System.nanoTime();
                    } finally {
                        c.close();
                    }
                    long t2 = System.nanoTime();
                    if (i < 0) continue;
                    toExit[k][i] = (t1 - t0) / 1e3;
                    close[k][i] = (t2 - t1) / 1e3;
                    whole[k][i] = (t2 - t0) / 1e3;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            restore(Settings.LAZY_FREEZER, lazy0);
        }
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (int k = 0; k < vs.size(); k++) {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("start → exit", median(toExit[k]));
            m.put("close()", median(close[k]));
            m.put("start → exit → close", median(whole[k]));
            m.put("start → exit, added", medianDifference(toExit[k], toExit[0]));
            m.put("close(), added", medianDifference(close[k], close[0]));
            m.put("start → exit → close, added", medianDifference(whole[k], whole[0]));
            out.put(vs.get(k).name(), m);
        }
        return out;
    }

    static double medianDifference(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
        return median(d);
    }

    private static void restore(String key, String value) {
        if (value == null) System.clearProperty(key);
        else System.setProperty(key, value);
    }

    /**
     * The whole start → exit → close of configurations that each add one thing to the one
     * before: where the namespaces-only time goes, namespace by namespace, then the headline's
     * extras (what it has of them on this build).
     */
    private static Map<String, Double> ablation(ContainerSpec headline, ContainerSpec namespacesOnly, int n) {
        Map<String, ContainerSpec> steps = new LinkedHashMap<>();
        ContainerSpec.Builder b = namespacesOnly.toBuilder();
        steps.put("MNT only, no masked or read-only /proc paths", b.namespaces(MNT).maskedPaths(List.of()).readonlyPaths(List.of()).build());
        steps.put("MNT only (root, pivot_root, /proc, /dev, masked paths)", b.namespaces(MNT).maskedPaths(java.util.List.copyOf(
                namespacesOnly.maskedPaths() == null ? io.jcontainer.linux.plan.PlanCompiler.DEFAULT_MASKED : namespacesOnly.maskedPaths()))
                .readonlyPaths(namespacesOnly.readonlyPaths() == null ? io.jcontainer.linux.plan.PlanCompiler.DEFAULT_READONLY : namespacesOnly.readonlyPaths()).build());
        steps.put("+ PID", b.namespaces(MNT, PID).build());
        steps.put("+ UTS, IPC, CGROUP", b.namespaces(MNT, PID, UTS, IPC, CGROUP).build());
        steps.put("+ USER (uid/gid maps)", b.namespaces(MNT, PID, UTS, IPC, CGROUP, USER).build());
        steps.put("+ NET (= (a) namespaces only)", namespacesOnly);
        // The headline's extras one by one on top of (a), then all together.
        steps.put("(a) + cgroup limits only", Configs.limitsOnly(namespacesOnly, headline));
        steps.put("(a) + seccomp profile only", namespacesOnly.toBuilder().seccomp(headline.seccomp()).build());
        steps.put("(a) + capabilities dropped only", namespacesOnly.toBuilder().capabilities(headline.capabilities()).build());
        steps.put("headline as measured (all of the above)", headline);
        // Round-robin, so that load from elsewhere on a shared machine hits every step alike.
        List<String> names = List.copyOf(steps.keySet());
        double[][] t = new double[names.size()][n];
        try {
            for (int i = -n / 4; i < n; i++) {
                for (int k = 0; k < names.size(); k++) {
                    long t0 = System.nanoTime();
                    Contenders.run(steps.get(names.get(k)));
                    if (i >= 0) t[k][i] = (System.nanoTime() - t0) / 1e3;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) m.put(names.get(k), median(t[k]));
        return m;
    }

    private static Map<String, Double> processBuilder(int n) {
        double[] start = new double[n], wait = new double[n];
        try {
            for (int i = -n / 4; i < n; i++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("/bin/true").start();
                long t1 = System.nanoTime();
                p.waitFor();
                long t2 = System.nanoTime();
                if (i < 0) continue;
                start[i] = (t1 - t0) / 1e3;
                wait[i] = (t2 - t1) / 1e3;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("start() (fork/exec via jspawnhelper)", median(start));
        m.put("waitFor() (until exit observed)", median(wait));
        return m;
    }

    private static Map<String, Double> container(ContainerSpec spec, int n) {
        // The runtime the benchmarks use (one supervisor thread), not a second one.
        LinuxContainerRuntime rt = ContainerRuntime.get() instanceof LinuxContainerRuntime l ? l : new LinuxContainerRuntime();
        Syscalls sys = NativeSyscalls.INSTANCE;
        LauncherImage image = LauncherImage.load(sys);
        double[] compile = new double[n], spawn = new double[n], launcherLife = new double[n], start = new double[n],
                exit = new double[n], close = new double[n];
        int devNull = sys.open("/dev/null", Syscalls.O_RDWR | Syscalls.O_CLOEXEC, 0);
        try {
            for (int i = -n / 4; i < n; i++) {
                long t0 = System.nanoTime();
                // The public tool entry: user lookup + plan compile (the seccomp filter is cached per profile).
                PlanEncoder.encode(rt.plan(spec));
                long t1 = System.nanoTime();

                int[] ctl = sys.socketpair();
                long t2 = System.nanoTime();
                int pid = sys.spawn(image.path(), new int[]{devNull, devNull, devNull, ctl[1]}, List.of("jcontainer-launcher"), List.of());
                long t3 = System.nanoTime();
                sys.close(ctl[1]);
                sys.close(ctl[0]); // no plan: the launcher reports a failure and exits
                sys.waitPid(pid, false);
                long t4 = System.nanoTime();

                long t5 = System.nanoTime();
                Container c = rt.start(spec);
                long t6 = System.nanoTime();
                c.waitFor();
                long t7 = System.nanoTime();
                c.close();
                long t8 = System.nanoTime();
                if (i < 0) continue;
                compile[i] = (t1 - t0) / 1e3;
                spawn[i] = (t3 - t2) / 1e3;
                launcherLife[i] = (t4 - t2) / 1e3;
                start[i] = (t6 - t5) / 1e3;
                exit[i] = (t7 - t6) / 1e3;
                close[i] = (t8 - t7) / 1e3;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            sys.closeQuietly(devNull);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("spec → plan bytes (user lookup, compile, encode)", median(compile));
        m.put("posix_spawn of the launcher (call returns; direct mode)", median(spawn));
        m.put("launcher alone: posix_spawn → exit reaped (no plan; direct mode)", median(launcherLife));
        m.put("start(): Java call → STARTED frame", median(start));
        m.put("STARTED → exit observed", median(exit));
        m.put("close()", median(close));
        return m;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
