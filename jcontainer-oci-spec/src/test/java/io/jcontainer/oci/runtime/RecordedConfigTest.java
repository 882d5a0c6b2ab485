package io.jcontainer.oci.runtime;

import io.jcontainer.oci.runtime.testing.RuntimeSchema;
import io.jcontainer.Capability;
import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.DataSize;
import io.jcontainer.Resources;
import io.jcontainer.RestartPolicy;
import io.jcontainer.Stdio;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A record's configuration as config.json + jcontainer.json: what lifecycle records will store. */
class RecordedConfigTest {
    @TempDir
    Path dir;

    @Test
    void specSurvivesTheRecord() throws Exception {
        ContainerSpec spec = Container.builder().name("web").command("sh", "-c", "sleep 1").user("nobody")
                .memoryLimit(DataSize.MB(16)).capDrop(Capability.KILL).detached(true).restart(RestartPolicy.ALWAYS)
                .stdout(Stdio.file(dir.resolve("out"))).hostname("web")
                .volume("/tmp:/data:ro").tmpfs("/scratch", DataSize.MB(1)) // the builder's bind and tmpfs, as such
                .deviceLimit(new Resources.DeviceLimit("/dev/null", Resources.DeviceLimit.Kind.WRITE_IOPS, 100)).build();
        assertThat(RecordedConfig.present(dir)).isFalse();
        assertThat(RecordedConfig.read(dir)).isNull();
        RecordedConfig.write(dir, spec);
        assertThat(RecordedConfig.present(dir)).isTrue();
        assertThat(RecordedConfig.read(dir)).isEqualTo(spec);
        assertThat(RuntimeSchema.configErrors(OciConfig.read(dir.resolve("config.json")).tree())).isEmpty();
    }

    @Test
    void rewritingKeepsWhatOthersAddedToConfigJson() throws Exception {
        ContainerSpec spec = Container.builder().command("true").build();
        RecordedConfig.write(dir, spec);
        var tree = OciConfig.read(dir.resolve("config.json")).tree().put("x-added-by-a-tool", 1);
        OciConfig.of(tree).write(dir.resolve("config.json"));
        RecordedConfig.write(dir, spec.toBuilder().hostname("h").build());
        var again = OciConfig.read(dir.resolve("config.json")).tree();
        assertThat(again.get("x-added-by-a-tool").asInt()).isEqualTo(1);
        assertThat(again.get("hostname").asText()).isEqualTo("h");
    }

    @Test
    void incompleteOrForeignRecordsAreRefusedClearly() throws Exception {
        RecordedConfig.write(dir, Container.builder().command("true").build());
        Files.writeString(dir.resolve("jcontainer.json"), "{\"format\": \"jcontainer-extras/9\"}");
        assertThatThrownBy(() -> RecordedConfig.read(dir)).isInstanceOf(ContainerException.class)
                .hasMessageContaining("is not jcontainer-extras/1").hasMessageContaining("remove the container and create it again");
        Files.delete(dir.resolve("jcontainer.json"));
        assertThatThrownBy(() -> RecordedConfig.read(dir)).hasMessageContaining("missing beside config.json");
        Files.writeString(dir.resolve("jcontainer.json"), "{\"format\": \"jcontainer-extras/1\", \"extras\": {}}");
        Files.writeString(dir.resolve("config.json"), "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": 5}}");
        assertThatThrownBy(() -> RecordedConfig.read(dir)).isInstanceOf(ConfigException.Malformed.class)
                .hasMessageContaining("config.json: ").hasMessageContaining("process.args");
    }
}
