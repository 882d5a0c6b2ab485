package io.jcontainer.oci.runtime.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime-spec JSON schema as Debian's golang-github-opencontainers-specs-dev ships it
 * (bin/test-deps.sh installs it). Missing, the tests that need it fail: a skipped check would
 * hide exactly what they are for.
 */
public final class RuntimeSchema {
    public static final Path DIR = Path.of("/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema");
    private static JsonSchema config, state;

    private RuntimeSchema() {
    }

    private static synchronized JsonSchema load(String file) {
        Path f = DIR.resolve(file);
        assertThat(f).as("the runtime-spec schema: apt-get install golang-github-opencontainers-specs-dev").exists();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
        return factory.getSchema(SchemaLocation.of(f.toUri().toString()));
    }

    public static synchronized Set<String> configErrors(JsonNode doc) {
        if (config == null) config = load("config-schema.json");
        return messages(config.validate(doc));
    }

    public static synchronized Set<String> stateErrors(JsonNode doc) {
        if (state == null) state = load("state-schema.json");
        return messages(state.validate(doc));
    }

    private static Set<String> messages(Set<ValidationMessage> m) {
        return m.stream().map(ValidationMessage::getMessage).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    public static boolean installed() {
        return Files.isDirectory(DIR);
    }
}
