package io.jcontainer.oci.build;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The exec form's JSON array, read without Jackson: exactly a JSON array of strings, as docker's json.Unmarshal takes it. */
class JsonFormTest {
    @Test
    void arraysOfStringsWithEscapes() {
        assertThat(DockerfileParser.jsonArray("[\"cat\", \"/app/size\"]")).containsExactly("cat", "/app/size");
        assertThat(DockerfileParser.jsonArray("  [ ]  ")).isEmpty();
        assertThat(DockerfileParser.jsonArray("[\"a\\\"b\",\"c\\\\d\",\"\\/\\b\\f\\n\\r\\t\",\"\\u00e9\\ud83d\\ude00\"]"))
                .containsExactly("a\"b", "c\\d", "/\b\f\n\r\t", "é😀");
        assertThat(DockerfileParser.jsonArray("[\"sh\",\n \"-c\",\t\"echo hi\"]")).containsExactly("sh", "-c", "echo hi");
    }

    @Test
    void anythingElseIsTheShellForm() {
        for (String s : List.of("[", "[\"a\"", "[\"a\",]", "[a]", "[\"a\"] b", "[1]", "[\"a\", null]", "[\"a\" \"b\"]",
                "[\"\\x\"]", "[\"\\u12\"]", "[\"tab\there\"]", "[[\"a\"]]", "{}", "[\"a\"]]"))
            assertThat(DockerfileParser.jsonArray(s)).as(s).isNull();
    }
}
