package io.jcontainer.linux.plan;

/**
 * Where a start stops so that the JVM (or whoever starts a created container) does work the
 * launcher cannot — plan.h {@code HOOK_*}, named after the OCI hooks that run there. The first
 * three are launcher stops ({@link Op.Hook}); a point nobody registered work for has none and
 * costs nothing. The last two are the JVM's own: after STARTED and after EXITED.
 */
public enum HookPoint {
    /** After clone, before the child sets up: its pid is known (id maps, cgroups, network plumbing). */
    CREATE_RUNTIME(1),
    /** The child's root is set up, before pivot_root (cgroups made in parallel with the setup). */
    CREATE_CONTAINER(2),
    /** After pivot_root, before the process setup and exec: where a created container waits for its start. */
    START_CONTAINER(3),
    /** The payload runs (the launcher reported STARTED). */
    POSTSTART(0),
    /** The payload has ended (the launcher reported EXITED). */
    POSTSTOP(0);

    private final int wire;

    HookPoint(int wire) {
        this.wire = wire;
    }

    /** The point's number in plan.h; 0 for the JVM's own points. */
    public int wire() {
        return wire;
    }

    /** Whether the launcher stops there (an {@link Op.Hook}). */
    public boolean launcherStop() {
        return wire != 0;
    }

    public static HookPoint ofWire(int wire) {
        for (HookPoint p : values()) if (p.wire == wire && wire != 0) return p;
        throw new IllegalArgumentException("no hook point " + wire);
    }
}
