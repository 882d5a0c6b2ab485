package io.jcontainer.oci.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JSON documents read into Jackson's tree with its streaming parser, without an
 * {@code ObjectMapper}: the records {@code ps}, {@code inspect} and {@code jcontainer-runc state}
 * read (state.json, config.json, jcontainer.json) are small, and a mapper's first use — its
 * settings, type factory and deserializers — cost those verbs more than the rest of their work.
 *
 * <p>The tree is the one {@code ObjectMapper.readTree} makes with its defaults and
 * {@code FAIL_ON_TRAILING_TOKENS}: ints, longs and big integers as such, other numbers as
 * doubles, the last of duplicate keys kept, {@link MissingNode} for an empty document, and
 * anything after the first value refused. {@link #pretty} writes a tree as the mapper's default
 * pretty printer does ({@code jcontainer-runc state}).
 *
 * <p>Documents in the plain form jcontainer writes them (UTF-8, integers, the standard escapes)
 * are read by {@link Plain} without Jackson's parser; anything else goes to Jackson, so the
 * tree, and the errors, are Jackson's either way. Why: the first Jackson parser of a JVM
 * initialises {@code java.math.BigDecimal} (its base class holds BigDecimal constants), and
 * BigDecimal's initialiser computes 5^(2^16) by repeated squaring — 30 ms of CPU with C1, 45–60 ms
 * interpreted (the read verbs run {@code -Xint}), a third of what {@code ps} cost.
 */
public final class JsonTrees {
    /** Built on first use: creating it is cheap, but only the documents {@link Plain} passes on need it. */
    private static final class Factory {
        static final JsonFactory FACTORY = new JsonFactory();
    }
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTrees() {
    }

    public static JsonNode read(Path file) throws IOException {
        return read(Files.readAllBytes(file));
    }

    public static JsonNode read(String json) throws IOException {
        JsonNode plain = Plain.read(json);
        if (plain != null) return plain;
        try (JsonParser p = Factory.FACTORY.createParser(json)) {
            return document(p);
        }
    }

    public static JsonNode read(byte[] json) throws IOException {
        JsonNode plain = Plain.read(json);
        if (plain != null) return plain;
        try (JsonParser p = Factory.FACTORY.createParser(json)) {
            return document(p);
        }
    }

    private static JsonNode document(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) return MissingNode.getInstance();
        JsonNode n = value(p, t);
        JsonToken after = p.nextToken();
        if (after != null)
            throw new JsonParseException(p, "Trailing token (of type " + after + ") found after value (bound as JsonNode)");
        return n;
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, value(p, p.nextToken()));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(value(p, e));
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new JsonParseException(p, "Unexpected token " + t);
        };
    }

    /**
     * The tree as {@code ObjectMapper.writerWithDefaultPrettyPrinter()} writes it; a tree holding
     * binary or POJO nodes (which only a mapper writes) is refused.
     */
    public static String pretty(JsonNode n) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Factory.FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            write(g, n);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (var e : n.properties()) {
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode x : n) write(g, x);
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.textValue());
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NULL -> g.writeNull();
            case NUMBER -> {
                switch (n.numberType()) {
                    case INT -> g.writeNumber(n.intValue());
                    case LONG -> g.writeNumber(n.longValue());
                    case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
                    case FLOAT -> g.writeNumber(n.floatValue());
                    case DOUBLE -> g.writeNumber(n.doubleValue());
                    case BIG_DECIMAL -> g.writeNumber(n.decimalValue());
                }
            }
            default -> throw new IllegalArgumentException("a " + n.getNodeType() + " node is written by an ObjectMapper only");
        }
    }

    /**
     * RFC 8259 JSON in the subset jcontainer's own records use, read into the tree Jackson would
     * make: objects, arrays, strings (valid UTF-8, the standard escapes, no escaped surrogate),
     * integers (int, long or BigInteger, as Jackson's), true, false, null. {@code null} (not an
     * error) for anything outside it — a fraction or exponent, a leading zero, a byte order mark,
     * invalid UTF-8, a control character in a string, deep nesting, names or strings beyond
     * Jackson's length limits, an empty document, any syntax error: Jackson then reads it, or
     * says exactly what is wrong with it.
     */
    static final class Plain {
        private static final int MAX_DEPTH = 500; // Jackson's limit is 1000: deeper documents are its to accept or refuse
        /** Jackson's default StreamReadConstraints (2.18): longer names and strings are its to refuse. */
        private static final int MAX_NAME = 50_000, MAX_STRING = 20_000_000;
        private final String s;
        private int i;

        private Plain(String s) {
            this.s = s;
        }

        static JsonNode read(byte[] json) {
            String text;
            try {
                text = java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(json)).toString();
            } catch (java.nio.charset.CharacterCodingException notUtf8) {
                return null;
            }
            return read(text);
        }

        static JsonNode read(String json) {
            Plain p = new Plain(json);
            try {
                p.skipSpace();
                if (p.i == json.length()) return null; // empty: Jackson's MissingNode
                JsonNode n = p.value(0);
                p.skipSpace();
                return p.i == json.length() ? n : null;
            } catch (Outside e) {
                return null;
            }
        }

        /** Not in the subset: Jackson's to read. */
        private static final class Outside extends Exception {
            Outside() {
                super(null, null, false, false);
            }
        }

        private static final Outside OUTSIDE = new Outside();

        private JsonNode value(int depth) throws Outside {
            if (i >= s.length() || depth > MAX_DEPTH) throw OUTSIDE;
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    ObjectNode o = NODES.objectNode();
                    skipSpace();
                    if (peek() == '}') {
                        i++;
                        return o;
                    }
                    while (true) {
                        skipSpace();
                        if (peek() != '"') throw OUTSIDE;
                        String name = string();
                        if (name.length() > MAX_NAME) throw OUTSIDE;
                        skipSpace();
                        expect(':');
                        skipSpace();
                        o.set(name, value(depth + 1)); // the last of duplicate keys wins, in the first one's place: as Jackson's tree
                        skipSpace();
                        char d = next();
                        if (d == '}') return o;
                        if (d != ',') throw OUTSIDE;
                    }
                }
                case '[' -> {
                    i++;
                    ArrayNode a = NODES.arrayNode();
                    skipSpace();
                    if (peek() == ']') {
                        i++;
                        return a;
                    }
                    while (true) {
                        skipSpace();
                        a.add(value(depth + 1));
                        skipSpace();
                        char d = next();
                        if (d == ']') return a;
                        if (d != ',') throw OUTSIDE;
                    }
                }
                case '"' -> {
                    String text = string();
                    if (text.length() > MAX_STRING) throw OUTSIDE;
                    return NODES.textNode(text);
                }
                case 't' -> {
                    literal("true");
                    return NODES.booleanNode(true);
                }
                case 'f' -> {
                    literal("false");
                    return NODES.booleanNode(false);
                }
                case 'n' -> {
                    literal("null");
                    return NODES.nullNode();
                }
                default -> {
                    return number();
                }
            }
        }

        private JsonNode number() throws Outside {
            int start = i;
            if (peek() == '-') i++;
            int digits = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
            int n = i - digits;
            if (n == 0 || n > 1000 || (n > 1 && s.charAt(digits) == '0')) throw OUTSIDE; // 1000: Jackson's longest number
            if (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == 'e' || s.charAt(i) == 'E')) throw OUTSIDE;
            if (n > 18) { // as Jackson: a long when it fits, else a BigInteger (seccomp's 18446744073709551615)
                try {
                    return NODES.numberNode(Long.parseLong(s, start, i, 10));
                } catch (NumberFormatException tooBig) {
                    return NODES.numberNode(new java.math.BigInteger(s.substring(start, i)));
                }
            }
            long v = Long.parseLong(s, start, i, 10);
            return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
        }

        private String string() throws Outside {
            i++; // the opening quote
            StringBuilder b = null;
            int run = i;
            while (true) {
                if (i >= s.length()) throw OUTSIDE;
                char c = s.charAt(i);
                if (c == '"') {
                    String out = b == null ? s.substring(run, i) : b.append(s, run, i).toString();
                    i++;
                    return out;
                }
                if (c < 0x20) throw OUTSIDE;
                if (c == '\\') {
                    if (b == null) b = new StringBuilder();
                    b.append(s, run, i);
                    if (i + 1 >= s.length()) throw OUTSIDE;
                    char e = s.charAt(i + 1);
                    i += 2;
                    switch (e) {
                        case '"', '\\', '/' -> b.append(e);
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'n' -> b.append('\n');
                        case 'r' -> b.append('\r');
                        case 't' -> b.append('\t');
                        case 'u' -> {
                            if (i + 4 > s.length()) throw OUTSIDE;
                            int u = 0;
                            for (int k = 0; k < 4; k++) {
                                char x = s.charAt(i + k);
                                int h = x >= '0' && x <= '9' ? x - '0' : x >= 'a' && x <= 'f' ? x - 'a' + 10 : x >= 'A' && x <= 'F' ? x - 'A' + 10 : -1;
                                if (h < 0) throw OUTSIDE; // ASCII hex only (Character.digit would take other scripts' digits)
                                u = u * 16 + h;
                            }
                            if (Character.isSurrogate((char) u)) throw OUTSIDE;
                            b.append((char) u);
                            i += 4;
                        }
                        default -> throw OUTSIDE;
                    }
                    run = i;
                    continue;
                }
                i++;
            }
        }

        private void literal(String word) throws Outside {
            if (!s.startsWith(word, i)) throw OUTSIDE;
            i += word.length();
        }

        private void expect(char c) throws Outside {
            if (next() != c) throw OUTSIDE;
        }

        private char next() throws Outside {
            if (i >= s.length()) throw OUTSIDE;
            return s.charAt(i++);
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : 0;
        }

        private void skipSpace() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                i++;
            }
        }
    }
}
