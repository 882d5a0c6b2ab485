package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.ExecSpec;
import io.jcontainer.ContainerProcess;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStats;
import io.jcontainer.Resources;
import io.jcontainer.Namespace;
import io.jcontainer.Signal;
import io.jcontainer.linux.cgroup.ContainerCgroup;
import io.jcontainer.linux.launch.ControlChannel;
import io.jcontainer.linux.sys.Syscalls;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** A started container: its launcher's control channel, its streams, its cgroup. */
final class LinuxContainer extends MonitoredProcess implements Container {
    private final String id;
    private final ContainerSpec spec;
    private final ContainerCgroup cgroup;
    private final Runnable onClosed;
    private final LinuxContainerRuntime runtime;
    /** Exec'd processes whose handles are open: close() closes them (their streams are ours to free). */
    private final java.util.Set<ContainerProcess> execs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** A pooled container stopped before exec: what lets it go or ends it; null once it went (or never parked). */
    private volatile Parked parked;

    /** The two ways out of a pooled container's stop before exec (LinuxContainerRuntime makes them). */
    interface Parked {
        /** CMD_CONTINUE and the launcher's STARTED, on the caller's thread; throws the start's failure. */
        void go();

        /** Aborts the stop: the launcher kills and reaps the child; the exit is recorded (close cleans up). */
        void discard();
    }

    LinuxContainer(String id, ContainerSpec spec, int pid, int launcherPid, boolean launcherIsChild, ControlChannel control, OutputStream stdin,
                   InputStream stdout, InputStream stderr, int ttyControl, ContainerCgroup cgroup, Syscalls sys, Runnable onClosed,
                   LinuxContainerRuntime runtime) {
        super(pid, launcherPid, launcherIsChild, control, stdin, stdout, stderr, sys, ttyControl);
        this.id = id;
        this.spec = spec;
        this.cgroup = cgroup;
        this.onClosed = onClosed;
        this.runtime = runtime;
    }

    void park(Parked p) {
        parked = p;
    }

    /**
     * Lets a pooled container go on to exec ({@link ContainerPool#start}): returns once the
     * launcher reported it started; throws, as a start would, when it failed (this handle is then
     * closed).
     */
    void unpark() {
        Parked p = parked;
        if (p == null) throw new IllegalStateException(describe() + " is not waiting in a pool");
        parked = null;
        p.go();
    }

    /** Called on the supervisor thread with the launcher's EXITED frame, or null if it vanished. */
    void exited(ControlChannel.Frame frame) {
        ContainerExit e = LauncherExit.decode(frame);
        if (cgroup != null && e.signaled() && e.signal() == Signal.KILL.number()) {
            try {
                e = e.withOomKilled(cgroup.oomKilled());
            } catch (RuntimeException ignored) {
                // the cgroup is gone already: no OOM information
            }
        }
        exited(e);
    }

