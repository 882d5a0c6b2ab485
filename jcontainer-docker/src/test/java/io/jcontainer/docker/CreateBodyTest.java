package io.jcontainer.docker;

import io.jcontainer.PortBinding;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** run's flags as a create body, checked by reading that body back as the server does ({@link DockerCreate}). */
class CreateBodyTest {
    private static Map<String, List<String>> flags(String... kv) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.computeIfAbsent(kv[i], k -> new java.util.ArrayList<>()).add(kv[i + 1]);
        return m;
    }

    @Test
    void theFlagsComeBackAsTheSameContainer() {
        var body = CreateBody.of(flags("name", "web", "env", "A=1 2", "env", "FROM_HERE", "workdir", "/srv", "user", "nobody",
                        "label", "k=v", "publish", "127.0.0.1:8080:80", "volume", "/tmp:/data:ro", "memory", "64m", "cpus", "0.5",
                        "restart", "on-failure:3", "rm", "true", "tty", "true", "interactive", "true", "network", "net1", "network-alias", "api"),
                "img", List.of("echo", "hi"), n -> n.equals("FROM_HERE") ? "copied" : null);
        assertThat(body.path("Image").asText()).isEqualTo("img");
        assertThat(body.path("AttachStdin").asBoolean()).isTrue();
        assertThat(body.path("StdinOnce").asBoolean()).isTrue();
        assertThat(body.path("HostConfig").path("AutoRemove").asBoolean()).isTrue();

        var c = DockerCreate.spec(body, "web", DockerCreateTest.IMAGE);
        var s = c.spec();
        assertThat(s.command()).containsExactly("/entry", "echo", "hi");
        assertThat(s.env()).containsEntry("A", "1 2").containsEntry("FROM_HERE", "copied");
        assertThat(s.workingDir()).isEqualTo("/srv");
        assertThat(s.user()).isEqualTo("nobody");
        assertThat(s.annotations()).containsEntry("k", "v");
        assertThat(s.tty()).isTrue();
        assertThat(s.resources().memory().bytes()).isEqualTo(64L << 20);
        assertThat(s.resources().cpuQuota()).isEqualTo(0.5);
        assertThat(s.restartPolicy().maxRetries()).isEqualTo(3);
        assertThat(c.autoRemove()).isTrue();
        assertThat(s.mounts()).anyMatch(m -> m.target().equals("/data"));
        assertThat(s.network()).isInstanceOf(io.jcontainer.NetworkMode.Named.class);
        var named = (io.jcontainer.NetworkMode.Named) s.network();
        assertThat(named.options().ports()).containsExactly(new PortBinding("127.0.0.1", 8080, 80, "tcp"));
        assertThat(named.options().aliases()).contains("api");
    }

    @Test
    void detachedAttachesNothingAndEntrypointCanBeCleared() {
        var body = CreateBody.of(flags("detach", "true", "entrypoint", ""), "img", List.of("/bin/echo", "x"), n -> null);
        assertThat(body.path("AttachStdout").asBoolean()).isFalse();
        assertThat(body.path("Entrypoint").toString()).isEqualTo("[\"\"]");
        assertThat(DockerCreate.spec(body, null, DockerCreateTest.IMAGE).spec().command()).containsExactly("/bin/echo", "x");
    }

    @Test
    void aFlagTheBodyDoesNotCarryIsRefusedByName() {
        assertThatThrownBy(() -> CreateBody.of(flags("health-cmd", "true"), "img", List.of(), n -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--health-cmd is not supported against a remote daemon");
        assertThatThrownBy(() -> CreateBody.of(flags("network-alias", "a"), "img", List.of(), n -> null))
                .hasMessageContaining("--network-alias needs --network");
    }
}
