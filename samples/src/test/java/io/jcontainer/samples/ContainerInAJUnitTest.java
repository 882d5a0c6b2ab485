package io.jcontainer.samples;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Stdio;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample for test suites: a JUnit 5 test that runs the tool under test in a container of its
 * own — no daemon, no image, started in milliseconds — with the test's files bound read-only and
 * a private scratch directory, and everything gone when the try block ends.
 */
@RequiresRoot
class ContainerInAJUnitTest {
    /** One spec for the class: validated once, started per test. */
    private static final ContainerSpec SORT = Container.builder()
            .command("sh", "-c", "sort -u /input/words > /tmp/sorted && wc -l < /tmp/sorted && cat /tmp/sorted")
            .readOnlyRoot(true)
            .tmpfs("/tmp", io.jcontainer.DataSize.MB(8))
            .stdin(Stdio.NULL)
            .build();

    @Test
    void theToolSortsItsInput(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("words"), "pear\napple\npear\nfig\n");
        try (Container c = SORT.toBuilder().volume(dir + ":/input:ro").build().start()) {
            String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(c.waitFor(Duration.ofSeconds(10))).hasValueSatisfying(e -> assertThat(e.code()).isZero());
            assertThat(out).isEqualTo("3\napple\nfig\npear\n");
        }
        // The container wrote only its own tmpfs: the test's directory is as it was.
        assertThat(Files.list(dir)).hasSize(1);
    }
}
