package io.jcontainer.lifecycle;

/** docker wait's {@code condition} (the Engine API's {@code POST /containers/{id}/wait}). */
public enum WaitCondition {
    /** Returns at once for a container that does not run; otherwise when it stops. The default. */
    NOT_RUNNING,
    /** Waits for the next exit, even of a container that does not run now (a later start). */
    NEXT_EXIT,
    /** Waits until the container has been removed (docker's {@code --rm}, or an {@code rm}). */
    REMOVED;

    /** docker's spelling: {@code not-running}, {@code next-exit}, {@code removed}. */
    public static WaitCondition parse(String s) {
        return switch (s) {
            case "", "not-running" -> NOT_RUNNING;
            case "next-exit" -> NEXT_EXIT;
            case "removed" -> REMOVED;
            default -> throw new IllegalArgumentException("invalid condition: \"" + s + "\" (not-running, next-exit or removed)");
        };
    }
}
