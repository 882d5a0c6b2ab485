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
     * The recorded containers (detached or named) kept in {@code stateDirectory}, or in the
     * user's default one when null (root: /run/jcontainer/containers; rootless:
     * $XDG_RUNTIME_DIR/jcontainer/containers; {@code JCONTAINER_STATE_DIR} overrides).
     */
    Containers containers(Path stateDirectory);

    /** This process's terminal, for attach clients. */
    HostTerminal hostTerminal();

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
