package io.jcontainer.linux.net;

import java.util.ArrayList;
import java.util.List;

/**
 * One published port, {@code -p} as docker reads it: {@code [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]},
 * each port a number or a range. {@code hostPort} 0 means "any free port" (chosen at attach).
 * {@code hostIp} null means every address of the host; an IPv6 one is kept in RFC 5952 text
 * ({@code ::1}, no brackets) and needs a container with an IPv6 address.
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
    public PortMapping {
        if (!protocol.equals("tcp") && !protocol.equals("udp")) throw new NetworkException.Invalid("protocol '" + protocol + "': tcp or udp");
        checkPort(containerPort, false);
        checkPort(hostPort, true);
        if (hostIp != null && Subnet6.isV6(hostIp)) hostIp = Subnet6.text(Subnet6.parseAddress(hostIp));
        else if (hostIp != null) Subnet.parseAddress(hostIp);
    }

    /** Whether the host address is an IPv6 one. */
    public boolean hostIp6() {
        return hostIp != null && hostIp.indexOf(':') >= 0;
    }

    /**
     * Whether this port is served by the monitor's userland proxy, not by the kernel: the host's
     * IPv6 loopback ({@code [::1]}), from which the kernel routes nothing out (no
     * {@code route_localnet} for IPv6). TCP only.
     */
    public boolean userland() {
        return "::1".equals(hostIp);
    }

    private static void checkPort(int p, boolean zeroOk) {
        if (p < (zeroOk ? 0 : 1) || p > 65535) throw new NetworkException.Invalid("port " + p + " is out of range (1-65535)");
    }

    /** Every mapping one {@code -p} value stands for (a range is one per port). */
    public static List<PortMapping> parse(String spec) {
        String s = spec, proto = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = s.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
            s = s.substring(0, slash);
        }
        String[] parts = s.split(":", -1);
        if (s.startsWith("[")) { // docker's bracketed IPv6 host address: [::1]:8080:80, [::1]::80
            int close = s.indexOf(']');
            String[] ports = close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':' ? new String[0] : s.substring(close + 2).split(":", -1);
            if (ports.length != 2)
                throw new NetworkException.Invalid("invalid port specification '" + spec + "': [IPV6]:[HOST_PORT]:CONTAINER_PORT[/PROTO]");
            parts = new String[]{s.substring(1, close), ports[0], ports[1]};
        }
        String ip = null, host = "", container;
        switch (parts.length) {
            case 1 -> container = parts[0];
            case 2 -> { host = parts[0]; container = parts[1]; }
            case 3 -> { ip = parts[0].isEmpty() ? null : parts[0]; host = parts[1]; container = parts[2]; }
            default -> throw new NetworkException.Invalid("invalid port specification '" + spec + "': [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]");
        }
        if ("0.0.0.0".equals(ip)) ip = null;
        int[] c = range(container, spec), h = host.isEmpty() ? null : range(host, spec);
        int n = c[1] - c[0] + 1;
        if (h != null && h[1] - h[0] + 1 != n && h[0] != h[1])
            throw new NetworkException.Invalid("invalid port specification '" + spec + "': the host range and the container range differ in size");
        List<PortMapping> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
            out.add(new PortMapping(ip, h == null ? 0 : h[0] == h[1] && n > 1 ? 0 : h[0] + i, c[0] + i, proto));
        return out;
    }

    private static int[] range(String r, String spec) {
        try {
            int dash = r.indexOf('-');
            int a = Integer.parseInt(dash < 0 ? r : r.substring(0, dash)), b = dash < 0 ? a : Integer.parseInt(r.substring(dash + 1));
            if (b < a) throw new NetworkException.Invalid("invalid port range '" + r + "' in '" + spec + "'");
            return new int[]{a, b};
        } catch (NumberFormatException e) {
            throw new NetworkException.Invalid("invalid port '" + r + "' in '" + spec + "'");
        }
    }

    /** As docker prints it: {@code 0.0.0.0:8080->80/tcp}. */
    @Override
    public String toString() {
        return (hostIp == null ? "0.0.0.0" : hostIp6() ? "[" + hostIp + "]" : hostIp) + ":" + hostPort + "->" + containerPort + "/" + protocol;
    }
}
