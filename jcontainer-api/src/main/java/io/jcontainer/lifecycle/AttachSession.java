package io.jcontainer.lifecycle;

import io.jcontainer.ContainerExit;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A client of a running container's monitor ({@code docker attach}): the container's output from
 * now on, its exit, input to its stdin when it keeps one open, and its terminal's size. Closing
 * the session detaches; the container runs on.
 */
public interface AttachSession extends AutoCloseable {
    /** The container has a terminal (its output is one stream). */
    boolean tty();

    /** Its stdin is held open by its monitor: what {@link #stdin()} writes reaches it. */
    boolean stdinOpen();

    /** Input to the container (dropped by the monitor unless {@link #stdinOpen()}). */
    OutputStream stdin();

    /**
     * Ends the container's stdin (docker's {@code StdinOnce}: the attached client's input ended).
     * Its monitor closes the stdin it holds once what was sent before is written, and the
     * container reads EOF. Nothing with a terminal (a hang-up would end it), or without a held
     * stdin. Later input is dropped.
     */
    void closeStdin() throws IOException;

    /** Sets its terminal's size (the kernel sends it SIGWINCH). */
    void resize(int rows, int cols);

    /**
     * Copies its output until it exits (returned) or the session ends otherwise — closed
     * (detached) or dropped by the monitor for not keeping up (empty).
     */
    Optional<ContainerExit> copyOutput(OutputStream stdout, OutputStream stderr) throws IOException;

    /** Detaches. */
    @Override
    void close();
}
