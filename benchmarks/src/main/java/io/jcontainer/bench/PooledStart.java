package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.linux.ContainerPool;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.spi.ContainerRuntime;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The headline start → exit of {@code /bin/true} taken from a {@link ContainerPool} of two ready
 * containers, in two situations (each call waits, untimed, for the pool to reach it):
 * <ul>
 *   <li>{@link #jcontainerHeadlinePooled}: one ready, the refill of the previous take possibly
 *       still running beside the measured start — a pool taken from back to back;</li>
 *   <li>{@link #jcontainerHeadlinePooledIdle}: the pool full and quiet — the first take of a
 *       burst (the pool refills once the taken container has exited, so its own refill is not
 *       in the figure; its CPU is spent, untimed, after it).</li>
 * </ul>
 * A caller that starts faster than the refill gets ordinary starts, see
 * {@link StartLatency#jcontainerHeadline}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PooledStart {
    static final int SIZE = 2;

    /** A pool of {@link #SIZE} that a call takes from once {@link #needed} containers are ready. */
    abstract static class Pool {
        ContainerPool pool;

        abstract int needed();

        @Setup(Level.Trial)
        public void setup() {
            LinuxContainerRuntime rt = (LinuxContainerRuntime) ContainerRuntime.get();
            pool = ContainerPool.of(rt, Contenders.get().headlineSpec(), SIZE);
        }

        @Setup(Level.Invocation)
        public void ready() throws InterruptedException {
            while (pool.ready() < needed()) Thread.sleep(1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    @State(Scope.Benchmark)
    public static class OneReady extends Pool {
        @Override
        int needed() {
            return 1;
        }
    }

    @State(Scope.Benchmark)
    public static class Full extends Pool {
        @Override
        int needed() {
            return SIZE;
        }
    }

    @Benchmark
    public int jcontainerHeadlinePooled(OneReady s) throws InterruptedException {
        return take(s.pool);
    }

    @Benchmark
    public int jcontainerHeadlinePooledIdle(Full s) throws InterruptedException {
        return take(s.pool);
    }

    static int take(ContainerPool pool) throws InterruptedException {
        try (Container c = pool.start()) {
            int code = c.waitFor().code();
            if (code != 0) throw new IllegalStateException("/bin/true in the pooled container exited with " + code);
            return code;
        }
    }

    @Benchmark
    public int processBuilder() throws InterruptedException {
        return Contenders.processBuilderTrue();
    }
}
