package io.jcontainer.image;

/** An image reference that does not parse: the message quotes it and says which part is wrong. */
public class InvalidReferenceException extends ImageException {
    private final String reference;

    public InvalidReferenceException(String reference, String reason) {
        super("invalid image reference \"" + reference + "\": " + reason);
        this.reference = reference;
    }

    public String reference() {
        return reference;
    }
}
