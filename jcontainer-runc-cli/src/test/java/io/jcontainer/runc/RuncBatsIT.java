package io.jcontainer.runc;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * runc's own integration suite (tests/integration of Debian's runc 1.1.5 source package, bats)
 * run against ./jcontainer-runc. {@code src/test/bats/runc-bats-expected.txt} records every test
 * of the suite as pass, skip or fail (with why); this test runs the files its {@code run:} line
 * names — the passing ones that are quick — and fails when a test recorded as passing does not.
 * The suite comes from {@code bin/fetch-runc-source.sh} ({@code .ci/run} fetches it first;
 * {@code RUNC_BATS_SRC} points elsewhere).
 */
@RequiresRoot
class RuncBatsIT {
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path RUNTIME = MODULE.resolveSibling("jcontainer-runc");
    static final Path EXPECTED = MODULE.resolve("src/test/bats/runc-bats-expected.txt");
    static final Pattern TAP = Pattern.compile("^(ok|not ok) \\d+ (.*?)( # skip.*)?$");

    @TempDir
    Path out;

    @Test
    void theRecordedPassesOfRuncsSuitePass() throws Exception {
        String env = System.getenv("RUNC_BATS_SRC");
        Path src = env != null && !env.isEmpty() ? Path.of(env) : MODULE.resolve("target/runc-src");
        if (!Files.isDirectory(src.resolve("runc/tests/integration"))) {
            Process f = new ProcessBuilder(MODULE.resolveSibling("bin").resolve("fetch-runc-source.sh").toString(), src.toString())
                    .inheritIO().start();
            assertThat(f.waitFor(600, TimeUnit.SECONDS)).as("fetching runc's source package").isTrue();
            assertThat(f.exitValue()).as("bin/fetch-runc-source.sh " + src).isZero();
        }
        List<String> files = new ArrayList<>();
        Map<String, String> expectedPass = new LinkedHashMap<>(); // "file: name" -> file
        for (String line : Files.readAllLines(EXPECTED)) {
            if (line.startsWith("run:")) files.addAll(List.of(line.substring(4).strip().split("\\s+")));
            String[] p = line.split("\t");
            if (p.length >= 3 && p[0].equals("pass")) expectedPass.put(p[1] + ": " + p[2], p[1]);
        }
        assertThat(files).as("the run: line of " + EXPECTED).isNotEmpty();
        List<String> cmd = new ArrayList<>(List.of(MODULE.resolve("src/test/bats/run-runc-bats.sh").toString(),
                src.resolve("runc").toString(), out.toString()));
        cmd.addAll(files);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("runner.log").toFile());
        pb.environment().put("RUNC", RUNTIME.toString());
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("BATS_FILE_TIMEOUT", "300");
        Process p = pb.start();
        assertThat(p.waitFor(20, TimeUnit.MINUTES)).as("the suite's files ran").isTrue();
        assertThat(p.exitValue()).as(Files.readString(out.resolve("runner.log"))).isZero();

        Map<String, String> got = new LinkedHashMap<>();
        StringBuilder report = new StringBuilder();
        for (String file : files) {
            String name = file.replaceAll("\\.bats$", "");
            String tap = Files.readString(out.resolve(name + ".tap"));
            report.append(tap).append('\n');
            for (String line : tap.split("\n")) {
                Matcher m = TAP.matcher(line);
                if (m.matches()) got.put(file + ": " + m.group(2), m.group(3) != null ? "skip" : m.group(1).equals("ok") ? "pass" : "fail");
            }
        }
        List<String> regressed = new ArrayList<>();
        for (var e : expectedPass.entrySet())
            if (files.contains(e.getValue()) && !"pass".equals(got.get(e.getKey()))) regressed.add(e.getKey() + " -> " + got.get(e.getKey()));
        assertThat(regressed).as("tests recorded as passing in " + EXPECTED + "\n" + report).isEmpty();
    }
}
