package io.jcontainer.oci.build;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.build.DockerfileException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code commit -c} / {@code import -c}: Dockerfile instructions applied to an image config. */
class CommitsTest {
    @Test
    void everyChangeableInstructionLandsInTheConfig() {
        ObjectNode cfg = JsonNodeFactory.instance.objectNode();
        cfg.putArray("Env").add("PATH=/bin").add("A=1");
        cfg.put("WorkingDir", "/srv");
        Commits.apply(List.of(
                "CMD echo hi",
                "ENTRYPOINT [\"/bin/tini\", \"--\"]",
                "ENV A=2 B=\"two words\"",
                "EXPOSE 80 53/udp",
                "LABEL org.example.a=b",
                "ONBUILD RUN make",
                "STOPSIGNAL SIGINT",
                "USER 1000:1000",
                "VOLUME /data",
                "WORKDIR app"), cfg);
        assertThat(cfg.get("Cmd").toString()).isEqualTo("[\"/bin/sh\",\"-c\",\"echo hi\"]");
        assertThat(cfg.get("Entrypoint").toString()).isEqualTo("[\"/bin/tini\",\"--\"]");
        assertThat(cfg.get("Env").toString()).isEqualTo("[\"PATH=/bin\",\"A=2\",\"B=two words\"]");
        assertThat(cfg.get("ExposedPorts").toString()).isEqualTo("{\"80/tcp\":{},\"53/udp\":{}}");
        assertThat(cfg.get("Labels").get("org.example.a").asText()).isEqualTo("b");
        assertThat(cfg.get("OnBuild").get(0).asText()).isEqualTo("RUN make");
        assertThat(cfg.get("StopSignal").asText()).isEqualTo("SIGINT");
        assertThat(cfg.get("User").asText()).isEqualTo("1000:1000");
        assertThat(cfg.get("Volumes").has("/data")).isTrue();
        assertThat(cfg.get("WorkingDir").asText()).isEqualTo("/srv/app");
    }

    @Test
    void instructionsThatMakeLayersAreRefusedByName() {
        ObjectNode cfg = JsonNodeFactory.instance.objectNode();
        assertThatThrownBy(() -> Commits.apply(List.of("CMD [\"sh\"]", "RUN make"), cfg))
                .isInstanceOf(DockerfileException.class)
                .hasMessageContaining("--change:2").hasMessageContaining("RUN is not a valid change command");
        assertThatThrownBy(() -> Commits.apply(List.of("COPY a b"), cfg)).hasMessageContaining("COPY is not a valid change command");
    }
}
