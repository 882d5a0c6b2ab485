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

    private Path cacheDir(BuildOptions options) {
        return options.cacheDir() != null ? options.cacheDir() : images.store().root().resolve("build-cache");
    }

    private DockerfileBuilder builder(BuildOptions options) {
        return new DockerfileBuilder(new OciBuildStore(images, options.registryCredentials()), new ContainerStepRunner(), new BuildCache(cacheDir(options)));
    }

    /**
     * A directory context first asks the whole-build memo ({@link BuildMemo}): an unchanged
     * rebuild is answered from it without the Dockerfile parsed, JSON read or a file hashed.
     * Otherwise the build runs, and when it read nothing from outside the context and the store,
     * leaves a memo for the next one.
     */
    @Override
    public BuildResult build(Path context, BuildOptions options, BuildListener listener) {
        try (BuildContext ctx = BuildContext.directory(context)) {
            Path cacheDir = cacheDir(options);
            Path storeRoot = images.store().root();
            String key = BuildMemo.key(ctx, options);
            if (key != null && !options.noCache() && !options.pull()) {
                BuildResult hit = BuildMemo.replay(cacheDir, storeRoot, key, options, listener);
                if (hit != null) return hit;
            }
            if (key == null) return builder(options).build(ctx, options, listener);
            BuildMemo.Recorder rec = new BuildMemo.Recorder(listener);
            BuildResult r = builder(options).build(ctx, options, rec);
            if (rec.memoizable())
                BuildMemo.record(cacheDir, storeRoot, key, r.imageId(), rec, images.store().indexLock(), () -> {
                    for (String tag : options.tags())
                        if (!images.resolve(tag).configDigest().toString().equals(r.imageId())) return false;
                    return true;
                });
            return r;
        }
    }

    @Override
    public BuildResult build(InputStream context, BuildOptions options, BuildListener listener) {
        try (BuildContext ctx = BuildContext.stdin(context)) {
            return builder(options).build(ctx, options, listener);
        }
    }
}
