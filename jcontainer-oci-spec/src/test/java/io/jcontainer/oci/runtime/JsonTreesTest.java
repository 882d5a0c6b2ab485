package io.jcontainer.oci.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The records read without a mapper give the tree the mapper gave (state.json, config.json, jcontainer.json). */
class JsonTreesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Test
    void theTreeIsTheMappers() throws Exception {
        for (String doc : new String[] {
                "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sh\",\"-c\",\"echo hé\"],\"user\":{\"uid\":0,\"gid\":4294967295}},"
                        + "\"n\":null,\"t\":true,\"f\":false,\"d\":0.5,\"e\":1e3,\"big\":123456789012345678901234567890,\"neg\":-7,"
                        + "\"nested\":{\"a\":[[],{}],\"dup\":1,\"dup\":2}}",
                "[1, 2.0, \"x\"]", "\"just text\"", "42", "  {}  ", "null"}) {
            assertThat(JsonTrees.read(doc)).as(doc).isEqualTo(MAPPER.readTree(doc));
            assertThat(JsonTrees.read(doc.getBytes(java.nio.charset.StandardCharsets.UTF_8))).as(doc).isEqualTo(MAPPER.readTree(doc));
        }
    }

    @Test
    void anEmptyDocumentIsMissing() throws Exception {
        assertThat(JsonTrees.read("").isMissingNode()).isTrue();
        assertThat(JsonTrees.read("   ").isMissingNode()).isTrue();
    }

    @Test
    void malformedAndTrailingContentAreRefusedWithTheirPlace() {
        assertThatThrownBy(() -> JsonTrees.read("{\"a\":1} {\"b\":2}")).isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("Trailing token");
        assertThatThrownBy(() -> JsonTrees.read("{\"a\":")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> JsonTrees.read("{\"a\" 1}")).isInstanceOf(JsonProcessingException.class)
                .satisfies(e -> assertThat(((JsonProcessingException) e).getLocation()).isNotNull());
    }

    @Test
    void prettyIsTheMappersDefaultPrettyPrinter() throws Exception {
        String doc = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"pid\":123,\"big\":12345678901,\"d\":0.5,\"t\":true,\"n\":null,"
                + "\"annotations\":{},\"list\":[],\"nested\":{\"a\":[1,{\"b\":\"é \\\"q\\\" \\n\"}]}}";
        var n = MAPPER.readTree(doc);
        assertThat(JsonTrees.pretty(n)).isEqualTo(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n));
    }
}
