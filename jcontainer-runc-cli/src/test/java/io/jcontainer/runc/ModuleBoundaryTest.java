package io.jcontainer.runc;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** jcontainer-runc is an API client: the public API and the OCI mapping, never the Linux internals. */
class ModuleBoundaryTest {
    @Test
    void noLinuxInternals() throws Exception {
        try (Stream<Path> s = Files.walk(Path.of("src/main/java"))) {
            List<String> offenders = s.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return Files.readString(p).contains("io.jcontainer.linux");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
            assertThat(offenders).isEmpty();
        }
    }
}
