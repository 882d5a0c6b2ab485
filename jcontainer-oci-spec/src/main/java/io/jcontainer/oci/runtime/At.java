package io.jcontainer.oci.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.jcontainer.InvalidSpecException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A node of config.json and its JSON path: typed reads that fail naming the path. */
record At(JsonNode node, String path) {
    static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    At {
        if (node == null) node = MissingNode.getInstance();
    }

    static At root(JsonNode n) {
        return new At(n, "");
    }

    At get(String key) {
        return new At(node.isObject() ? node.get(key) : null, path.isEmpty() ? key : path + "." + key);
    }

    /** Present and not JSON null. */
    boolean present() {
        return !node.isMissingNode() && !node.isNull();
    }

    ConfigException.Malformed bad(String reason) {
        return new ConfigException.Malformed(path, reason);
    }

    ConfigException.Unsupported unsupported(String reason) {
        return new ConfigException.Unsupported(path, reason);
    }

    private String type() {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    At object() {
        if (!node.isObject()) throw bad("expected an object, got " + type());
        return this;
    }

    /** The elements of an array (an absent one is empty). */
    List<At> array() {
        if (!present()) return List.of();
        if (!node.isArray()) throw bad("expected an array, got " + type());
        List<At> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) out.add(new At(node.get(i), path + "[" + i + "]"));
        return out;
    }

    List<Map.Entry<String, At>> fields() {
        if (!present()) return List.of();
        object();
        List<Map.Entry<String, At>> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(k -> out.add(Map.entry(k, get(k))));
        return out;
    }

    String string() {
        if (!node.isTextual()) throw bad("expected a string, got " + type());
        return node.textValue();
    }

    String stringOr(String dflt) {
        return present() ? string() : dflt;
    }

    List<String> strings() {
        List<String> out = new ArrayList<>();
        for (At a : array()) out.add(a.string());
        return out;
    }

    boolean bool(boolean dflt) {
        if (!present()) return dflt;
        if (!node.isBoolean()) throw bad("expected true or false, got " + type());
        return node.booleanValue();
    }

    private BigInteger integer() {
        if (!node.isIntegralNumber()) throw bad("expected an integer, got " + type() + (node.isNumber() ? " " + node : ""));
        return node.bigIntegerValue();
    }

    long range(long min, long max) {
        BigInteger v = integer();
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0)
            throw bad("must be between " + min + " and " + max + ", got " + v);
        return v.longValue();
    }

    long u32() {
        return range(0, 0xffff_ffffL);
    }

    int i32() {
        return (int) range(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    long i64() {
        return range(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** A uint64 as a signed long: values above Long.MAX_VALUE (e.g. RLIM_INFINITY) come back negative. */
    long u64() {
        BigInteger v = integer();
        if (v.signum() < 0 || v.compareTo(U64_MAX) > 0) throw bad("must be an unsigned 64-bit integer, got " + v);
        return v.longValue();
    }

    String absolutePath() {
        String s = string();
        if (!s.startsWith("/")) throw bad("must be an absolute path, got '" + s + "'");
        if (s.indexOf('\0') >= 0) throw bad("contains a NUL byte");
        return s;
    }

    /** Runs a model constructor, turning its refusal into one that names this path. */
    <T> T model(Supplier<T> make) {
        try {
            return make.get();
        } catch (ConfigException e) {
            throw e;
        } catch (InvalidSpecException e) {
            throw bad(e.getMessage());
        }
    }
}
