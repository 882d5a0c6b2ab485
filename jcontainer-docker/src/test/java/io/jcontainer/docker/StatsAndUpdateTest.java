package io.jcontainer.docker;

import io.jcontainer.ContainerStats;
import io.jcontainer.DataSize;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Resources;
import io.jcontainer.RestartPolicy;
import io.jcontainer.lifecycle.ContainerInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker stats' columns and units, and docker update's flags. */
class StatsAndUpdateTest {
    static ContainerInfo info() {
        return new ContainerInfo("0123456789ab" + "c".repeat(52), "web", "img", List.of("sh"), null, ContainerInfo.Status.RUNNING, 42,
                null, null, null, null, false, "no", null, Map.of(), List.of(), null, 41);
    }

    static ContainerStats stats(long mem, long inactive, long limit, long cpuMicros) {
        return new ContainerStats(mem, mem, cpuMicros, 0, -1, -1, -1, 3, 0, limit, inactive, -1, 1_234_567, 0, 1500, 648);
    }

    @Test
    void unitsAreDockers() {
        assertThat(StatsColumns.binary(0)).isEqualTo("0B");
        assertThat(StatsColumns.binary(1536)).isEqualTo("1.5KiB");
        assertThat(StatsColumns.binary(360 * 1024)).isEqualTo("360KiB");
        assertThat(StatsColumns.binary(25_275_000_000L)).isEqualTo("23.54GiB");
        assertThat(StatsColumns.decimal(648)).isEqualTo("648B");
        assertThat(StatsColumns.decimal(1500)).isEqualTo("1.5kB");
        assertThat(StatsColumns.decimal(1_234_567)).isEqualTo("1.23MB");
    }

    @Test
    void aRowAsDockersTableShowsIt() {
        Map<String, Object> row = StatsColumns.fields("web", info(), stats(100L << 20, 20L << 20, 400L << 20, 1_500_000),
                stats(100L << 20, 20L << 20, 400L << 20, 1_000_000), 1_000_000_000L, false);
        assertThat(row).containsEntry("ID", "0123456789ab").containsEntry("Name", "web").containsEntry("Container", "web")
                .containsEntry("CPUPerc", "50.00%") // half a second of CPU in a second
                .containsEntry("MemUsage", "80MiB / 400MiB").containsEntry("MemPerc", "20.00%")
                .containsEntry("NetIO", "1.5kB / 648B").containsEntry("BlockIO", "1.23MB / 0B").containsEntry("PIDs", "3");
        assertThat(StatsColumns.fields("web", info(), null, null, 0, true)).containsEntry("ID", info().id()).containsEntry("MemUsage", "0B / 0B");
    }

    @Test
    void updateFlagsMapOntoTheLimitsTheyChange() {
        DockerUpdate.Update u = DockerUpdate.of(Map.of("memory", "256m", "memory-swap", "-1", "pids-limit", "-1", "restart", "on-failure:3",
                "cpu-quota", "50000")::get);
        Resources r = u.resources();
        assertThat(r.memory()).isEqualTo(DataSize.MB(256));
        assertThat(r.memorySwap()).isEqualTo(Resources.UNLIMITED_SWAP);
        assertThat(r.pidsLimit()).isEqualTo(DockerUpdate.UNLIMITED_PIDS);
        assertThat(r.cpuQuota()).isEqualTo(0.5);
        assertThat(r.memoryReservation()).isNull();
        assertThat(u.restart()).isEqualTo(RestartPolicy.onFailure(3));
        assertThat(DockerUpdate.of(Map.of("cpus", "1.5")::get).resources().cpuQuota()).isEqualTo(1.5);
    }

    @Test
    void updateRefusesAsDockerDoes() {
        assertThatThrownBy(() -> DockerUpdate.of(Map.<String, String>of()::get)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("You must provide one or more flags when using this command.");
        assertThatThrownBy(() -> DockerUpdate.of(Map.of("kernel-memory", "10m")::get)).hasMessageContaining("Kernel memory");
        assertThatThrownBy(() -> DockerUpdate.of(Map.of("cpu-rt-runtime", "950000")::get)).hasMessageContaining("real-time");
        assertThatThrownBy(() -> DockerUpdate.of(Map.of("cpus", "1", "cpu-quota", "50000")::get)).hasMessageContaining("Conflicting options");
        assertThatThrownBy(() -> DockerUpdate.of(Map.of("cpu-quota", "500")::get)).hasMessageContaining("less than 1ms");
        assertThatThrownBy(() -> DockerUpdate.of(Map.of("pids-limit", "lots")::get)).hasMessageContaining("invalid argument \"lots\"");
    }

    /** ps's CreatedAt in docker's (Go's) layout, which scripts parse — not ISO-8601. */
    @org.junit.jupiter.api.Test
    void psCreatedAtIsDockersLayout() {
        ContainerInfo c = new ContainerInfo("0123456789ab" + "c".repeat(52), "web", "img", List.of("sh"), null, ContainerInfo.Status.RUNNING, 42,
                java.time.Instant.parse("2026-01-02T03:04:05.678Z"), null, null, null, false, "no", null, Map.of(), List.of(), null, 41);
        assertThat(PsColumns.fields(c, false)).containsEntry("CreatedAt", "2026-01-02 03:04:05 +0000 UTC");
    }
}
