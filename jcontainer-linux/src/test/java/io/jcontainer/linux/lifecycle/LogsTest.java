package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.state.ContainerLogs;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Logs of detached containers: written by the monitor (never through the JVM), bounded, read like docker logs. */
@RequiresRoot
class LogsTest {
    private static final Pattern ENTRY = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z (stdout|stderr) [FP] .*");

    @TempDir
    Path tmp;

    @Test
    void stdoutAndStderrAreLoggedWithTimestampsAndReadBackLikeDockerLogs() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        Instant before = Instant.now();
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true)
                .command("/bin/sh", "-c", "echo one; echo two >&2; printf 'no newline'; sleep 0.2; echo ' end'; for i in 1 2 3 4 5; do echo line$i; done").build())) {
            assertThat(c.waitFor(Duration.ofSeconds(30))).isPresent();
            ContainerStore.Entry e = store.find(c.id());
            Path log = Path.of(e.state().logPath());
            List<String> raw = Files.readAllLines(log);
            assertThat(raw).allMatch(l -> ENTRY.matcher(l).matches());
            assertThat(raw.getFirst()).endsWith(" stdout F one");
            assertThat(raw).anyMatch(l -> l.endsWith(" stderr F two")).anyMatch(l -> l.endsWith(" stdout P no newline"));
            assertThat(Instant.parse(raw.getFirst().substring(0, 30))).isAfterOrEqualTo(before.minusSeconds(1));

            var out = new ByteArrayOutputStream();
            var err = new ByteArrayOutputStream();
            new ContainerLogs(log).print(ContainerLogs.Options.ALL, out, err, () -> false);
            assertThat(out.toString()).isEqualTo("one\nno newline end\nline1\nline2\nline3\nline4\nline5\n");
            assertThat(err.toString()).isEqualTo("two\n");

            out.reset();
            new ContainerLogs(log).print(new ContainerLogs.Options(false, false, 2, null), out, err, () -> false);
            assertThat(out.toString()).isEqualTo("line4\nline5\n");
            out.reset();
            new ContainerLogs(log).print(new ContainerLogs.Options(false, true, 1, null), out, new ByteArrayOutputStream(), () -> false);
            assertThat(out.toString()).matches("\\d{4}-.*Z line5\n");
            out.reset();
            new ContainerLogs(log).print(new ContainerLogs.Options(false, false, -1, Instant.now().plusSeconds(60)), out, err, () -> false);
            assertThat(out.toString()).isEmpty();
            store.remove(e, false);
        }
    }

    @Test
    void followPrintsWhatIsAppendedAcrossRotationsUntilTheContainerEnds() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store).logLimits(4096, 2);
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true)
                .command("/bin/sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line-$i-0123456789012345678901234567890123456789; i=$((i+1)); "
                        + "[ $((i % 50)) = 0 ] && sleep 0.1; done").build())) {
            var out = new ByteArrayOutputStream();
            // follows from the start while the container writes and its monitor rotates every ~4 KiB
            new ContainerLogs(store.logFile(c.id())).print(new ContainerLogs.Options(true, false, -1, null), out, new ByteArrayOutputStream(),
                    () -> store.find(c.id()).running());
            String[] lines = out.toString().split("\n");
            assertThat(lines[lines.length - 1]).startsWith("line-299-");
            // what was rotated away before the reader got to it is gone (2 files of 4 KiB kept), the rest is in order
            for (int i = 1; i < lines.length; i++)
                assertThat(Integer.parseInt(lines[i].split("-")[1])).isGreaterThan(Integer.parseInt(lines[i - 1].split("-")[1]));
            store.remove(store.find(c.id()), false);
        }
    }

    @Test
    void aFloodKeepsTheLogBoundedAndNeverPassesThroughTheJvm() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store).logLimits(1 << 20, 3);
        long heapBefore = usedHeap();
        // 100 MB of 100-byte lines; the full 20 GB run belongs to the benchmark report.
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true)
                .command("/bin/sh", "-c", "yes 012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678 | head -c 100000000; echo last").build())) {
            assertThat(c.waitFor(Duration.ofSeconds(300))).isPresent();
            assertThat(c.exitCode()).isZero();
            Path log = store.logFile(c.id());
            var files = new ContainerLogs(log);
            long total = 0;
            for (int i = 0; i < 3; i++) {
                Path p = i == 0 ? log : log.resolveSibling(log.getFileName() + "." + i);
                assertThat(p).exists();
                assertThat(Files.size(p)).isLessThanOrEqualTo((1 << 20) + 70_000);
                total += Files.size(p);
            }
            assertThat(log.resolveSibling(log.getFileName() + ".3")).doesNotExist();
            assertThat(total).isGreaterThan(2 << 20);
            var out = new ByteArrayOutputStream();
            files.print(new ContainerLogs.Options(false, false, 1, null), out, new ByteArrayOutputStream(), () -> false);
            assertThat(out.toString()).isEqualTo("last\n");
            store.remove(store.find(c.id()), false);
        }
        // The JVM never saw the output: its heap did not grow with it (generous slack for the test itself).
        assertThat(usedHeap() - heapBefore).isLessThan(64L << 20);
    }

    private static long usedHeap() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
