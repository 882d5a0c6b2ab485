package io.jcontainer.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import io.jcontainer.linux.ContainerPool;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.spi.ContainerRuntime;

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

    /**
     * The same from a {@link ContainerPool} of {@link #POOL} that both threads take from, with no
     * wait: a take finds a ready container or starts one the ordinary way; the refills run beside
     * the takes. Whether making containers ahead, in parallel, raises the rate at all.
     */
    @Benchmark
    public int jcontainerHeadlinePooled(Pooled p) throws InterruptedException {
        return PooledStart.take(p.pool);
    }

    static final int POOL = 4;

    @State(Scope.Benchmark)
    public static class Pooled {
        ContainerPool pool;

        @Setup(Level.Trial)
        public void setup() {
            pool = ContainerPool.of((LinuxContainerRuntime) ContainerRuntime.get(), Contenders.get().headlineSpec(), POOL);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }
}
