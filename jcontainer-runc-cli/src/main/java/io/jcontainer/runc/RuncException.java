package io.jcontainer.runc;

import io.jcontainer.ContainerException;

/** A runc command that failed: the message runc prints and the status it exits with. */
final class RuncException extends ContainerException {
    final int status;

    RuncException(String message) {
        this(message, 1);
    }

    RuncException(String message, int status) {
        super(message);
        this.status = status;
    }
}
