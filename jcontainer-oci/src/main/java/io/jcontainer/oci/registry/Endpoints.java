package io.jcontainer.oci.registry;

import io.jcontainer.image.RegistryConfig;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a registry name is reached. {@code docker.io} is {@code registry-1.docker.io} (after any
 * configured mirrors). Plain HTTP only for registries configured insecure and — as docker does —
 * for loopback ({@code 127.0.0.0/8}, {@code ::1}, {@code localhost}); everything else is HTTPS.
 */
public final class Endpoints {
    private final RegistryConfig config;

    public Endpoints(RegistryConfig config) {
        this.config = config;
    }

    /** The base URIs to try for {@code registry}, in order ({@code https://host:port}). */
    public List<URI> bases(String registry) {
        List<URI> out = new ArrayList<>();
        if (registry.equals("docker.io")) {
            for (String m : config.registryMirrors()) out.add(URI.create(m.endsWith("/") ? m.substring(0, m.length() - 1) : m));
            out.add(URI.create("https://registry-1.docker.io"));
            return out;
        }
        out.add(URI.create((isInsecure(registry) ? "http://" : "https://") + registry));
        return out;
    }

    public boolean isInsecure(String registry) {
        if (config.insecureRegistries().contains(registry)) return true;
        String host = hostOf(registry);
        if (host.equals("localhost")) return true;
        InetAddress addr = literal(host);
        if (addr != null && addr.isLoopbackAddress()) return true;
        for (String entry : config.insecureRegistries()) {
            if (entry.contains("/") && addr != null && inCidr(addr, entry)) return true;
            if (entry.equals(host)) return true;
        }
        return false;
    }

    static String hostOf(String registry) {
        if (registry.startsWith("[")) return registry.substring(1, registry.indexOf(']'));
        int colon = registry.lastIndexOf(':');
        return colon < 0 ? registry : registry.substring(0, colon);
    }

    private static InetAddress literal(String host) {
        // only literals: a name is never resolved here (that would send a DNS query for a decision)
        if (!host.matches("[0-9.]+") && !host.contains(":")) return null;
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean inCidr(InetAddress addr, String cidr) {
        String[] parts = cidr.split("/");
        InetAddress net = literal(parts[0]);
        if (net == null || net.getAddress().length != addr.getAddress().length) return false;
        int bits = Integer.parseInt(parts[1]);
        byte[] a = addr.getAddress();
        byte[] n = net.getAddress();
        for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[i] & mask) != (n[i] & mask)) return false;
        }
        return true;
    }
}
