package io.jcontainer.image;

/** The image, tag, manifest or blob does not exist (locally, or the registry answered 404). */
public class ImageNotFoundException extends ImageException {
    public ImageNotFoundException(String message) {
        super(message);
    }
}
