package io.jcontainer.linux.cgroup;

import java.util.List;

/** The cgroup(s) of one sandbox. */
public interface SandboxCgroup extends AutoCloseable {
    /** The {@code cgroup.procs} files the launcher writes the child's pid to (one per v1 hierarchy). */
    List<String> procsFiles();

    /** Whether the kernel's OOM killer ran in this cgroup. */
    boolean oomKilled();

    /** Kills every process in the cgroup. */
    void killAll();

    /** Removes the cgroup(s), leaf first; waits briefly for tasks to leave. Idempotent. */
    @Override
    void close();
}
