package io.jcontainer.image.build;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to build: docker build's flags. Immutable; start from {@link #defaults()}.
 *
 * @param dockerfile the Dockerfile's path in the context ({@code -f}; default {@code Dockerfile})
 * @param tags       references to tag the result with ({@code -t}, several allowed)
 * @param buildArgs  {@code --build-arg}s
 * @param target     the stage to build ({@code --target}); null for the last
 * @param noCache    run every step ({@code --no-cache}); results still refresh the cache
 * @param pull       pull base images even when stored ({@code --pull})
 * @param secrets    {@code RUN --mount=type=secret} sources by id ({@code --secret id=…,src=…})
 * @param cacheDir   the step cache; null for the default next to the image store
 * @param labels     labels set on the result ({@code --label}), over the Dockerfile's own; they
 *                   change only the image config, never a step's cache key
 * @param registryCredentials credentials for base-image pulls by registry host ({@code 127.0.0.1:5000},
 *                   {@code docker.io}; docker's {@code X-Registry-Config}), over the stored ones for
 *                   those registries only; never stored
 */
public record BuildOptions(String dockerfile, List<String> tags, Map<String, String> buildArgs, String target,
                           boolean noCache, boolean pull, Map<String, Path> secrets, Path cacheDir, Map<String, String> labels,
                           Map<String, io.jcontainer.image.RegistryCredentials> registryCredentials) {
    public BuildOptions {
        dockerfile = dockerfile == null || dockerfile.isEmpty() ? "Dockerfile" : dockerfile;
        tags = tags == null ? List.of() : List.copyOf(tags);
        buildArgs = buildArgs == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(buildArgs));
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(labels));
        registryCredentials = registryCredentials == null ? Map.of() : Map.copyOf(registryCredentials);
    }

    /** The options before {@code registryCredentials} existed. */
    public BuildOptions(String dockerfile, List<String> tags, Map<String, String> buildArgs, String target,
                        boolean noCache, boolean pull, Map<String, Path> secrets, Path cacheDir, Map<String, String> labels) {
        this(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, labels, null);
    }

    /** The options before {@code labels} existed. */
    public BuildOptions(String dockerfile, List<String> tags, Map<String, String> buildArgs, String target,
                        boolean noCache, boolean pull, Map<String, Path> secrets, Path cacheDir) {
        this(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, null, null);
    }

    public BuildOptions withLabels(Map<String, String> l) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, l, registryCredentials);
    }

    public static BuildOptions defaults() {
        return new BuildOptions(null, null, null, null, false, false, null, null, null, null);
    }

    public BuildOptions withDockerfile(String f) {
        return new BuildOptions(f, tags, buildArgs, target, noCache, pull, secrets, cacheDir, labels, registryCredentials);
    }

    public BuildOptions withTags(String... t) {
        return new BuildOptions(dockerfile, List.of(t), buildArgs, target, noCache, pull, secrets, cacheDir, labels, registryCredentials);
    }

    public BuildOptions withTags(List<String> t) {
        return new BuildOptions(dockerfile, t, buildArgs, target, noCache, pull, secrets, cacheDir, labels, registryCredentials);
    }

    public BuildOptions withBuildArgs(Map<String, String> a) {
        return new BuildOptions(dockerfile, tags, a, target, noCache, pull, secrets, cacheDir, labels, registryCredentials);
    }

    public BuildOptions withTarget(String t) {
        return new BuildOptions(dockerfile, tags, buildArgs, t, noCache, pull, secrets, cacheDir, labels, registryCredentials);
    }

    public BuildOptions withNoCache(boolean n) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, n, pull, secrets, cacheDir, labels, registryCredentials);
    }

    public BuildOptions withPull(boolean p) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, p, secrets, cacheDir, labels, registryCredentials);
    }

    public BuildOptions withSecrets(Map<String, Path> s) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, s, cacheDir, labels, registryCredentials);
    }

    public BuildOptions withRegistryCredentials(Map<String, io.jcontainer.image.RegistryCredentials> c) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, labels, c);
    }

    public BuildOptions withCacheDir(Path d) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, secrets, d, labels, registryCredentials);
    }
}
