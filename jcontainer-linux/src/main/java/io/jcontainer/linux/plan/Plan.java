package io.jcontainer.linux.plan;

import java.util.List;

/**
 * A compiled container setup: the clone flags and three ordered op lists (see {@code plan.h}):
 * {@code pre} runs in the launcher before clone, {@code parent} in the launcher while the child
 * waits (id maps, cgroup placement), {@code child} in the child, ending with {@link Op.Exec}.
 */
public record Plan(long cloneFlags, int flags, List<Op> pre, List<Op> parent, List<Op> child) {
    /**
     * plan.h PF_*: the container dies when the JVM's end of the control socket closes; the
     * launcher turns non-dumpable; a socketpair joins the child and the network helper.
     */
    public static final int KILL_ON_EOF = 1, NOT_DUMPABLE = 2, NET_HELPER = 4;
    /**
     * plan.h PF_NO_MONITOR: a created container whose launcher exits once it waits at its start
     * FIFO (runc's create), or an exec whose launcher exits once it has reported STARTED (runc's exec -d).
     */
    public static final int NO_MONITOR = 8;

    /** plan.h PHASE_*: where a failure report's op index points. */
    public static final int PHASE_PLAN = 0, PHASE_PRE = 1, PHASE_PARENT = 2, PHASE_CHILD = 3;

    public static final long CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x00020000, CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    public Plan {
        pre = List.copyOf(pre);
        parent = List.copyOf(parent);
        child = List.copyOf(child);
    }

    /** The op of a failure report: phase 1 = pre, 2 = parent, 3 = child. */
    public Op op(int phase, int index) {
        List<Op> ops = switch (phase) {
            case PHASE_PRE -> pre;
            case PHASE_PARENT -> parent;
            case PHASE_CHILD -> child;
            default -> List.of();
        };
        return index >= 0 && index < ops.size() ? ops.get(index) : null;
    }
}
