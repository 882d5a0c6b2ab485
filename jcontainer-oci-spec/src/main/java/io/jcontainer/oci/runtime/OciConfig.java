package io.jcontainer.oci.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An OCI runtime-spec {@code config.json} as its JSON tree, kept whole: fields jcontainer does
 * not model (and fields of later spec versions) survive a read and a write unchanged. Converting
 * to and from {@link io.jcontainer.ContainerSpec} is {@link SpecConv}'s job; this class only
 * checks the document is a JSON object with an {@code ociVersion} of 1.x.
 */
public final class OciConfig {
    /** The runtime-spec version jcontainer writes and understands. */
    public static final String SPEC_VERSION = "1.2.0";
    public static final String FILE = "config.json";

    /** The mapper, made on first use: reading a document needs none ({@link JsonTrees}). */
    static ObjectMapper json() {
        return Json.MAPPER;
    }

    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private final ObjectNode tree;

    private OciConfig(ObjectNode tree) {
        this.tree = tree;
    }

    /** Wraps a tree (copied), checking only that it is a 1.x document. */
    public static OciConfig of(JsonNode tree) {
        At root = At.root(tree).object();
        At v = root.get("ociVersion");
        if (!v.present()) throw v.bad("required (the runtime-spec version, e.g. \"" + SPEC_VERSION + "\")");
        if (!v.string().matches("1\\.[0-9]+\\.[0-9]+.*"))
            throw v.bad("version '" + v.string() + "' is not 1.x (jcontainer understands runtime-spec " + SPEC_VERSION + ")");
        return new OciConfig(((ObjectNode) tree).deepCopy());
    }

    public static OciConfig parse(String json) {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    public static OciConfig parse(byte[] json) {
        JsonNode n;
        try {
            n = JsonTrees.read(json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new ConfigException.Malformed("", "not valid JSON" + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ContainerException("reading config.json: " + e.getMessage(), e);
        }
        if (n == null || n.isMissingNode()) throw new ConfigException.Malformed("", "empty document");
        return of(n);
    }

    /** Reads a file; a missing one is a {@link ConfigException.Malformed} naming it. */
    public static OciConfig read(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException.Malformed("", file + ": no such file");
        } catch (IOException e) {
            throw new ContainerException("reading " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(b);
        } catch (ConfigException.Malformed e) {
            throw new ConfigException.Malformed(e.jsonPath(), file + ": " + e.getMessage().substring(e.jsonPath().length() + 2));
        }
    }

    /** A copy of the whole document. */
    public ObjectNode tree() {
        return tree.deepCopy();
    }

    public String ociVersion() {
        return tree.get("ociVersion").asText();
    }

    /** The document, tab-indented as runc writes it. */
    public String toJson() {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("\t", "\n"))
                .withArrayIndenter(new DefaultIndenter("\t", "\n"));
        try {
            return json().writer(pp).writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the document atomically (a temporary file renamed over {@code file}). */
    public void write(Path file) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, toJson());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one to report
            }
            throw new ContainerException("writing " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OciConfig c && c.tree.equals(tree);
    }

    @Override
    public int hashCode() {
        return tree.hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
