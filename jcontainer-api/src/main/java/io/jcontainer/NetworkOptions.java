package io.jcontainer;

import java.util.List;

/**
 * A container's settings on a bridge network ({@link NetworkMode.Named}), docker's per-endpoint
 * and name-resolution flags.
 *
 * @param aliases    more names other containers on the network reach it by ({@code --network-alias});
 *                   its container name is always one on a user-defined network
 * @param ports      published ports ({@code -p})
 * @param ip         a fixed IPv4 address in the network's subnet ({@code --ip}), or null for the next free one
 * @param macAddress the container interface's MAC ({@code --mac-address}), or null for one derived from its address
 * @param dns        name servers for its /etc/resolv.conf ({@code --dns}); empty: the host's
 * @param dnsSearch  search domains ({@code --dns-search})
 * @param dnsOptions resolver options ({@code --dns-option})
 * @param extraHosts {@code HOST:IP} lines for its /etc/hosts ({@code --add-host})
 * @param ip6        a fixed IPv6 address in the network's IPv6 subnet ({@code --ip6}), or null for the next free one
 */
public record NetworkOptions(List<String> aliases, List<PortBinding> ports, String ip, String macAddress, List<String> dns,
                             List<String> dnsSearch, List<String> dnsOptions, List<String> extraHosts, String ip6) {
    public static final NetworkOptions NONE = new NetworkOptions(null, null, null, null, null, null, null, null);

    public NetworkOptions(List<String> aliases, List<PortBinding> ports, String ip, String macAddress, List<String> dns,
                          List<String> dnsSearch, List<String> dnsOptions, List<String> extraHosts) {
        this(aliases, ports, ip, macAddress, dns, dnsSearch, dnsOptions, extraHosts, null);
    }

    public NetworkOptions {
        aliases = Checks.list("network.aliases", aliases);
        ports = Checks.list("network.ports", ports);
        dns = Checks.list("network.dns", dns);
        dnsSearch = Checks.list("network.dnsSearch", dnsSearch);
        dnsOptions = Checks.list("network.dnsOptions", dnsOptions);
        extraHosts = Checks.list("network.extraHosts", extraHosts);
        if (macAddress != null) {
            if (!macAddress.matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}"))
                throw new InvalidSpecException("network.macAddress", "'" + macAddress + "' is not a MAC address (xx:xx:xx:xx:xx:xx)");
            if ((Integer.parseInt(macAddress.substring(0, 2), 16) & 1) != 0)
                throw new InvalidSpecException("network.macAddress", "'" + macAddress + "' is a multicast address");
            macAddress = macAddress.toLowerCase(java.util.Locale.ROOT);
        }
        if (ip6 != null && ip6.indexOf(':') < 0)
            throw new InvalidSpecException("network.ip6", "'" + ip6 + "' is not an IPv6 address");
        for (String h : extraHosts)
            if (h.indexOf(':') <= 0 && h.indexOf('=') <= 0)
                throw new InvalidSpecException("network.extraHosts", "invalid --add-host '" + h + "': HOST:IP");
    }

    public NetworkOptions withPorts(List<PortBinding> ports) {
        return new NetworkOptions(aliases, ports, ip, macAddress, dns, dnsSearch, dnsOptions, extraHosts, ip6);
    }
}