    @Override
    protected boolean recorded() {
        return spec.detached() || spec.name() != null;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ContainerSpec spec() {
        return spec;
    }

    @Override
    protected String describe() {
        return "container " + id.substring(0, 12);
    }

    @Override
    protected String notAPipe(String stream) {
        if (spec.detached() && (spec.tty() || stream.equals("stdin") && spec.stdin() instanceof io.jcontainer.Stdio.Pipe))
            return stream + " of a detached container is held by its monitor: attach with ContainerStore.attach";
        return stream + " is not a pipe (" + (stream.equals("stdin") ? "it is " + spec.stdin() : where(stream.equals("stdout") ? spec.stdout() : spec.stderr())) + ")";
    }

    private String where(io.jcontainer.Stdio s) {
        if (spec.tty()) return "with a terminal, stdout and stderr are the terminal: read stdout()";
        if (spec.detached() && s instanceof io.jcontainer.Stdio.Pipe) return "a detached container's output goes to its log";
        return "it is " + s;
    }

    @Override
    public void kill() {
        signal(Signal.KILL);
    }

    @Override
    protected String noTerminal() {
        return spec.detached() && spec.tty() ? "is detached: its monitor holds the terminal (AttachSession.resize)" : "has no terminal (tty(true))";
    }

    @Override
    public ContainerStats stats() {
        return cgroup().stats();
    }

    @Override
    public void pause() {
        cgroup().freeze();
    }

    @Override
    public void unpause() {
        cgroup().thaw();
    }

    @Override
    public void update(Resources resources) {
        cgroup().update(resources);
    }

    private ContainerCgroup cgroup() {
        if (cgroup == null)
            throw new IllegalStateException("container " + id.substring(0, 12) + " has no cgroup: one is created when a resource "
                    + "limit is set, the PID namespace is off or it is detached (and this host has a writable cgroup hierarchy)");
        if (closed) throw new IllegalStateException("container " + id.substring(0, 12) + " is closed");
        return cgroup;
    }

    @Override
    public ContainerProcess exec(ExecSpec e) {
        ContainerExit done = exit.now();
        if (done != null || closed)
            throw new ContainerNotRunningException("cannot exec in container " + id.substring(0, 12) + ": it is not running ("
                    + (done != null ? done : "closed") + ")");
        return runtime.exec(this, cgroup, e, execs);
    }

    @Override
    public ContainerExit stop(Duration grace) throws InterruptedException {
        if (!exit.isDone()) {
            try {
                signal(spec.stopSignal());
            } catch (RuntimeException ignored) {
                // the launcher is gone already: the wait below sees the exit
            }
            if (waitFor(grace).isEmpty()) killEverything();
        }
        return waitFor(Duration.ofSeconds(30)).orElseThrow(() ->
                new ContainerException("container " + id.substring(0, 12) + " did not exit within 30 s of SIGKILL"));
    }

    /**
     * SIGKILL to every process of the container. With a PID namespace, PID 1's death makes the
     * kernel kill the rest; without one, the process group goes first (while the first process
     * still leads it), then the cgroup catches whatever left the group (setsid).
     */
    private void killEverything() {
        try {
            if (!spec.has(Namespace.PID)) control.sendCommand(ControlChannel.CMD_SIGNAL_GROUP, Signal.KILL.number());
            control.sendCommand(ControlChannel.CMD_SIGNAL, Signal.KILL.number());
        } catch (RuntimeException ignored) {
            // the launcher is gone: its child died with it (PDEATHSIG)
        }
        if (cgroup != null) cgroup.killAll();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Parked waiting = parked;
        if (waiting != null) {
            parked = null;
            waiting.discard(); // never exec'd: no supervisor watches it, the abort is its end
        }
        try {
            if (!exit.isDone()) {
                if (spec.detached()) {
                    control.close(); // let go: a detached container lives on
                } else {
                    killEverything(); // not only the first process: without a PID namespace the rest would live on
                    awaitExit();
                }
            }
        } finally {
            for (ContainerProcess p : execs) closeQuietly(p);
            releaseTerminal();
            if (stdin != null) closeQuietly(stdin);
            if (stdout != null) closeQuietly(stdout);
            if (stderr != null) closeQuietly(stderr);
            try {
                if (cgroup != null && !spec.detached()) cgroup.close();
            } finally {
                onClosed.run(); // even if a cgroup could not be removed: the handle is closed
            }
        }
    }

    private void awaitExit() {
        boolean interrupted = false;
        try {
            for (int i = 0; i < 100 && !exit.isDone(); i++) {
                try {
                    exit.await(Duration.ofMillis(100));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (!exit.isDone()) control.close(); // the launcher kills the container on EOF
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing a pipe end cannot fail in a way that matters here
        }
    }

    @Override
    public String toString() {
        return "Container[" + id.substring(0, 12) + ", pid " + pid + (exit.isDone() ? ", " + exit.now() : ", running") + "]";
    }
}
