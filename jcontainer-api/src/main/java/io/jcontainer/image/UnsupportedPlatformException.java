package io.jcontainer.image;

/** A manifest list / image index has no entry for the requested os/architecture/variant. */
public class UnsupportedPlatformException extends ImageException {
    public UnsupportedPlatformException(String message) {
        super(message);
    }
}
