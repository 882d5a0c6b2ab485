package io.jcontainer.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jcontainer.lifecycle.ContainerInfo;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** inspect's JSON without a mapper is the mapper's, byte for byte (CLI output and the API server's depend on it). */
class TreesTest {
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static Map<String, Object> values() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("int", 7);
        m.put("long", 1L << 40);
        m.put("negative", -3);
        m.put("double", 0.25);
        m.put("float", 1.5f);
        m.put("big", new BigInteger("123456789012345678901234567890"));
        m.put("decimal", new BigDecimal("1.10"));
        m.put("true", true);
        m.put("null", null);
        m.put("text", "héllo \"quoted\" \\ \n\t\u0001 – ✓");
        m.put("empty list", List.of());
        m.put("empty map", Map.of());
        m.put("nested", Map.of("a", Arrays.asList(1, null, "x", List.of(Map.of("b", false)))));
        return m;
    }

    @Test
    void treesOfPlainValuesAreTheMappers() {
        for (Object v : values().values()) assertThat(Trees.tree(v)).isEqualTo(PRETTY.valueToTree(v));
        assertThat(Trees.tree(values())).isEqualTo(PRETTY.valueToTree(values()));
    }

    @Test
    void prettyOutputIsTheMappers() throws Exception {
        JsonNode n = Trees.tree(values());
        assertThat(Trees.pretty(n)).isEqualTo(PRETTY.writeValueAsString(n));
        assertThat(Trees.pretty(Trees.tree(List.of()))).isEqualTo(PRETTY.writeValueAsString(PRETTY.createArrayNode()));
    }

    @Test
    void aContainersInspectIsTheMappers() throws Exception {
        ContainerInfo c = new ContainerInfo("0123456789ab" + "0".repeat(52), "web", "busybox", List.of("sleep", "10"), null,
                ContainerInfo.Status.EXITED, 0, Instant.parse("2026-01-02T03:04:05Z"), Instant.parse("2026-01-02T03:04:06Z"),
                Instant.parse("2026-01-02T03:04:07Z"), null, false, "no", null, Map.of(), List.of(), null, 0, null);
        assertThat(Inspect.json(c)).isEqualTo(PRETTY.writeValueAsString(Inspect.node(c)));
    }

    @Test
    void aNodeOnlyAMapperWritesGoesThroughOne() throws Exception {
        var o = PRETTY.createObjectNode();
        o.putPOJO("when", Instant.EPOCH.toString());
        o.put("n", 1);
        assertThat(Trees.pretty(o)).isEqualTo(PRETTY.writeValueAsString(o));
    }
}
