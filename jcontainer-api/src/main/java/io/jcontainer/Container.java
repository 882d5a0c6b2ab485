package io.jcontainer;

import java.time.Duration;

/**
 * A running (or finished) sandbox: a process tree in its own namespaces, root filesystem and
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
 * <p>{@link #close()} kills whatever still runs in the sandbox, reaps it, and removes its
 * mounts, cgroups and temporary files; it is idempotent. A sandbox also dies when the JVM does,
 * unless it was started {@linkplain ContainerSpec.Builder#detached(boolean) detached}.
 *
 * <p>No thread is kept per sandbox: exits are observed by one shared supervisor thread.
 */
public interface Container extends SandboxProcess {

    /** A builder with docker's defaults; see {@link ContainerSpec}. */
    static ContainerSpec.Builder builder() {
        return new ContainerSpec.Builder();
    }

    /** 64 hex digits, docker-style. */
    String id();

    ContainerSpec spec();

    /** The host pid of the sandbox's first process. */
    long pid();

    // stdin/stdout/stderr (only when that stream is Stdio.PIPE), waitFor, onExit (never blocks a
    // thread of its own), isRunning and exitCode (docker-style: 128 + signal) are SandboxProcess's,
    // about the sandbox's first process.

    /** Sends a signal to the sandbox's first process (PID 1 ignores signals it has no handler for). */
    void signal(Signal signal);

    /** SIGKILL to the first process; with a PID namespace this ends every process in the sandbox. */
    void kill();

    /**
     * The sandbox's resource use, read from its cgroup now. A sandbox has a cgroup when it was
     * started with a resource limit or without a PID namespace; for one without, this throws
     * {@link IllegalStateException}.
     */
    ContainerStats stats();

    /** Freezes every process of the sandbox (cgroup freezer); they stay stopped until {@link #unpause()}. */
    void pause();

    void unpause();

    /**
     * Changes resource limits of the running sandbox. On cgroup v1 a limit can only be changed
     * if a limit of that kind was set at start (the controller is attached then).
     */
    void update(Resources resources);

    /**
     * Stops the sandbox the way {@code docker stop -t} does: sends the {@linkplain ContainerSpec#stopSignal()
     * stop signal} to the first process, waits up to {@code grace} for it to exit, then SIGKILLs
     * every process in the sandbox (with a PID namespace killing PID 1 ends them all; without
     * one, its process group and its cgroup are killed). Returns how the first process ended.
     * Without {@linkplain ContainerSpec#init() init} a PID 1 payload ignores a stop signal it
     * has no handler for, so the grace period then passes in full.
     */
    ContainerExit stop(Duration grace) throws InterruptedException;

    /**
     * Runs a command inside this running sandbox (docker exec): it joins the sandbox's
     * namespaces and cgroup and gets its security settings. Throws
     * {@link ContainerNotRunningException} if the sandbox has exited.
     */
    SandboxProcess exec(ExecSpec exec);

    /** Sets the size of the sandbox's terminal (docker resizes on SIGWINCH); only with {@link ContainerSpec#tty()}. */
    void resizeTerminal(int rows, int cols);

    /** Kills what still runs, reaps it and removes everything the sandbox had on the host. */
    @Override
    void close();
}
