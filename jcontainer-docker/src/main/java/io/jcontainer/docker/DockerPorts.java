package io.jcontainer.docker;

import io.jcontainer.InvalidSpecException;
import io.jcontainer.PortBinding;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Docker's port syntax: {@code -p [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]} (each port a
 * number or a range, {@code 8080:80}, {@code 127.0.0.1:8080:80}, {@code 127.0.0.1::80},
 * {@code 80}, {@code 8000-8001:80-81}, {@code 53/udp}), {@code --expose PORT[-PORT][/PROTO]}
 * and image {@code ExposedPorts} keys ({@code 80/tcp}), and {@code -P} over them.
 */
public final class DockerPorts {
    private DockerPorts() {
    }

    /** Every binding one {@code -p} value stands for (a range is one per port; a host port of 0 is chosen at start). */
    public static List<PortBinding> parse(String spec) {
        String s = spec, proto = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = s.substring(slash + 1).toLowerCase(Locale.ROOT);
            s = s.substring(0, slash);
        }
        String ip = null, host = "", container;
        String[] parts;
        // an IPv6 host address is bracketed: [::1]:8080:80, [::1]::80
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) throw invalid(spec, "an unclosed '['");
            if (close + 1 >= s.length() || s.charAt(close + 1) != ':')
                throw invalid(spec, "[IPV6]:[HOST_PORT:]CONTAINER_PORT[/PROTO]");
            String rest = s.substring(close + 2);
            String[] ports = rest.split(":", -1);
            if (ports.length != 2) throw invalid(spec, "[IPV6]:HOST_PORT:CONTAINER_PORT or [IPV6]::CONTAINER_PORT");
            parts = new String[]{s.substring(1, close), ports[0], ports[1]};
            if (parts[0].isEmpty()) throw invalid(spec, "an empty IPv6 address");
        } else {
            parts = s.split(":", -1);
        }
        switch (parts.length) {
            case 1 -> container = parts[0];
            case 2 -> { host = parts[0]; container = parts[1]; }
            case 3 -> { ip = parts[0].isEmpty() ? null : parts[0]; host = parts[1]; container = parts[2]; }
            default -> throw invalid(spec, "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]");
        }
        if ("0.0.0.0".equals(ip)) ip = null;
        int[] c = range(container, spec), h = host.isEmpty() ? null : range(host, spec);
        int n = c[1] - c[0] + 1;
        // a single host port for a container range: docker publishes the range on free ports, as here
        if (h != null && h[1] - h[0] + 1 != n && h[0] != h[1])
            throw invalid(spec, "the host range and the container range differ in size");
        List<PortBinding> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int hostPort = h == null ? 0 : h[0] == h[1] && n > 1 ? 0 : h[0] + i;
            try {
                out.add(new PortBinding(ip, hostPort, c[0] + i, proto));
            } catch (InvalidSpecException e) {
                throw invalid(spec, e.getMessage());
            }
        }
        return out;
    }

    /** The ports of one {@code --expose} value or image {@code ExposedPorts} key, as {@code PORT/PROTO}. */
    public static List<String> exposed(String spec) {
        String s = spec, proto = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = s.substring(slash + 1).toLowerCase(Locale.ROOT);
            s = s.substring(0, slash);
        }
        if (!proto.equals("tcp") && !proto.equals("udp")) throw new InvalidSpecException("expose", "invalid protocol in '" + spec + "': tcp or udp");
        int[] r = range(s, spec);
        List<String> out = new ArrayList<>();
        for (int p = r[0]; p <= r[1]; p++) out.add(p + "/" + proto);
        return out;
    }

    /**
     * {@code -P}: every exposed port not published already gets a free host port on every
     * address, after the explicit {@code -p} bindings.
     */
    public static List<PortBinding> publishAll(List<PortBinding> explicit, Set<String> exposed) {
        List<PortBinding> out = new ArrayList<>(explicit);
        Set<String> published = new LinkedHashSet<>();
        for (PortBinding b : explicit) published.add(b.containerPort() + "/" + b.protocol());
        for (String e : exposed) {
            if (published.contains(e)) continue;
            int slash = e.indexOf('/');
            out.add(new PortBinding(null, 0, Integer.parseInt(e.substring(0, slash)), e.substring(slash + 1)));
        }
        return out;
    }

    /** docker port's line: {@code 80/tcp -> 0.0.0.0:8080}. */
    public static String portLine(PortBinding b) {
        return b.containerPort() + "/" + b.protocol() + " -> " + hostSide(b);
    }

    /** {@code 0.0.0.0:8080}. */
    public static String hostSide(PortBinding b) {
        return (b.hostIp() == null ? "0.0.0.0" : b.hostIp().indexOf(':') >= 0 ? "[" + b.hostIp() + "]" : b.hostIp()) + ":" + b.hostPort();
    }

    private static int[] range(String r, String spec) {
        try {
            int dash = r.indexOf('-');
            int a = Integer.parseInt(dash < 0 ? r : r.substring(0, dash)), b = dash < 0 ? a : Integer.parseInt(r.substring(dash + 1));
            if (b < a) throw invalid(spec, "the range " + r + " ends before it starts");
            if (a < 0 || b > 65535) throw invalid(spec, "port " + r + " is out of range (1-65535)");
            return new int[]{a, b};
        } catch (NumberFormatException e) {
            throw invalid(spec, "'" + r + "' is not a port or a range");
        }
    }

    private static InvalidSpecException invalid(String spec, String why) {
        return new InvalidSpecException("ports", "invalid port specification '" + spec + "': " + why);
    }
}
