package io.jcontainer.image;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runtime part of an image's config ({@code config} in the OCI image config): what a
 * container made from the image starts with unless told otherwise. Every field may be empty;
 * none is null.
 */
public record ImageConfig(
        List<String> entrypoint,
        List<String> cmd,
        List<String> env,
        String workingDir,
        String user,
        Set<String> volumes,
        String stopSignal,
        Map<String, String> labels,
        Set<String> exposedPorts) {

    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
        volumes = volumes == null ? Set.of() : Set.copyOf(volumes);
        stopSignal = stopSignal == null ? "" : stopSignal;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        exposedPorts = exposedPorts == null ? Set.of() : Set.copyOf(exposedPorts);
    }

    public static final ImageConfig EMPTY = new ImageConfig(null, null, null, null, null, null, null, null, null);

    /** Entrypoint followed by Cmd: the command a container runs when given none. */
    public List<String> command() {
        var all = new java.util.ArrayList<>(entrypoint);
        all.addAll(cmd);
        return List.copyOf(all);
    }
}
