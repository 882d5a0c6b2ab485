package io.jcontainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jcontainer.ContainerSpec;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole benchmark in one run ({@code benchmarks/run quick|full}): the bundle, the JMH
 * suite (jcontainer and every installed peer, so ratios come from one run), the phase split,
 * the footprint of idle containers, then {@link Report} writes docs/benchmarks.md and its charts.
 *
 * <p>Usage: {@code java -jar benchmarks.jar quick|full RESULTS_DIR DOCS_DIR}.
 */
public final class Main {
    private Main() {
    }

    record Mode(String name, int forks, int warmups, int warmupSeconds, int iterations, int seconds, int phaseRounds, int footprint) {
    }

    static final Mode QUICK = new Mode("quick", 1, 2, 1, 3, 2, 100, 200);
    static final Mode FULL = new Mode("full", 3, 5, 2, 10, 2, 500, 1000);

    public static void main(String[] args) throws Exception {
        Mode mode = args.length > 0 && args[0].equals("full") ? FULL : QUICK;
        Path results = Path.of(args.length > 1 ? args[1] : "benchmarks/results").toAbsolutePath();
        Path docs = Path.of(args.length > 2 ? args[2] : "docs").toAbsolutePath();
        Files.createDirectories(results);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        Path bundle = Fixture.ensureBundle();
        Path root = bundle.resolve("rootfs");
        log("bundle: " + bundle);

        Map<String, Object> env = Environment.describe(mode.name());
        Map<String, String> skipped = new LinkedHashMap<>();
        for (Peer p : Peer.values()) if (!p.available()) skipped.put(p.binary, p.missingReason());
        Optional<String> cgroup2 = Fixture.cgroup2WithControllers();
        env.put("crunCgroup2Hidden", cgroup2.map(m -> "crun ran in a private mount namespace without the cgroup2 mount " + m
                + " (crun refuses hybrid hosts whose cgroup2 mount lists controllers); nothing changed on the host").orElse(null));

        Configs.Resolved headline = Configs.resolveHeadline(root);
        ContainerSpec namespacesOnly = Configs.namespacesOnly(root).build();
        env.put("headlineLeftOut", headline.leftOut());
        env.put("headlineChecks", Configs.verify(headline.spec()));
        env.put("namespacesOnlyChecks", Configs.verify(namespacesOnly));
        log("headline left out: " + headline.leftOut());

        // ---- JMH: everything but crun in ordinary forks; crun in forks whose JVM runs in a
        // private mount namespace without the cgroup2 mount (only when the host needs it).
        List<RunResult> all = new ArrayList<>();
        List<String> main = new ArrayList<>(List.of("StartLatency.processBuilder", "StartLatency.jcontainerNamespaces",
                "StartLatency.jcontainerLimits", "StartLatency.jcontainerHeadline", "Throughput.processBuilder", "Throughput.jcontainerHeadline",
                "Throughput.jcontainerHeadlinePooled", "PooledStart.jcontainerHeadlinePooledIdle", "PooledStart.jcontainerHeadlinePooled",
                "BigHeap.processBuilder", "BigHeap.jcontainerHeadline"));
        if (Peer.BWRAP.available()) main.addAll(List.of("StartLatency.bwrap", "Throughput.bwrap"));
        if (Peer.RUNC.available()) main.add("StartLatency.runc");
        all.addAll(jmh(mode, main, null, results));
        if (Peer.CRUN.available()) {
            String jvm = cgroup2.isPresent() ? crunJvm(results, cgroup2.get()) : null;
            all.addAll(jmh(mode, List.of("StartLatency.crun", "Throughput.crun"), jvm, results));
        }
        try (PrintStream out = new PrintStream(Files.newOutputStream(results.resolve("jmh.json")), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(all);
        }
        // A benchmark that threw (shouldFailOnError is off, so the others still run) has no result.
        List<String> expected = new ArrayList<>(main);
        if (Peer.CRUN.available()) expected.addAll(List.of("StartLatency.crun", "Throughput.crun"));
        for (String b : expected)
            if (all.stream().noneMatch(r -> r.getParams().getBenchmark().endsWith("." + b)))
                skipped.put(b, "failed during the run: no result (its error is in the console output above)");
        env.put("skipped", skipped);

        log("phases (" + mode.phaseRounds() + " rounds)");
        json.writeValue(results.resolve("phases.json").toFile(), Phases.measure(headline.spec(), namespacesOnly, mode.phaseRounds()));

        log("footprint (" + mode.footprint() + " idle containers)");
        Map<String, Object> fp = Footprint.measure(mode.footprint(), root);
        if (mode.footprint() < 1000) fp.put("quickNote", "quick mode: " + mode.footprint() + " containers instead of 1000");
        json.writeValue(results.resolve("footprint.json").toFile(), fp);

        env.put("jmhSettings", mode.forks() + " fork(s) per benchmark, " + mode.warmups() + " warm-up iteration(s) of "
                + mode.warmupSeconds() + " s, " + mode.iterations() + " measured iteration(s) of " + mode.seconds() + " s");
        env.put("loadAverageAtEnd", Environment.loadAverage());
        json.writeValue(results.resolve("env.json").toFile(), env);
        Report.write(results, docs);
        log("wrote " + docs.resolve("benchmarks.md"));
    }

    static List<RunResult> jmh(Mode mode, List<String> benchmarks, String jvm, Path results) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .forks(mode.forks())
                .warmupIterations(mode.warmups())
                .warmupTime(TimeValue.seconds(mode.warmupSeconds()))
                .measurementIterations(mode.iterations())
                .measurementTime(TimeValue.seconds(mode.seconds()))
                .jvmArgs("--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-Djc.bench.dir=" + Fixture.dir())
                .shouldFailOnError(false);
        for (String b : benchmarks) o.include("\\." + b.replace(".", "\\.") + "$");
        if (jvm != null) o.jvm(jvm);
        return new ArrayList<>(new Runner(o.build()).run());
    }

    /** A java launcher that first leaves the cgroup2 mount behind, in a private mount namespace. */
    static String crunJvm(Path results, String cgroup2) {
        try {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Path wrapper = results.resolve("java-without-cgroup2");
            Files.writeString(wrapper, "#!/bin/sh\n# crun refuses hybrid hosts whose cgroup2 mount lists controllers: hide it, privately.\n"
                    + "exec unshare -m --propagation private sh -c 'umount " + cgroup2 + " && exec \"$0\" \"$@\"' " + java + " \"$@\"\n");
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
            return wrapper.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void log(String s) {
        System.out.println("# bench: " + s);
    }
}
