package io.jcontainer.oci.build;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * What the builder needs of an image store: base images (from the store, pulled when missing),
 * layer blobs in and out, and committing and tagging the result. The seam between the builder
 * and the image store; {@link OciBuildStore} is the one over jcontainer's store.
 */
public interface BuildStore {

    /** A layer blob: its digest, size and media type, and its uncompressed digest (diff id). */
    record Layer(String digest, long size, String mediaType, String diffId) {
    }

    /** A stored image: its id (the config digest), its config JSON and its layers, lowest first. */
    record Image(String id, ObjectNode config, List<Layer> layers) {
        public Image {
            layers = List.copyOf(layers);
        }
    }

    /**
     * The image {@code reference} names, for {@code platform} ({@code os/arch[/variant]}, or
     * null for this machine's): the stored one, or pulled when missing — or always, when
     * {@code pull}.
     */
    Image image(String reference, String platform, boolean pull);

    /** Writes the image's files (every layer applied) into {@code target}, an empty directory. */
    void unpack(Image image, Path target);

    /** Moves the finished uncompressed layer tar {@code tar} (whose sha256 is {@code digest}) into the store. */
    Layer putLayer(Path tar, String digest, long size);

    /** Whether the layer's blob is still stored (cache records outlive removed images). */
    boolean hasLayer(Layer layer);

    /** The layer's content, uncompressed or as stored (gzip is recognised by the reader). */
    InputStream openLayer(Layer layer);

    /** Stores the image config and a manifest over {@code layers}; returns the image id ({@code sha256:…} of the config). */
    String commit(byte[] config, List<Layer> layers);

    /**
     * The unpacked directory of each of {@code layers} (bottom first) in the form an overlay
     * mount reads as a lower (whiteouts as 0/0 devices, opaque directories marked), made when
     * missing; null when this store keeps none (RUN steps then run in a copied root).
     */
    default List<Path> layerDirs(List<Layer> layers) {
        return null;
    }

    /**
     * Offers {@code dir}, an overlay upper holding exactly the last of {@code layers} (bottom
     * first), as that layer's unpacked directory; true when taken (moved away), false when the
     * store keeps none or has it already.
     */
    default boolean adoptLayerDir(List<Layer> layers, Path dir) {
        return false;
    }

    /** Points {@code reference} at the image. */
    void tag(String imageId, String reference);
}
