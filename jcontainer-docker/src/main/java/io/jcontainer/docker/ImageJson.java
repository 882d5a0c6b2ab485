package io.jcontainer.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.ImageInfo;

import java.util.Map;

/**
 * docker's JSON for images, one shape for the CLI and the API server: {@code image inspect}
 * ({@code GET /images/NAME/json}), an {@code images} row ({@code GET /images/json}) and
 * {@code history} ({@code GET /images/NAME/history}).
 */
public final class ImageJson {
    /** In a holder: an ObjectMapper costs a CLI verb tens of ms the first time, and this class is
     * loaded on paths (ps, inspect, the start) that do not all print or parse JSON with it. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private ImageJson() {
    }

    /** {@code docker image inspect}'s object. */
    public static ObjectNode inspect(ImageInfo i) {
        ObjectNode n = Json.JSON.createObjectNode();
        n.put("Id", i.id());
        i.repoTags().forEach(n.putArray("RepoTags")::add);
        i.repoDigests().forEach(n.putArray("RepoDigests")::add);
        n.put("Parent", "");
        n.put("Comment", "");
        n.put("Created", i.created() == null ? null : i.created().toString());
        n.put("DockerVersion", "");
        n.put("Author", "");
        n.put("Architecture", i.platform().architecture());
        if (i.platform().variant() != null) n.put("Variant", i.platform().variant());
        n.put("Os", i.platform().os());
        n.put("Size", i.size());
        n.put("VirtualSize", i.size());
        ObjectNode c = n.putObject("Config");
        var cfg = i.config();
        c.put("User", cfg.user());
        ObjectNode ports = c.putObject("ExposedPorts");
        cfg.exposedPorts().forEach(ports::putObject);
        cfg.env().forEach(c.withArray("Env")::add);
        cfg.cmd().forEach(c.withArray("Cmd")::add);
        ObjectNode vols = c.putObject("Volumes");
        cfg.volumes().forEach(vols::putObject);
        c.put("WorkingDir", cfg.workingDir());
        cfg.entrypoint().forEach(c.withArray("Entrypoint")::add);
        ObjectNode labels = c.putObject("Labels");
        cfg.labels().forEach(labels::put);
        if (!cfg.stopSignal().isEmpty()) c.put("StopSignal", cfg.stopSignal());
        ObjectNode graph = n.putObject("GraphDriver");
        graph.put("Name", "jcontainer");
        graph.putObject("Data");
        ObjectNode rootfs = n.putObject("RootFS");
        rootfs.put("Type", "layers");
        i.diffIds().forEach(rootfs.putArray("Layers")::add);
        n.putObject("Metadata").put("ManifestDigest", i.manifestDigest());
        return n;
    }

    /** One element of {@code GET /images/json}. */
    public static ObjectNode summary(ImageInfo i) {
        ObjectNode n = Json.JSON.createObjectNode();
        n.put("Id", i.id());
        n.put("ParentId", "");
        i.repoTags().forEach(n.putArray("RepoTags")::add);
        if (i.repoTags().isEmpty()) n.putArray("RepoTags").add("<none>:<none>");
        i.repoDigests().forEach(n.putArray("RepoDigests")::add);
        if (i.repoDigests().isEmpty()) n.putArray("RepoDigests");
        n.put("Created", i.created() == null ? 0 : i.created().getEpochSecond());
        n.put("Size", i.size());
        n.put("SharedSize", -1);
        n.put("VirtualSize", i.size());
        ObjectNode labels = n.putObject("Labels");
        i.config().labels().forEach(labels::put);
        n.put("Containers", -1);
        return n;
    }

    /**
     * {@code GET /images/NAME/history}: newest step first, as docker. Only the newest step
     * carries the image's id; the others are {@code <missing>}, since their images are not stored.
     */
    public static ArrayNode history(ImageInfo i) {
        ArrayNode out = Json.JSON.createArrayNode();
        var steps = i.history();
        for (int k = steps.size() - 1; k >= 0; k--) {
            var h = steps.get(k);
            ObjectNode n = out.addObject();
            n.put("Id", k == steps.size() - 1 ? i.id() : "<missing>");
            n.put("Created", h.created() == null ? 0 : h.created().getEpochSecond());
            n.put("CreatedBy", h.createdBy() == null ? "" : h.createdBy());
            n.putArray("Tags");
            if (k == steps.size() - 1) i.repoTags().forEach(n.withArray("Tags")::add);
            n.put("Size", 0);
            n.put("Comment", h.comment() == null ? "" : h.comment());
        }
        return out;
    }

    /** An image's labels, as a map (for filters). */
    public static Map<String, String> labels(ImageInfo i) {
        return i.config().labels();
    }
}
