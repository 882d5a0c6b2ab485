package io.jcontainer.linux.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The /etc/hosts and /etc/resolv.conf a container on a network gets; docker's three /etc files of any recorded container. */
public final class EtcFiles {
    private EtcFiles() {
    }

    /** docker's /etc/hosts without a network of its own: localhost and the IPv6 names. */
    static final String LOCALHOST = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
            + "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    /**
     * docker's /etc/hostname, /etc/hosts and /etc/resolv.conf of a recorded container, written into
     * its state directory (as docker's container directory holds them) and returned as in-root target
     * -> host file for the plan. {@code given} (a network's hosts and resolv.conf) is kept as is. On
     * the host's network the host's own /etc/hosts and resolv.conf are copied, as docker does; with
     * a network namespace of its own the container's hostname resolves to 127.0.0.1 (podman's rule:
     * there is no address of its own to name) and the resolver is the host's, less loopback servers.
     */
    public static Map<String, String> forContainer(Path stateDir, io.jcontainer.ContainerSpec spec, String id, Map<String, String> given) {
        Map<String, String> out = new java.util.HashMap<>(given);
        boolean newUts = spec.has(io.jcontainer.Namespace.UTS) && spec.linux().namespacePath(io.jcontainer.Namespace.UTS) == null;
        boolean hostNet = spec.network() instanceof io.jcontainer.NetworkMode.Host;
        try {
            String hostname = spec.hostname() != null ? spec.hostname() : newUts ? id.substring(0, 12)
                    : Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            Path dir = stateDir.resolve("etc");
            Files.createDirectories(dir);
            out.put("/etc/hostname", write(dir.resolve("hostname"), hostname + "\n"));
            if (!out.containsKey("/etc/hosts"))
                out.put("/etc/hosts", write(dir.resolve("hosts"), hostNet ? readOrEmpty(Path.of("/etc/hosts")) : LOCALHOST + "127.0.0.1\t" + hostname + "\n"));
            if (!out.containsKey("/etc/resolv.conf"))
                out.put("/etc/resolv.conf", write(dir.resolve("resolv.conf"), hostNet ? readOrEmpty(Path.of("/etc/resolv.conf"))
                        : resolvConf(Path.of("/etc/resolv.conf"), List.of())));
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing the /etc files of container " + id + " in " + stateDir, e);
        }
    }

    private static String write(Path p, String content) throws IOException {
        // in place: a restarted container's earlier bind saw this inode
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p.toString();
    }

    private static String readOrEmpty(Path p) throws IOException {
        return Files.isReadable(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    /**
     * localhost, the container itself (hostname, name, aliases), then — on a user-defined
     * network — every other container there by hostname, name and alias (docker's default
     * bridge has no names: like docker, only the container itself), then {@code --add-host}s.
     */
    public static String hosts(Endpoint self, List<Endpoint> peers, boolean namesOnNetwork, List<String> extraHosts) {
        StringBuilder s = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        s.append(self.ip()).append('\t').append(String.join(" ", names(self))).append('\n');
        if (self.ip6() != null) s.append(self.ip6()).append('\t').append(String.join(" ", names(self))).append('\n');
        if (namesOnNetwork)
            for (Endpoint p : peers)
                if (!p.containerId().equals(self.containerId())) {
                    s.append(p.ip()).append('\t').append(String.join(" ", names(p))).append('\n');
                    if (p.ip6() != null) s.append(p.ip6()).append('\t').append(String.join(" ", names(p))).append('\n');
                }
        if (!extraHosts.isEmpty()) s.append("# --add-host\n");
        for (String h : extraHosts) {
            int colon = h.indexOf(':');
            if (colon <= 0) throw new NetworkException.Invalid("--add-host '" + h + "': expected NAME:IP");
            s.append(h.substring(colon + 1)).append('\t').append(h, 0, colon).append('\n');
        }
        return s.toString();
    }

    private static Set<String> names(Endpoint e) {
        Set<String> n = new LinkedHashSet<>();
        if (e.hostname() != null) n.add(e.hostname());
        n.addAll(e.aliases());
        n.add(e.containerId().substring(0, Math.min(12, e.containerId().length())));
        return n;
    }

    /**
     * The host's resolv.conf, less what a container cannot reach: nameservers on the host's
     * loopback (systemd-resolved's 127.0.0.53 and the like) are dropped — those are the
     * host's, not the container's. {@code dns} replaces the nameservers (docker's --dns).
     */
    public static String resolvConf(Path hostResolvConf, List<String> dns) {
        return resolvConf(hostResolvConf, dns, List.of(), List.of());
    }

    /** As above; {@code search} and {@code options}, when given, replace the host's (docker's --dns-search, --dns-option). */
    public static String resolvConf(Path hostResolvConf, List<String> dns, List<String> search, List<String> options) {
        List<String> lines;
        try {
            lines = Files.exists(hostResolvConf) ? Files.readAllLines(hostResolvConf, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            lines = List.of();
        }
        List<String> out = new ArrayList<>(), servers = new ArrayList<>();
        for (String l : lines) {
            String t = l.strip();
            if (t.startsWith("nameserver")) {
                String ns = t.substring("nameserver".length()).strip();
                if (!ns.startsWith("127.") && !ns.equals("::1")) servers.add(ns);
            } else if (t.startsWith("search") || t.startsWith("options") || t.startsWith("domain")) {
                out.add(t);
            }
        }
        if (!dns.isEmpty()) servers = dns;
        if (!search.isEmpty()) {
            out.removeIf(l -> l.startsWith("search") || l.startsWith("domain"));
            out.add("search " + String.join(" ", search));
        }
        if (!options.isEmpty()) {
            out.removeIf(l -> l.startsWith("options"));
            out.add("options " + String.join(" ", options));
        }
        StringBuilder s = new StringBuilder("# generated by jcontainer\n");
        for (String ns : servers) s.append("nameserver ").append(ns).append('\n');
        for (String l : out) s.append(l).append('\n');
        return s.toString();
    }
}
