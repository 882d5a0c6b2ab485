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
 * <p>Documents in the plain form jcontainer writes them (UTF-8, integers, no fractions) are read
 * by {@link Plain} with Gson's streaming reader instead of Jackson's parser; anything else goes to
 * Jackson, so the tree, and the errors, are Jackson's either way. Why: the first Jackson parser of a JVM
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
     * make: objects, arrays, strings, integers (int, long or BigInteger, as Jackson's), true,
     * false, null. The tokens come from Gson's streaming reader in its strict mode, which holds
     * no BigDecimal. {@code null} (not an error) for anything outside the subset or refused by
     * Gson — a fraction or exponent, a byte order mark, invalid UTF-8, deep nesting, names or
     * strings beyond Jackson's length limits, an empty document, any syntax error: Jackson then
     * reads it, or says exactly what is wrong with it.
     */
    static final class Plain {
        private static final int MAX_DEPTH = 250; // Gson's default limit is 255, Jackson's 1000: deeper documents are Jackson's
        /** Jackson's default StreamReadConstraints (2.18): longer names, strings and numbers are its to refuse. */
        private static final int MAX_NAME = 50_000, MAX_STRING = 20_000_000, MAX_NUMBER = 1000;

        private Plain() {
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
            if (json.isEmpty() || json.charAt(0) == '\uFEFF') return null; // empty (MissingNode) or a byte order mark: Jackson's
            try (com.google.gson.stream.JsonReader r = new com.google.gson.stream.JsonReader(new java.io.StringReader(json))) {
                r.setStrictness(com.google.gson.Strictness.STRICT);
                JsonNode n = value(r, 0);
                return r.peek() == com.google.gson.stream.JsonToken.END_DOCUMENT ? n : null;
            } catch (IOException | RuntimeException outside) {
                // Gson's MalformedJsonException and EOFException, a number or depth past the subset: Jackson's to read
                return null;
            }
        }

        private static JsonNode value(com.google.gson.stream.JsonReader r, int depth) throws IOException {
            if (depth > MAX_DEPTH) throw new IOException("deeper than the plain subset");
            switch (r.peek()) {
                case BEGIN_OBJECT -> {
                    r.beginObject();
                    ObjectNode o = NODES.objectNode();
                    while (r.hasNext()) {
                        String name = r.nextName();
                        if (name.length() > MAX_NAME) throw new IOException("a name longer than Jackson takes");
                        o.set(name, value(r, depth + 1)); // the last of duplicate keys wins, in the first one's place: as Jackson's tree
                    }
                    r.endObject();
                    return o;
                }
                case BEGIN_ARRAY -> {
                    r.beginArray();
                    ArrayNode a = NODES.arrayNode();
                    while (r.hasNext()) a.add(value(r, depth + 1));
                    r.endArray();
                    return a;
                }
                case STRING -> {
                    String text = r.nextString();
                    if (text.length() > MAX_STRING) throw new IOException("a string longer than Jackson takes");
                    return NODES.textNode(text);
                }
                case BOOLEAN -> {
                    return NODES.booleanNode(r.nextBoolean());
                }
                case NULL -> {
                    r.nextNull();
                    return NODES.nullNode();
                }
                case NUMBER -> {
                    return integer(r.nextString());
                }
                default -> throw new IOException("not a value: " + r.peek());
            }
        }

        /** An integer as Jackson's tree holds it: an int, a long when it does not fit, else a BigInteger. */
        private static JsonNode integer(String literal) throws IOException {
            if (literal.length() > MAX_NUMBER || literal.indexOf('.') >= 0 || literal.indexOf('e') >= 0 || literal.indexOf('E') >= 0) {
                throw new IOException("not an integer of the plain subset"); // a double is Jackson's to read
            }
            try {
                long v = Long.parseLong(literal);
                return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
            } catch (NumberFormatException tooBig) {
                return NODES.numberNode(new java.math.BigInteger(literal)); // seccomp's 18446744073709551615
            }
        }
    }
}
