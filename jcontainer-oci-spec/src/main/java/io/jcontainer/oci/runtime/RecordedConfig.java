package io.jcontainer.oci.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A recorded container's configuration as two files in its state directory: {@code config.json}
 * (the OCI document, {@link SpecConv}'s mapping, which runc-style tools and a Docker API server
 * read as is) and {@code jcontainer.json} (jcontainer's extras: name, stdio, restart policy...).
 * The directory stands as the bundle: a relative root path resolves against it.
 *
 * <p>Writing keeps what an earlier config.json of the same record said beyond the model
 * (unknown fields, spellings), as {@link SpecConv#toConfig} does.
 */
public final class RecordedConfig {
    public static final String CONFIG = OciConfig.FILE, EXTRAS = "jcontainer.json", FORMAT = "jcontainer-extras/1";

    private RecordedConfig() {
    }

    /** Whether {@code dir} holds a recorded configuration in this format. */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG));
    }

    public static void write(Path dir, ContainerSpec spec) {
        Path cfg = dir.resolve(CONFIG);
        SpecConv.Exported e;
        try {
            OciConfig base = Files.isRegularFile(cfg) ? OciConfig.read(cfg) : null;
            JsonNode baseExtras = base == null ? null : OciConfig.json().readTree(dir.resolve(EXTRAS).toFile()).get("extras");
            e = SpecConv.toConfig(spec, dir.toAbsolutePath(), base, baseExtras);
        } catch (ConfigException | IOException baseUnreadable) {
            e = SpecConv.toConfig(spec, dir, null); // an earlier document we cannot convert is replaced, not merged
        }
        ObjectNode extras = OciConfig.json().createObjectNode().put("format", FORMAT);
        extras.set("extras", e.extras());
        Path tmp = dir.resolve("." + EXTRAS + ".tmp");
        try {
            Files.write(tmp, OciConfig.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(extras));
            Files.move(tmp, dir.resolve(EXTRAS), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ex) {
            throw new ContainerException("recording the configuration of the container in " + dir + ": " + ex.getMessage(), ex);
        }
        e.config().write(cfg);
    }

    /**
     * The recorded spec, or null when {@code dir} has no config.json (a record of an earlier
     * format: the caller reads that or refuses it). A config.json without its extras file, or
     * with extras of another format, is refused naming the file.
     */
    public static ContainerSpec read(Path dir) {
        Path cfg = dir.resolve(CONFIG), x = dir.resolve(EXTRAS);
        if (!Files.isRegularFile(cfg)) return null;
        JsonNode extras;
        try {
            extras = JsonTrees.read(x);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ContainerException(x + ": missing beside " + CONFIG + " (the record is incomplete): remove the container and create it again");
        } catch (IOException e) {
            throw new ContainerException(x + ": unreadable (" + e.getMessage() + ")", e);
        }
        if (!FORMAT.equals(extras.path("format").asText()))
            throw new ContainerException(x + ": format \"" + extras.path("format").asText() + "\" is not " + FORMAT
                    + " (written by another jcontainer version): remove the container and create it again");
        try {
            return SpecConv.read(OciConfig.read(cfg), dir.toAbsolutePath(), extras.get("extras")).spec();
        } catch (ConfigException e) {
            throw new ConfigException.Malformed(e.jsonPath(), cfg + ": " + e.getMessage().substring(e.jsonPath().length() + 2));
        }
    }
}
