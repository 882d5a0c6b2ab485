package io.jcontainer.spi;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.HostTerminal;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * What an implementation provides; found with {@link ServiceLoader}. Users depend on
 * {@code jcontainer-linux} at run time and code against {@code jcontainer-api}.
 */
public interface ContainerRuntime {

    /** Starts a container; returns once its command runs (or throws, leaving nothing behind). */
    Container start(ContainerSpec spec);

    /**
     * Does now the one-time work a first {@link #start} would do (its native helpers loaded and
     * linked, the default seccomp profile read), so that it overlaps with the caller's own — a CLI
     * calls it on a thread of its own while it reads its arguments. Safe from any thread, any
     * number of times; failing, it throws nothing: the start that follows meets the failure and
     * reports it.
     */
    default void prepare() {
    }

    /**
     * The recorded containers (detached or named) kept in {@code stateDirectory}, or in the
     * user's default one when null (root: /run/jcontainer/containers; rootless:
     * $XDG_RUNTIME_DIR/jcontainer/containers; {@code JCONTAINER_STATE_DIR} overrides).
     */
    Containers containers(Path stateDirectory);

    /** This process's terminal, for attach clients. */
    HostTerminal hostTerminal();

    /**
     * What a container wrote into the upper directory of its overlay root, as one OCI layer
     * (an uncompressed tar: {@code .wh.NAME} for deleted entries, {@code .wh..wh..opq} in a
     * directory that hides the lowers' content), read with the kernel's own marks (0/0 devices,
     * the {@code trusted.}/{@code user.overlay.opaque} xattrs). {@code mountPoints} (absolute
     * paths) are where the runtime mounted: made only to mount on, they are left out when the
     * lowers lack them. The same product as {@link Containers#writeChanges}, for an overlay
     * that is not a recorded container's (a build's RUN step). Owners are written as the
     * container saw them: host ids translated back through {@code uidMap}/{@code gidMap}, the
     * user namespace's maps the container ran with (empty: none, the host's ids as they are).
     * {@code layerTar} is not closed.
     */
    default void writeOverlayChanges(io.jcontainer.Root.Overlay root, java.util.Set<String> mountPoints,
                                     java.util.List<io.jcontainer.IdMap> uidMap, java.util.List<io.jcontainer.IdMap> gidMap,
                                     java.io.OutputStream layerTar) throws java.io.IOException {
        throw new io.jcontainer.lifecycle.Containers.NotSupportedYetException("reading an overlay's changes is not implemented by " + getClass().getName());
    }

    /**
     * This (non-root) process's first subordinate uid and gid ranges ({@code /etc/subuid},
     * {@code /etc/subgid}) as {@code IdMap(0, first host id, count)}, when the helpers that map
     * them ({@code newuidmap}, {@code newgidmap}) are installed; two empty lists otherwise (and
     * for root, who maps what it likes).
     */
    default java.util.List<java.util.List<io.jcontainer.IdMap>> subordinateIds() {
        return java.util.List.of(java.util.List.of(), java.util.List.of());
    }

    /** The runtime on the class path, loaded once. */
    static ContainerRuntime get() {
        return Holder.INSTANCE;
    }

    final class Holder {
        private static final ContainerRuntime INSTANCE = load();

        private Holder() {
        }

        /**
         * The implementation named by the system property {@code jcontainer.runtime} (a class with a
         * public no-argument constructor), else the one ServiceLoader finds. The property is a
         * launcher's shortcut: ServiceLoader opens every jar on the class path to look for the
         * provider file, which costs a short CLI verb more than the verb (26 jars for the CLI).
         */
        private static ContainerRuntime load() {
            String named = System.getProperty("jcontainer.runtime");
            if (named != null && !named.isEmpty()) {
                try {
                    Class<?> c = Class.forName(named, true, ContainerRuntime.class.getClassLoader());
                    return (ContainerRuntime) c.getConstructor().newInstance();
                } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                    // not there or not one: the providers on the class path decide, as without the property
                }
            }
            Iterator<ContainerRuntime> it = ServiceLoader.load(ContainerRuntime.class, ContainerRuntime.class.getClassLoader()).iterator();
            if (!it.hasNext()) it = ServiceLoader.load(ContainerRuntime.class).iterator();
            if (!it.hasNext())
                throw new HostUnsupportedException("no jcontainer runtime on the class path",
                        "add the dependency io.jcontainer:jcontainer-linux (runtime scope is enough)");
            return it.next();
        }
    }
}
