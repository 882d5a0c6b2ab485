package io.jcontainer.linux.net;

import io.jcontainer.ContainerException;

/** A network could not be created, used, connected or removed: the message says which and why. */
public class NetworkException extends ContainerException {
    public NetworkException(String message) {
        super(message);
    }

    public NetworkException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No network of that name. */
    public static final class NotFound extends NetworkException {
        public NotFound(String name) {
            super("network " + name + " not found");
        }
    }

    /** The request conflicts with what exists: a name, a subnet, an address or a port already taken. */
    public static final class Conflict extends NetworkException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** Malformed input: a name, subnet, gateway or port specification. */
    public static final class Invalid extends NetworkException {
        public Invalid(String message) {
            super(message);
        }
    }
}
