package io.jcontainer.image;

import io.jcontainer.image.spi.ImagesProvider;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The local image store and the registries around it: pull, push, tag, remove, save, load, and
 * unpack an image into a directory. Thread-safe, and safe with other JVMs using the same store
 * (file locks). Obtain one with {@link #open()}; the implementation is jcontainer-oci, found
 * through {@link ServiceLoader}.
 *
 * <pre>{@code
 * try (Images images = Images.open()) {
 *     ImageInfo busybox = images.pull("127.0.0.1:5000/busybox:1", ProgressListener.NONE);
 *     images.unpack("127.0.0.1:5000/busybox:1", Path.of("/srv/rootfs"));
 * }
 * }</pre>
 *
 * <p>Image arguments ({@code image}) are a reference ({@code busybox}, {@code host:5000/a/b:tag},
 * {@code name@sha256:…}), a full image id ({@code sha256:…}) or a unique id prefix of at least
 * 12 hex digits.
 */
public interface Images extends AutoCloseable {

    /** The store with {@link ImagesOptions#defaults()}. */
    static Images open() {
        return open(ImagesOptions.defaults());
    }

    /**
     * The store through the provider named by the system property {@code jcontainer.images} (a
     * class with a public no-argument constructor), else the one ServiceLoader finds. The property
     * is a launcher's shortcut, as {@code jcontainer.runtime}: ServiceLoader opens every jar on the
     * class path to look for the provider file, which costs a short CLI verb more than its work.
     */
    static Images open(ImagesOptions options) {
        ImagesProvider named = named();
        if (named != null) return named.open(options);
        return ImagesProviders.find().open(options);
    }

    /** Pulls {@code reference} for the configured platform (resolving manifest lists). */
    ImageInfo pull(String reference, ProgressListener listener);

    /** Pulls for {@code platform} instead of the configured one. */
    ImageInfo pull(String reference, Platform platform, ProgressListener listener);

    /**
     * Pulls with {@code credentials} for the reference's registry instead of the stored ones
     * (docker's {@code X-Registry-Auth}); null: the stored ones. Never stored. A null
     * {@code platform} is the configured one.
     */
    default ImageInfo pull(String reference, Platform platform, ProgressListener listener, RegistryCredentials credentials) {
        if (credentials != null)
            throw new UnsupportedOperationException("per-request credentials are not implemented by " + getClass().getName());
        return platform == null ? pull(reference, listener) : pull(reference, platform, listener);
    }

    /** Every stored image (one entry per image id). */
    List<ImageInfo> list();

    /** The stored image, or {@link ImageNotFoundException}. */
    ImageInfo inspect(String image);

    /** True when {@code image} is stored. */
    boolean exists(String image);

    /** Points {@code target} (a reference) at {@code source}'s image. */
    void tag(String source, String target);

    /**
     * Removes a tag, or — given an id, or the last tag of an image — the image, then collects
     * blobs and unpacked layers nothing refers to any more. An id with several tags needs
     * {@code force}. Returns docker's lines: {@code Untagged: …}, {@code Deleted: …}.
     */
    List<String> remove(String image, boolean force);

    /** Removes images without tags (dangling), or every image no tag names when {@code all}. */
    List<String> prune(boolean all);

    /** Pushes the stored image to the registry its reference names; returns the manifest digest. */
    String push(String reference, ProgressListener listener);

    /**
     * Pushes with {@code credentials} for the reference's registry instead of the stored ones
     * (docker's {@code X-Registry-Auth}); null: the stored ones. Never stored.
     */
    default String push(String reference, ProgressListener listener, RegistryCredentials credentials) {
        if (credentials != null)
            throw new UnsupportedOperationException("per-request credentials are not implemented by " + getClass().getName());
        return push(reference, listener);
    }

    /** Writes {@code images} into one archive. */
    void save(List<String> images, Path archive, ArchiveFormat format);

    /** Reads a docker-archive or OCI archive (the format is recognised); returns the references loaded. */
    List<String> load(Path archive);

    /** Flattens the image's layers into {@code target} (an empty or missing directory). */
    void unpack(String image, Path target);

    /**
     * The image flattened once into a directory of the store ({@code rootfs/<id>}), shared by
     * every container of the image: use it read-only (a bind or an overlay lower), never write
     * into it. Removed with the image.
     */
    Path rootfs(String image);

    /**
     * The image's layers unpacked once each (shared by every user of the store), lowest first —
     * the lower directories of an overlay mount. Whiteouts are in overlayfs' form: a character
     * device 0/0 for a deleted name, {@code trusted.overlay.opaque} (as root) and
     * {@code user.overlay.opaque} on an opaque directory. Never write into them.
     */
    List<Path> layers(String image);

    /**
     * A new image: {@code parent}'s layers and config (null: none, as {@code import}) with
     * {@code layer} — an uncompressed or gzip-compressed tar, OCI whiteouts honoured — on top,
     * and {@code options}' config changes, history and tags. Returns the image id. The layer is
     * stored as given (an empty tar gives an empty layer, as {@code docker commit} of an unchanged
     * container does).
     */
    default String commit(String parent, java.io.InputStream layer, CommitOptions options) {
        throw new UnsupportedOperationException("commit is not implemented by " + getClass().getName());
    }

    /** {@code docker import}: a tar of a whole filesystem as a one-layer image. Returns the image id. */
    default String importImage(java.io.InputStream tar, CommitOptions options) {
        return commit(null, tar, options);
    }

    /**
     * A writable root for one container of {@code image}: the image's {@link #layers} as
     * overlay lower directories (topmost first) under {@code dir/upper}, with {@code dir/work}
     * (both made empty here; {@code dir} must not exist or be empty, on a filesystem that can hold
     * an overlay upper — the store's is). What the container writes lands in {@code dir/upper}
     * in overlayfs' form. {@code removeWithContainer} false keeps {@code dir} for the caller
     * (a commit, a diff, a build step); true lets the runtime delete it with the container.
     */
    io.jcontainer.Root.Overlay overlayRoot(String image, Path dir, boolean removeWithContainer);

    /**
     * {@link #overlayRoot(String, Path, boolean)} in a fresh directory of the store
     * ({@code containers/<random>}), removed with the container: what
     * {@code Container.builder().image(...)} uses.
     */
    io.jcontainer.Root.Overlay overlayRoot(String image);

    /** Stores credentials for {@code registry} in the docker config after checking them against it. */
    void login(String registry, String username, String password);

    /**
     * Checks credentials against {@code registry} without storing them (a daemon's
     * {@code POST /auth}: docker's client keeps what it logs in with, the daemon does not).
     */
    void checkLogin(String registry, String username, String password);

    /**
     * Stores credentials for {@code registry} in the docker config without checking them: what a
     * client does once a daemon has checked them ({@code docker -H … login}).
     */
    void storeCredentials(String registry, String username, String password);

    /**
     * The credentials stored for {@code registry} (the docker config's {@code auths} or its
     * credential helper), or null: what a client sends a daemon with a pull or push, as docker's
     * CLI does ({@code X-Registry-Auth}).
     */
    default RegistryCredentials storedCredentials(String registry) {
        return null;
    }

    /**
     * Every login the docker config's {@code auths} holds, by registry host: what a client sends
     * with a build ({@code X-Registry-Config}), as docker's CLI does.
     */
    default java.util.Map<String, RegistryCredentials> storedCredentials() {
        return java.util.Map.of();
    }

    /** Removes stored credentials for {@code registry}; false if there were none. */
    boolean logout(String registry);

    /** Repositories of a registry ({@code /v2/_catalog}). */
    List<String> catalog(String registry);

    /** Tags of a repository ({@code /v2/<name>/tags/list}); {@code repository} like {@code host:5000/a/b}. */
    List<String> tags(String repository);

    @Override
    void close();

    /** The provider the system property {@code jcontainer.images} names; null when unset or unusable (ServiceLoader decides). */
    private static ImagesProvider named() {
        String named = System.getProperty("jcontainer.images");
        if (named == null || named.isEmpty()) return null;
        try {
            Class<?> c = Class.forName(named, true, ImagesProvider.class.getClassLoader());
            return ImagesProvider.class.cast(c.getConstructor().newInstance());
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            return null;
        }
    }
}
