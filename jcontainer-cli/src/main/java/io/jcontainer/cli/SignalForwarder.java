package io.jcontainer.cli;

import io.jcontainer.Container;
import io.jcontainer.Signal;

import java.util.ArrayList;
import java.util.List;

/**
 * Docker's sig-proxy: signals sent to the CLI go to the container's first process instead of
 * ending the CLI, which then exits with the container's status. {@code sun.misc.Signal} is the
 * JDK's only way to catch a signal; it is fine in a CLI (and never used in the library).
 * Installed before the container starts, so that no signal falls between start and install: one
 * that arrives before {@link #attach} is held and delivered then. SIGQUIT is left to the JVM
 * (thread dumps); SIGKILL cannot be caught — then the launcher sees its control socket close and
 * kills the container.
 */
final class SignalForwarder implements AutoCloseable {
    static final List<Signal> FORWARDED = List.of(Signal.INT, Signal.TERM, Signal.HUP, Signal.USR1, Signal.USR2);

    private record Installed(sun.misc.Signal signal, sun.misc.SignalHandler previous) {
    }

    private final List<Installed> installed = new ArrayList<>();
    private final List<Signal> pending = new ArrayList<>();
    private Container target;

    private SignalForwarder() {
    }

    /** Starts catching the forwarded signals; {@code enabled=false} gives a forwarder that does nothing. */
    static SignalForwarder install(boolean enabled) {
        SignalForwarder f = new SignalForwarder();
        if (!enabled) return f;
        for (Signal s : FORWARDED) {
            sun.misc.Signal sig = new sun.misc.Signal(s.name());
            try {
                f.installed.add(new Installed(sig, sun.misc.Signal.handle(sig, x -> f.received(s))));
            } catch (IllegalArgumentException e) {
                // the JVM reserves it on this platform (e.g. with -Xrs): leave it be
            }
        }
        return f;
    }

    private void received(Signal s) {
        Container c;
        synchronized (this) {
            c = target;
            if (c == null) {
                pending.add(s);
                return;
            }
        }
        c.signal(s);
    }

    /** From now on signals go to {@code c}; those held so far are delivered now, in order. */
    void attach(Container c) {
        List<Signal> held;
        synchronized (this) {
            target = c;
            held = List.copyOf(pending);
            pending.clear();
        }
        held.forEach(c::signal);
    }

    @Override
    public void close() {
        for (Installed i : installed) sun.misc.Signal.handle(i.signal(), i.previous());
    }
}
