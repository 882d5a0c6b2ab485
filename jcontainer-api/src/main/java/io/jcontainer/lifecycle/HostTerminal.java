package io.jcontainer.lifecycle;

/**
 * The terminal of the process itself, for attach clients: whether a descriptor is one, its size,
 * and raw mode (every key a byte to the container, ctrl-c included) restored on close.
 */
public interface HostTerminal {
    boolean isTerminal(int fd);

    /** rows and columns, or null when {@code fd} is not a terminal. */
    int[] size(int fd);

    /** Puts {@code fd}'s terminal in raw mode until the returned handle is closed. */
    AutoCloseable raw(int fd);
}
