package io.jcontainer.linux.launch;

import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One launcher, started with {@code --serve} on first use, that forks a launcher for each
 * request (serve.c, {@code serve_main}). A request is one SOCK_SEQPACKET message: a magic
 * word with the launcher's four descriptors as SCM_RIGHTS. The message is the whole request,
 * so threads send concurrently without a lock and the server never answers: each launcher
 * reports on its own control socket (its STARTED frame carries its pid).
 *
 * <p>Why: posix_spawn of the launcher costs an exec — a new image mapped and faulted in —
 * on every container start; a fork of the small, single-threaded server costs a few page tables
 * (measured in benchmarks: "spawn: server vs direct"). The server is the JVM's child, in its
 * own process group with clean signal state (as every directly spawned launcher is), and exits
 * when its socket closes: at {@link #close()} or when the JVM dies. Launchers it started are
 * not affected by its end. If it is found gone (killed from outside), the next request starts
 * a new one.
 */
final class SpawnServer implements LauncherSpawner {
    /** plan.h SERVE_MAGIC, SERVE_FDS: a request is the magic with the launcher's stdin, stdout, stderr and control socket. */
    static final int MAGIC = 0x6a637376, FDS = 4;
    private static final byte[] REQUEST = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).array();

    private final Syscalls sys;
    private final LauncherImage image;
    private int socket = -1, pid = -1;
    private boolean closed;

    SpawnServer(Syscalls sys, LauncherImage image) {
        this.sys = sys;
        this.image = image;
    }

    @Override
    public Spawned spawn(int[] fds) {
        if (fds.length != FDS) throw new IllegalArgumentException("a launcher takes " + FDS + " descriptors, not " + fds.length);
        int s = socket();
        try {
            sys.sendFds(s, REQUEST, fds);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EPIPE && e.errno() != Errno.ECONNRESET) throw e;
            // The server died (killed from outside): reap it, start another, ask once more.
            sys.sendFds(restart(s), REQUEST, fds);
        }
        return new Spawned(-1, false);
    }

    private synchronized int socket() {
        if (closed) throw new IllegalStateException("the spawn server is closed");
        if (socket < 0) start();
        return socket;
    }

    private synchronized int restart(int dead) {
        if (socket == dead) {
            stop();
            start();
        }
        return socket;
    }

    private void start() {
        int[] pair = sys.seqpacketPair();
        int devnull = -1;
        try {
            devnull = sys.open("/dev/null", Syscalls.O_RDWR | Syscalls.O_CLOEXEC, 0);
            pid = sys.spawn(image.path(), new int[]{devnull, devnull, devnull, pair[1]},
                    List.of("jcontainer-launcher", "--serve"), List.of());
            socket = pair[0];
        } catch (RuntimeException e) {
            sys.closeQuietly(pair[0]);
            throw e;
        } finally {
            sys.closeQuietly(pair[1]);
            if (devnull >= 0) sys.closeQuietly(devnull);
        }
    }

    /** Closes the socket (the server exits on EOF) and reaps the server. */
    private void stop() {
        if (socket >= 0) sys.closeQuietly(socket);
        socket = -1;
        if (pid > 0) {
            try {
                sys.waitPid(pid, false);
            } catch (RuntimeException ignored) {
                // reaped already
            }
        }
        pid = -1;
    }

    @Override
    public synchronized void close() {
        closed = true;
        stop();
    }
}
