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

    /** docker's driver option for a network's MTU: given, it is the MTU of the bridge, the veths and every route, as in docker. */
    public static final String MTU_OPTION = "com.docker.network.driver.mtu";
    /** A network's MTU without {@link #MTU_OPTION}: the largest a veth takes and what pasta and slirp4netns give their tap. */
    public static final int LARGE_MTU = 65520;
    /** The MTU of a container's default routes on a network of {@link #LARGE_MTU} that was not asked for: docker's (and Ethernet's) 1500. */
    public static final int WAY_OUT_MTU = 1500;

    /**
     * The MTU of a container's default routes (0: the link's). A network made without
     * {@link #MTU_OPTION} has {@link #LARGE_MTU} on its bridge and veths, so the host and the
     * containers on it exchange segments as large as over loopback, while what leaves through
     * the default route (the host's uplink, most likely Ethernet's 1500) stays within
     * {@link #WAY_OUT_MTU}: TCP announces an MSS for 1500 and nothing needs fragmenting or path
     * MTU discovery beyond the bridge. Networks stored with 1500 (before this default) and those
     * given an MTU keep docker's behaviour: every route is the link's.
     */
    public int defaultRouteMtu() {
        return mtu > WAY_OUT_MTU && !options.containsKey(MTU_OPTION) ? WAY_OUT_MTU : 0;
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
