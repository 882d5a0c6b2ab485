package io.jcontainer.junit;

import io.jcontainer.ContainerException;

/**
 * A test container did not become ready: its wait strategy's deadline passed, or the container
 * exited while being waited for. The message names the container, the strategy and what the
 * container printed last.
 */
public class ContainerNotReadyException extends ContainerException {
    public ContainerNotReadyException(String message) {
        super(message);
    }
}
