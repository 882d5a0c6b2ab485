package io.jcontainer.linux.state;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * A recorded container's full configuration, {@code spec.json} in its state directory, so that
 * {@code start} of a stopped container, {@code exec} (its security settings) and {@code inspect}
 * need nothing but the record — not the argv of the CLI that ran it.
 *
 * <p>Interim format, one class on purpose: once the spec maps to OCI {@code config.json} this
 * becomes {@code config.json} plus jcontainer's extras. Until then the spec's records are written
 * as Jackson writes records (their components), each sealed interface's implementation named by
 * {@code "@type"} (its simple name) — found by walking the spec's types, so a new part of the
 * model is stored without a change here. Records of the format before (a CLI's
 * {@code run-args.json}, no {@code spec.json}) are read without a spec: they can be inspected,
 * stopped and removed; start and exec refuse them saying so. Another {@code format} is refused
 * naming it.
 */
public final class StoredSpec {
    public static final String FILE = "spec.json", FORMAT = "jcontainer-spec/2";
    private static final ObjectMapper JSON = mapper();

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "@type")
    private interface Typed {
    }

    private StoredSpec() {
    }

    private static ObjectMapper mapper() {
        ObjectMapper m = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // derived getters (isEmpty...)
        SimpleModule time = new SimpleModule("jcontainer-duration");
        time.addSerializer(Duration.class, new StdSerializer<>(Duration.class) {
            @Override
            public void serialize(Duration d, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(d.toString());
            }
        });
        time.addDeserializer(Duration.class, new StdDeserializer<>(Duration.class) {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return Duration.parse(p.getValueAsString());
            }
        });
        m.registerModule(time);
        Set<Class<?>> seen = new HashSet<>();
        walk(ContainerSpec.class, m, seen);
        return m;
    }

    /** Registers every sealed interface reachable from the spec's records, with its implementations by name. */
    private static void walk(Type t, ObjectMapper m, Set<Class<?>> seen) {
        if (t instanceof ParameterizedType p) {
            for (Type a : p.getActualTypeArguments()) walk(a, m, seen);
            walk(p.getRawType(), m, seen);
            return;
        }
        if (!(t instanceof Class<?> c) || !seen.add(c) || !c.getName().startsWith("io.jcontainer.")) return;
        if (c.isSealed() && c.isInterface()) {
            m.addMixIn(c, Typed.class);
            for (Class<?> sub : c.getPermittedSubclasses()) {
                m.registerSubtypes(new NamedType(sub, sub.getSimpleName()));
                walk(sub, m, seen);
            }
        }
        if (c.isRecord()) for (RecordComponent rc : c.getRecordComponents()) walk(rc.getGenericType(), m, seen);
    }

    public static void write(Path dir, ContainerSpec s) {
        try {
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(s)));
            Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("recording the spec of the container in " + dir + ": " + e, e);
        }
    }

    /** The stored spec, or null when the record has none (written by an earlier jcontainer). */
    public static ContainerSpec read(Path dir) {
        Path f = dir.resolve(FILE);
        JsonNode n;
        try {
            n = JSON.readTree(f.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new ContainerException(f + ": unreadable (" + e.getMessage() + ")", e);
        }
        if (!FORMAT.equals(n.path("format").asText()))
            throw new ContainerException(f + ": format \"" + n.path("format").asText() + "\" is not " + FORMAT
                    + " (written by another jcontainer version): remove the container and create it again");
        try {
            return JSON.treeToValue(n.get("spec"), ContainerSpec.class);
        } catch (IOException | RuntimeException e) {
            throw new ContainerException(f + ": " + e.getMessage(), e);
        }
    }

    static ObjectNode toJson(ContainerSpec s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.set("spec", JSON.valueToTree(s));
        return o;
    }
}
