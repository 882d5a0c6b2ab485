package io.jcontainer.image;

import java.util.List;
import java.util.Set;

/**
 * jcontainer's registry settings, the subset of docker's {@code daemon.json} that applies:
 * registries reached over plain HTTP and Docker Hub mirrors.
 *
 * @param insecureRegistries hosts ({@code host:port}) or CIDRs ({@code 10.0.0.0/8}) spoken to
 *                           over HTTP; loopback ({@code 127.0.0.0/8}, {@code ::1},
 *                           {@code localhost}) is always insecure, as in docker
 * @param registryMirrors    mirror URLs tried before Docker Hub, in order
 */
public record RegistryConfig(Set<String> insecureRegistries, List<String> registryMirrors) {

    public static final RegistryConfig DEFAULT = new RegistryConfig(Set.of(), List.of());

    public RegistryConfig {
        insecureRegistries = Set.copyOf(insecureRegistries);
        registryMirrors = List.copyOf(registryMirrors);
    }
}
