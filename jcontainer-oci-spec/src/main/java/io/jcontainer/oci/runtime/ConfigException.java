package io.jcontainer.oci.runtime;

import io.jcontainer.InvalidSpecException;

/**
 * A {@code config.json} that jcontainer refuses, naming the JSON path of the field at fault
 * (e.g. {@code linux.namespaces[2].type}). {@link #setting()} is that path too.
 */
public abstract sealed class ConfigException extends InvalidSpecException
        permits ConfigException.Malformed, ConfigException.Unsupported {
    private final String jsonPath;

    ConfigException(String jsonPath, String reason) {
        super(jsonPath, reason);
        this.jsonPath = jsonPath;
    }

    /** Where in config.json, dotted with [index] for arrays; {@code ""} for the document itself. */
    public String jsonPath() {
        return jsonPath;
    }

    /** The document breaks the runtime spec: a wrong type, a relative path, an unknown enum value. */
    public static final class Malformed extends ConfigException {
        public Malformed(String jsonPath, String reason) {
            super(jsonPath, reason);
        }
    }

    /** A valid field that jcontainer cannot honour; refused rather than silently dropped. */
    public static final class Unsupported extends ConfigException {
        public Unsupported(String jsonPath, String reason) {
            super(jsonPath, "not supported by jcontainer: " + reason);
        }
    }
}
