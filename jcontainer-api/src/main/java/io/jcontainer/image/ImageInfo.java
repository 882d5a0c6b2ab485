package io.jcontainer.image;

import java.time.Instant;
import java.util.List;

/**
 * One stored image, as {@code images} and {@code image inspect} show it.
 *
 * @param id             the config's digest ({@code sha256:…}), docker's image id
 * @param manifestDigest the digest of the manifest it was pulled or built as
 * @param repoTags       the references that point at it ({@code docker.io/library/busybox:latest})
 * @param repoDigests    {@code name@sha256:…} per repository it came from
 * @param created        the config's {@code created}, or null
 * @param platform       os/architecture/variant from the config
 * @param size           the compressed size of its layers in bytes (what the store holds)
 * @param config         the runtime config
 * @param diffIds        the uncompressed layer digests, lowest first
 * @param history        the config's history, one line per step ({@code created_by})
 */
public record ImageInfo(
        String id,
        String manifestDigest,
        List<String> repoTags,
        List<String> repoDigests,
        Instant created,
        Platform platform,
        long size,
        ImageConfig config,
        List<String> diffIds,
        List<History> history) {

    public ImageInfo {
        repoTags = List.copyOf(repoTags);
        repoDigests = List.copyOf(repoDigests);
        diffIds = List.copyOf(diffIds);
        history = List.copyOf(history);
    }

    /** One step of the image's history. {@code emptyLayer} steps added no layer. */
    public record History(Instant created, String createdBy, String comment, boolean emptyLayer) {
    }
}
