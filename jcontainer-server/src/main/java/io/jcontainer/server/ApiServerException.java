package io.jcontainer.server;

import io.jcontainer.ContainerException;

/** The API server could not start or listen: the message names the address and what is wrong with it. */
public class ApiServerException extends ContainerException {
    public ApiServerException(String message) {
        super(message);
    }

    public ApiServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
