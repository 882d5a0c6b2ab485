package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Root;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an image root costs a start (issue 12: ≤ 0.5 ms over a plain root): {@code /bin/true}
 * with the namespaces-only configuration on the busybox directory (bound), against the same on
 * an overlay of three already-unpacked layers (the busybox tree and two small ones) under a
 * fresh upper and work directory per container — made by the runtime at the start and removed
 * at close, as {@code Container.builder().image(...)} does ({@code Images.overlayRoot},
 * {@code Root.Overlay.removeWithContainer}).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ImageRootStart -f 1 -wi 3 -i 5</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class ImageRootStart {
    private ContainerSpec plain;
    private ContainerSpec.Builder overlay;
    private List<Path> lowers;
    private Path uppers;
    private final AtomicLong seq = new AtomicLong();

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path rootfs = Fixture.rootfs();
        Fixture.ensureBundle();
        plain = Configs.namespacesOnly(rootfs).build();
        Path base = Files.createTempDirectory("jcontainer-imageroot-");
        Path l2 = Files.createDirectories(base.resolve("l2/etc"));
        Files.writeString(l2.resolve("marker"), "layer 2");
        Path l3 = Files.createDirectories(base.resolve("l3/tmp"));
        lowers = List.of(base.resolve("l3"), base.resolve("l2"), rootfs);
        uppers = Files.createDirectories(base.resolve("containers"));
        overlay = Configs.namespacesOnly(rootfs);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        io.jcontainer.linux.rootfs.ReadyRoots.release(uppers); // the roots kept mounted ahead: never walked into
        // the runtime's remover thread may still be renaming and deleting uppers (and making the
        // ready pairs it removes at exit) while this walks the tree: retry what it raced with
        for (int i = 0; ; i++) {
            try {
                io.jcontainer.oci.unpack.FsTree.delete(uppers.getParent());
                return;
            } catch (IOException raced) {
                if (i == 20) throw raced;
                Thread.sleep(100);
            }
        }
    }

    @Benchmark
    public int plainRoot() throws InterruptedException {
        return Contenders.run(plain);
    }

    /**
     * As {@link #overlayRoot}, with the roots mounted ahead turned off
     * ({@code jcontainer.imageRoot.ready=0}): each start mounts its overlay in the container, as
     * before ReadyRoots — the comparison, in the same run.
     */
    @Benchmark
    public int overlayRootMountedAtStart() throws InterruptedException, IOException {
        System.setProperty(io.jcontainer.linux.Settings.IMAGE_ROOT_READY, "0");
        try {
            return overlayRoot();
        } finally {
            System.clearProperty(io.jcontainer.linux.Settings.IMAGE_ROOT_READY);
        }
    }

    @Benchmark
    public int overlayRoot() throws InterruptedException, IOException {
        // made by the runtime at the start and removed at close, as for builder().image(...)
        Path dir = uppers.resolve(Long.toString(seq.incrementAndGet()));
        ContainerSpec spec = overlay.root(new Root.Overlay(lowers, dir.resolve("upper"), dir.resolve("work"), false, true)).build();
        return Contenders.run(spec);
    }
}
