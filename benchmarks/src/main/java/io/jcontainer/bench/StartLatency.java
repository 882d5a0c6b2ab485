package io.jcontainer.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Start → observed exit of {@code /bin/true}, one at a time (sample mode: every call is timed,
 * so medians and p90 are real). The forks run with a small heap ({@code -Xmx256m}).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class StartLatency {
    Contenders c;

    @Setup(Level.Trial)
    public void setup() {
        c = Contenders.get();
    }

    @Benchmark
    public int processBuilder() throws InterruptedException {
        return Contenders.processBuilderTrue();
    }

    @Benchmark
    public int bwrap() throws InterruptedException {
        return c.peer(Peer.BWRAP);
    }

    @Benchmark
    public int crun() throws InterruptedException {
        return c.peer(Peer.CRUN);
    }

    @Benchmark
    public int runc() throws InterruptedException {
        return c.peer(Peer.RUNC);
    }

    @Benchmark
    public int jcontainerNamespaces() throws InterruptedException {
        return c.namespacesOnly();
    }

    @Benchmark
    public int jcontainerLimits() throws InterruptedException {
        return c.limits();
    }

    @Benchmark
    public int jcontainerHeadline() throws InterruptedException {
        return c.headline();
    }
}
