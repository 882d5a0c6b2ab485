package io.jcontainer.linux.cgroup;

import io.jcontainer.Resources;

/** pids: the maximum number of tasks (a fork bomb stops there with EAGAIN). Same files in v1 and v2. */
final class PidsController {
    /** docker update's {@code --pids-limit -1}: lifts a limit set before ({@code pids.max} "max"). Long.MAX_VALUE. */
    static final long UNLIMITED = Long.MAX_VALUE;

    private PidsController() {
    }

    static boolean wanted(Resources r) {
        return r.pidsLimit() > 0;
    }

    static void apply(Dir d, Resources r) {
        if (r.pidsLimit() > 0) d.set("pids-limit", "pids.max", r.pidsLimit() == UNLIMITED ? "max" : Long.toString(r.pidsLimit()));
    }

    static long current(Dir d) {
        return d.number("pids.current");
    }
}
