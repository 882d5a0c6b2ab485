package io.jcontainer.linux;

import io.jcontainer.HealthCheck;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.ContainerInfo.Health;
import io.jcontainer.lifecycle.ContainerInfo.HealthStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Docker's health rules on the state alone: streaks, retries, the start period, the log's length. */
class HealthChecksTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final HealthCheck CHECK = new HealthCheck(List.of("CMD", "true"), Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(10), 2);

    private static ContainerInfo.Health.Probe probe(int secondsAfterStart, int code) {
        Instant at = T0.plusSeconds(secondsAfterStart);
        return new ContainerInfo.Health.Probe(at, at, code, "");
    }

    @Test
    void failuresInTheStartPeriodDoNotCountThenRetriesMakeItUnhealthy() {
        Health h = new Health(HealthStatus.STARTING, 0, List.of());
        h = HealthChecks.next(h, probe(1, 1), CHECK, T0);
        assertThat(h.status()).isEqualTo(HealthStatus.STARTING);
        assertThat(h.failingStreak()).isZero();
        h = HealthChecks.next(h, probe(11, 1), CHECK, T0);       // after the start period: counts
        assertThat(h.status()).isEqualTo(HealthStatus.STARTING);
        assertThat(h.failingStreak()).isEqualTo(1);
        h = HealthChecks.next(h, probe(12, 0), CHECK, T0);
        assertThat(h.status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(h.failingStreak()).isZero();
        h = HealthChecks.next(h, probe(13, 1), CHECK, T0);
        assertThat(h.status()).isEqualTo(HealthStatus.HEALTHY);  // one failure of two
        h = HealthChecks.next(h, probe(14, 1), CHECK, T0);
        assertThat(h.status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(h.failingStreak()).isEqualTo(2);
        for (int i = 0; i < 10; i++) h = HealthChecks.next(h, probe(15 + i, 1), CHECK, T0);
        assertThat(h.log()).hasSize(HealthChecks.MAX_LOG);
        assertThat(h.log().getLast().start()).isEqualTo(T0.plusSeconds(24));
    }

    @Test
    void aSuccessInTheStartPeriodMakesItHealthyAndLaterFailuresCount() {
        Health h = HealthChecks.next(new Health(HealthStatus.STARTING, 0, List.of()), probe(1, 0), CHECK, T0);
        assertThat(h.status()).isEqualTo(HealthStatus.HEALTHY);
        h = HealthChecks.next(h, probe(2, 1), CHECK, T0);         // healthy already: docker counts it
        assertThat(h.failingStreak()).isEqualTo(1);
    }
}
