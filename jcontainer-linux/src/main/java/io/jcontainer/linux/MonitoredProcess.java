package io.jcontainer.linux;

import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Signal;
import io.jcontainer.linux.launch.ControlChannel;
import io.jcontainer.linux.sys.Syscalls;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A process that one of our launchers monitors — a container's first process ({@link LinuxContainer})
 * or one exec'd into it ({@link LinuxExecProcess}): its pid, the launcher's control channel,
 * the JVM's ends of its pipes, and its exit. The handles add only what differs.
 */
abstract class MonitoredProcess implements ContainerProcess {
    protected final int pid;
    protected final int launcherPid;
    /** Posix_spawned by the JVM (reaped here), or forked by the spawn server (reaped there). */
    private final boolean launcherIsChild;
    protected final ControlChannel control;
    protected final OutputStream stdin;
    protected final InputStream stdout, stderr;
    protected final Syscalls sys;
    protected final LauncherExit exit = new LauncherExit();
    private int ttyControl; // a dup of its terminal's master, for resizing only; -1 without one (or once released)

    /** @param ttyControl a dup of the master of its terminal, owned by this handle; -1 for none */
    MonitoredProcess(int pid, int launcherPid, boolean launcherIsChild, ControlChannel control, OutputStream stdin, InputStream stdout,
                     InputStream stderr, Syscalls sys, int ttyControl) {
        this.ttyControl = ttyControl;
        this.pid = pid;
        this.launcherPid = launcherPid;
        this.launcherIsChild = launcherIsChild;
        this.control = control;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.sys = sys;
    }

    /** How error messages name this process, e.g. {@code container 0123456789ab}. */
    protected abstract String describe();

    /** Why a stream is not a pipe, for the message of the getter that refuses it. */
    protected String notAPipe(String stream) {
        return stream + " is not a pipe";
    }

    /** Why there is no terminal to resize, for {@link #resizeTerminal}'s message. */
    protected abstract String noTerminal();

    /** TIOCSWINSZ on its terminal's master: the kernel sends SIGWINCH to the terminal's foreground process group. */
    @Override
    public synchronized void resizeTerminal(int rows, int cols) {
        if (ttyControl < 0) throw new IllegalStateException(describe() + " " + noTerminal());
        sys.setWindowSize(ttyControl, rows, cols);
    }

    /** Closes the terminal's master dup; part of close(). */
    protected final synchronized void releaseTerminal() {
        if (ttyControl >= 0) sys.closeQuietly(ttyControl);
        ttyControl = -1;
    }

    /** On the supervisor thread, once: reaps the launcher and publishes the exit. */
    protected final void exited(ContainerExit e) {
        LauncherExit.reap(sys, launcherIsChild ? launcherPid : -1, control);
        if (!launcherIsChild && recorded()) awaitLauncherGone();
        exit.complete(e);
    }

    /**
     * Whether other processes judge this container by its launcher being alive (a recorded
     * container: its store entry says "restarting" while the monitor lives on after an exit).
     */
    protected boolean recorded() {
        return false;
    }

    /**
     * A launcher forked by the spawn server exits right after its report and is reaped there:
     * wait (briefly: it is exiting) until it is gone, so that whoever saw this exit also sees
     * the monitor gone.
     */
    private void awaitLauncherGone() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (launcherPid > 0 && io.jcontainer.linux.state.ProcStat.alive(launcherPid, -1) && System.nanoTime() < deadline)
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public OutputStream stdin() {
        if (stdin == null) throw new IllegalStateException(notAPipe("stdin"));
        return stdin;
    }

    @Override
    public InputStream stdout() {
        if (stdout == null) throw new IllegalStateException(notAPipe("stdout"));
        return stdout;
    }

    @Override
    public InputStream stderr() {
        if (stderr == null) throw new IllegalStateException(notAPipe("stderr"));
        return stderr;
    }

    @Override
    public ContainerExit waitFor() throws InterruptedException {
        return exit.await();
    }

    @Override
    public Optional<ContainerExit> waitFor(Duration timeout) throws InterruptedException {
        return exit.await(timeout);
    }

    @Override
    public CompletableFuture<ContainerExit> onExit() {
        return exit.copy();
    }

    @Override
    public boolean isRunning() {
        return !exit.isDone();
    }

    @Override
    public int exitCode() {
        ContainerExit e = exit.now();
        if (e == null) throw new IllegalStateException(describe() + " is still running");
        return e.code();
    }

    @Override
    public void signal(Signal signal) {
        if (!exit.isDone()) control.sendCommand(ControlChannel.CMD_SIGNAL, signal.number());
    }
}
