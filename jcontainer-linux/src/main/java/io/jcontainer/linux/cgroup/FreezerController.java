package io.jcontainer.linux.cgroup;

/**
 * Freezing: every task of the cgroup stops where it is and stays stopped (also against
 * SIGCONT) until thawed. v2: cgroup.freeze, done when cgroup.events says {@code frozen 1}
 * (Linux 5.2+). v1: freezer.state FROZEN, passing through FREEZING.
 */
final class FreezerController {
    private FreezerController() {
    }

    static boolean available(Dir d) {
        return d.has(d.v2() ? "cgroup.freeze" : "freezer.state");
    }

    /** Freezes and waits (at most ~2 s) until the kernel reports every task frozen. */
    static void freeze(Dir d) {
        if (d.v2()) d.write("cgroup.freeze", "1");
        else d.write("freezer.state", "FROZEN");
        for (int i = 0; i < 2000 && !frozen(d); i++) {
            sleepMillis(1);
            // v1 can stay FREEZING while a task sits in an uninterruptible wait: ask again
            if (!d.v2() && i % 100 == 99) d.write("freezer.state", "FROZEN");
        }
    }

    static void thaw(Dir d) {
        if (d.v2()) d.write("cgroup.freeze", "0");
        else d.write("freezer.state", "THAWED");
    }

    static boolean frozen(Dir d) {
        return d.v2() ? d.keyed("cgroup.events", "frozen") == 1 : d.read("freezer.state").strip().equals("FROZEN");
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
