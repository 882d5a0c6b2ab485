package io.jcontainer.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.lifecycle.NetworkInfo;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * docker's network objects ({@code docker network inspect}, the Engine API's
 * {@code GET /networks/{id}}) and {@code network ls}'s filters, from the lifecycle API's
 * {@link NetworkInfo}: one spelling for the CLI and the API server.
 */
public final class DockerNetworks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerNetworks() {
    }

    /**
     * The inspect object. {@code Options} are the driver options as given (as docker shows
     * them, and as docker-compose compares them with its file's).
     *
     * @param containerName a container's name by id (docker's {@code Containers.*.Name}), null when unknown
     */
    public static ObjectNode inspect(NetworkInfo n, Function<String, String> containerName) {
        ObjectNode o = JSON.createObjectNode();
        o.put("Name", n.name());
        o.put("Id", n.id());
        o.put("Created", n.created().toString());
        o.put("Scope", "local");
        o.put("Driver", n.driver());
        o.put("EnableIPv6", n.enableIpv6());
        ObjectNode ipam = o.putObject("IPAM");
        ipam.put("Driver", "default");
        ipam.putObject("Options");
        var configs = ipam.putArray("Config");
        ObjectNode cfg = configs.addObject();
        cfg.put("Subnet", n.subnet());
        if (n.ipRange() != null) cfg.put("IPRange", n.ipRange());
        cfg.put("Gateway", n.gateway());
        if (n.subnet6() != null) { // docker lists the IPv6 subnet as a second IPAM config
            ObjectNode cfg6 = configs.addObject();
            cfg6.put("Subnet", n.subnet6());
            cfg6.put("Gateway", n.gateway6());
        }
        o.put("Internal", n.internal());
        o.put("Attachable", true);
        o.put("Ingress", false);
        o.putObject("ConfigFrom").put("Network", "");
        o.put("ConfigOnly", false);
        ObjectNode containers = o.putObject("Containers");
        for (NetworkInfo.Endpoint e : n.containers()) {
            ObjectNode c = containers.putObject(e.containerId());
            String name = containerName.apply(e.containerId());
            c.put("Name", name != null ? name : e.aliases().isEmpty() ? e.containerId().substring(0, 12) : e.aliases().getFirst());
            c.put("EndpointID", "");
            c.put("MacAddress", e.macAddress());
            c.put("IPv4Address", e.ip() + "/" + e.prefixLength());
            c.put("IPv6Address", e.ip6() == null ? "" : e.ip6() + "/" + e.prefixLength6());
        }
        ObjectNode opts = o.putObject("Options");
        n.options().forEach(opts::put);
        ObjectNode labels = o.putObject("Labels");
        n.labels().forEach(labels::put);
        return o;
    }

    /** The networks docker always lists: {@code bridge} (a real one, the default) and these two modes. */
    public static final List<String> BUILTIN = List.of("bridge", "host", "none");

    /**
     * {@code host} and {@code none} as rows of {@code network ls}, as docker lists them (drivers
     * {@code host} and {@code null}): not networks of ours, the container's network modes. Their
     * ids are fixed (the sha256 of the name), {@code created} is the default network's.
     */
    public static List<NetworkInfo> modes(java.time.Instant created) {
        List<NetworkInfo> out = new java.util.ArrayList<>();
        for (String[] m : new String[][]{{"host", "host"}, {"none", "null"}}) {
            String id;
            try {
                id = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(m[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            out.add(new NetworkInfo(m[0], id, m[1], null, null, null, null, false, 0, created, Map.of(), Map.of(), List.of()));
        }
        return out;
    }

    /** The filter keys {@code network ls} takes. */
    public static final List<String> FILTERS = List.of("driver", "id", "label", "name", "type", "scope", "dangling");

    /**
     * Whether a network passes {@code network ls}'s filters: values of one key are alternatives,
     * keys must all hold, and so must every {@code label}. {@code name} is a substring (as docker), {@code id} a prefix.
     */
    public static boolean matches(NetworkInfo n, Map<String, List<String>> filters) {
        for (var f : filters.entrySet()) {
            if (f.getKey().equals("label")) {
                // labels are ANDed, as docker (and as containers' label filters)
                for (String v : f.getValue()) {
                    int eq = v.indexOf('=');
                    if (eq < 0 ? !n.labels().containsKey(v) : !v.substring(eq + 1).equals(n.labels().get(v.substring(0, eq)))) return false;
                }
                continue;
            }
            boolean any = false;
            for (String v : f.getValue()) {
                any |= switch (f.getKey()) {
                    case "driver" -> n.driver().equals(v);
                    case "id" -> n.id().startsWith(v);
                    case "name" -> n.name().contains(v);
                    case "scope" -> v.equals("local");
                    case "type" -> v.equals("builtin") == BUILTIN.contains(n.name());
                    case "dangling" -> Boolean.parseBoolean(v) == (n.containers().isEmpty() && !BUILTIN.contains(n.name()));
                    default -> throw new IllegalArgumentException("invalid filter '" + f.getKey() + "'");
                };
            }
            if (!any) return false;
        }
        return true;
    }
}
