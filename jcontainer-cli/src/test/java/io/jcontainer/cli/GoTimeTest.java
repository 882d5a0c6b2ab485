package io.jcontainer.cli;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** network ls's CreatedAt as docker prints it (Go's time.Time.String()), which scripts parse. */
class GoTimeTest {
    @Test
    void goTimeTrimsTheFractionAsGoDoes() {
        assertThat(NetworkCommand.goTime(Instant.parse("2026-01-02T03:04:05.678Z"))).isEqualTo("2026-01-02 03:04:05.678 +0000 UTC");
        assertThat(NetworkCommand.goTime(Instant.parse("2026-01-02T03:04:05Z"))).isEqualTo("2026-01-02 03:04:05 +0000 UTC");
        assertThat(NetworkCommand.goTime(Instant.parse("2026-01-02T03:04:05.000000001Z"))).isEqualTo("2026-01-02 03:04:05.000000001 +0000 UTC");
    }
}
