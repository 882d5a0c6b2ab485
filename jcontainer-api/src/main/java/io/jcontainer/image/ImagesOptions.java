package io.jcontainer.image;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the store lives and how registries are reached. {@link #defaults()} is: the store at
 * {@code $JCONTAINER_STORAGE} (or system property {@code jcontainer.storage}), else
 * {@code /var/lib/jcontainer} as root, else {@code $XDG_DATA_HOME/jcontainer}
 * ({@code ~/.local/share/jcontainer}); credentials in {@code ~/.docker/config.json}
 * ({@code $DOCKER_CONFIG/config.json}); the registry config from
 * {@code <store>/registries.json} when present; this machine's platform.
 */
public record ImagesOptions(Path storageRoot, Path dockerConfig, RegistryConfig registries, Platform platform) {

    public ImagesOptions {
        Objects.requireNonNull(storageRoot, "storageRoot");
        Objects.requireNonNull(dockerConfig, "dockerConfig");
        Objects.requireNonNull(platform, "platform");
        if (registries == null) registries = RegistryConfig.DEFAULT;
    }

    public static ImagesOptions defaults() {
        return new ImagesOptions(defaultStorageRoot(), defaultDockerConfig(), null, Platform.current());
    }

    public ImagesOptions withStorageRoot(Path root) {
        return new ImagesOptions(root, dockerConfig, registries, platform);
    }

    public ImagesOptions withDockerConfig(Path config) {
        return new ImagesOptions(storageRoot, config, registries, platform);
    }

    public ImagesOptions withRegistries(RegistryConfig config) {
        return new ImagesOptions(storageRoot, dockerConfig, config, platform);
    }

    public ImagesOptions withPlatform(Platform p) {
        return new ImagesOptions(storageRoot, dockerConfig, registries, p);
    }

    public static Path defaultStorageRoot() {
        String override = System.getProperty("jcontainer.storage", System.getenv("JCONTAINER_STORAGE"));
        if (override != null && !override.isEmpty()) return Path.of(override);
        if ("root".equals(System.getProperty("user.name"))) return Path.of("/var/lib/jcontainer");
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "jcontainer");
        return Path.of(System.getProperty("user.home"), ".local", "share", "jcontainer");
    }

    public static Path defaultDockerConfig() {
        String dir = System.getenv("DOCKER_CONFIG");
        if (dir != null && !dir.isEmpty()) return Path.of(dir, "config.json");
        return Path.of(System.getProperty("user.home"), ".docker", "config.json");
    }
}
