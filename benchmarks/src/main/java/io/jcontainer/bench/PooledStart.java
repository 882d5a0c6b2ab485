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
 * The headline start → exit of {@code /bin/true} taken from a {@link ContainerPool} of ready
 * containers: what a start costs when the pool has one ready (each call waits, untimed, until
 * the background refill has made one — a pool serves bursts; a caller that starts faster than
 * the refill gets ordinary starts, see {@link StartLatency#jcontainerHeadline}).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class PooledStart {
    ContainerPool pool;

    @Setup(Level.Trial)
    public void setup() {
        LinuxContainerRuntime rt = (LinuxContainerRuntime) ContainerRuntime.get();
        pool = ContainerPool.of(rt, Contenders.get().headlineSpec(), 2);
    }

    @Setup(Level.Invocation)
    public void oneReady() throws InterruptedException {
        while (pool.ready() < 1) Thread.sleep(1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public int jcontainerHeadlinePooled() throws InterruptedException {
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
