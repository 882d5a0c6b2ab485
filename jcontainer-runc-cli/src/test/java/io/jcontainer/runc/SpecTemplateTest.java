package io.jcontainer.runc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Namespace;
import io.jcontainer.oci.runtime.OciConfig;
import io.jcontainer.oci.runtime.SpecConv;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** `spec` writes runc's template: schema-valid, and jcontainer runs what it writes. */
class SpecTemplateTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void templateValidatesAndConverts(boolean rootless, @TempDir Path bundle) throws Exception {
        var tree = SpecTemplate.config(rootless);
        assertThat(Schema.configErrors(tree)).isEmpty();
        ContainerSpec spec = SpecConv.toSpec(OciConfig.of(tree), bundle);
        assertThat(spec.command()).containsExactly("sh");
        assertThat(spec.has(Namespace.USER)).isEqualTo(rootless);
        assertThat(spec.has(Namespace.NET)).isEqualTo(!rootless);
        assertThat(spec.mounts()).as("the runtime's standard mounts, and /sys/fs/cgroup's asking for the cgroup view")
                .singleElement().matches(io.jcontainer.Mount::isCgroupView);
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc spec", "runc spec --rootless"})
    void sameShapeAsRuncs(String command, @TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder(command.split(" ")).directory(dir.toFile()).start();
        assertThat(p.waitFor()).isZero();
        var runc = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        var ours = SpecTemplate.config(command.contains("rootless"));
        for (String field : Set.of("/process", "/root", "/hostname", "/mounts", "/linux/namespaces", "/linux/maskedPaths", "/linux/readonlyPaths")) {
            if (field.equals("/process")) {
                // runc 1.1 also lists ambient capabilities it cannot raise (no inheritable set); we leave them out
                ((com.fasterxml.jackson.databind.node.ObjectNode) runc.at("/process/capabilities")).remove("ambient");
            }
            assertThat(ours.at(field)).as(field).isEqualTo(runc.at(field));
        }
    }
}
