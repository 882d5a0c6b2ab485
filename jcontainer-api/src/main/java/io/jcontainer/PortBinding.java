package io.jcontainer;

/**
 * One published port ({@code docker run -p}): connections to {@code hostIp:hostPort} on the host
 * are forwarded to {@code containerPort} in the container.
 *
 * @param hostIp        an IPv4 or IPv6 address of the host (a literal, without docker's brackets:
 *                      {@code ::1}), or null for every address
 * @param hostPort      the host's port, or 0 for a free one chosen at start
 * @param containerPort the container's port
 * @param protocol      {@code tcp} or {@code udp}
 */
public record PortBinding(String hostIp, int hostPort, int containerPort, String protocol) {
    public PortBinding {
        if (protocol == null) protocol = "tcp";
        if (!protocol.equals("tcp") && !protocol.equals("udp"))
            throw new InvalidSpecException("ports", "protocol '" + protocol + "': tcp or udp");
        if (containerPort < 1 || containerPort > 65535) throw new InvalidSpecException("ports", "container port " + containerPort + " is out of range (1-65535)");
        if (hostPort < 0 || hostPort > 65535) throw new InvalidSpecException("ports", "host port " + hostPort + " is out of range (0-65535)");
        if (hostIp != null && hostIp.indexOf(':') >= 0) {
            try {
                java.net.Inet6Address.ofLiteral(hostIp); // a literal only: never a lookup
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException("ports", "host address '" + hostIp + "' is not an IPv6 address");
            }
        } else if (hostIp != null && !hostIp.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}"))
            throw new InvalidSpecException("ports", "host address '" + hostIp + "' is not an IPv4 address");
    }

    /** A port published on every address of the host. */
    public static PortBinding of(int hostPort, int containerPort) {
        return new PortBinding(null, hostPort, containerPort, "tcp");
    }

    /** As docker prints it: {@code 0.0.0.0:8080->80/tcp}, {@code [::1]:8080->80/tcp}. */
    @Override
    public String toString() {
        return (hostIp == null ? "0.0.0.0" : hostIp.indexOf(':') >= 0 ? "[" + hostIp + "]" : hostIp) + ":" + hostPort + "->" + containerPort + "/" + protocol;
    }
}
