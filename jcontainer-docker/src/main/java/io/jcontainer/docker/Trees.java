package io.jcontainer.docker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/**
 * {@code inspect}'s JSON without an {@code ObjectMapper}: the tree is built from plain values
 * and written with the streaming generator. The mapper's first use (its settings, serializers,
 * introspection) cost {@code jcontainer inspect} more than the rest of the verb. The output is
 * the mapper's, byte for byte: {@code INDENT_OUTPUT}'s default pretty printer, numbers as their
 * node types write them. Values this does not know (beans, POJO nodes) go through a mapper, made
 * then.
 */
final class Trees {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Trees() {
    }

    private static final class Mapper {
        static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** What {@code ObjectMapper.valueToTree} makes of maps, lists, strings, numbers, booleans and null. */
    static JsonNode tree(Object v) {
        if (v == null) return NODES.nullNode();
        if (v instanceof JsonNode n) return n;
        if (v instanceof String s) return NODES.textNode(s);
        if (v instanceof Boolean b) return NODES.booleanNode(b);
        if (v instanceof Integer i) return NODES.numberNode(i);
        if (v instanceof Long l) return NODES.numberNode(l);
        if (v instanceof Short s) return NODES.numberNode(s);
        if (v instanceof Double d) return NODES.numberNode(d);
        if (v instanceof Float f) return NODES.numberNode(f);
        if (v instanceof BigInteger b) return NODES.numberNode(b);
        if (v instanceof BigDecimal b) return NODES.numberNode(b);
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            for (var e : m.entrySet()) o.set(String.valueOf(e.getKey()), tree(e.getValue()));
            return o;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = NODES.arrayNode();
            for (Object x : c) a.add(tree(x));
            return a;
        }
        return Mapper.PRETTY.valueToTree(v);
    }

    /** The tree as {@code ObjectMapper} with {@code INDENT_OUTPUT} writes it. */
    static String pretty(JsonNode n) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            if (!write(g, n)) return Mapper.PRETTY.writeValueAsString(n);
        }
        return out.toString();
    }

    /** Writes {@code n}; false when it holds a node only a mapper can write (then the output is discarded). */
    private static boolean write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (var e : n.properties()) {
                    g.writeFieldName(e.getKey());
                    if (!write(g, e.getValue())) return false;
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode x : n) if (!write(g, x)) return false;
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
            default -> {
                return false; // BINARY, POJO, MISSING
            }
        }
        return true;
    }
}
