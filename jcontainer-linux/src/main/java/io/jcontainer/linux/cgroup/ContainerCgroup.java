package io.jcontainer.linux.cgroup;

import io.jcontainer.ContainerStats;
import io.jcontainer.Resources;

import java.util.List;

/** The cgroup(s) of one container. */
public interface ContainerCgroup extends AutoCloseable {
    /**
     * The files that place the child in the cgroup(s) before its command runs: {@code cgroup.procs}
     * (v2), which the launcher writes the child's pid to while the child waits; or, on v1, one
     * {@code tasks} file per hierarchy, to which the child writes "0" (itself) as its first step —
     * a single-thread self-move is the one migration that skips the kernel's global threadgroup
     * lock and the RCU grace period its writers wait for (5–15 ms measured here per start).
     */
    List<String> procsFiles();

    /** Whether the kernel's OOM killer ran in this cgroup. */
    boolean oomKilled();

    /** Kills every process in the cgroup. */
    void killAll();

    /** Resource use now. */
    default ContainerStats stats() {
        throw new UnsupportedOperationException("no statistics for this cgroup");
    }

    /** Freezes every task and waits until the kernel reports them frozen. */
    default void freeze() {
        throw new UnsupportedOperationException("this cgroup cannot be frozen");
    }

    default void thaw() {
        throw new UnsupportedOperationException("this cgroup cannot be frozen");
    }

    /** Applies new limits to the running container (the set fields of {@code resources}). */
    default void update(Resources resources) {
        throw new UnsupportedOperationException("this cgroup cannot be updated");
    }

    /** Removes the cgroup(s), leaf first; waits briefly for tasks to leave. Idempotent. */
    @Override
    void close();
}
