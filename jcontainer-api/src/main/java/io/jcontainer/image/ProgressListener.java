package io.jcontainer.image;

/**
 * Callbacks of a pull or push, each optional. Called from the transfer threads (layers move in
 * parallel): implementations must be thread-safe and quick. Order per layer: {@code layerStarted},
 * any number of {@code layerProgress}, then {@code layerDone} (or nothing more if the pull fails).
 */
public interface ProgressListener {

    ProgressListener NONE = new ProgressListener() {
    };

    /** The reference resolved to this manifest digest. */
    default void resolved(ImageReference reference, String manifestDigest) {
    }

    /** A layer is about to be transferred; {@code size} is its compressed size. */
    default void layerStarted(String digest, long size) {
    }

    /** {@code done} of {@code size} bytes moved so far. */
    default void layerProgress(String digest, long done, long size) {
    }

    /** The layer is stored and verified; {@code alreadyPresent} when nothing had to move. */
    default void layerDone(String digest, boolean alreadyPresent) {
    }

    /** The whole image is stored. */
    default void done(ImageReference reference, String manifestDigest) {
    }
}
