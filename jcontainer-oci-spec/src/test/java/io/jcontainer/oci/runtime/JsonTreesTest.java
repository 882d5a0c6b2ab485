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

    /**
     * The reader without Jackson's parser ({@link JsonTrees.Plain}) gives Jackson's tree for every
     * document it reads, reads the plain form jcontainer writes, and passes on (null) every
     * document Jackson refuses — random documents, and each of them cut and mangled.
     */
    @Test
    void thePlainReaderGivesJacksonsTreeOrPassesOn() throws Exception {
        java.util.Random r = new java.util.Random(17);
        int plainRead = 0;
        for (int n = 0; n < 3000; n++) {
            StringBuilder b = new StringBuilder();
            boolean plain = randomValue(r, b, 0, n % 3 == 0);
            String doc = b.toString();
            var mapper = MAPPER.readTree(doc);
            var own = JsonTrees.Plain.read(doc.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (plain) assertThat(own).as(doc).isNotNull();
            if (own != null) {
                assertThat(own).as(doc).isEqualTo(mapper);
                plainRead++;
            }
            for (int m = 0; m < 4; m++) {
                String bad = mangle(r, doc);
                Object expected;
                try {
                    expected = MAPPER.readTree(bad);
                } catch (JsonProcessingException refused) {
                    expected = null;
                }
                var got = JsonTrees.Plain.read(bad);
                if (got != null) assertThat(got).as(bad).isEqualTo(expected);
            }
        }
        assertThat(plainRead).isGreaterThan(1000);
        // invalid UTF-8, a byte order mark, leading zeros, other scripts' digits: Jackson's
        assertThat(JsonTrees.Plain.read(new byte[] {'"', (byte) 0xC3, '"'})).isNull();
        assertThat(JsonTrees.Plain.read("\uFEFF{}")).isNull();
        assertThat(JsonTrees.Plain.read("[01]")).isNull();
        assertThat(JsonTrees.Plain.read("\"\\ud800\"")).isEqualTo(MAPPER.readTree("\"\\ud800\"")); // a lone escaped surrogate, kept as Jackson keeps it
        assertThat(JsonTrees.Plain.read("\"\\u\uFF11\uFF11\uFF11\uFF11\"")).isNull();
        assertThat(JsonTrees.Plain.read("\"a\tb\"")).isNull(); // a raw control character
    }

    private static final String[] ATOMS = {"true", "false", "null", "0", "-0", "7", "-12", "2147483647", "2147483648", "-2147483648",
            "-2147483649", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "123456789012345678",
            "1234567890123456789", "18446744073709551615", "123456789012345678901234567890", "0.5", "1e3", "-2.5E-3"};
    private static final String[] PIECES = {"a", "é", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\u0000", "\\ud83d\\ude00",
            "\uD83D\uDE00", "日本", " ", "\\b\\f\\r", "x y"};

    /** Appends a random value; true when it is in the plain subset (no fraction or exponent). */
    private static boolean randomValue(java.util.Random r, StringBuilder b, int depth, boolean spaced) {
        String ws = spaced ? " \n\t\r".substring(r.nextInt(4)) : "";
        int kind = depth > 4 ? 2 + r.nextInt(2) : r.nextInt(4);
        boolean plain = true;
        switch (kind) {
            case 0 -> {
                b.append('{').append(ws);
                int k = r.nextInt(4);
                for (int j = 0; j < k; j++) {
                    if (j > 0) b.append(',').append(ws);
                    b.append('"').append(r.nextInt(3) == 0 ? "dup" : PIECES[r.nextInt(PIECES.length)] + j).append('"').append(ws).append(':').append(ws);
                    plain &= randomValue(r, b, depth + 1, spaced);
                }
                b.append(ws).append('}');
            }
            case 1 -> {
                b.append('[').append(ws);
                int k = r.nextInt(4);
                for (int j = 0; j < k; j++) {
                    if (j > 0) b.append(',').append(ws);
                    plain &= randomValue(r, b, depth + 1, spaced);
                }
                b.append(ws).append(']');
            }
            case 2 -> {
                b.append('"');
                for (int j = r.nextInt(4); j > 0; j--) b.append(PIECES[r.nextInt(PIECES.length)]);
                b.append('"');
            }
            default -> {
                String a = ATOMS[r.nextInt(ATOMS.length)];
                b.append(a);
                plain = !a.contains(".") && !a.contains("e") && !a.contains("E");
            }
        }
        return plain;
    }

    private static String mangle(java.util.Random r, String doc) {
        if (doc.isEmpty()) return "x";
        int at = r.nextInt(doc.length());
        return switch (r.nextInt(4)) {
            case 0 -> doc.substring(0, at); // cut
            case 1 -> doc.substring(0, at) + doc.substring(at + 1); // a character dropped
            case 2 -> doc.substring(0, at) + "\",:]}{[0-ex\\\u0001".charAt(r.nextInt(13)) + doc.substring(at); // one inserted
            default -> doc + (r.nextBoolean() ? " x" : "]"); // trailing content
        };
    }
}
