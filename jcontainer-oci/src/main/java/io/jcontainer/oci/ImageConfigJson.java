package io.jcontainer.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.ImageConfig;
import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.InvalidImageException;
import io.jcontainer.image.Platform;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the OCI/Docker image config JSON into the API's types. */
public record ImageConfigJson(ImageConfig config, List<Digest> diffIds, Instant created, Platform platform,
                              List<ImageInfo.History> history) {

    public static ImageConfigJson parse(byte[] raw, String what) {
        JsonNode n = Json.parse(raw, what);
        JsonNode c = n.path("config");
        ImageConfig config = new ImageConfig(strings(c.get("Entrypoint")), strings(c.get("Cmd")), strings(c.get("Env")),
                text(c.get("WorkingDir")), text(c.get("User")), keys(c.get("Volumes")), text(c.get("StopSignal")),
                map(c.get("Labels")), keys(c.get("ExposedPorts")));
        JsonNode rootfs = n.path("rootfs");
        if (!rootfs.path("type").asText().equals("layers"))
            throw new InvalidImageException(what + ": rootfs.type is not \"layers\"");
        List<Digest> diffIds = new ArrayList<>();
        for (JsonNode d : rootfs.path("diff_ids")) diffIds.add(Digest.parse(d.asText()));
        List<ImageInfo.History> history = new ArrayList<>();
        for (JsonNode h : n.path("history"))
            history.add(new ImageInfo.History(instant(h.get("created")), text(h.get("created_by")), text(h.get("comment")),
                    h.path("empty_layer").asBoolean(false)));
        Platform platform = new Platform(n.path("os").asText("linux"), n.path("architecture").asText("unknown"),
                n.hasNonNull("variant") ? n.get("variant").asText() : null);
        return new ImageConfigJson(config, diffIds, instant(n.get("created")), platform, history);
    }

    private static List<String> strings(JsonNode n) {
        if (n == null || !n.isArray()) return List.of();
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.asText();
    }

    private static Set<String> keys(JsonNode n) {
        Set<String> out = new LinkedHashSet<>();
        if (n != null && n.isObject()) n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Map<String, String> map(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        if (n != null && n.isObject()) n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Instant instant(JsonNode n) {
        if (n == null || n.isNull()) return null;
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** containerd's chain id: chain(0) = diff(0); chain(n) = sha256(chain(n-1) + " " + diff(n)). */
    public static List<Digest> chainIds(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>();
        Digest prev = null;
        for (Digest d : diffIds) {
            prev = prev == null ? d : Digest.sha256((prev + " " + d).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.add(prev);
        }
        return out;
    }
}
