package io.jcontainer.docker;

import io.jcontainer.InvalidSpecException;
import io.jcontainer.PortBinding;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerPortsTest {
    @Test
    void everyFormOfDashP() {
        assertThat(DockerPorts.parse("8080:80")).containsExactly(new PortBinding(null, 8080, 80, "tcp"));
        assertThat(DockerPorts.parse("127.0.0.1:8080:80")).containsExactly(new PortBinding("127.0.0.1", 8080, 80, "tcp"));
        assertThat(DockerPorts.parse("127.0.0.1::80")).containsExactly(new PortBinding("127.0.0.1", 0, 80, "tcp"));
        assertThat(DockerPorts.parse("80")).containsExactly(new PortBinding(null, 0, 80, "tcp"));
        assertThat(DockerPorts.parse("0.0.0.0:53:53/udp")).containsExactly(new PortBinding(null, 53, 53, "udp"));
        assertThat(DockerPorts.parse("8000-8001:80-81/TCP")).containsExactly(new PortBinding(null, 8000, 80, "tcp"), new PortBinding(null, 8001, 81, "tcp"));
        assertThat(DockerPorts.parse("9000:80-81")).containsExactly(new PortBinding(null, 0, 80, "tcp"), new PortBinding(null, 0, 81, "tcp"));
        assertThat(DockerPorts.parse("90-91")).hasSize(2);
    }

    /** docker's bracketed IPv6 host address: the address kept without brackets (as the Engine API's HostIp), printed with them. */
    @Test
    void parsesBracketedIpv6HostAddresses() {
        assertThat(DockerPorts.parse("[::1]:8080:80")).containsExactly(new PortBinding("::1", 8080, 80, "tcp"));
        assertThat(DockerPorts.parse("[::1]::80")).containsExactly(new PortBinding("::1", 0, 80, "tcp"));
        assertThat(DockerPorts.parse("[fd00:7::1]:5353:53/udp")).containsExactly(new PortBinding("fd00:7::1", 5353, 53, "udp"));
        assertThat(DockerPorts.parse("[fd00::1]:9000-9001:80-81")).containsExactly(new PortBinding("fd00::1", 9000, 80, "tcp"),
                new PortBinding("fd00::1", 9001, 81, "tcp"));
        PortBinding b = new PortBinding("fd00:7::1", 8086, 80, "tcp");
        assertThat(DockerPorts.portLine(b)).isEqualTo("80/tcp -> [fd00:7::1]:8086");
        assertThat(b.toString()).isEqualTo("[fd00:7::1]:8086->80/tcp");
        for (String bad : List.of("[::1]:80", "[::1", "[]:80:80", "[::zz]:80:80", "[::1]80:80", "::1:80:80"))
            assertThatThrownBy(() -> DockerPorts.parse(bad)).as(bad).isInstanceOf(InvalidSpecException.class).hasMessageContaining(bad);
    }

    @Test
    void badSpecificationsAreRefusedNamingThem() {
        for (String bad : List.of("x", "80:x", "1:2:3:4", "8000-8002:80-81", "80/sctp", "70000", "81-80", "300.1.1.1:80:80"))
            assertThatThrownBy(() -> DockerPorts.parse(bad)).as(bad).isInstanceOf(InvalidSpecException.class).hasMessageContaining(bad);
    }

    @Test
    void publishAllAddsTheExposedPortsNotPublishedAlready() {
        var exposed = new LinkedHashSet<String>();
        exposed.addAll(DockerPorts.exposed("80"));
        exposed.addAll(DockerPorts.exposed("53/udp"));
        exposed.addAll(DockerPorts.exposed("7000-7001/tcp"));
        assertThat(DockerPorts.publishAll(DockerPorts.parse("8080:80"), exposed)).containsExactly(
                new PortBinding(null, 8080, 80, "tcp"), new PortBinding(null, 0, 53, "udp"),
                new PortBinding(null, 0, 7000, "tcp"), new PortBinding(null, 0, 7001, "tcp"));
        assertThat(DockerPorts.portLine(new PortBinding("127.0.0.1", 8080, 80, "tcp"))).isEqualTo("80/tcp -> 127.0.0.1:8080");
        assertThat(DockerPorts.hostSide(new PortBinding(null, 8080, 80, "tcp"))).isEqualTo("0.0.0.0:8080");
    }
}
