package io.jcontainer.linux.net;

import java.util.List;

/**
 * A container's place on a network ({@code <networks>/endpoints/<container>.<network>.json}):
 * its address (the IPAM allocation), the host end of its veth, the names others reach it by
 * and its published ports. {@code ownerPid}/{@code ownerStartTime} name the process whose
 * death makes the endpoint stale: the starting JVM until the container runs, then the
 * container's first process. {@code mac}: its interface's address (null in endpoints written
 * before it was recorded). {@code ip6}: its IPv6 address on a network with IPv6, else null.
 */
public record Endpoint(String containerId, String network, String ip, String hostVeth, String hostname, List<String> aliases,
                       List<PortMapping> ports, long ownerPid, long ownerStartTime, String mac, String ip6) {
    public Endpoint {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public Endpoint(String containerId, String network, String ip, String hostVeth, String hostname, List<String> aliases,
                    List<PortMapping> ports, long ownerPid, long ownerStartTime) {
        this(containerId, network, ip, hostVeth, hostname, aliases, ports, ownerPid, ownerStartTime, null, null);
    }

    public Endpoint(String containerId, String network, String ip, String hostVeth, String hostname, List<String> aliases,
                    List<PortMapping> ports, long ownerPid, long ownerStartTime, String mac) {
        this(containerId, network, ip, hostVeth, hostname, aliases, ports, ownerPid, ownerStartTime, mac, null);
    }

    Endpoint ownedBy(long pid, long startTime) {
        return new Endpoint(containerId, network, ip, hostVeth, hostname, aliases, ports, pid, startTime, mac, ip6);
    }
}
