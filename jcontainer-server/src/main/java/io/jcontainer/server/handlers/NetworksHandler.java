package io.jcontainer.server.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.NetworkOptions;
import io.jcontainer.docker.DockerNetworks;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.NetworkInfo;
import io.jcontainer.lifecycle.Networks;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /networks/...}: docker's network verbs over the lifecycle API's {@link Networks}
 * (bridge networks: one IPv4 subnet each, no IPv6, no other drivers — refused as docker refuses
 * what a daemon cannot do).
 */
final class NetworksHandler {
    private final Routes.Backends backends;
    private final PendingContainers pending;

    private final SessionReaper reaper;

    NetworksHandler(Routes.Backends backends, PendingContainers pending, SessionReaper reaper) {
        this.reaper = reaper;
        this.backends = backends;
        this.pending = pending;
    }

    void install(Router r) {
        r.get("/networks", this::list);
        r.post("/networks/create", this::create);
        r.post("/networks/prune", this::prune);
        r.get("/networks/{id}", this::inspect);
        r.delete("/networks/{id}", this::remove);
        r.post("/networks/{id}/connect", this::connect);
        r.post("/networks/{id}/disconnect", this::disconnect);
    }

    private Networks networks() {
        return backends.containers().networks();
    }

    private ObjectNode json(NetworkInfo n) {
        Containers c = backends.containers();
        return DockerNetworks.inspect(n, id -> {
            try {
                return c.find(id).name();
            } catch (RuntimeException gone) {
                return null; // removed since the network was read: docker shows the id then too
            }
        });
    }

    private void list(Request q, Exchange x) {
        Map<String, List<String>> filters = q.filters();
        for (String k : filters.keySet())
            if (!DockerNetworks.FILTERS.contains(k)) throw ApiError.badRequest("invalid filter '" + k + "'");
        List<Object> out = new ArrayList<>();
        for (NetworkInfo n : networks().list()) if (DockerNetworks.matches(n, filters)) out.add(json(n));
        x.json(200, out);
    }

    private void inspect(Request q, Exchange x) {
        x.json(200, json(networks().find(q.param("id"))));
    }

    private void create(Request q, Exchange x) {
        ObjectNode b = q.jsonObject();
        String name = b.path("Name").asText("");
        if (name.isEmpty()) throw ApiError.badRequest("network name is required");
        if (b.path("Ingress").asBoolean(false) || b.path("ConfigOnly").asBoolean(false) || !b.path("ConfigFrom").path("Network").asText("").isEmpty())
            throw ApiError.notImplemented("swarm networks (ingress, config-only, config-from) are not supported");
        String driver = b.path("Driver").asText("");
        if (driver.isEmpty()) driver = "bridge";
        JsonNode ipam = b.path("IPAM");
        String ipamDriver = ipam.path("Driver").asText("");
        if (!ipamDriver.isEmpty() && !ipamDriver.equals("default")) throw ApiError.badRequest("IPAM driver " + ipamDriver + " is not supported (default)");
        if (ipam.path("Options").isObject() && !ipam.path("Options").isEmpty()) throw ApiError.badRequest("IPAM options are not supported");
        // one IPAM config per address family: an IPv4 subnet and, with EnableIPv6, an IPv6 one
        String subnet = null, gateway = null, ipRange = null, subnet6 = null, gateway6 = null;
        JsonNode configs = ipam.path("Config");
        if (configs.isArray() && configs.size() > 2)
            throw ApiError.notImplemented("more than one IPAM config per address family is not supported yet");
        if (configs.isArray())
            for (JsonNode c : configs) {
                if (c.has("AuxiliaryAddresses") && !c.path("AuxiliaryAddresses").isEmpty())
                    throw ApiError.notImplemented("IPAM AuxiliaryAddresses are not supported");
                String s = text(c, "Subnet"), g = text(c, "Gateway");
                boolean v6 = s != null ? s.indexOf(':') >= 0 : g != null && g.indexOf(':') >= 0;
                if (v6) {
                    if (subnet6 != null || gateway6 != null) throw ApiError.notImplemented("more than one IPv6 IPAM config is not supported yet");
                    if (text(c, "IPRange") != null) throw ApiError.notImplemented("an IPv6 IPRange is not supported yet");
                    subnet6 = s;
                    gateway6 = g;
                } else {
                    if (subnet != null || gateway != null || ipRange != null)
                        throw ApiError.notImplemented("more than one IPv4 IPAM config is not supported yet");
                    subnet = s;
                    gateway = g;
                    ipRange = text(c, "IPRange");
                }
            }
        Map<String, String> labels = strings(b.path("Labels"));
        NetworkInfo n = networks().create(name, driver, subnet, gateway, ipRange, b.path("Internal").asBoolean(false),
                labels, strings(b.path("Options")), b.path("EnableIPv6").asBoolean(false), subnet6, gateway6);
        reaper.created(q, SessionReaper.Kind.NETWORK, labels, n.id(), n.name());
        x.json(201, Json.obj("Id", n.id(), "Warning", ""));
    }

    private void remove(Request q, Exchange x) {
        networks().remove(q.param("id"));
        x.empty(204);
    }

    private void prune(Request q, Exchange x) {
        PruneFilters f = PruneFilters.of("network prune", q.filters(), java.util.Set.of());
        if (!f.any()) {
            x.json(200, Json.obj("NetworksDeleted", networks().prune()));
            return;
        }
        List<String> deleted = new ArrayList<>();
        for (NetworkInfo n : networks().list()) {
            if (!n.containers().isEmpty() || !f.matches(n.labels())) continue;
            try {
                networks().remove(n.id());
                deleted.add(n.name());
            } catch (io.jcontainer.ContainerException e) {
                // in use by now, or the default network: a prune leaves it, as docker's
            }
        }
        x.json(200, Json.obj("NetworksDeleted", deleted));
    }

    private void connect(Request q, Exchange x) {
        ObjectNode b = q.jsonObject();
        String container = b.path("Container").asText("");
        if (container.isEmpty()) throw ApiError.badRequest("Container is required");
        JsonNode ep = b.path("EndpointConfig");
        List<String> aliases = new ArrayList<>();
        ep.path("Aliases").forEach(a -> aliases.add(a.asText()));
        String ip = text(ep.path("IPAMConfig"), "IPv4Address");
        String ip6 = text(ep.path("IPAMConfig"), "IPv6Address");
        if (ep.path("Links").isArray() && !ep.path("Links").isEmpty())
            throw ApiError.badRequest("legacy links are not supported: use a user-defined network (names resolve there)");
        String mac = text(ep, "MacAddress");
        NetworkOptions options = new NetworkOptions(aliases, null, ip, mac, null, null, null, null, ip6);
        // a created container (docker-compose connects its networks before the start) is not
        // wired yet: it joins the network when it starts, as one more network of its spec
        if (pending.connectBeforeStart(backends.containers(), container, networks().find(q.param("id")).name(), options)) {
            x.empty(200);
            return;
        }
        networks().connect(q.param("id"), container, options);
        x.empty(200);
    }

    private void disconnect(Request q, Exchange x) {
        ObjectNode b = q.jsonObject();
        String container = b.path("Container").asText("");
        if (container.isEmpty()) throw ApiError.badRequest("Container is required");
        if (pending.disconnectBeforeStart(backends.containers(), container, networks().find(q.param("id")).name())) {
            x.empty(200);
            return;
        }
        networks().disconnect(q.param("id"), container);
        x.empty(200);
    }

    private static String text(JsonNode n, String field) {
        String s = n.path(field).asText("");
        return s.isEmpty() ? null : s;
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n.isObject()) n.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
