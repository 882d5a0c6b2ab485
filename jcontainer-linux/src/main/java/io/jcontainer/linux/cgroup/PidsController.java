package io.jcontainer.linux.cgroup;

import io.jcontainer.Resources;

/** pids: the maximum number of tasks (a fork bomb stops there with EAGAIN). Same files in v1 and v2. */
final class PidsController {
    private PidsController() {
    }

    static boolean wanted(Resources r) {
        return r.pidsLimit() > 0;
    }

    static void apply(Dir d, Resources r) {
        if (r.pidsLimit() > 0) d.set("pids-limit", "pids.max", Long.toString(r.pidsLimit()));
    }

    static long current(Dir d) {
        return d.number("pids.current");
    }
}
