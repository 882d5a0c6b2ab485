package io.jcontainer.linux;

import io.jcontainer.ContainerExit;
import io.jcontainer.SandboxProcess;
import io.jcontainer.Signal;
import io.jcontainer.linux.launch.ControlChannel;
import io.jcontainer.linux.sys.Syscalls;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A process exec'd into a running sandbox: its own launcher (monitor), control channel and streams. */
final class LinuxSandboxProcess implements SandboxProcess {
    private final int pid, launcherPid;
    private final ControlChannel control;
    private final OutputStream stdin;
    private final InputStream stdout, stderr;
    private final Syscalls sys;
    private final Runnable onClosed;
    private final LauncherExit exit = new LauncherExit();
    private volatile boolean closed;

    LinuxSandboxProcess(int pid, int launcherPid, ControlChannel control, OutputStream stdin, InputStream stdout,
                        InputStream stderr, Syscalls sys, Runnable onClosed) {
        this.onClosed = onClosed;
        this.pid = pid;
        this.launcherPid = launcherPid;
        this.control = control;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.sys = sys;
    }

    /** On the supervisor thread: the EXITED frame, or null if the launcher vanished. */
    void exited(ControlChannel.Frame frame) {
        LauncherExit.reap(sys, launcherPid, control);
        exit.complete(LauncherExit.decode(frame));
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public OutputStream stdin() {
        if (stdin == null) throw new IllegalStateException("stdin is not a pipe");
        return stdin;
    }

    @Override
    public InputStream stdout() {
        if (stdout == null) throw new IllegalStateException("stdout is not a pipe");
        return stdout;
    }

    @Override
    public InputStream stderr() {
        if (stderr == null) throw new IllegalStateException("stderr is not a pipe");
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
        if (e == null) throw new IllegalStateException("process " + pid + " is still running");
        return e.code();
    }

    @Override
    public void signal(Signal signal) {
        if (!exit.isDone()) control.sendCommand(ControlChannel.CMD_SIGNAL, signal.number());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (!exit.isDone()) {
                try {
                    control.sendCommand(ControlChannel.CMD_SIGNAL, Signal.KILL.number());
                } catch (RuntimeException ignored) {
                    // the launcher is gone already
                }
                try {
                    if (waitFor(Duration.ofSeconds(10)).isEmpty()) control.close(); // EOF: the launcher kills it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    control.close();
                }
            }
        } finally {
            onClosed.run();
            for (AutoCloseable c : new AutoCloseable[]{stdin, stdout, stderr}) {
                if (c == null) continue;
                try {
                    c.close();
                } catch (Exception ignored) {
                    // a pipe end: nothing to report
                }
            }
        }
    }

    @Override
    public String toString() {
        return "SandboxProcess[pid " + pid + (exit.isDone() ? ", " + exit.now() : ", running") + "]";
    }
}
