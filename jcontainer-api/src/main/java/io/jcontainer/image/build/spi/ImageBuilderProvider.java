package io.jcontainer.image.build.spi;

import io.jcontainer.image.Images;
import io.jcontainer.image.build.ImageBuilder;

/** Implemented by jcontainer-oci; found through {@link java.util.ServiceLoader}. */
public interface ImageBuilderProvider {
    ImageBuilder builder(Images images);
}
