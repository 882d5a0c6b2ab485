package io.jcontainer.cli;

import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStartException;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.attach.DetachKeys;
import io.jcontainer.linux.state.ContainerStore;

import java.util.List;

/**
 * {@code run -t} (with or without {@code -i}, without {@code -d}): as docker's, the sandbox
 * outlives the session. It is started the way {@code run -dit} starts one — detached, recorded
 * (so {@code ps}, {@code attach}, {@code stop}, {@code rm} find it), its monitor holding the
 * terminal — and this process attaches to it at once, before the monitor reads any output
 * ({@link LinuxContainerRuntime#startAttached}), so nothing is missed. The session is
 * {@code attach}'s: raw mode and the window size (now and on SIGWINCH) when stdin is a
 * terminal and {@code -i} is given; ctrl-c is a byte to the sandbox's terminal; the detach keys
 * (ctrl-p ctrl-q, {@code --detach-keys}) end this process with 0 and leave the sandbox running.
 * When the sandbox ends during the session the exit status is its own (128+n when killed).
 *
 * <p>{@code --rm} is this CLI's default for foreground runs: the record is removed when the
 * sandbox ends during the session; after a detach it is marked for auto-removal, and whoever
 * next finds it exited removes it (the attach that sees it end, or any later CLI command).
 */
final class TtyRun {
    private TtyRun() {
    }

    static int run(ContainerSpec.Builder b, Flags.Parsed p, List<String> command, DetachKeys keys, Io io) throws Exception {
        ContainerSpec spec = RunCommand.detachedSpec(b, p).build();
        LinuxContainerRuntime runtime = Store.runtime();
        LinuxContainerRuntime.AttachedStart started;
        try {
            started = runtime.startAttached(spec, true);
        } catch (ContainerStartException e) {
            if ("execve".equals(e.syscall())) throw RunCommand.execFailure(command.getFirst(), e);
            throw e;
        }
        String id = started.container().id();
        try {
            Store.saveRunArgs(id, p); // for exec (its security settings), and start after an exit
        } catch (java.nio.file.NoSuchFileException removed) {
            // it ended at once and another command's sweep removed it (--rm): the session has its end
        } finally {
            started.container().close(); // lets go (the session holds the monitor's output): it lives on
        }
        // not Store.store(): its sweep of exited auto-removed records could take ours before we read its end
        ContainerStore.Entry e = runtime.store().find(id);
        // docker: no signal proxy with a terminal (ctrl-c is a byte to it)
        return AttachCommand.session(e, started.session(), p.bool("interactive"), keys, false, io);
    }
}
