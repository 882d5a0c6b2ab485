package io.jcontainer.image.build;

import io.jcontainer.image.Images;
import io.jcontainer.image.build.spi.ImageBuilderProvider;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Builds images from Dockerfiles into an {@link Images} store, in this JVM, without a daemon.
 * RUN steps run in jcontainer containers (root, or a user namespace), so jcontainer-linux must be
 * on the class path at run time.
 *
 * <pre>{@code
 * try (Images images = Images.open()) {
 *     BuildResult r = ImageBuilder.of(images).build(Path.of("app"),
 *             BuildOptions.defaults().withTags("app:test").withBuildArgs(Map.of("VERSION", "1")),
 *             BuildListener.NONE);
 *     String id = r.imageId();
 * }
 * }</pre>
 *
 * Thread-safe; builds may run at once, in this JVM and others, sharing the step cache.
 */
public interface ImageBuilder {

    /** The builder over {@code images} (the implementation is jcontainer-oci's, found through {@link ServiceLoader}). */
    static ImageBuilder of(Images images) {
        // jcontainer.imageBuilder: a launcher's shortcut past ServiceLoader's scan of every jar (see Images#open)
        ImageBuilderProvider named = named();
        if (named != null) return named.builder(images);
        return ServiceLoader.load(ImageBuilderProvider.class).findFirst()
                .orElseThrow(() -> new BuildException("no image builder on the class path: add io.jcontainer:jcontainer-oci"))
                .builder(images);
    }

    /** Builds from a context directory ({@code docker build DIR}). */
    BuildResult build(Path context, BuildOptions options, BuildListener listener);

    /**
     * Builds from a stream: a tar of the context, plain or gzip (the Docker API's form), or a
     * lone Dockerfile with an empty context ({@code docker build - < Dockerfile}).
     */
    BuildResult build(InputStream context, BuildOptions options, BuildListener listener);

    /** The provider the system property {@code jcontainer.imageBuilder} names; null when unset or unusable (ServiceLoader decides). */
    private static ImageBuilderProvider named() {
        String named = System.getProperty("jcontainer.imageBuilder");
        if (named == null || named.isEmpty()) return null;
        try {
            Class<?> c = Class.forName(named, true, ImageBuilderProvider.class.getClassLoader());
            return ImageBuilderProvider.class.cast(c.getConstructor().newInstance());
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            return null;
        }
    }
}
