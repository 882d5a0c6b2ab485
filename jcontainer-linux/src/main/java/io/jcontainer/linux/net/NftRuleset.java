package io.jcontainer.linux.net;

import java.util.HexFormat;
import java.util.List;

/**
 * jcontainer's nftables table, rendered from the stored networks and endpoints. Only
 * {@code table ip jcontainer} is touched.
 *
 * <p>The table has two parts that change at very different rates. Its chains (masquerade,
 * isolation, the hairpin) depend only on the networks in use and are replaced as a whole in one
 * transaction ({@code add; delete; define}) when a network's bridge comes or goes. Published
 * ports are elements of two verdict maps the chains look up ({@code dnat_any}: protocol . port,
 * for every local address; {@code dnat_ip}: address . protocol . port) — a container start or
 * exit adds or deletes its elements and nothing else: no chain is rebuilt and no hook is
 * unregistered, which is what made a rebuild cost a kernel RCU grace period (tens of ms).
 * Whenever the element updates cannot be trusted (a failed delta, another boot or namespace)
 * the whole table, elements included, is rendered again from the state.
 */
final class NftRuleset {
    static final String TABLE = "jcontainer";
    static final String MAP_ANY = "dnat_any", MAP_IP = "dnat_ip", MAP6_ANY = "dnat6_any", MAP6_IP = "dnat6_ip";

    private NftRuleset() {
    }

    /** The script that makes the kernel's table match {@code networks} and {@code endpoints} (no network: no table). */
    static String render(List<NetworkConfig> networks, List<Endpoint> endpoints) {
        StringBuilder s = new StringBuilder(base(networks));
        if (networks.isEmpty()) return s.toString();
        for (Endpoint e : endpoints) s.append(text(elements(true, e, java.util.Set.of())));
        return s.toString();
    }

