package io.jcontainer.linux.net;

import java.util.List;

/**
 * jcontainer's whole nftables table, rendered from the stored networks and endpoints. Every
 * change replaces the table in one transaction ({@code add; delete; define}), so what is in the
 * kernel is always exactly what the state says: a container removed, or swept after a crash,
 * takes its rules with it by not being rendered. Only {@code table ip jcontainer} is touched.
 */
final class NftRuleset {
    static final String TABLE = "jcontainer";

    private NftRuleset() {
    }

    /** The script that makes the kernel's table match {@code networks} and {@code endpoints} (none: no table). */
    static String render(List<NetworkConfig> networks, List<Endpoint> endpoints) {
        StringBuilder s = new StringBuilder();
        s.append("add table ip ").append(TABLE).append('\n');
        s.append("delete table ip ").append(TABLE).append('\n');
        if (networks.isEmpty()) return s.toString();
        StringBuilder dnat = new StringBuilder(), post = new StringBuilder(), fwd = new StringBuilder();
        for (Endpoint e : endpoints)
            for (PortMapping p : e.ports())
                dnat.append("    ").append(p.hostIp() == null ? "fib daddr type local" : "ip daddr " + p.hostIp())
                        .append(' ').append(p.protocol()).append(" dport ").append(p.hostPort())
                        .append(" dnat to ").append(e.ip()).append(':').append(p.containerPort()).append('\n');
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
        s.append("table ip ").append(TABLE).append(" {\n");
        s.append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n").append(dnat).append("  }\n");
        s.append("  chain output {\n    type nat hook output priority -100; policy accept;\n").append(dnat).append("  }\n");
        s.append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n").append(post).append("  }\n");
        s.append("  chain forward {\n    type filter hook forward priority filter; policy accept;\n").append(fwd).append("  }\n");
        s.append("}\n");
        return s.toString();
    }
}
