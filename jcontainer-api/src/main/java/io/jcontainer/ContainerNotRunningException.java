package io.jcontainer;

/** An operation that needs a running container (exec, ...) was asked of one that has exited. */
public class ContainerNotRunningException extends ContainerException {
    public ContainerNotRunningException(String message) {
        super(message);
    }
}
