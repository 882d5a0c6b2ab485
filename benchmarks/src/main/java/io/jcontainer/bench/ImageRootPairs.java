package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Root;
import io.jcontainer.linux.Settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * {@link ImageRootStart}'s three starts — the plain root, the overlay mounted in the container
 * ({@code jcontainer.imageRoot.ready=0}) and the overlay from the roots mounted ahead — one
 * after the other in each round, in one JVM, with the per-round differences to the plain root
 * (issue 12: an image root adds ≤ 0.5 ms). JMH runs each benchmark for seconds on end, so on a
 * machine whose load swings its three figures meet different loads; paired rounds see the same.
 * Each start is {@code /bin/true} from {@code start()} to its exit, then {@code close()}.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.jcontainer.bench.ImageRootPairs [ROUNDS] [GAP_MS]</pre>
 */
public final class ImageRootPairs {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        long gapMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
        Path rootfs = Fixture.rootfs();
        Fixture.ensureBundle();
        Path base = Files.createTempDirectory("jcontainer-imageroot-pairs-");
        Path uppers = Files.createDirectories(base.resolve("containers"));
        try {
            Path l2 = Files.createDirectories(base.resolve("l2/etc"));
            Files.writeString(l2.resolve("marker"), "layer 2");
            Files.createDirectories(base.resolve("l3/tmp"));
            List<Path> lowers = List.of(base.resolve("l3"), base.resolve("l2"), rootfs);
            ContainerSpec plain = Configs.namespacesOnly(rootfs).build();
            ContainerSpec.Builder overlay = Configs.namespacesOnly(rootfs);
            long seq = 0;
            List<Double> p = new ArrayList<>(), atStart = new ArrayList<>(), ready = new ArrayList<>();
            List<Double> dAtStart = new ArrayList<>(), dReady = new ArrayList<>();
            for (int i = -30; i < rounds; i++) {
                // the order turns each round: a start's background work (the remover deleting the
                // upper of an overlay mounted at the start) falls on each of the others in turn
                double tp = 0, t0 = 0, t2 = 0;
                for (int k = 0; k < 3; k++) {
                    switch ((i + 30 + k) % 3) {
                        case 0 -> tp = run(plain);
                        case 1 -> {
                            System.setProperty(Settings.IMAGE_ROOT_READY, "0");
                            Path dir = uppers.resolve(Long.toString(++seq));
                            t0 = run(overlay.root(new Root.Overlay(lowers, dir.resolve("upper"), dir.resolve("work"), false, true)).build());
                            System.clearProperty(Settings.IMAGE_ROOT_READY);
                        }
                        default -> {
                            Path dir = uppers.resolve(Long.toString(++seq));
                            t2 = run(overlay.root(new Root.Overlay(lowers, dir.resolve("upper"), dir.resolve("work"), false, true)).build());
                        }
                    }
                    pause(gapMs);
                }
                if (i < 0) continue; // warm-up
                p.add(tp);
                atStart.add(t0);
                ready.add(t2);
                dAtStart.add(t0 - tp);
                dReady.add(t2 - tp);
            }
            System.out.printf(Locale.ROOT, "%d rounds, gap %d ms, load average %s%n", rounds, gapMs,
                    Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
            print("plain root", p);
            print("overlay mounted at the start", atStart);
            print("overlay mounted ahead", ready);
            print("  difference, mounted at the start", dAtStart);
            print("  difference, mounted ahead", dReady);
        } finally {
            io.jcontainer.linux.rootfs.ReadyRoots.release(uppers);
            for (int i = 0; ; i++) { // the remover thread may still be removing uppers
                try {
                    io.jcontainer.oci.unpack.FsTree.delete(base);
                    break;
                } catch (java.io.IOException raced) {
                    if (i == 20) throw raced;
                    Thread.sleep(100);
                }
            }
        }
    }

    private static void pause(long ms) throws InterruptedException {
        if (ms > 0) Thread.sleep(ms);
    }

    private static double run(ContainerSpec spec) throws InterruptedException {
        long t = System.nanoTime();
        try (Container c = spec.start()) {
            if (c.waitFor().code() != 0) throw new IllegalStateException("/bin/true in the container failed");
        }
        return (System.nanoTime() - t) / 1e6;
    }

    private static void print(String what, List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        System.out.printf(Locale.ROOT, "%-36s p25 %6.2f ms  p50 %6.2f ms  p75 %6.2f ms%n", what,
                s.get(s.size() / 4), s.get(s.size() / 2), s.get(3 * s.size() / 4));
    }
}
