package io.jcontainer.linux.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The CRI log reader, without root: partial lines, rotation order, tail, since. */
class ContainerLogsTest {
    @TempDir
    Path tmp;

    @Test
    void joinsPartialsReadsRotatedFilesOldestFirstAndFilters() throws Exception {
        Path log = tmp.resolve("container.log");
        Files.writeString(tmp.resolve("container.log.2"), "2026-01-01T00:00:00.000000001Z stdout F a\n");
        Files.writeString(tmp.resolve("container.log.1"), "2026-01-01T00:00:01.000000000Z stdout P b\n2026-01-01T00:00:01.000000000Z stderr F e\n");
        Files.writeString(log, "2026-01-01T00:00:02.000000000Z stdout F  c\n2026-01-01T00:00:03.000000000Z stdout F \n2026-01-01T00:00:04.000000000Z stdout F d\n2026-01-01T00:00:05");
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        new ContainerLogs(log).print(ContainerLogs.Options.ALL, out, err, () -> false);
        assertThat(out.toString()).isEqualTo("a\nb c\n\nd\n");
        assertThat(err.toString()).isEqualTo("e\n");
        out.reset();
        new ContainerLogs(log).print(new ContainerLogs.Options(false, true, 2, null), out, err, () -> false);
        assertThat(out.toString()).isEqualTo("2026-01-01T00:00:03.000000000Z \n2026-01-01T00:00:04.000000000Z d\n");
        out.reset();
        new ContainerLogs(log).print(new ContainerLogs.Options(false, false, -1, Instant.parse("2026-01-01T00:00:03Z")), out, err, () -> false);
        assertThat(out.toString()).isEqualTo("\nd\n");
    }
}
