package io.jcontainer;

/**
 * Where the container's network comes from (docker's {@code --network}). {@link None} and
 * {@link Host} are the NET namespace's two plain cases; {@link NamespacePath} joins an existing
 * namespace; {@link Named} is a bridge network, {@link Container} another running container's
 * namespace.
 */
public sealed interface NetworkMode {
    None NONE = new None();
    Host HOST = new Host();

    /** A NET namespace of its own with only loopback (the default). */
    record None() implements NetworkMode { }

    /** The host's network: no NET namespace. */
    record Host() implements NetworkMode { }

    /**
     * A network the runtime manages, e.g. a bridge ({@code bridge} is docker's default one), with
     * the container's settings on it (aliases, published ports, address, name resolution).
     */
    record Named(String name, NetworkOptions options) implements NetworkMode {
        public Named {
            if (name == null || !name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) throw new InvalidSpecException("network", "invalid network name '" + name + "'");
            if (options == null) options = NetworkOptions.NONE;
        }

        public Named(String name) {
            this(name, NetworkOptions.NONE);
        }
    }

    /** Another container's network namespace ({@code container:ID}). */
    record Container(String idOrName) implements NetworkMode {
        public Container {
            if (idOrName == null || idOrName.isEmpty() || idOrName.indexOf('\0') >= 0 || idOrName.indexOf('/') >= 0)
                throw new InvalidSpecException("network", "invalid container reference '" + idOrName + "'");
        }
    }

    /** An existing namespace file, e.g. {@code /proc/PID/ns/net} or {@code /run/netns/NAME}. */
    record NamespacePath(String path) implements NetworkMode {
        public NamespacePath {
            Checks.absolute("network", path);
        }
    }

    /** Docker's {@code --network} value: none, host, container:ID, ns:PATH, or a network name. */
    static NetworkMode parse(String text) {
        if (text == null || text.isEmpty()) throw new InvalidSpecException("network", "empty");
        if (text.equals("none")) return NONE;
        if (text.equals("host")) return HOST;
        if (text.startsWith("container:")) return new Container(text.substring("container:".length()));
        if (text.startsWith("ns:")) return new NamespacePath(text.substring(3));
        return new Named(text);
    }
}
