package io.jcontainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keeps the benchmarks from rotting: every @Benchmark method runs a few times (the very code
 * JMH times), JMH itself runs in-process once, and a report is generated from real results.
 * No timing is asserted. A missing peer skips its test with the reason.
 */
@RequiresRoot
class BenchmarkSmokeTest {
    private static final int CALLS = 3;

    @BeforeAll
    static void bundleUnderTarget() {
        System.setProperty("jc.bench.dir", Path.of("target", "bench").toAbsolutePath().toString());
    }

    private static StartLatency latency() {
        StartLatency s = new StartLatency();
        s.setup();
        return s;
    }

    private static void peer(Peer p) {
        assumeTrue(p.available(), () -> "skipped: " + p.missingReason());
    }

    @Test
    void processBuilder() throws Exception {
        StartLatency s = latency();
        for (int i = 0; i < CALLS; i++) assertThat(s.processBuilder()).isZero();
    }

    @Test
    void bwrap() throws Exception {
        peer(Peer.BWRAP);
        StartLatency s = latency();
        for (int i = 0; i < CALLS; i++) assertThat(s.bwrap()).isZero();
    }

    @Test
    void crun() throws Exception {
        peer(Peer.CRUN);
        StartLatency s = latency();
        for (int i = 0; i < CALLS; i++) assertThat(s.crun()).isZero();
    }

    @Test
    void runc() throws Exception {
        peer(Peer.RUNC);
        StartLatency s = latency();
        for (int i = 0; i < CALLS; i++) assertThat(s.runc()).isZero();
    }

    @Test
    void jcontainerConfigurations() throws Exception {
        StartLatency s = latency();
        for (int i = 0; i < CALLS; i++) {
            assertThat(s.jcontainerNamespaces()).isZero();
            assertThat(s.jcontainerLimits()).isZero();
            assertThat(s.jcontainerHeadline()).isZero();
        }
    }

    @Test
    void throughputAndBigHeapMethods() throws Exception {
        Throughput t = new Throughput();
        t.setup();
        assertThat(t.processBuilder()).isZero();
        assertThat(t.jcontainerHeadline()).isZero();
        if (Peer.BWRAP.available()) assertThat(t.bwrap()).isZero();
        if (Peer.CRUN.available()) assertThat(t.crun()).isZero();
        BigHeap b = new BigHeap();
        b.setup();
        assertThat(b.processBuilder()).isZero();
        assertThat(b.jcontainerHeadline()).isZero();
    }

    /** The pooled benchmarks take from their pools (a fall-back start when none is ready) and close them. */
    @Test
    void pooledMethods() throws Exception {
        Throughput.Pooled tp = new Throughput.Pooled();
        tp.setup();
        try {
            for (int i = 0; i < CALLS; i++) assertThat(new Throughput().jcontainerHeadlinePooled(tp)).isZero();
        } finally {
            tp.tearDown();
        }
        PooledStart.Full full = new PooledStart.Full();
        full.setup();
        try {
            for (int i = 0; i < CALLS; i++) {
                full.ready();
                assertThat(new PooledStart().jcontainerHeadlinePooledIdle(full)).isZero();
            }
        } finally {
            full.tearDown();
        }
    }

    @Test
    void headlineChecksReportWhatIsInEffect() {
        Path root = Fixture.ensureBundle().resolve("rootfs");
        Configs.Resolved r = Configs.resolveHeadline(root);
        List<Configs.Check> checks = Configs.verify(r.spec());
        assertThat(checks).extracting(Configs.Check::feature).contains("USER namespace", "NET namespace", "seccomp filter");
        assertThat(checks).filteredOn(c -> c.feature().endsWith("namespace")).allMatch(Configs.Check::inEffect);
    }

    @Test
    void footprintLeavesNothingBehind() {
        Map<String, Object> fp = Footprint.measure(5, Fixture.ensureBundle().resolve("rootfs"));
        assertThat(fp.get("running")).isEqualTo(5L);
        assertThat(fp.get("launchersFound")).isEqualTo(5);
        assertThat(fp.get("processesLeft")).isEqualTo(0L);
        assertThat(fp.get("jvmFdsLeft")).isEqualTo(0);
    }

    /** JMH in-process (no fork, one short iteration) → JSON → the report and its charts. */
    @Test
    void jmhRunFeedsTheReport(@TempDir Path tmp) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("\\.StartLatency\\.(processBuilder|jcontainerNamespaces|jcontainerLimits|jcontainerHeadline)$")
                .include("\\.Throughput\\.processBuilder$")
                .forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(200))
                .shouldFailOnError(true).build()).run();
        assertThat(results).hasSize(5);
        Path res = Files.createDirectories(tmp.resolve("results")), docs = tmp.resolve("docs");
        try (PrintStream out = new PrintStream(Files.newOutputStream(res.resolve("jmh.json")), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(results);
        }
        Path root = Fixture.ensureBundle().resolve("rootfs");
        Configs.Resolved headline = Configs.resolveHeadline(root);
        Map<String, Object> env = Environment.describe("smoke");
        env.put("headlineLeftOut", headline.leftOut());
        env.put("headlineChecks", Configs.verify(headline.spec()));
        env.put("namespacesOnlyChecks", Configs.verify(Configs.namespacesOnly(root).build()));
        ObjectMapper json = new ObjectMapper();
        json.writeValue(res.resolve("env.json").toFile(), env);
        json.writeValue(res.resolve("phases.json").toFile(), Phases.measure(headline.spec(), Configs.namespacesOnly(root).build(), 4));
        json.writeValue(res.resolve("footprint.json").toFile(), Footprint.measure(3, root));

        Report.write(res, docs);

        String md = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(md).contains("## PERF.md targets", "| ProcessBuilder /bin/true |", "| jcontainer (b) headline |",
                "benchmarks-latency.svg", "## Footprint of idle containers", "not available yet",
                "| jcontainer (a) + memory/cpu/pids limits |", "added start → exit → close, (a) + limits − (a) (issue 3)",
                "added by the limits: start → exit observed");
        assertThat(Files.readString(docs.resolve("benchmarks-latency.svg"))).startsWith("<svg").contains("jcontainer (b) headline");
        assertThat(Files.readString(docs.resolve("benchmarks-throughput.svg"))).startsWith("<svg");
    }
}
