package io.jcontainer.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Namespace;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker's create body as a spec: what is mapped, and what is refused by name. */
class DockerCreateTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final DockerCreate.ImageDefaults IMAGE = new DockerCreate.ImageDefaults(Path.of("/tmp"), List.of("/entry"), List.of("default"),
            List.of("PATH=/bin", "FROM_IMAGE=1"), "/work", "nobody");

    static JsonNode body(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void theImageGivesWhatTheRequestDoesNotSay() throws Exception {
        var c = DockerCreate.spec(body("{\"Image\":\"x\"}"), null, IMAGE);
        assertThat(c.spec().command()).containsExactly("/entry", "default");
        assertThat(c.spec().env()).containsEntry("FROM_IMAGE", "1");
        assertThat(c.spec().workingDir()).isEqualTo("/work");
        assertThat(c.spec().user()).isEqualTo("nobody");
        assertThat(c.spec().rootfs()).isEqualTo(Path.of("/tmp"));
        assertThat(c.spec().detached()).isTrue();
        assertThat(c.autoRemove()).isFalse();
    }

    @Test
    void theRequestOverridesAndAHostConfigMaps() throws Exception {
        var c = DockerCreate.spec(body("""
                {"Image":"x","Cmd":["echo","hi"],"Env":["A=b"],"WorkingDir":"/tmp","Tty":true,"Labels":{"k":"v"},
                 "HostConfig":{"AutoRemove":true,"Memory":67108864,"NanoCpus":500000000,"PidsLimit":64,"ReadonlyRootfs":true,
                   "NetworkMode":"host","PidMode":"host","Binds":["/tmp:/data:ro"],"CapDrop":["ALL"],"ShmSize":0,"PortBindings":{}}}
                """), "web", IMAGE);
        var s = c.spec();
        assertThat(s.command()).containsExactly("/entry", "echo", "hi");
        assertThat(s.env()).containsEntry("A", "b");
        assertThat(s.workingDir()).isEqualTo("/tmp");
        assertThat(s.tty()).isTrue();
        assertThat(s.name()).isEqualTo("web");
        assertThat(s.annotations()).containsEntry("k", "v");
        assertThat(c.autoRemove()).isTrue();
        assertThat(s.resources().memory().bytes()).isEqualTo(64L << 20);
        assertThat(s.resources().cpuQuota()).isEqualTo(0.5);
        assertThat(s.resources().pidsLimit()).isEqualTo(64);
        assertThat(s.readOnlyRoot()).isTrue();
        assertThat(s.namespaces()).doesNotContain(Namespace.NET, Namespace.PID);
        assertThat(s.capabilities()).isEmpty();
        assertThat(s.mounts()).hasSize(1);
    }

    @Test
    void whatJcontainerCannotDoIsRefusedByName() {
        for (String[] c : new String[][]{
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"}]}}}", "HostConfig.PortBindings"},
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":\"bridge\"}}", "HostConfig.NetworkMode"},
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"Dns\":[\"1.1.1.1\"]}}", "HostConfig.Dns"},
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"SomethingNew\":true}}", "HostConfig.SomethingNew"},
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}}", "Healthcheck"},
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"unless-stopped\"}}}", "HostConfig.RestartPolicy"},
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"LogConfig\":{\"Type\":\"syslog\"}}}", "HostConfig.LogConfig"},
        }) {
            assertThatThrownBy(() -> DockerCreate.spec(body(c[0]), null, IMAGE)).as(c[1])
                    .isInstanceOf(InvalidSpecException.class).hasMessageContaining(c[1]);
        }
    }

    @Test
    void zeroValuesAreNotRequests() throws Exception {
        // what the docker CLI sends for a plain `docker run IMAGE cmd`
        var c = DockerCreate.spec(body("""
                {"Image":"x","Cmd":["a"],"ExposedPorts":{},"Volumes":null,"HostConfig":{"PortBindings":{},"Dns":[],"DnsSearch":[],
                 "ShmSize":0,"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"LogConfig":{"Type":"","Config":{}},
                 "NetworkMode":"default","MemorySwappiness":null,"OomKillDisable":false,"CgroupnsMode":"","Isolation":""}}
                """), null, IMAGE);
        assertThat(c.spec().command()).containsExactly("/entry", "a");
    }
}
