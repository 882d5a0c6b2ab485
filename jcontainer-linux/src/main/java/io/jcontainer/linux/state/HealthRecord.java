package io.jcontainer.linux.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.lifecycle.ContainerInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's health ({@code health.json} in its state directory), written by the one process
 * that runs its checks and read by every {@code ps} and {@code inspect}. Replaced whole by a
 * rename, so a reader sees the state before or after a check, never half of one.
 */
public final class HealthRecord {
    public static final String FILE = "health.json", LOCK = "health.lock";
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private HealthRecord() {
    }

    /** The recorded health, or {@code starting} with no checks yet when nothing is recorded (or it cannot be read). */
    public static ContainerInfo.Health read(Path stateDir) {
        try {
            JsonNode n = io.jcontainer.oci.runtime.JsonTrees.read(stateDir.resolve(FILE));
            List<ContainerInfo.Health.Probe> log = new ArrayList<>();
            for (JsonNode p : n.path("log"))
                log.add(new ContainerInfo.Health.Probe(Instant.parse(p.path("start").asText()), Instant.parse(p.path("end").asText()),
                        p.path("exitCode").asInt(), p.path("output").asText()));
            return new ContainerInfo.Health(ContainerInfo.HealthStatus.valueOf(n.path("status").asText("STARTING")),
                    n.path("failingStreak").asInt(), log);
        } catch (IOException | RuntimeException e) {
            // none yet (NoSuchFileException), or unreadable: no check has counted
            return new ContainerInfo.Health(ContainerInfo.HealthStatus.STARTING, 0, List.of());
        }
    }

    public static void write(Path stateDir, ContainerInfo.Health h) {
        ObjectNode n = Json.JSON.createObjectNode().put("status", h.status().name()).put("failingStreak", h.failingStreak());
        ArrayNode log = n.putArray("log");
        for (ContainerInfo.Health.Probe p : h.log())
            log.addObject().put("start", p.start().toString()).put("end", p.end().toString()).put("exitCode", p.exitCode()).put("output", p.output());
        Path tmp = stateDir.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, n.toString());
            Files.move(tmp, stateDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the health of the container in " + stateDir, e);
        }
    }
}
