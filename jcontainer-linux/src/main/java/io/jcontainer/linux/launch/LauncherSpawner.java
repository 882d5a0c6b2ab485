package io.jcontainer.linux.launch;

import io.jcontainer.linux.sys.Syscalls;

import java.util.List;

/**
 * How a launcher process comes to be, given the four descriptors it must have as 0, 1, 2 and 3
 * (stdin, stdout, stderr, control socket).
 * <ul>
 *   <li>{@link #direct}: posix_spawn of the launcher image for every container. The launcher is
 *       the JVM's child, reaped with waitid.</li>
 *   <li>{@link SpawnServer}: one launcher started once with {@code --serve} forks a launcher
 *       per request. Saves the exec of a new image on every start; the launchers are the
 *       server's children, and it reaps them.</li>
 * </ul>
 * Either way the JVM never forks, so the cost does not depend on its heap, and the launcher
 * starts with clean signal state, in its own process group, holding nothing else of the JVM.
 */
public interface LauncherSpawner extends AutoCloseable {

    /** A started launcher: its pid when the spawn tells it (-1 otherwise), and whether the JVM must reap it. */
    record Spawned(int pid, boolean jvmChild) {
    }

    Spawned spawn(int[] fds);

    /** Stops spawning; launchers already started are not affected. */
    @Override
    void close();

    /** posix_spawn per launcher. */
    static LauncherSpawner direct(Syscalls sys, LauncherImage image) {
        return new LauncherSpawner() {
            @Override
            public Spawned spawn(int[] fds) {
                return new Spawned(sys.spawn(image.path(), fds, List.of("jcontainer-launcher"), List.of()), true);
            }

            @Override
            public void close() {
            }
        };
    }

    /** {@code direct}, or {@code server}. */
    static LauncherSpawner forMode(String mode, Syscalls sys, LauncherImage image) {
        return checkMode(mode).equals("direct") ? direct(sys, image) : new SpawnServer(sys, image);
    }

    /** {@code mode} if it is {@code server} or {@code direct}; else an exception saying so. */
    static String checkMode(String mode) {
        if (!mode.equals("server") && !mode.equals("direct"))
            throw new IllegalArgumentException("spawn mode must be 'server' or 'direct', not '" + mode + "'");
        return mode;
    }
}
