package io.jcontainer.server.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.lifecycle.VolumeInfo;
import io.jcontainer.lifecycle.Volumes;
import io.jcontainer.server.http.ApiError;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /volumes/...}: docker's volume verbs over the lifecycle API's {@link Volumes}. */
final class VolumesHandler {
    private final Routes.Backends backends;

    private final SessionReaper reaper;

    VolumesHandler(Routes.Backends backends, SessionReaper reaper) {
        this.backends = backends;
        this.reaper = reaper;
    }

    void install(Router r) {
        r.get("/volumes", this::list);
        r.post("/volumes/create", this::create);
        r.post("/volumes/prune", this::prune);
        r.get("/volumes/{name}", this::inspect);
        r.delete("/volumes/{name}", this::remove);
    }

    private Volumes volumes() {
        return backends.containers().volumes();
    }

    static Map<String, Object> json(VolumeInfo v) {
        Map<String, Object> usage = Json.obj("RefCount", v.usedBy().size(), "Size", -1);
        return Json.obj("CreatedAt", v.createdAt() == null ? null : v.createdAt().toString(), "Driver", v.driver(),
                "Labels", v.labels(), "Mountpoint", v.mountpoint().toString(), "Name", v.name(), "Options", Map.of(),
                "Scope", "local", "UsageData", usage);
    }

    private void list(Request q, Exchange x) {
        List<Object> out = new ArrayList<>();
        for (VolumeInfo v : volumes().list(q.filters())) out.add(json(v));
        x.json(200, Json.obj("Volumes", out, "Warnings", List.of()));
    }

    private void create(Request q, Exchange x) {
        ObjectNode b = q.jsonObject();
        String driver = b.path("Driver").asText("local");
        if (!driver.isEmpty() && !driver.equals("local"))
            throw ApiError.badRequest("volume driver " + driver + " is not supported (local)");
        if (b.path("DriverOpts").isObject() && !b.path("DriverOpts").isEmpty())
            throw ApiError.badRequest("driver options are not supported by the local driver of jcontainer");
        Map<String, String> labels = new LinkedHashMap<>();
        b.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        String name = b.path("Name").asText("");
        VolumeInfo v = name.isEmpty() ? volumes().create(null, labels) : volumes().create(name, labels);
        reaper.created(q, SessionReaper.Kind.VOLUME, labels, v.name());
        x.json(201, json(v));
    }

    private void inspect(Request q, Exchange x) {
        x.json(200, json(volumes().find(q.param("name"))));
    }

    private void remove(Request q, Exchange x) {
        volumes().remove(q.param("name"));
        x.empty(204);
    }

    private void prune(Request q, Exchange x) {
        PruneFilters f = PruneFilters.of("volume prune", q.filters(), java.util.Set.of("all"));
        boolean all = q.filters().getOrDefault("all", List.of()).contains("true");
        List<String> deleted;
        if (!f.any()) deleted = volumes().prune(all);
        else {
            deleted = new java.util.ArrayList<>();
            for (VolumeInfo v : volumes().list(Map.of())) {
                if (!v.usedBy().isEmpty() || !(all || v.anonymous()) || !f.matches(v.labels())) continue;
                try {
                    volumes().remove(v.name());
                    deleted.add(v.name());
                } catch (io.jcontainer.ContainerException e) {
                    // taken by a container meanwhile: a prune leaves it
                }
            }
        }
        x.json(200, Json.obj("VolumesDeleted", deleted, "SpaceReclaimed", 0));
    }
}
