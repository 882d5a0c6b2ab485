package io.jcontainer.image.spi;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;

/** Implemented by jcontainer-oci; found through {@link java.util.ServiceLoader}. */
public interface ImagesProvider {
    Images open(ImagesOptions options);
}
