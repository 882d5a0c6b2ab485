package io.jcontainer.linux.cgroup;

import io.jcontainer.ContainerStats;
import io.jcontainer.Resources;

import java.util.List;

/** The cgroup(s) of one sandbox. */
public interface SandboxCgroup extends AutoCloseable {
    /** The {@code cgroup.procs} files the launcher writes the child's pid to (one per v1 hierarchy). */
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

    /** Applies new limits to the running sandbox (the set fields of {@code resources}). */
    default void update(Resources resources) {
        throw new UnsupportedOperationException("this cgroup cannot be updated");
    }

    /** Removes the cgroup(s), leaf first; waits briefly for tasks to leave. Idempotent. */
    @Override
    void close();
}
