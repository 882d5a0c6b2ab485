package io.jcontainer.docker;

import io.jcontainer.ContainerSpec;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Mount;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.Volumes;
import io.jcontainer.spi.ContainerRuntime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * docker's volume spellings onto the spec: a volume is a bind mount of its directory
 * ({@link Volumes}), so the runtime counts which containers use it from their stored specs.
 * {@code -v NAME:/path[:ro]} (created on first use), {@code -v /path} (an anonymous volume),
 * {@code --mount type=volume[,source=NAME],target=/path[,readonly][,volume-label=K=V]},
 * {@code --volumes-from CONTAINER[:ro|rw]} (its binds and volumes, as they are mounted there).
 * Host paths stay {@link Mount#parseVolume}'s. The volumes are created on the user's default
 * store (or {@link #use}'s), when the flags are read — before the container is.
 */
public final class DockerVolumes {
    private static volatile Containers containers;

    private DockerVolumes() {
    }

    /** The containers (and their volumes) the flags refer to; the user's by default. */
    public static void use(Containers c) {
        containers = c;
    }

    private static Containers containers() {
        Containers c = containers;
        return c != null ? c : ContainerRuntime.get().containers(null);
    }

    /** {@code -v}: a host path, a named volume or an anonymous one. */
    public static Mount volume(String spec) {
        return volume(containers(), spec);
    }

    /** {@code -v} with the volumes of {@code containers}' store. */
    public static Mount volume(Containers containers, String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length == 1 && parts[0].startsWith("/"))
            return Mount.bind(containers.volumes().createAnonymous().mountpoint(), parts[0]);
        if (parts.length >= 2 && !parts[0].isEmpty() && !parts[0].startsWith("/") && !parts[0].startsWith(".")) {
            Path dir = containers.volumes().create(parts[0], Map.of()).mountpoint();
            return Mount.parseVolume(dir + spec.substring(parts[0].length()));
        }
        return Mount.parseVolume(spec);
    }

    /** {@code --mount type=volume,...}. */
    public static Mount mount(String spec) {
        return mount(containers(), spec);
    }

    /** {@code --mount type=volume,...} with the volumes of {@code containers}' store. */
    public static Mount mount(Containers containers, String spec) {
        String source = null, target = null;
        boolean readOnly = false;
        Map<String, String> labels = new LinkedHashMap<>();
        for (String kv : spec.split(",")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq), v = eq < 0 ? null : kv.substring(eq + 1);
            switch (k) {
                case "type" -> { }
                case "source", "src" -> source = v;
                case "target", "destination", "dst" -> target = v;
                case "readonly", "ro" -> readOnly = v == null || Boolean.parseBoolean(v) || v.equals("1");
                case "volume-label" -> {
                    int e2 = v == null ? -1 : v.indexOf('=');
                    labels.put(e2 < 0 ? v : v.substring(0, e2), e2 < 0 ? "" : v.substring(e2 + 1));
                }
                case "volume-nocopy" -> { } // no image content to copy into a new volume
                default -> throw new InvalidSpecException("mount", "unsupported option '" + k + "' for type=volume in '" + spec
                        + "' (known: source, target, readonly, volume-label, volume-nocopy)");
            }
        }
        if (target == null || !target.startsWith("/")) throw new InvalidSpecException("mount", "target is required and must be absolute: '" + spec + "'");
        Volumes v = containers.volumes();
        Path dir = (source == null || source.isEmpty() ? v.createAnonymous() : v.create(source, labels)).mountpoint();
        return readOnly ? Mount.bindReadOnly(dir, target) : Mount.bind(dir, target);
    }

    /** {@code --volumes-from CONTAINER[:ro|rw]}: its bind mounts (volumes included), read-only if asked. */
    public static List<Mount> from(String spec) {
        return from(containers(), spec);
    }

    /** {@code --volumes-from} among {@code containers}. */
    public static List<Mount> from(Containers containers, String spec) {
        int colon = spec.lastIndexOf(':');
        String ref = spec, mode = null;
        if (colon > 0 && (spec.endsWith(":ro") || spec.endsWith(":rw"))) {
            ref = spec.substring(0, colon);
            mode = spec.substring(colon + 1);
        }
        ContainerSpec other;
        try {
            other = containers.find(ref).spec();
        } catch (Containers.NoSuchContainerException e) {
            throw new InvalidSpecException("volumes-from", e.getMessage());
        }
        if (other == null) throw new InvalidSpecException("volumes-from", "container " + ref + " was recorded without its configuration");
        List<Mount> out = new ArrayList<>();
        for (Mount m : other.mounts()) {
            switch (m) {
                case Mount.Bind b -> out.add(new Mount.Bind(b.source(), b.target(), mode == null ? b.readOnly() : mode.equals("ro"), b.recursive()));
                case Mount.Generic g when g.isBind() -> {
                    if (mode == null) out.add(g);
                    else {
                        List<String> opts = new ArrayList<>(g.options().stream().filter(o -> !o.equals("ro") && !o.equals("rw")).toList());
                        opts.add(mode);
                        out.add(new Mount.Generic(g.target(), g.type(), g.source(), opts));
                    }
                }
                default -> { } // a tmpfs is the container's own
            }
        }
        return out;
    }
}
