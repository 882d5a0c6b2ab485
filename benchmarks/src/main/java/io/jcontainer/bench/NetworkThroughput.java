package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Stdio;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.net.NetworkAttachment;
import io.jcontainer.linux.net.NetworkConfig;
import io.jcontainer.linux.net.Networks;
import io.jcontainer.linux.net.PortMapping;
import io.jcontainer.linux.net.Rtnetlink;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.sys.NativeSyscalls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 13's throughput figure: one bulk TCP transfer (MIB MiB of zeros, 1 MiB writes) from this
 * JVM to {@code tcpsink} (benchmarks/src/main/c) through a port published to a container, against
 * the same transfer to the same program over loopback outside any container, in one run, rounds
 * interleaved, medians and ratios printed. The clock runs from the sink's "ready" byte (a proxy
 * such as pasta accepts before the container listens) to its "done" answer after the sender's EOF.
 *
 * <p>{@code root}: the default bridge, {@code -p PORT:80} reached at 127.0.0.1 (DNAT in the
 * output chain, the bridge's route_localnet hairpin), the container's address, and a published
 * port on a network of docker's MTU 1500 (before/after the large-MTU default in one run). {@code rootless}, as an ordinary user:
 * pasta and slirp4netns, each {@code -p 127.0.0.1:PORT:80}. Only under benchmarks/run-network,
 * which starts it in a private network namespace of its own (rule 9): the sender connects only to
 * that namespace's loopback. It refuses the namespace named by {@code -Djc.bench.outerNetns}.
 *
 * <p>Arguments: root|rootless ROUNDS MIB TCPSINK WORKDIR.
 */
public final class NetworkThroughput {
    private static final int LOOPBACK_PORT = 18201, PUBLISHED_PORT = 18202;
    private static final String MTU1500 = "bench-mtu1500";

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int rounds = Integer.parseInt(args[1]), mib = Integer.parseInt(args[2]);
        Path sink = Path.of(args[3]), work = Path.of(args[4]);
        String outer = System.getProperty("jc.bench.outerNetns");
        String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        if (outer == null || outer.equals(mine))
            throw new IllegalStateException("NetworkThroughput runs only in a private network namespace: use benchmarks/run-network");
        try (Rtnetlink nl = new Rtnetlink(NativeSyscalls.INSTANCE)) {
            nl.setUp("lo", true);
        } catch (RuntimeException notOurs) {
            // an ordinary user cannot; the script brought lo up
        }
        Path root = rootWithSink(sink, work.resolve("root"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, new ContainerStore(work.resolve("state/containers")));
        ContainerSpec spec = Container.builder().rootfs(root).command("/sink", "80").stdout(Stdio.NULL).stderr(Stdio.INHERIT).build();
        Map<String, List<Double>> mibps = new LinkedHashMap<>();
        Map<String, NetworkAttachment.Request> through = new LinkedHashMap<>();
        if (mode.equals("root")) {
            through.put("published (bridge, -p " + PUBLISHED_PORT + ":80, to 127.0.0.1)", request(Networks.DEFAULT, null));
            through.put("bridge, to the container's address (no NAT)", request(Networks.DEFAULT, null));
            // docker's MTU everywhere (-o com.docker.network.driver.mtu=1500): what the default was before
            rt.networks().create(MTU1500, null, null, null, false, Map.of(), Map.of(NetworkConfig.MTU_OPTION, "1500"));
            through.put("published, network of MTU 1500 (docker's)", request(MTU1500, null));
        } else {
            through.put("pasta (-p 127.0.0.1:" + PUBLISHED_PORT + ":80)", request("pasta", "127.0.0.1"));
            through.put("slirp4netns (-p 127.0.0.1:" + (PUBLISHED_PORT + 1) + ":80)", request("slirp4netns", "127.0.0.1"));
        }
        mibps.put("loopback (host, no container)", new ArrayList<>());
        for (String k : through.keySet()) mibps.put(k, new ArrayList<>());
        for (int r = 0; r < rounds + 1; r++) { // the first round warms up (JIT, the bridge and its rules, helpers' pages)
            Process p = new ProcessBuilder(sink.toString(), Integer.toString(LOOPBACK_PORT)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                double v = send("127.0.0.1", LOOPBACK_PORT, mib);
                if (r > 0) mibps.get("loopback (host, no container)").add(v);
            } finally {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            }
            int i = 0;
            for (var e : through.entrySet()) {
                int port = PUBLISHED_PORT + i++;
                var req = e.getValue();
                boolean direct = e.getKey().contains("no NAT");
                req = new NetworkAttachment.Request(req.network(), null, List.of(), direct ? List.of()
                        : PortMapping.parse((req.ports().isEmpty() ? "" : "127.0.0.1:") + port + ":80"), null, List.of(), List.of());
                try (Container c = rt.start(spec, req)) {
                    String to = "127.0.0.1";
                    if (direct) to = rt.networks().endpoints(req.network()).stream().filter(x -> x.containerId().equals(c.id())).findFirst().orElseThrow().ip();
                    double v = send(to, direct ? 80 : port, mib);
                    if (r > 0) mibps.get(e.getKey()).add(v);
                    int code = c.waitFor().code();
                    if (code != 0) throw new IllegalStateException("tcpsink in the container exited with " + code);
                }
            }
        }
        double base = median(mibps.get("loopback (host, no container)"));
        System.out.printf("bulk TCP transfer, %d MiB each, %d rounds, medians (MiB/s):%n", mib, rounds);
        for (var e : mibps.entrySet())
            System.out.printf("  %-52s %8.0f MiB/s  (%.2fx loopback)  rounds %s%n", e.getKey(), median(e.getValue()), median(e.getValue()) / base,
                    e.getValue().stream().map(v -> String.format("%.0f", v)).toList());
        if (mode.equals("rootless") && through.size() == 2) {
            var names = new ArrayList<>(through.keySet());
            System.out.printf("  pasta / slirp4netns: %.2fx%n", median(mibps.get(names.get(0))) / median(mibps.get(names.get(1))));
        }
        rt.networks().dropWarm(null);
        System.exit(0); // the runtime's threads are daemons, but say so
    }

    /** A request on {@code network} with one port (filled in per round); {@code hostIp} non-null: bound to it. */
    private static NetworkAttachment.Request request(String network, String hostIp) {
        return new NetworkAttachment.Request(network, null, List.of(), hostIp == null ? List.of() : PortMapping.parse(hostIp + ":1:80"),
                null, List.of(), List.of());
    }

    /** A root with only the sink and the mount points a container gets. */
    private static Path rootWithSink(Path sink, Path root) throws IOException {
        for (String d : List.of("proc", "dev", "sys", "tmp", "etc")) Files.createDirectories(root.resolve(d));
        Files.copy(sink, root.resolve("sink"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(root.resolve("sink"), PosixFilePermissions.fromString("rwxr-xr-x"));
        return root;
    }

    /**
     * Connects to {@code host}:{@code port} (127.0.0.1, or a container of ours) until the sink says it is ready (a connection a proxy
     * accepted but could not pass on is closed without that byte: try again), sends {@code mib}
     * MiB, and waits for the sink's count. MiB/s from ready to done.
     */
    private static double send(String host, int port, int mib) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        ByteBuffer one = ByteBuffer.allocate(64), data = ByteBuffer.allocateDirect(1 << 20);
        for (;;) {
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, port))) {
                one.clear();
                if (ch.read(one) <= 0 || one.get(0) != 'R') throw new IOException("closed before the sink was ready");
                long t0 = System.nanoTime();
                for (int i = 0; i < mib; i++) {
                    data.clear();
                    while (data.hasRemaining()) ch.write(data);
                }
                ch.shutdownOutput();
                one.clear();
                while (one.position() == 0 || one.get(one.position() - 1) != '\n')
                    if (ch.read(one) < 0) throw new IOException("the sink closed without its count");
                long t = System.nanoTime() - t0;
                String done = new String(one.array(), 0, one.position(), StandardCharsets.US_ASCII).strip();
                if (!done.equals("D" + (long) mib * (1 << 20))) throw new IllegalStateException("the sink counted " + done + " for " + mib + " MiB");
                return mib / (t / 1e9);
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) throw new IllegalStateException(host + ":" + port + ": no sink ready within 20 s", notYet);
                Thread.sleep(20);
            }
        }
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length == 0 ? Double.NaN : a[a.length / 2];
    }
}
