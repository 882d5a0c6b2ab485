package io.jcontainer.linux.net;

/**
 * A network as stored ({@code <networks>/<name>.json}): a Linux bridge of jcontainer's own with
 * a subnet and its gateway (the bridge's address). {@code internal}: no route out and no NAT.
 */
public record NetworkConfig(String name, String id, String driver, String bridge, String subnet, String gateway, boolean internal,
                            int mtu, String created) {
    public Subnet parsedSubnet() {
        return Subnet.parse(subnet);
    }

    public int gatewayAddress() {
        return Subnet.parseAddress(gateway);
    }
}
