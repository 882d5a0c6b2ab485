package io.jcontainer.image;

import io.jcontainer.image.spi.ImagesProvider;

import java.util.ServiceLoader;

/**
 * The {@link ImagesProvider} {@link ServiceLoader} finds, kept for the class loader it was found
 * with: looking again reads every jar's service files, a quarter of a millisecond that a
 * {@code Container.builder().image(...)} per test would pay each time.
 */
final class ImagesProviders {
    private ImagesProviders() {
    }

    private record Found(ClassLoader loader, ImagesProvider provider) {
    }

    private static volatile Found last;

    static ImagesProvider find() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Found f = last;
        if (f != null && f.loader() == loader) return f.provider();
        ImagesProvider p = ServiceLoader.load(ImagesProvider.class).findFirst()
                .orElseThrow(() -> new ImageException("no image implementation on the class path: add io.jcontainer:jcontainer-oci"));
        last = new Found(loader, p);
        return p;
    }
}
