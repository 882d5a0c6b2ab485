package io.jcontainer.linux.launch;

import io.jcontainer.ContainerStartException;
import io.jcontainer.linux.plan.HookPoint;
import io.jcontainer.linux.plan.Op;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The work registered on the hook points of one start, and its driver: one mechanism for every
 * parent-side hand-off of the launch protocol (id maps through newuidmap, cgroups made while the
 * child sets up, OCI hooks). The plan stops at a launcher point only if work is registered
 * there ({@link #stops()}); everything else costs nothing.
 *
 * <p>Work {@linkplain #on registered on} a point runs when the launcher reports it (with the
 * child's pid); work {@linkplain #ahead run ahead} of a point runs as soon as the plan is sent,
 * in parallel with the child's setup, and the point then goes on without a round trip if
 * nothing else is registered there. Work of one point runs in registration order. Not
 * thread-safe: one start's registry, used by the thread that starts it.
 */
public final class LaunchHooks {
    private final Map<HookPoint, List<LaunchHook>> on = new EnumMap<>(HookPoint.class);
    private final Map<HookPoint, List<LaunchHook>> ahead = new EnumMap<>(HookPoint.class);
    private final Map<HookPoint, String> why = new EnumMap<>(HookPoint.class);
    private boolean startFifo;
    private boolean park;

    /** Runs {@code hook} when the start reaches {@code point} ({@code what} names it in errors). */
    public LaunchHooks on(HookPoint point, String what, LaunchHook hook) {
        on.computeIfAbsent(point, p -> new ArrayList<>()).add(hook);
        why.merge(point, what, (a, b) -> a + ", " + b);
        return this;
    }

    /**
     * Runs {@code hook} right after the plan is sent, before the start reaches {@code point}
     * (a launcher stop), which waits for it. The hook gets no pid.
     */
    public LaunchHooks ahead(HookPoint point, String what, LaunchHook hook) {
        if (!point.launcherStop()) throw new IllegalArgumentException(point + " is not a launcher stop");
        ahead.computeIfAbsent(point, p -> new ArrayList<>()).add(hook);
        why.merge(point, what, (a, b) -> a + ", " + b);
        return this;
    }

    /**
     * A created container: the start stops at {@link HookPoint#START_CONTAINER} until a byte is
     * written to the plan's start FIFO ({@link Op.StartFifo}) — by any process, later — instead
     * of a JVM answer; {@link #drive} returns that stop's report (the container is created)
     * after {@code created} ran.
     */
    public LaunchHooks awaitStart(LaunchHook created) {
        startFifo = true;
        return on(HookPoint.START_CONTAINER, "wait for the start", created);
    }

    /**
     * A pooled start: it stops at {@link HookPoint#START_CONTAINER} (namespaces, cgroups and root
     * made, before capabilities, seccomp and exec) and {@link #drive} returns that stop's report
     * without answering it: whoever takes the container later sends the CMD_CONTINUE itself and
     * reads the launcher's STARTED, with no thread of the start waiting meanwhile
     * ({@code ContainerPool}).
     */
    public LaunchHooks park() {
        park = true;
        return on(HookPoint.START_CONTAINER, "wait in the container pool", h -> { });
    }

    /** Whether the start stops at START_CONTAINER for its taker ({@link #park}). */
    public boolean parks() {
        return park;
    }

    public boolean isEmpty() {
        return on.isEmpty() && ahead.isEmpty();
    }

    /** The launcher stops this start needs: point -> {@link Op.Hook} flags. */
    public Map<HookPoint, Op.Hook> stops() {
        Map<HookPoint, Op.Hook> out = new EnumMap<>(HookPoint.class);
        for (HookPoint p : HookPoint.values()) {
            if (!p.launcherStop() || (!on.containsKey(p) && !ahead.containsKey(p))) continue;
            int flags = (on.containsKey(p) ? Op.Hook.REPORT : 0) | (startFifo && p == HookPoint.START_CONTAINER ? Op.Hook.FIFO : 0);
            out.put(p, new Op.Hook(p, flags, "hook " + p.name().toLowerCase(java.util.Locale.ROOT) + ": " + why.get(p)));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Drives the launcher stops of one start: the work ahead of its points, then the launcher's
     * reports until its STARTED or FAILED frame, which is returned (null at EOF). Failed work
     * aborts the start: the launcher kills the child and reports FAILED, which is read (the
     * launcher is then done), and the work's exception is thrown. With {@link #awaitStart}, the
     * report of the start stop is returned instead: the container waits for its start.
     */
    public ControlChannel.Frame drive(ControlChannel control, String containerId) {
        RuntimeException failed = null;
        for (var e : ahead.entrySet()) {
            HookPoint p = e.getKey();
            try {
                for (LaunchHook h : e.getValue()) h.run(new LaunchHook.Context(p, containerId, -1));
                if (!on.containsKey(p)) proceed(control, p);
            } catch (RuntimeException x) {
                failed = x;
                abort(control, p, x);
                break;
            }
        }
        for (;;) {
            ControlChannel.Frame f = control.read();
            if (f == null || f.type() != ControlChannel.MSG_HOOK) {
                if (failed != null) throw new HookFailed(failed);
                return f;
            }
            HookPoint p = HookPoint.ofWire(f.int32(0));
            if (failed != null) { // the launcher stopped before it read our abort
                abort(control, p, failed);
                continue;
            }
            try {
                List<LaunchHook> work = on.get(p);
                if (work == null) throw new ContainerStartException("the launcher stopped at " + p + ", where nothing is registered", null);
                for (LaunchHook h : work) h.run(new LaunchHook.Context(p, containerId, f.int32(1)));
                if ((startFifo || park) && p == HookPoint.START_CONTAINER) return f; // created or pooled: it waits for `start` or a taker, not for us
                proceed(control, p);
            } catch (RuntimeException x) {
                failed = x;
                abort(control, p, x);
            }
        }
    }

    /** Runs the JVM's own point ({@link HookPoint#POSTSTART}, {@link HookPoint#POSTSTOP}). */
    public void runAt(HookPoint point, String containerId, int pid) {
        for (LaunchHook h : on.getOrDefault(point, List.of())) h.run(new LaunchHook.Context(point, containerId, pid));
    }

    public boolean has(HookPoint point) {
        return on.containsKey(point) || ahead.containsKey(point);
    }

    /**
     * CMD_CONTINUE for {@code p}. A launcher that is already gone (the child failed while we
     * worked, EPIPE) has written its FAILED report first: the read that follows returns it.
     */
    private static void proceed(ControlChannel control, HookPoint p) {
        try {
            control.sendCommand(ControlChannel.CMD_CONTINUE, p.wire());
        } catch (SyscallException gone) {
            if (gone.errno() != Errno.EPIPE && gone.errno() != 104 /* ECONNRESET */) throw gone;
        }
    }

    private static void abort(ControlChannel control, HookPoint p, RuntimeException x) {
        int errno = x instanceof SyscallException s ? s.errno() : Errno.EPERM;
        String message = x.getMessage() != null ? x.getMessage() : x.toString();
        try {
            control.sendAbort(p.wire(), errno, message);
        } catch (RuntimeException gone) {
            // the launcher is gone (the child failed first): its report, or its absence, says why
        }
    }

    @Override
    public String toString() {
        return "LaunchHooks[on=" + on.keySet() + ", ahead=" + ahead.keySet() + "]";
    }

    /** What registered work threw, carried past the launch's own error handling to be rethrown as it is. */
    public static final class HookFailed extends RuntimeException {
        HookFailed(RuntimeException cause) {
            super(cause);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
        }
    }
}
