package io.jcontainer.linux.net;

import java.util.Map;

/**
 * A network as stored ({@code <networks>/<name>.json}): a Linux bridge of jcontainer's own with
 * a subnet and its gateway (the bridge's address). {@code internal}: no route out and no NAT.
 * {@code ipRange}: where containers' addresses come from (null: the whole subnet); labels and
 * driver options as {@code network create} was given them.
 */
public record NetworkConfig(String name, String id, String driver, String bridge, String subnet, String gateway, boolean internal,
                            int mtu, String created, String ipRange, Map<String, String> labels, Map<String, String> options) {
    public NetworkConfig {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    public NetworkConfig(String name, String id, String driver, String bridge, String subnet, String gateway, boolean internal, int mtu,
                         String created) {
        this(name, id, driver, bridge, subnet, gateway, internal, mtu, created, null, Map.of(), Map.of());
    }

    public Subnet parsedSubnet() {
        return Subnet.parse(subnet);
    }

    public int gatewayAddress() {
        return Subnet.parseAddress(gateway);
    }
}
