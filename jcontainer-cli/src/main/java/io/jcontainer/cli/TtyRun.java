package io.jcontainer.cli;

import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStartException;
import io.jcontainer.docker.DetachKeys;
import io.jcontainer.lifecycle.Containers;

import java.util.List;

/**
 * {@code run -t} (with or without {@code -i}, without {@code -d}): as docker's, the container
 * outlives the session. It is started the way {@code run -dit} starts one — detached, recorded
 * (so {@code ps}, {@code attach}, {@code stop}, {@code rm} find it), its monitor holding the
 * terminal — and this process attaches to it at once, before the monitor reads any output
 * ({@link Containers#runAttached}), so nothing is missed. The session is
 * {@code attach}'s: raw mode and the window size (now and on SIGWINCH) when stdin is a
 * terminal and {@code -i} is given; ctrl-c is a byte to the container's terminal; the detach keys
 * (ctrl-p ctrl-q, {@code --detach-keys}) end this process with 0 and leave the container running.
 * When the container ends during the session the exit status is its own (128+n when killed).
 *
 * <p>As docker's, the container is kept once it has ended (logs, start, ps -a) unless
 * {@code --rm}: then its record is removed when it ends during the session; after a detach it is
 * marked for auto-removal, and whoever next finds it exited removes it (the attach that sees it
 * end, or any later CLI command).
 */
final class TtyRun {
    private TtyRun() {
    }

    static int run(ContainerSpec.Builder b, Flags.Parsed p, List<String> command, DetachKeys keys, Io io, Cidfile cidfile) throws Exception {
        ContainerSpec spec = RunCommand.detachedSpec(b, p).build();
        Containers.Attached started;
        try {
            started = Store.containers().runAttached(spec, p.bool("rm"));
        } catch (ContainerStartException e) {
            if ("execve".equals(e.syscall())) throw RunCommand.execFailure(command.getFirst(), e);
            throw e;
        }
        cidfile.write(started.container().id());
        HealthMonitor.spawn(started.container().id(), spec);
        // docker: no signal proxy with a terminal (ctrl-c is a byte to it)
        return AttachCommand.session(started.container(), started.session(), p.bool("interactive"), keys, false, io);
    }

    /**
     * {@code run} without {@code --rm}, {@code -t}, {@code -i} or {@code -d}: docker keeps the
     * container. Started detached and recorded (output logged by its monitor), attached from its
     * first output on; signals to this process go to the container (--sig-proxy); the exit status
     * is its own. Killing this process leaves it running, as killing {@code docker run} does.
     */
    static int kept(ContainerSpec.Builder b, Flags.Parsed p, List<String> command, Io io, Cidfile cidfile) throws Exception {
        ContainerSpec spec = RunCommand.detachedSpec(b, p).build();
        Containers.Attached started;
        try {
            started = Store.containers().runAttached(spec, false);
        } catch (ContainerStartException e) {
            if ("execve".equals(e.syscall())) throw RunCommand.execFailure(command.getFirst(), e);
            throw e;
        }
        cidfile.write(started.container().id());
        HealthMonitor.spawn(started.container().id(), spec);
        boolean proxy = io.inherited() && (!p.has("sig-proxy") || p.bool("sig-proxy"));
        return AttachCommand.session(started.container(), started.session(), false, AttachCommand.detachKeys(null), proxy, io);
    }
}
