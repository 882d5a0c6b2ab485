package io.jcontainer.linux;

import io.jcontainer.ContainerExit;
import io.jcontainer.Signal;
import io.jcontainer.linux.launch.ControlChannel;
import io.jcontainer.linux.sys.Syscalls;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The end of a process a launcher monitors — a container's first process or an exec'd one: the
 * launcher's EXITED report decoded, the launcher reaped, and the waiting both handles offer.
 * Completed on the supervisor thread; waited for on any.
 */
final class LauncherExit {
    private final CompletableFuture<ContainerExit> exit = new CompletableFuture<>();

    /** The EXITED frame as an exit; null (the launcher vanished) means its child died with it (PDEATHSIG). */
    static ContainerExit decode(ControlChannel.Frame frame) {
        if (frame == null) return ContainerExit.killed(Signal.KILL.number());
        int code = frame.int32(0), status = frame.int32(1);
        return switch (code) {
            case Syscalls.WaitStatus.CLD_EXITED -> ContainerExit.exited(status);
            case Syscalls.WaitStatus.CLD_DUMPED -> new ContainerExit(0, status, true, false);
            default -> ContainerExit.killed(status);
        };
    }

    /**
     * The launcher exits right after its report: reap it so it leaves no zombie (when it is the
     * JVM's child: {@code launcherPid} > 0), and close its channel.
     */
    static void reap(Syscalls sys, int launcherPid, ControlChannel control) {
        if (launcherPid > 0) {
            try {
                sys.waitPid(launcherPid, false);
            } catch (RuntimeException ignored) {
                // reaped already
            }
        }
        control.close();
    }

    void complete(ContainerExit e) {
        exit.complete(e);
    }

    boolean isDone() {
        return exit.isDone();
    }

    /** The exit, or null while the process runs. */
    ContainerExit now() {
        return exit.getNow(null);
    }

    ContainerExit await() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    Optional<ContainerExit> await(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A future for callers: completing or cancelling it does not touch this one. */
    CompletableFuture<ContainerExit> copy() {
        return exit.copy();
    }
}
