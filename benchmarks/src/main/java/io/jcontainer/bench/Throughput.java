package io.jcontainer.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.TimeUnit;

/** Containers started and finished per second by two threads at once (the machine has 2 cores). */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(2)
@State(Scope.Benchmark)
public class Throughput {
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
    public int jcontainerHeadline() throws InterruptedException {
        return c.headline();
    }
}