    /** The table without published ports: it changes only when a network's bridge comes or goes. */
    static String base(List<NetworkConfig> networks) {
        StringBuilder s = new StringBuilder();
        s.append("add table ip ").append(TABLE).append('\n');
        s.append("delete table ip ").append(TABLE).append('\n');
        // IPv6 networks' isolation lives in a table of that family (a table ip sees only IPv4);
        // it is deleted in the same transaction whether or not one is made again
        s.append("add table ip6 ").append(TABLE).append('\n');
        s.append("delete table ip6 ").append(TABLE).append('\n');
        if (networks.isEmpty()) return s.toString();
        StringBuilder post = new StringBuilder(), fwd = new StringBuilder();
        for (NetworkConfig n : networks) {
            String br = '"' + n.bridge() + '"';
            // published ports reached from the host's own loopback (hairpin): the bridge has
            // route_localnet, and the reply must come back to an address that is not 127/8
            post.append("    oifname ").append(br).append(" ip saddr 127.0.0.0/8 masquerade\n");
            if (n.internal()) {
                fwd.append("    iifname ").append(br).append(" oifname != ").append(br).append(" drop\n");
                fwd.append("    oifname ").append(br).append(" iifname != ").append(br).append(" drop\n");
            } else {
                post.append("    ip saddr ").append(n.subnet()).append(" oifname != ").append(br).append(" masquerade\n");
                // networks do not reach each other (docker's isolation); the world they may
                fwd.append("    iifname ").append(br).append(" oifname \"jc*\" oifname != ").append(br).append(" drop\n");
            }
        }
        String dnat = "    fib daddr type local dnat ip to meta l4proto . th dport map @" + MAP_ANY + "\n"
                + "    dnat ip to ip daddr . meta l4proto . th dport map @" + MAP_IP + "\n";
        s.append("table ip ").append(TABLE).append(" {\n");
        s.append("  map ").append(MAP_ANY).append(" {\n    type inet_proto . inet_service : ipv4_addr . inet_service\n  }\n");
        s.append("  map ").append(MAP_IP).append(" {\n    type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service\n  }\n");
        s.append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n").append(dnat).append("  }\n");
        s.append("  chain output {\n    type nat hook output priority -100; policy accept;\n").append(dnat).append("  }\n");
        s.append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n").append(post).append("  }\n");
        s.append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n").append(fwd).append("  }\n");
        s.append("}\n");
        s.append(ipv6(networks));
        return s.toString();
    }

    /**
     * For networks with IPv6, {@code table ip6 jcontainer} (a table ip sees only IPv4): the same
     * isolation as above; outbound NAT66 (masquerade) for a network that is not internal, as
     * docker does with ip6tables; and ports published on every address ({@code -p 8080:80}) to
     * a container's IPv6 address through {@value #MAP6_ANY}, looked up for packets to any local
     * address but the loopback one (IPv6 has no route_localnet: {@code [::1]} is not forwarded).
     * jcontainer does not turn IPv6 forwarding on (it would stop the host accepting router
     * advertisements): NAT66 and ports reached from outside work where the host forwards IPv6.
     * Empty without IPv6 networks.
     */
    private static String ipv6(List<NetworkConfig> networks) {
        StringBuilder fwd = new StringBuilder(), post = new StringBuilder();
        for (NetworkConfig n : networks) {
            if (!n.enableIpv6()) continue;
            String br = '"' + n.bridge() + '"';
            if (n.internal()) {
                fwd.append("    iifname ").append(br).append(" oifname != ").append(br).append(" drop\n");
                fwd.append("    oifname ").append(br).append(" iifname != ").append(br).append(" drop\n");
            } else {
                fwd.append("    iifname ").append(br).append(" oifname \"jc*\" oifname != ").append(br).append(" drop\n");
                post.append("    ip6 saddr ").append(n.subnet6()).append(" oifname != ").append(br).append(" masquerade\n");
            }
        }
        if (fwd.isEmpty()) return "";
        // -p [ADDR]:PORT:PORT: an IPv6 host address of its own (docker's bracketed form)
        String dnat = "    fib daddr type local ip6 daddr != ::1 dnat ip6 to meta l4proto . th dport map @" + MAP6_ANY + "\n"
                + "    dnat ip6 to ip6 daddr . meta l4proto . th dport map @" + MAP6_IP + "\n";
        return "table ip6 " + TABLE + " {\n"
                + "  map " + MAP6_ANY + " {\n    type inet_proto . inet_service : ipv6_addr . inet_service\n  }\n"
                + "  map " + MAP6_IP + " {\n    type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service\n  }\n"
                + "  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n" + dnat + "  }\n"
                + "  chain output {\n    type nat hook output priority -100; policy accept;\n" + dnat + "  }\n"
                + "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n" + post + "  }\n"
                + "  chain forward {\n    type filter hook forward priority filter; policy accept;\n" + fwd + "  }\n}\n";
    }

    /** What identifies a published port's map element: two endpoints with one key cannot both be in the kernel. */
    static String key(PortMapping p) {
        return p.hostIp() + "/" + p.protocol() + "/" + p.hostPort();
    }

    /**
     * One published port's element change in one of the maps: as nft text (the full render, the
     * {@code nft} program) and as the key and data bytes nf_tables' netlink interface takes
     * ({@link NftElements}). {@code data} is null for a delete.
     */
    record Element(boolean add, boolean ip6, String map, byte[] key, byte[] data, String text) {
        /** What identifies it in the kernel: a second change of one key in one transaction meets the first. */
        String id() {
            return (ip6 ? "ip6 " : "ip ") + map + " " + HexFormat.of().formatHex(key);
        }
    }

    /** The changes as one nft script. */
    static String text(List<Element> changes) {
        StringBuilder s = new StringBuilder();
        for (Element e : changes) s.append(e.text());
        return s.toString();
    }

    /**
     * The map elements of {@code e}'s published ports, added ({@code add}) or deleted, but those
     * whose {@link #key} is in {@code skip}; empty when none is left.
     */
    static List<Element> elements(boolean add, Endpoint e, java.util.Set<String> skip) {
        List<Element> out = new java.util.ArrayList<>();
        String verb = add ? "add" : "delete";
        for (PortMapping p : e.ports()) {
            if (skip.contains(key(p)) || p.userland()) continue; // the monitor's proxy serves it
            byte[] proto = {(byte) protocolNumber(p.protocol()), 0, 0, 0};
            byte[] port = service(p.hostPort());
            if (p.hostIp6()) { // -p [ADDR]:...: to the container's IPv6 address only
                StringBuilder s6 = new StringBuilder().append(verb).append(" element ip6 ").append(TABLE).append(' ').append(MAP6_IP).append(" { ")
                        .append(p.hostIp()).append(" . ").append(p.protocol()).append(" . ").append(p.hostPort());
                byte[] data6 = null;
                if (add) {
                    s6.append(" : ").append(e.ip6()).append(" . ").append(p.containerPort());
                    data6 = concat(Subnet6.inet(Subnet6.parseAddress(e.ip6())).getAddress(), service(p.containerPort()));
                }
                s6.append(" }\n");
                out.add(new Element(add, true, MAP6_IP, concat(Subnet6.inet(Subnet6.parseAddress(p.hostIp())).getAddress(), proto, port), data6, s6.toString()));
                continue;
            }
            StringBuilder s = new StringBuilder().append(verb).append(" element ip ").append(TABLE).append(' ');
            byte[] key;
            if (p.hostIp() == null) {
                s.append(MAP_ANY).append(" { ");
                key = concat(proto, port);
            } else {
                s.append(MAP_IP).append(" { ").append(p.hostIp()).append(" . ");
                key = concat(Subnet.inet(Subnet.parseAddress(p.hostIp())).getAddress(), proto, port);
            }
            s.append(p.protocol()).append(" . ").append(p.hostPort());
            byte[] data = null;
            if (add) {
                s.append(" : ").append(e.ip()).append(" . ").append(p.containerPort());
                data = concat(Subnet.inet(Subnet.parseAddress(e.ip())).getAddress(), service(p.containerPort()));
            }
            s.append(" }\n");
            out.add(new Element(add, false, p.hostIp() == null ? MAP_ANY : MAP_IP, key, data, s.toString()));
            if (e.ip6() != null && p.hostIp() == null) { // a dual-stack container: on the host's IPv6 addresses too
                StringBuilder s6 = new StringBuilder().append(verb).append(" element ip6 ").append(TABLE).append(' ').append(MAP6_ANY).append(" { ")
                        .append(p.protocol()).append(" . ").append(p.hostPort());
                byte[] data6 = null;
                if (add) {
                    s6.append(" : ").append(e.ip6()).append(" . ").append(p.containerPort());
                    data6 = concat(Subnet6.inet(Subnet6.parseAddress(e.ip6())).getAddress(), service(p.containerPort()));
                }
                s6.append(" }\n");
                out.add(new Element(add, true, MAP6_ANY, concat(proto, port), data6, s6.toString()));
            }
        }
        return out;
    }

    private static int protocolNumber(String protocol) {
        return switch (protocol) {
            case "tcp" -> 6;
            case "udp" -> 17;
            default -> throw new NetworkException.Invalid("protocol '" + protocol + "': tcp or udp");
        };
    }

    /** inet_service in a concatenation: the port in network order, padded to a register's 4 bytes. */
    private static byte[] service(int port) {
        return new byte[]{(byte) (port >>> 8), (byte) port, 0, 0};
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
