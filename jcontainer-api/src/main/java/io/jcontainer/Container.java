package io.jcontainer;

import java.time.Duration;

/**
 * A running (or finished) container: a process tree in its own namespaces, root filesystem and
 * cgroup. Start one with the fluent builder:
 *
 * <pre>{@code
 * try (var c = Container.builder()
 *         .namespaces(PID, NET, MNT, UTS, IPC, USER)
 *         .rootfs(Path.of("/srv/rootfs"))
 *         .hostname("job-42")
 *         .command("/bin/sh", "-c", "echo hello from $(hostname)")
 *         .start()) {
 *     String out = new String(c.stdout().readAllBytes());
 *     ContainerExit exit = c.waitFor();
 * }
 * }</pre>
 *
 * <p>{@link #close()} kills whatever still runs in the container, reaps it, and removes its
 * mounts, cgroups and temporary files; it is idempotent. A container also dies when the JVM does,
 * unless it was started {@linkplain ContainerSpec.Builder#detached(boolean) detached}.
 *
 * <p>No thread is kept per container: exits are observed by one shared supervisor thread.
 */
public interface Container extends ContainerProcess {

    /** A builder with docker's defaults; see {@link ContainerSpec}. */
    static ContainerSpec.Builder builder() {
        return new ContainerSpec.Builder();
    }

    /** 64 hex digits, docker-style. */
    String id();

    ContainerSpec spec();

    /** The host pid of the container's first process. */
    long pid();

    // stdin/stdout/stderr (only when that stream is Stdio.PIPE), waitFor, onExit (never blocks a
    // thread of its own), isRunning and exitCode (docker-style: 128 + signal) are ContainerProcess's,
    // about the container's first process.

    /** Sends a signal to the container's first process (PID 1 ignores signals it has no handler for). */
    void signal(Signal signal);

    /** SIGKILL to the first process; with a PID namespace this ends every process in the container. */
    void kill();

    /**
     * The container's resource use, read from its cgroup now. A container has a cgroup when it was
     * started with a resource limit or without a PID namespace; for one without, this throws
     * {@link IllegalStateException}.
     */
    ContainerStats stats();

    /** Freezes every process of the container (cgroup freezer); they stay stopped until {@link #unpause()}. */
    void pause();

    void unpause();

    /**
     * Changes resource limits of the running container. On cgroup v1 a limit can only be changed
     * if a limit of that kind was set at start (the controller is attached then).
     */
    void update(Resources resources);

    /**
     * Stops the container the way {@code docker stop -t} does: sends the {@linkplain ContainerSpec#stopSignal()
     * stop signal} to the first process, waits up to {@code grace} for it to exit, then SIGKILLs
     * every process in the container (with a PID namespace killing PID 1 ends them all; without
     * one, its process group and its cgroup are killed). Returns how the first process ended.
     * Without {@linkplain ContainerSpec#init() init} a PID 1 payload ignores a stop signal it
     * has no handler for, so the grace period then passes in full.
     */
    ContainerExit stop(Duration grace) throws InterruptedException;

    /**
     * Runs a command inside this running container (docker exec): it joins the container's
     * namespaces and cgroup and gets its security settings. Throws
     * {@link ContainerNotRunningException} if the container has exited.
     */
    ContainerProcess exec(ExecSpec exec);

    /** Sets the size of the container's terminal (docker resizes on SIGWINCH); only with {@link ContainerSpec#tty()}. */
    void resizeTerminal(int rows, int cols);

    /** Kills what still runs, reaps it and removes everything the container had on the host. */
    @Override
    void close();
}
