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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A process exec'd into a running sandbox: its own launcher (monitor), control channel and streams. */
final class LinuxSandboxProcess implements SandboxProcess {
    private final int pid, launcherPid;
    private final ControlChannel control;
    private final OutputStream stdin;
    private final InputStream stdout, stderr;
    private final Syscalls sys;
    private final CompletableFuture<ContainerExit> exit = new CompletableFuture<>();
    private volatile boolean closed;

    LinuxSandboxProcess(int pid, int launcherPid, ControlChannel control, OutputStream stdin, InputStream stdout,
                        InputStream stderr, Syscalls sys) {
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
        ContainerExit e = frame == null ? ContainerExit.killed(Signal.KILL.number()) : switch (frame.int32(0)) {
            case Syscalls.WaitStatus.CLD_EXITED -> ContainerExit.exited(frame.int32(1));
            case Syscalls.WaitStatus.CLD_DUMPED -> new ContainerExit(0, frame.int32(1), true, false);
            default -> ContainerExit.killed(frame.int32(1));
        };
        try {
            sys.waitPid(launcherPid, false);
        } catch (RuntimeException ignored) {
            // reaped already
        }
        control.close();
        exit.complete(e);
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
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public Optional<ContainerExit> waitFor(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
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
        ContainerExit e = exit.getNow(null);
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
        return "SandboxProcess[pid " + pid + (exit.isDone() ? ", " + exit.getNow(null) : ", running") + "]";
    }
}
