package io.jcontainer;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A process in a container, like {@link Process} but in the container's namespaces, cgroup and
 * security context: a container's first process ({@link Container} is one) or one started in a
 * running container by {@link Container#exec(ExecSpec)}. Streams exist only for those that were
 * {@link Stdio#PIPE}; {@link #onExit()} never blocks a thread of its own; {@link #close()}
 * kills the process if it still runs and releases its streams.
 */
public interface ContainerProcess extends AutoCloseable {
    /** Its pid on the host (it has another one inside the container's PID namespace). */
    long pid();

    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    ContainerExit waitFor() throws InterruptedException;

    Optional<ContainerExit> waitFor(Duration timeout) throws InterruptedException;

    CompletableFuture<ContainerExit> onExit();

    boolean isRunning();

    /** 128 + signal when killed; throws if still running. */
    int exitCode();

    void signal(Signal signal);

    /**
     * Sets the size of its terminal (the kernel sends it SIGWINCH; docker resizes on the
     * client's SIGWINCH): a container started with {@link ContainerSpec#tty()}, a process exec'd
     * with {@link ExecSpec#tty()}. Throws {@link IllegalStateException} for one without a terminal.
     */
    default void resizeTerminal(int rows, int cols) {
        throw new IllegalStateException(this + " has no terminal");
    }

    @Override
    void close();
}
