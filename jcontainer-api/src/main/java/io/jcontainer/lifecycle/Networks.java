package io.jcontainer.lifecycle;

import io.jcontainer.ContainerException;
import io.jcontainer.NetworkOptions;

import java.util.List;
import java.util.Map;

/**
 * {@code docker network}: the bridge networks of this host, shared by every process of the user
 * (as root; a rootless user has none yet). Obtained from {@link Containers#networks()}. A
 * container joins one at start ({@link io.jcontainer.NetworkMode.Named}) or later
 * ({@link #connect}); its place there goes when it exits or is removed.
 */
public interface Networks {

    /**
     * {@code docker network create}.
     *
     * @param subnet   an IPv4 subnet, or null for a free one among docker's usual ranges
     * @param gateway  the bridge's address, or null for the subnet's first
     * @param ipRange  where containers' addresses come from (within the subnet), or null for all of it
     * @param options  driver options; {@code com.docker.network.bridge.name} names the host bridge,
     *                 {@code com.docker.network.driver.mtu} sets its MTU
     */
    NetworkInfo create(String name, String driver, String subnet, String gateway, String ipRange, boolean internal,
                       Map<String, String> labels, Map<String, String> options);

    /**
     * {@code docker network create --ipv6}: as above, dual stack.
     *
     * @param ipv6     docker's {@code --ipv6}; false refuses an IPv6 subnet or gateway, as docker does
     * @param subnet6  an IPv6 subnet ({@code fd00:1::/64}), or null for a random unique local /64
     * @param gateway6 the bridge's IPv6 address, or null for the subnet's first
     */
    default NetworkInfo create(String name, String driver, String subnet, String gateway, String ipRange, boolean internal,
                               Map<String, String> labels, Map<String, String> options, boolean ipv6, String subnet6, String gateway6) {
        if (ipv6 || subnet6 != null || gateway6 != null)
            throw new Containers.NotSupportedYetException("IPv6 networks are not supported by this implementation");
        return create(name, driver, subnet, gateway, ipRange, internal, labels, options);
    }

    /** {@code docker network ls}: by name (the default {@code bridge} always among them). */
    List<NetworkInfo> list();

    /** {@code docker network inspect}: by name, full id or unique id prefix. */
    NetworkInfo find(String ref);

    /** {@code docker network rm}: refused ({@link Containers.ConflictException}) while containers are attached, and for the default one. */
    void remove(String ref);

    /** {@code docker network prune}: every network without containers but the default; their names. */
    List<String> prune();

    /** {@code docker network connect}: a running container joins the network now. */
    NetworkInfo.Endpoint connect(String network, String container, NetworkOptions options);

    /** {@code docker network disconnect}: its interface on that network goes, with its address and rules. */
    void disconnect(String network, String container);

    /** A container's places on networks (empty when it has none: not running, or not on a bridge network). */
    List<NetworkInfo.Endpoint> endpoints(String containerId);

    /** No network of that name or id ("network x not found"). */
    class NoSuchNetworkException extends ContainerException {
        public NoSuchNetworkException(String message) {
            super(message);
        }
    }
}
