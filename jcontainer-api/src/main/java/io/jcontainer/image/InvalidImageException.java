package io.jcontainer.image;

/**
 * A manifest, index, config or archive that is malformed or that jcontainer refuses: wrong media
 * type, both {@code manifests} and {@code layers}, larger than 4 MiB, foreign {@code urls}
 * layers, a bad digest string.
 */
public class InvalidImageException extends ImageException {
    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
