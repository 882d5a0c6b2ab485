package io.jcontainer.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The CLI's standard streams.
 *
 * @param inherited true when these are the process's own descriptors 0, 1 and 2: a container then
 *                  inherits them directly ({@link io.jcontainer.Stdio#INHERIT}, zero copies, and a
 *                  terminal stays a terminal). False in-process (tests, embedding): the container
 *                  gets pipes that the CLI copies to and from these streams.
 */
public record Io(InputStream in, PrintStream out, PrintStream err, boolean inherited) {
    public static Io system() {
        return new Io(System.in, System.out, System.err, true);
    }
}
