package io.jcontainer.lifecycle;

import io.jcontainer.PortBinding;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A network of this host ({@code docker network inspect}).
 *
 * @param name       its name ({@code bridge} is the default one)
 * @param id         64 hex digits
 * @param driver     {@code bridge}
 * @param bridge     the host's bridge interface
 * @param subnet     its IPv4 subnet, e.g. {@code 172.18.0.0/16}
 * @param gateway    the bridge's address in it
 * @param ipRange    the part of the subnet containers' addresses come from, or null for all of it
 * @param internal   no way out (no default route, no NAT)
 * @param mtu        the bridge's MTU
 * @param created    when it was created
 * @param labels     docker's {@code --label}s
 * @param options    docker's {@code -o} driver options, as given
 * @param containers the containers attached now
 * @param enableIpv6 docker's {@code --ipv6}: the network is dual stack
 * @param subnet6    its IPv6 subnet, e.g. {@code fd00:1::/64}, or null without IPv6
 * @param gateway6   the bridge's IPv6 address in it, or null
 */
public record NetworkInfo(String name, String id, String driver, String bridge, String subnet, String gateway, String ipRange,
                          boolean internal, int mtu, Instant created, Map<String, String> labels, Map<String, String> options,
                          List<Endpoint> containers, boolean enableIpv6, String subnet6, String gateway6) {
    public NetworkInfo {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        options = options == null ? Map.of() : Map.copyOf(options);
        containers = containers == null ? List.of() : List.copyOf(containers);
    }

    public NetworkInfo(String name, String id, String driver, String bridge, String subnet, String gateway, String ipRange,
                       boolean internal, int mtu, Instant created, Map<String, String> labels, Map<String, String> options,
                       List<Endpoint> containers) {
        this(name, id, driver, bridge, subnet, gateway, ipRange, internal, mtu, created, labels, options, containers, false, null, null);
    }

    public String shortId() {
        return id.substring(0, Math.min(12, id.length()));
    }

    /**
     * A container's place on a network.
     *
     * @param containerId   the container's id
     * @param network       the network's name
     * @param networkId     the network's id
     * @param ip            its IPv4 address
     * @param prefixLength  the subnet's prefix length
     * @param gateway       its default gateway (the bridge)
     * @param macAddress    its interface's MAC address
     * @param aliases       the names others on the network reach it by
     * @param ports         its published ports, host ports resolved
     * @param ip6           its IPv6 address, or null on a network without IPv6
     * @param prefixLength6 the IPv6 subnet's prefix length (0 without)
     * @param gateway6      its IPv6 default gateway (the bridge), or null
     */
    public record Endpoint(String containerId, String network, String networkId, String ip, int prefixLength, String gateway,
                           String macAddress, List<String> aliases, List<PortBinding> ports, String ip6, int prefixLength6, String gateway6) {
        public Endpoint {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            ports = ports == null ? List.of() : List.copyOf(ports);
        }

        public Endpoint(String containerId, String network, String networkId, String ip, int prefixLength, String gateway,
                        String macAddress, List<String> aliases, List<PortBinding> ports) {
            this(containerId, network, networkId, ip, prefixLength, gateway, macAddress, aliases, ports, null, 0, null);
        }
    }
}
