package io.jcontainer.cli;

import io.jcontainer.Container;

import java.util.ArrayList;
import java.util.List;

/**
 * Docker's sig-proxy: signals sent to the CLI go to the sandbox's first process instead of
 * ending the CLI, which then exits with the sandbox's status. {@code sun.misc.Signal} is the
 * JDK's only way to catch a signal; it is fine in a CLI (and never used in the library).
 * SIGQUIT is left to the JVM (thread dumps); SIGKILL cannot be caught — then the launcher sees
 * its control socket close and kills the sandbox.
 */
@SuppressWarnings("removal")
final class SignalForwarder implements AutoCloseable {
    static final SignalForwarder NONE = new SignalForwarder(List.of());
    private static final List<io.jcontainer.Signal> FORWARDED = List.of(io.jcontainer.Signal.INT, io.jcontainer.Signal.TERM,
            io.jcontainer.Signal.HUP, io.jcontainer.Signal.USR1, io.jcontainer.Signal.USR2);

    private record Installed(sun.misc.Signal signal, sun.misc.SignalHandler previous) {
    }

    private final List<Installed> installed;

    private SignalForwarder(List<Installed> installed) {
        this.installed = installed;
    }

    static SignalForwarder install(Container c) {
        List<Installed> l = new ArrayList<>();
        for (io.jcontainer.Signal s : FORWARDED) {
            sun.misc.Signal sig = new sun.misc.Signal(s.name());
            try {
                l.add(new Installed(sig, sun.misc.Signal.handle(sig, x -> c.signal(s))));
            } catch (IllegalArgumentException e) {
                // the JVM reserves it on this platform (e.g. with -Xrs): leave it be
            }
        }
        return new SignalForwarder(l);
    }

    @Override
    public void close() {
        for (Installed i : installed) sun.misc.Signal.handle(i.signal(), i.previous());
    }
}
