package io.jcontainer.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.image.InvalidImageException;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed image manifest (OCI or Docker schema 2) or index (OCI index, Docker manifest list),
 * checked the way SECURITY.md row 34 asks: at most 4 MiB, a media type that agrees with the
 * Content-Type, not both {@code manifests} and {@code layers}, no foreign {@code urls} layers,
 * digests that parse.
 */
public sealed interface ImageManifest {

    int MAX_BYTES = 4 << 20;

    byte[] raw();

    String mediaType();

    default Digest digest() {
        return Digest.sha256(raw());
    }

    record Manifest(String mediaType, Descriptor config, List<Descriptor> layers, byte[] raw) implements ImageManifest {
        public long layersSize() {
            return layers.stream().mapToLong(Descriptor::size).sum();
        }
    }

    record Index(String mediaType, List<Descriptor> manifests, byte[] raw) implements ImageManifest {
    }

    /**
     * Parses {@code raw}; {@code contentType} is the HTTP Content-Type (null when read from disk).
     * {@code what} names the source in errors.
     */
    static ImageManifest parse(byte[] raw, String contentType, String what) {
        if (raw.length > MAX_BYTES)
            throw new InvalidImageException(what + ": manifest larger than 4 MiB (" + raw.length + " bytes), refused");
        JsonNode n = Json.parse(raw, what);
        if (n.path("schemaVersion").asInt() != 2)
            throw new InvalidImageException(what + ": schemaVersion " + n.path("schemaVersion") + " (only 2 is supported; schema 1 is deprecated)");
        String declared = n.hasNonNull("mediaType") ? n.get("mediaType").asText() : null;
        String header = contentType == null ? null : contentType.split(";")[0].strip();
        if (header != null && (header.isEmpty() || header.equals("application/json") || header.equals("text/plain")))
            header = null;                               // generic types say nothing; the body decides
        if (declared != null && header != null && !declared.equals(header))
            throw new InvalidImageException(what + ": Content-Type " + header + " but the manifest says " + declared);
        boolean hasLayers = n.has("layers");
        boolean hasManifests = n.has("manifests");
        if (hasLayers && hasManifests)
            throw new InvalidImageException(what + ": has both \"manifests\" and \"layers\" (ambiguous), refused");
        String type = declared != null ? declared : header;
        if (type == null) type = hasManifests ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;

        if (MediaTypes.INDEXES.contains(type)) {
            if (hasLayers) throw new InvalidImageException(what + ": an index with \"layers\", refused");
            List<Descriptor> ms = new ArrayList<>();
            for (JsonNode m : n.path("manifests")) ms.add(Descriptor.fromJson(m, what + " manifests[]"));
            return new Index(type, ms, raw);
        }
        if (!MediaTypes.MANIFESTS.contains(type))
            throw new InvalidImageException(what + ": unsupported media type " + type);
        if (hasManifests) throw new InvalidImageException(what + ": a manifest with \"manifests\", refused");
        Descriptor config = Descriptor.fromJson(n.get("config"), what + " config");
        if (!config.mediaType().equals(MediaTypes.OCI_CONFIG) && !config.mediaType().equals(MediaTypes.DOCKER_CONFIG))
            throw new InvalidImageException(what + ": config media type " + config.mediaType() + " is not an image config");
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : n.path("layers")) {
            Descriptor d = Descriptor.fromJson(l, what + " layers[]");
            if (!d.urls().isEmpty() || d.mediaType().equals(MediaTypes.DOCKER_LAYER_FOREIGN)
                    || d.mediaType().startsWith("application/vnd.oci.image.layer.nondistributable"))
                throw new InvalidImageException(what + ": layer " + d.digest() + " is a foreign layer (urls " + d.urls()
                        + "); jcontainer fetches layers only from the registry it was asked");
            if (MediaTypes.layerCompression(d.mediaType()) == null)
                throw new InvalidImageException(what + ": layer " + d.digest() + " has unsupported media type " + d.mediaType());
            layers.add(d);
        }
        return new Manifest(type, config, layers, raw);
    }
}
