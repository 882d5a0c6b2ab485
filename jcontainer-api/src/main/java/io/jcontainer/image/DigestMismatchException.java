package io.jcontainer.image;

/** Content whose digest or size differs from the descriptor that named it. Nothing of it was kept. */
public class DigestMismatchException extends ImageException {
    public DigestMismatchException(String message) {
        super(message);
    }
}
