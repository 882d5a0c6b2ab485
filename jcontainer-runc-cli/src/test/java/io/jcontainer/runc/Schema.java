package io.jcontainer.runc;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The runtime-spec JSON schema from Debian's golang-github-opencontainers-specs-dev (bin/test-deps.sh). */
final class Schema {
    static final Path DIR = Path.of("/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema");

    private Schema() {
    }

    static Set<String> configErrors(JsonNode doc) {
        return validate("config-schema.json", doc);
    }

    static Set<String> stateErrors(JsonNode doc) {
        return validate("state-schema.json", doc);
    }

    private static Set<String> validate(String file, JsonNode doc) {
        Path f = DIR.resolve(file);
        assertThat(f).as("the runtime-spec schema: apt-get install golang-github-opencontainers-specs-dev").exists();
        JsonSchema s = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(SchemaLocation.of(f.toUri().toString()));
        return s.validate(doc).stream().map(ValidationMessage::getMessage).collect(Collectors.toCollection(TreeSet::new));
    }
}
