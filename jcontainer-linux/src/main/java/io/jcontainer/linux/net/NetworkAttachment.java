package io.jcontainer.linux.net;

import java.nio.file.Path;
import java.util.List;

/**
 * What a container start needs of networking: put the container's network namespace on a
 * network before its payload runs, and take it off again. The start passes the namespace as
 * an fd; everything else (bridge, address, rules, /etc files) is behind this.
 */
public interface NetworkAttachment {
    /**
     * @param network  a network's name ({@link Networks#DEFAULT} for docker's {@code bridge})
     * @param hostname the container's name on the network (its hostname), or null
     * @param ip       a fixed address (docker's --ip), or null for the next free one
     * @param mac      the container interface's MAC (docker's --mac-address), or null for one derived from its address
     * @param ip6      a fixed IPv6 address (docker's --ip6) on a network with IPv6, or null for the next free one
     */
    record Request(String network, String hostname, List<String> aliases, List<PortMapping> ports, String ip, List<String> dns,
                   List<String> addHosts, String mac, List<String> dnsSearch, List<String> dnsOptions, String ip6) {
        public Request {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            ports = ports == null ? List.of() : List.copyOf(ports);
            dns = dns == null ? List.of() : List.copyOf(dns);
            addHosts = addHosts == null ? List.of() : List.copyOf(addHosts);
            dnsSearch = dnsSearch == null ? List.of() : List.copyOf(dnsSearch);
            dnsOptions = dnsOptions == null ? List.of() : List.copyOf(dnsOptions);
        }

        public Request(String network, String hostname, List<String> aliases, List<PortMapping> ports, String ip, List<String> dns,
                       List<String> addHosts) {
            this(network, hostname, aliases, ports, ip, dns, addHosts, null, List.of(), List.of());
        }

        public Request(String network, String hostname, List<String> aliases, List<PortMapping> ports, String ip, List<String> dns,
                       List<String> addHosts, String mac, List<String> dnsSearch, List<String> dnsOptions) {
            this(network, hostname, aliases, ports, ip, dns, addHosts, mac, dnsSearch, dnsOptions, null);
        }

        public static Request of(String network) {
            return new Request(network, null, List.of(), List.of(), null, List.of(), List.of());
        }

        /** The same request under another hostname and aliases (the start adds the container's own). */
        public Request named(String hostname, List<String> aliases) {
            return new Request(network, hostname, aliases, ports, ip, dns, addHosts, mac, dnsSearch, dnsOptions, ip6);
        }

        /** The same without published ports (an ordinary user's: pasta publishes them, not the network). */
        public Request withoutPorts() {
            return new Request(network, hostname, aliases, List.of(), ip, dns, addHosts, mac, dnsSearch, dnsOptions, ip6);
        }
    }

    /** The container's endpoint and the /etc files made for it (to bind into its root). */
    record Attachment(Endpoint endpoint, Path hosts, Path resolvConf) {
    }

    Attachment attach(String containerId, int netnsFd, Request request);

    void detach(String containerId);
}
