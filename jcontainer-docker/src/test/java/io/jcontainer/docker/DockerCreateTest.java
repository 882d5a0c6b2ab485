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
        assertThat(s.mounts()).hasSize(2).filteredOn(io.jcontainer.Mount::isCgroupView).hasSize(1);
        assertThat(s.cgroupView()).as("docker's /sys/fs/cgroup").isTrue();
    }

    @Test
    void whatJcontainerCannotDoIsRefusedByName() {
        for (String[] c : new String[][]{
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":\"host\",\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"}]}}}", "HostConfig.NetworkMode"},
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":\"none\",\"Dns\":[\"10.0.0.53\"]}}", "HostConfig.NetworkMode"},
                {"{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"Links\":[\"db:db\"]}}", "HostConfig.Links"},
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

    @Test
    void networkSettingsBecomeANamedNetworkWithItsOptions() throws Exception {
        var c = DockerCreate.spec(body("""
                {"Image":"x","Cmd":["a"],"ExposedPorts":{"80/tcp":{},"53/udp":{}},"MacAddress":"92:d0:c6:0a:29:33",
                 "HostConfig":{"NetworkMode":"front","PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]},"PublishAllPorts":true,
                   "Dns":["10.0.0.53"],"DnsSearch":["example.test"],"DnsOptions":["ndots:2"],"ExtraHosts":["db:10.0.0.9"]},
                 "NetworkingConfig":{"EndpointsConfig":{"front":{"Aliases":["api"],"IPAMConfig":{"IPv4Address":"10.0.0.7"}}}}}
                """), null, IMAGE);
        var n = (io.jcontainer.NetworkMode.Named) c.spec().network();
        assertThat(n.name()).isEqualTo("front");
        assertThat(n.options().ports()).containsExactly(new io.jcontainer.PortBinding("127.0.0.1", 8080, 80, "tcp"),
                new io.jcontainer.PortBinding(null, 0, 53, "udp"));
        assertThat(n.options().aliases()).containsExactly("api");
        assertThat(n.options().ip()).isEqualTo("10.0.0.7");
        assertThat(n.options().macAddress()).isEqualTo("92:d0:c6:0a:29:33");
        assertThat(n.options().dns()).containsExactly("10.0.0.53");
        assertThat(n.options().dnsSearch()).containsExactly("example.test");
        assertThat(n.options().dnsOptions()).containsExactly("ndots:2");
        assertThat(n.options().extraHosts()).containsExactly("db:10.0.0.9");
        // published ports without a network: docker's default bridge; container: and nothing else
        var d = DockerCreate.spec(body("{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"\"}]}}}"), null, IMAGE);
        assertThat(d.spec().network()).isEqualTo(new io.jcontainer.NetworkMode.Named("bridge",
                io.jcontainer.NetworkOptions.NONE.withPorts(List.of(new io.jcontainer.PortBinding(null, 0, 80, "tcp")))));
        var e = DockerCreate.spec(body("{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":\"container:web\"}}"), null, IMAGE);
        assertThat(e.spec().network()).isEqualTo(new io.jcontainer.NetworkMode.Container("web"));
    }

    /** No network mode (or docker's "default"): the service's default network, as dockerd's bridge; none without one. */
    @Test
    void aContainerWithoutANetworkModeGetsTheDefaultNetwork() throws Exception {
        for (String body : List.of("{\"Image\":\"x\",\"Cmd\":[\"a\"]}", "{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":\"default\"}}",
                "{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":\"default\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{}}}}")) {
            assertThat(DockerCreate.spec(body(body), null, IMAGE, null, "bridge").spec().network()).as(body)
                    .isEqualTo(new io.jcontainer.NetworkMode.Named("bridge"));
            assertThat(DockerCreate.spec(body(body), null, IMAGE, null, null).spec().network()).as(body).isEqualTo(io.jcontainer.NetworkMode.NONE);
        }
        // a mode given is kept; DNS on the default bridge is docker's too
        assertThat(DockerCreate.spec(body("{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":\"none\"}}"), null, IMAGE, null, "bridge")
                .spec().network()).isEqualTo(io.jcontainer.NetworkMode.NONE);
        var dns = DockerCreate.spec(body("{\"Image\":\"x\",\"Cmd\":[\"a\"],\"HostConfig\":{\"Dns\":[\"10.0.0.53\"]}}"), null, IMAGE, null, "bridge");
        assertThat(((io.jcontainer.NetworkMode.Named) dns.spec().network()).options().dns()).containsExactly("10.0.0.53");
    }
}
