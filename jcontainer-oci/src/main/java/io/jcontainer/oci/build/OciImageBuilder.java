package io.jcontainer.oci.build;

import io.jcontainer.image.Images;
import io.jcontainer.image.build.BuildException;
import io.jcontainer.image.build.BuildListener;
import io.jcontainer.image.build.BuildOptions;
import io.jcontainer.image.build.BuildResult;
import io.jcontainer.image.build.ImageBuilder;
import io.jcontainer.image.build.spi.ImageBuilderProvider;
import io.jcontainer.oci.OciImages;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * {@link ImageBuilder} over jcontainer's store: layers and images go into the store; the step
 * cache defaults to {@code build-cache/} inside the store's directory, so every build using
 * that store shares it.
 */
public final class OciImageBuilder implements ImageBuilder {
    private final OciImages images;

    public OciImageBuilder(OciImages images) {
        this.images = images;
    }

    /** The ServiceLoader entry point. */
    public static final class Provider implements ImageBuilderProvider {
        @Override
        public ImageBuilder builder(Images images) {
            if (!(images instanceof OciImages oci))
                throw new BuildException("the image builder needs jcontainer-oci's Images, not " + images.getClass().getName());
            return new OciImageBuilder(oci);
        }
    }

    private DockerfileBuilder builder(BuildOptions options) {
        Path cacheDir = options.cacheDir() != null ? options.cacheDir() : images.store().root().resolve("build-cache");
        return new DockerfileBuilder(new OciBuildStore(images), new ContainerStepRunner(), new BuildCache(cacheDir));
    }

    @Override
    public BuildResult build(Path context, BuildOptions options, BuildListener listener) {
        try (BuildContext ctx = BuildContext.directory(context)) {
            return builder(options).build(ctx, options, listener);
        }
    }

    @Override
    public BuildResult build(InputStream context, BuildOptions options, BuildListener listener) {
        try (BuildContext ctx = BuildContext.stdin(context)) {
            return builder(options).build(ctx, options, listener);
        }
    }
}
