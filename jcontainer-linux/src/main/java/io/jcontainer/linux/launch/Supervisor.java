package io.jcontainer.linux.launch;

import io.jcontainer.linux.sys.Syscalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One daemon thread that watches every running container's control socket with epoll, so a
 * thousand idle containers cost one thread, not a thousand. When a launcher reports its child's
 * exit (or dies), the registered callback runs on this thread; callbacks must be quick.
 */
public final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    private final Syscalls sys;
    private final int epfd;
    private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1);

    /** What the supervisor reports: the EXITED frame, or null when the launcher vanished. */
    public interface ExitListener extends Consumer<ControlChannel.Frame> {
    }

    private record Watch(ControlChannel channel, ExitListener listener) {
    }

    /** The eventfd's epoll id: the JVM is exiting (ids of watches start at 1). */
    private static final long WAKE = 0;
    private final int wake;
    private volatile boolean exiting;
    private boolean running; // guarded by this

    public Supervisor(Syscalls sys) {
        this.sys = sys;
        this.epfd = sys.epollCreate();
        this.wake = sys.eventfd();
        sys.epollAdd(epfd, wake, WAKE);
        // HotSpot's exit waits up to 300 ms (UserThreadWaitAttemptsAtExit x 10 ms) for threads
        // inside a native call, and this one lives in epoll_wait: every JVM that ever started a
        // container paid that at its exit. At shutdown the thread ends once nothing is watched;
        // exits still awaited by other shutdown hooks (a server stopping its containers) are served.
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(this::exiting, "jcontainer-supervisor-exit"));
        } catch (IllegalStateException alreadyExiting) {
            exiting = true;
        }
        synchronized (this) {
            startLoop();
        }
    }

    private void startLoop() {
        running = true;
        Thread t = new Thread(this::loop, "jcontainer-supervisor");
        t.setDaemon(true);
        t.start();
    }

    private void exiting() {
        exiting = true;
        try {
            sys.write(wake, new byte[]{1, 0, 0, 0, 0, 0, 0, 0}, 0, 8);
        } catch (RuntimeException ignored) {
            // best effort: the loop then ends at its next exit report
        }
    }

    public void watch(ControlChannel channel, ExitListener listener) {
        long id = ids.getAndIncrement();
        synchronized (this) {
            watches.put(id, new Watch(channel, listener));
            sys.epollAdd(epfd, channel.fd(), id);
            if (!running) startLoop(); // a container started by a shutdown hook after the loop ended
        }
    }

    /** At the JVM's exit with nothing left to watch: ends the loop (true) so no thread waits in native. */
    private boolean done() {
        if (!exiting) return false;
        synchronized (this) {
            if (!watches.isEmpty()) return false;
            running = false;
            return true;
        }
    }

    public int watched() {
        return watches.size();
    }

    private void loop() {
        long[] ready = new long[64];
        for (;;) {
            if (done()) return;
            int n;
            try {
                n = sys.epollWait(epfd, ready, -1);
            } catch (RuntimeException e) {
                LOG.error("jcontainer supervisor: epoll_wait failed; containers exits will not be observed", e);
                return;
            }
            for (int i = 0; i < n; i++) {
                if (ready[i] == WAKE) {
                    try {
                        sys.read(wake, new byte[8], 0, 8);
                    } catch (RuntimeException ignored) {
                        // drained already
                    }
                    continue;
                }
                Watch w = watches.get(ready[i]);
                if (w == null) continue;
                ControlChannel.Frame f;
                try {
                    f = w.channel.read();
                } catch (RuntimeException e) {
                    f = null;
                }
                if (f != null && f.type() != ControlChannel.MSG_EXITED) continue; // nothing else is expected
                watches.remove(ready[i]);
                try {
                    sys.epollDelete(epfd, w.channel.fd());
                } catch (RuntimeException ignored) {
                    // already closed by an impatient close(): nothing to remove
                }
                try {
                    w.listener.accept(f);
                } catch (RuntimeException e) {
                    LOG.warn("jcontainer supervisor: exit listener failed", e);
                }
            }
        }
    }
}
