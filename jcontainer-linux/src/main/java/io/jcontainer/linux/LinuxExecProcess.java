package io.jcontainer.linux;

import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Signal;
import io.jcontainer.linux.launch.ControlChannel;
import io.jcontainer.linux.sys.Syscalls;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** A process exec'd into a running container: its own launcher (monitor), control channel and streams. */
final class LinuxExecProcess extends MonitoredProcess {
    private final Runnable onClosed;
    private volatile boolean closed;

    /** @param ttyControl a dup of the master of its terminal (exec with tty), owned by this handle; -1 for none */
    LinuxExecProcess(int pid, int launcherPid, boolean launcherIsChild, ControlChannel control, OutputStream stdin, InputStream stdout,
                        InputStream stderr, Syscalls sys, Runnable onClosed, int ttyControl) {
        super(pid, launcherPid, launcherIsChild, control, stdin, stdout, stderr, sys, ttyControl);
        this.onClosed = onClosed;
    }

    @Override
    protected String noTerminal() {
        return closed ? "is closed" : "has no terminal (ExecSpec.withTty(true))";
    }

    /** On the supervisor thread: the EXITED frame, or null if the launcher vanished. */
    void exited(ControlChannel.Frame frame) {
        exited(LauncherExit.decode(frame));
    }

    @Override
    protected String describe() {
        return "process " + pid;
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
            releaseTerminal();
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
        return "ContainerProcess[pid " + pid + (exit.isDone() ? ", " + exit.now() : ", running") + "]";
    }
}
