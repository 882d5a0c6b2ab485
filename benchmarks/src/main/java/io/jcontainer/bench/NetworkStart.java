package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.net.NetworkAttachment;
import io.jcontainer.linux.net.Networks;
import io.jcontainer.linux.net.PortMapping;
import io.jcontainer.linux.net.Rtnetlink;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.sys.NativeSyscalls;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Start → exit → close of {@code /bin/true} (the library's default namespaces, no user namespace) with loopback only
 * and on the default bridge (endpoints made ready ahead, the default), without and with a published port, and with
 * every start making its own endpoint ({@code bridgeNoPool}: {@code jcontainer.network.warm=0}), in one run: the ratio is the
 * figure (issue 13's "start with a bridge network against --network none"). Only under
 * {@code benchmarks/run-network}, which starts JMH in a private network namespace (rule 9):
 * the bridge, veths and nftables table exist only there. Setup refuses the namespace named by
 * {@code -Djc.bench.outerNetns} (the one the script was started in).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class NetworkStart {
    LinuxContainerRuntime rt, rtNoPool;
    ContainerSpec spec;
    Path state;
    NetworkAttachment.Request bridge, published;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        String outer = System.getProperty("jc.bench.outerNetns");
        String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        if (outer == null || outer.equals(mine))
            throw new IllegalStateException("NetworkStart runs only in a private network namespace: use benchmarks/run-network");
        try (Rtnetlink nl = new Rtnetlink(NativeSyscalls.INSTANCE)) {
            nl.setUp("lo", true);
        }
        state = Files.createTempDirectory("jc-bench-net-");
        rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, new ContainerStore(state.resolve("containers")));
        // the same state (one networks root), without endpoints made ready ahead: read when its Networks is made, here
        System.setProperty(io.jcontainer.linux.Settings.NETWORK_WARM, "0");
        try {
            rtNoPool = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, new ContainerStore(state.resolve("containers")));
            rtNoPool.networks();
        } finally {
            System.clearProperty(io.jcontainer.linux.Settings.NETWORK_WARM);
        }
        // the library's defaults (no user namespace: bridge networks are root's, and refuse one)
        spec = Container.builder().rootfs(Fixture.ensureBundle().resolve("rootfs")).command("/bin/true")
                .stdout(io.jcontainer.Stdio.NULL).stderr(io.jcontainer.Stdio.NULL).build();
        bridge = NetworkAttachment.Request.of(Networks.DEFAULT);
        published = new NetworkAttachment.Request(Networks.DEFAULT, null, List.of(), PortMapping.parse("18081:80"), null, List.of(), List.of());
    }

    /** The state directory goes with the trial (the namespace, its bridge and rules die with the fork's). */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        // the endpoints made ready, and the work the reaper thread still has queued, before the state goes
        rt.networks().dropWarm(null);
        rtNoPool.networks().dropWarm(null);
        try (var all = Files.walk(state)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Benchmark
    public int none() throws InterruptedException {
        try (Container c = rt.start(spec)) {
            return check(c.waitFor().code());
        }
    }

    @Benchmark
    public int bridge() throws InterruptedException {
        try (Container c = rt.start(spec, bridge)) {
            return check(c.waitFor().code());
        }
    }

    /** As {@link #bridge()}, each start making its endpoint itself ({@code jcontainer.network.warm=0}). */
    @Benchmark
    public int bridgeNoPool() throws InterruptedException {
        try (Container c = rtNoPool.start(spec, bridge)) {
            return check(c.waitFor().code());
        }
    }

    @Benchmark
    public int bridgePublished() throws InterruptedException {
        try (Container c = rt.start(spec, published)) {
            return check(c.waitFor().code());
        }
    }

    private static int check(int code) {
        if (code != 0) throw new IllegalStateException("/bin/true in the container exited with " + code);
        return code;
    }
}
