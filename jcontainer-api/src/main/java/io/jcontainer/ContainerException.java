package io.jcontainer;

/** Base of every exception jcontainer throws: catch this to handle them all. */
public class ContainerException extends RuntimeException {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
