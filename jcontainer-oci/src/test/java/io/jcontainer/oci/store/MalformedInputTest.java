package io.jcontainer.oci.store;

import io.jcontainer.image.DigestMismatchException;
import io.jcontainer.image.InvalidImageException;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.ImageManifest;
import io.jcontainer.oci.MediaTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SECURITY.md rows 33 and 34: blobs and manifests that lie. */
class MalformedInputTest {
    static final String D = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static final String CONFIG = "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + D + "\",\"size\":2}";
    static final String LAYER = "{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + D + "\",\"size\":2}";

    @Test
    void blobWithWrongDigestOrSizeLeavesNothing(@TempDir Path root) throws IOException {
        Store store = new Store(root);
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        Digest right = Digest.sha256(content);
        Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.ingest(wrong, content.length, new ByteArrayInputStream(content)))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining(wrong.toString());
        assertThatThrownBy(() -> store.ingest(right, content.length - 1, new ByteArrayInputStream(content)))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining("more than the 4 bytes");
        assertThatThrownBy(() -> store.ingest(right, content.length + 1, new ByteArrayInputStream(content)))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining("5 bytes where its descriptor says 6");
        assertThat(store.has(right)).isFalse();
        assertThat(store.has(wrong)).isFalse();
        try (var ingest = Files.list(root.resolve("ingest")); var blobs = Files.list(root.resolve("blobs/sha256"))) {
            assertThat(ingest.toList()).isEmpty();
            assertThat(blobs.toList()).isEmpty();
        }
        store.ingest(right, content.length, new ByteArrayInputStream(content));
        assertThat(store.read(right, 100)).isEqualTo(content);
    }

    @Test
    void storeDirectoriesArePrivate(@TempDir Path tmp) throws IOException {
        // row 31: setuid files and the like in unpacked layers must not be reachable by other users
        Path root = tmp.resolve("store");
        new Store(root);
        for (String d : new String[]{"", "blobs", "blobs/sha256", "ingest", "layers"})
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(d))))
                    .as(d).isEqualTo("rwx------");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "both manifests and layers | {\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + CONFIG + ",\"layers\":[],\"manifests\":[]} | | both",
            "index with layers         | {\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[],\"layers\":[]} | | both",
            "content type disagrees    | {\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + CONFIG + ",\"layers\":[]} | " + MediaTypes.DOCKER_MANIFEST + " | Content-Type",
            "unknown media type        | {\"schemaVersion\":2,\"mediaType\":\"text/html\",\"config\":" + CONFIG + ",\"layers\":[]} | | unsupported media type",
            "schema 1                  | {\"schemaVersion\":1,\"name\":\"x\"} | | schemaVersion",
            "digest ../x               | {\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"sha256:../x\",\"size\":2},\"layers\":[]} | | invalid digest",
            "foreign urls layer        | {\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + CONFIG + ",\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + D + "\",\"size\":2,\"urls\":[\"https://evil.example/x\"]}]} | | foreign layer",
            "unknown layer type        | {\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + CONFIG + ",\"layers\":[{\"mediaType\":\"application/x-evil\",\"digest\":\"" + D + "\",\"size\":2}]} | | unsupported media type",
            "not json                  | <html> | | not valid JSON",
            "negative size             | {\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + CONFIG + ",\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + D + "\",\"size\":-1}]} | | negative size",
    })
    void manifestsThatAreRefused(String name, String json, String contentType, String reason) {
        assertThatThrownBy(() -> ImageManifest.parse(json.getBytes(StandardCharsets.UTF_8), contentType, name))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining(reason);
    }

    @Test
    void manifestLargerThan4MiB() {
        String pad = " ".repeat(4 << 20);
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + CONFIG + ",\"layers\":[" + LAYER + "]}" + pad;
        assertThatThrownBy(() -> ImageManifest.parse(json.getBytes(StandardCharsets.UTF_8), null, "big"))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("larger than 4 MiB");
    }

    @Test
    void wellFormedManifestParses() {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.DOCKER_CONFIG + "\",\"digest\":\"" + D + "\",\"size\":2},\"layers\":[{\"mediaType\":\""
                + MediaTypes.DOCKER_LAYER_GZIP + "\",\"digest\":\"" + D + "\",\"size\":2}]}";
        var m = (ImageManifest.Manifest) ImageManifest.parse(json.getBytes(StandardCharsets.UTF_8), MediaTypes.DOCKER_MANIFEST + "; charset=utf-8", "ok");
        assertThat(m.layers()).hasSize(1);
    }
}
