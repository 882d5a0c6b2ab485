package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.linux.TestRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the attack suite (SECURITY.md rows 1–26). Each test gets a private root with the probe
 * and a <b>host canary</b>: a 0600 file outside the root with random content. After every test
 * the canary must be unchanged (and was never readable from inside: tests pass its host path to
 * the probe), and the JVM must still start and finish a container.
 */
abstract class AttackTest {
    @TempDir
    Path dir;
    Path root;
    Path canary;
    String canaryContent;

    @BeforeEach
    void plantCanary() throws IOException {
        root = Probe.rootfs(dir);
        Path outside = Files.createDirectories(dir.resolve("host"));
        canary = outside.resolve("canary");
        canaryContent = "canary-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16)) + "\n";
        Files.writeString(canary, canaryContent);
        Files.setPosixFilePermissions(canary, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void canaryUnchangedAndJvmResponsive() throws IOException {
        assertThat(Files.readString(canary)).as("host canary %s", canary).isEqualTo(canaryContent);
        assertThat(Files.getPosixFilePermissions(canary)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // The JVM and its supervisor still work: a fresh container starts, runs and reports.
        var r = TestRuns.run(TestRuns.busybox().command("/bin/echo", "alive"));
        assertThat(r.stdout()).isEqualTo("alive\n");
    }

    /** The probe with {@code args} in this test's root. */
    ContainerSpec.Builder probe(String... args) {
        return Probe.in(root, args);
    }

    Probe.Outcome run(ContainerSpec.Builder b) {
        return Probe.run(b);
    }

    Probe.Outcome run(String... args) {
        return Probe.run(probe(args));
    }

    /** Reads the first line the container prints (for payloads that keep running). */
    static String firstLine(Container c) throws IOException {
        StringBuilder sb = new StringBuilder();
        int ch;
        while ((ch = c.stdout().read()) >= 0 && ch != '\n') sb.append((char) ch);
        return sb.toString();
    }
}
