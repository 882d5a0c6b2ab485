package io.jcontainer.image;

import io.jcontainer.ContainerException;

/** Base of every image and registry failure. The message names the image, the step and the cause. */
public class ImageException extends ContainerException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
