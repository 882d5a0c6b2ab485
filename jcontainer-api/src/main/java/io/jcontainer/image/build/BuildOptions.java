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
 * @param network    the network of RUN steps without {@code --network} (or with
 *                   {@code --network=default}), {@code build --network}: {@link #NETWORK_NONE} (the
 *                   library's default: loopback only, as {@code Container.builder()}'s — a Dockerfile
 *                   you did not write gets no network unless you ask), {@link #NETWORK_DEFAULT}
 *                   (docker's: the default bridge as root, pasta — else slirp4netns — as an ordinary
 *                   user, loopback only with a warning where neither exists), {@link #NETWORK_HOST},
 *                   or the name of a network ({@code bridge}, a user-defined one: root only)
 * @param allowHostNetwork whether a Dockerfile's {@code RUN --network=host} may share the host's
 *                   network (BuildKit's {@code network.host} entitlement, {@code build --allow
 *                   network.host}); without it such a step is refused, unless {@code network} is
 *                   {@code host} already. {@code RUN --network=none} is always honoured.
 */
public record BuildOptions(String dockerfile, List<String> tags, Map<String, String> buildArgs, String target,
                           boolean noCache, boolean pull, Map<String, Path> secrets, Path cacheDir, Map<String, String> labels,
                           Map<String, io.jcontainer.image.RegistryCredentials> registryCredentials, String network,
                           boolean allowHostNetwork) {
    /** RUN steps get loopback only: the library's default. */
    public static final String NETWORK_NONE = "none";
    /** Docker's default for RUN steps: the default bridge (root), pasta (an ordinary user), else loopback only. */
    public static final String NETWORK_DEFAULT = "default";
    /** RUN steps share the host's network. */
    public static final String NETWORK_HOST = "host";

    public BuildOptions {
        network = network == null || network.isEmpty() ? NETWORK_NONE : network;
        if (network.startsWith("container:"))
            throw new BuildException("build network " + network + ": none, default, host or a network's name (a RUN step cannot join a container's)");
        dockerfile = dockerfile == null || dockerfile.isEmpty() ? "Dockerfile" : dockerfile;
        tags = tags == null ? List.of() : List.copyOf(tags);
        buildArgs = buildArgs == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(buildArgs));
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(labels));
        registryCredentials = registryCredentials == null ? Map.of() : Map.copyOf(registryCredentials);
    }

    /** The options before {@code network} existed: RUN steps get loopback only. */
    public BuildOptions(String dockerfile, List<String> tags, Map<String, String> buildArgs, String target,
                        boolean noCache, boolean pull, Map<String, Path> secrets, Path cacheDir, Map<String, String> labels,
                        Map<String, io.jcontainer.image.RegistryCredentials> registryCredentials) {
        this(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, labels, registryCredentials, null, false);
    }

    /** The options before {@code registryCredentials} existed. */
    public BuildOptions(String dockerfile, List<String> tags, Map<String, String> buildArgs, String target,
                        boolean noCache, boolean pull, Map<String, Path> secrets, Path cacheDir, Map<String, String> labels) {
        this(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, labels, null, null, false);
    }

    /** The options before {@code labels} existed. */
    public BuildOptions(String dockerfile, List<String> tags, Map<String, String> buildArgs, String target,
                        boolean noCache, boolean pull, Map<String, Path> secrets, Path cacheDir) {
        this(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, null, null, null, false);
    }

    public BuildOptions withLabels(Map<String, String> l) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, l, registryCredentials, network, allowHostNetwork);
    }

    public static BuildOptions defaults() {
        return new BuildOptions(null, null, null, null, false, false, null, null, null, null, null, false);
    }

    public BuildOptions withDockerfile(String f) {
        return new BuildOptions(f, tags, buildArgs, target, noCache, pull, secrets, cacheDir, labels, registryCredentials, network, allowHostNetwork);
    }

    public BuildOptions withTags(String... t) {
        return new BuildOptions(dockerfile, List.of(t), buildArgs, target, noCache, pull, secrets, cacheDir, labels, registryCredentials, network, allowHostNetwork);
    }

    public BuildOptions withTags(List<String> t) {
        return new BuildOptions(dockerfile, t, buildArgs, target, noCache, pull, secrets, cacheDir, labels, registryCredentials, network, allowHostNetwork);
    }

    public BuildOptions withBuildArgs(Map<String, String> a) {
        return new BuildOptions(dockerfile, tags, a, target, noCache, pull, secrets, cacheDir, labels, registryCredentials, network, allowHostNetwork);
    }

    public BuildOptions withTarget(String t) {
        return new BuildOptions(dockerfile, tags, buildArgs, t, noCache, pull, secrets, cacheDir, labels, registryCredentials, network, allowHostNetwork);
    }

    public BuildOptions withNoCache(boolean n) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, n, pull, secrets, cacheDir, labels, registryCredentials, network, allowHostNetwork);
    }

    public BuildOptions withPull(boolean p) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, p, secrets, cacheDir, labels, registryCredentials, network, allowHostNetwork);
    }

    public BuildOptions withSecrets(Map<String, Path> s) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, s, cacheDir, labels, registryCredentials, network, allowHostNetwork);
    }

    public BuildOptions withRegistryCredentials(Map<String, io.jcontainer.image.RegistryCredentials> c) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, labels, c, network, allowHostNetwork);
    }

    public BuildOptions withCacheDir(Path d) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, secrets, d, labels, registryCredentials, network, allowHostNetwork);
    }

    /** {@code build --network}: see {@link #network()}. */
    public BuildOptions withNetwork(String n) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, labels, registryCredentials, n, allowHostNetwork);
    }

    /** {@code build --allow network.host}: see {@link #allowHostNetwork()}. */
    public BuildOptions withAllowHostNetwork(boolean a) {
        return new BuildOptions(dockerfile, tags, buildArgs, target, noCache, pull, secrets, cacheDir, labels, registryCredentials, network, a);
    }
}
