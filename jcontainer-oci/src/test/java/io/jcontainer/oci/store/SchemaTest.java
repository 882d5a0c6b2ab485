package io.jcontainer.oci.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.jcontainer.image.ArchiveFormat;
import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.Json;
import io.jcontainer.oci.testing.TestImage;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What jcontainer writes — the store's oci-layout and index.json, the manifests it makes when
 * loading a docker-archive, an OCI archive's index — validates against the OCI image-spec JSON
 * schemas Debian ships (golang-github-opencontainers-image-spec-dev). The schemas say draft-04 by
 * an https URL the validator does not know, so they are copied with that one string changed.
 */
class SchemaTest {
    static final Path SCHEMAS = Path.of("/usr/share/gocode/src/github.com/opencontainers/image-spec/schema");
    static Path local;

    @BeforeAll
    static void copySchemas(@TempDir Path tmp) throws IOException {
        assertThat(SCHEMAS).as("apt-get install golang-github-opencontainers-image-spec-dev (.ci/run does)").isDirectory();
        local = tmp;
        try (var s = Files.list(SCHEMAS)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".json")).toList())
                Files.writeString(tmp.resolve(p.getFileName()), Files.readString(p)
                        .replace("https://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-04/schema#"));
        }
    }

    static JsonSchema schema(String file) {
        String dir = local.toUri().toString();
        JsonSchemaFactory f = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, b -> b.schemaMappers(m -> m
                .mapPrefix("https://opencontainers.org/schema/image/", dir)
                .mapPrefix("https://opencontainers.org/schema/", dir)));
        return f.getSchema(URI.create(local.resolve(file).toUri().toString()));
    }

    static Set<ValidationMessage> validate(String schemaFile, byte[] json) throws IOException {
        JsonNode n = Json.MAPPER.readTree(json);
        return schema(schemaFile).validate(n);
    }

    @Test
    void theValidatorRejectsAnInvalidManifest() throws IOException {
        // only content-descriptor.json (reached through the mapped $ref) knows what a digest looks like
        String bad = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"nope\",\"size\":1},\"layers\":[]}";
        assertThat(validate("image-manifest-schema.json", bad.getBytes()))
                .anySatisfy(m -> assertThat(m.getMessage()).contains("digest"));
    }

    @Test
    void storeLayoutAndLoadedManifestsValidate(@TempDir Path tmp) throws IOException {
        var image = TestImage.busybox("schema", io.jcontainer.oci.MediaTypes.OCI_LAYER_GZIP);
        assertThat(validate("config-schema.json", image.config.bytes())).isEmpty();
        assertThat(validate("image-manifest-schema.json", image.manifest.bytes())).isEmpty();
        try (Images images = Images.open(ImagesOptions.defaults().withStorageRoot(tmp.resolve("s")).withDockerConfig(tmp.resolve("c.json")))) {
            images.load(image.writeArchive(tmp.resolve("in.tar"), "example.com/schema:1"));
            images.tag("example.com/schema:1", "example.com/schema:2");
            images.save(List.of("example.com/schema:1"), tmp.resolve("docker.tar"), ArchiveFormat.DOCKER_ARCHIVE);
            images.save(List.of("example.com/schema:1"), tmp.resolve("oci.tar"), ArchiveFormat.OCI_ARCHIVE);
            // a docker-archive has no manifest: loading one makes an OCI manifest, which must validate
            try (Images other = Images.open(ImagesOptions.defaults().withStorageRoot(tmp.resolve("t")).withDockerConfig(tmp.resolve("c.json")))) {
                other.load(tmp.resolve("docker.tar"));
                String manifest = other.inspect("example.com/schema:1").manifestDigest();
                byte[] raw = Files.readAllBytes(tmp.resolve("t/blobs/sha256").resolve(Digest.parse(manifest).hex()));
                assertThat(validate("image-manifest-schema.json", raw)).isEmpty();
                assertThat(validate("image-index-schema.json", Files.readAllBytes(tmp.resolve("t/index.json")))).isEmpty();
            }
        }
        assertThat(validate("image-layout-schema.json", Files.readAllBytes(tmp.resolve("s/oci-layout")))).isEmpty();
        assertThat(validate("image-index-schema.json", Files.readAllBytes(tmp.resolve("s/index.json")))).isEmpty();
        Map<String, byte[]> archive = untar(tmp.resolve("oci.tar"));
        assertThat(validate("image-layout-schema.json", archive.get("oci-layout"))).isEmpty();
        assertThat(validate("image-index-schema.json", archive.get("index.json"))).isEmpty();
    }

    static Map<String, byte[]> untar(Path tar) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (InputStream in = Files.newInputStream(tar); var t = new TarArchiveInputStream(in)) {
            for (var e = t.getNextEntry(); e != null; e = t.getNextEntry())
                if (e.isFile() && e.getSize() < (1 << 20)) out.put(e.getName(), t.readAllBytes());
        }
        return out;
    }
}
