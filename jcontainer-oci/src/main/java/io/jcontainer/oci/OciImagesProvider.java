package io.jcontainer.oci;

import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.spi.ImagesProvider;

/** The {@link ImagesProvider} of this module (META-INF/services). */
public final class OciImagesProvider implements ImagesProvider {
    @Override
    public Images open(ImagesOptions options) {
        return new OciImages(options);
    }
}
