package io.jcontainer.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.InvalidImageException;
import io.jcontainer.image.Platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An OCI content descriptor: what a manifest says about a blob. */
public record Descriptor(String mediaType, Digest digest, long size, List<String> urls, Platform platform,
                         Map<String, String> annotations) {

    public Descriptor {
        urls = urls == null ? List.of() : List.copyOf(urls);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        if (size < 0) throw new InvalidImageException("descriptor " + digest + " has a negative size");
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null, null);
    }

    public static Descriptor fromJson(JsonNode n, String where) {
        if (n == null || !n.isObject()) throw new InvalidImageException(where + ": missing descriptor");
        JsonNode mt = n.get("mediaType");
        JsonNode d = n.get("digest");
        JsonNode s = n.get("size");
        if (mt == null || !mt.isTextual()) throw new InvalidImageException(where + ": descriptor without mediaType");
        if (d == null || !d.isTextual()) throw new InvalidImageException(where + ": descriptor without digest");
        if (s == null || !s.canConvertToLong()) throw new InvalidImageException(where + ": descriptor without size");
        List<String> urls = new ArrayList<>();
        if (n.has("urls")) n.get("urls").forEach(u -> urls.add(u.asText()));
        Platform platform = null;
        JsonNode p = n.get("platform");
        if (p != null && p.isObject() && p.hasNonNull("os") && p.hasNonNull("architecture"))
            platform = new Platform(p.get("os").asText(), p.get("architecture").asText(),
                    p.hasNonNull("variant") ? p.get("variant").asText() : null);
        Map<String, String> ann = new LinkedHashMap<>();
        if (n.has("annotations")) n.get("annotations").properties().forEach(e -> ann.put(e.getKey(), e.getValue().asText()));
        return new Descriptor(mt.asText(), Digest.parse(d.asText()), s.asLong(), urls, platform, ann);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("mediaType", mediaType);
        n.put("digest", digest.toString());
        n.put("size", size);
        if (!urls.isEmpty()) urls.forEach(n.putArray("urls")::add);
        if (!annotations.isEmpty()) {
            ObjectNode a = n.putObject("annotations");
            annotations.forEach(a::put);
        }
        if (platform != null) {
            ObjectNode p = n.putObject("platform");
            p.put("architecture", platform.architecture());
            p.put("os", platform.os());
            if (platform.variant() != null) p.put("variant", platform.variant());
        }
        return n;
    }

    public Descriptor withAnnotations(Map<String, String> a) {
        return new Descriptor(mediaType, digest, size, urls, platform, a);
    }
}
