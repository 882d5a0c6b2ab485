package io.jcontainer.linux.net;

import java.util.Map;

/**
 * A network as stored ({@code <networks>/<name>.json}): a Linux bridge of jcontainer's own with
 * a subnet and its gateway (the bridge's address). {@code internal}: no route out and no NAT.
 * {@code ipRange}: where containers' addresses come from (null: the whole subnet); labels and
 * driver options as {@code network create} was given them. {@code enableIpv6}: docker's
 * {@code --ipv6}, with the IPv6 subnet {@code subnet6} and its gateway {@code gateway6} (null
 * otherwise; networks stored before IPv6 read as IPv4 only).
 */
public record NetworkConfig(String name, String id, String driver, String bridge, String subnet, String gateway, boolean internal,
                            int mtu, String created, String ipRange, Map<String, String> labels, Map<String, String> options,
                            boolean enableIpv6, String subnet6, String gateway6) {
    public NetworkConfig {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    public NetworkConfig(String name, String id, String driver, String bridge, String subnet, String gateway, boolean internal, int mtu,
                         String created) {
        this(name, id, driver, bridge, subnet, gateway, internal, mtu, created, null, Map.of(), Map.of());
    }

    public NetworkConfig(String name, String id, String driver, String bridge, String subnet, String gateway, boolean internal, int mtu,
                         String created, String ipRange, Map<String, String> labels, Map<String, String> options) {
        this(name, id, driver, bridge, subnet, gateway, internal, mtu, created, ipRange, labels, options, false, null, null);
    }

    /** The IPv6 subnet, or null on an IPv4-only network. */
    public Subnet6 parsedSubnet6() {
        return enableIpv6 && subnet6 != null ? Subnet6.parse(subnet6) : null;
    }

    public Subnet parsedSubnet() {
        return Subnet.parse(subnet);
    }

    public int gatewayAddress() {
        return Subnet.parseAddress(gateway);
    }
}
