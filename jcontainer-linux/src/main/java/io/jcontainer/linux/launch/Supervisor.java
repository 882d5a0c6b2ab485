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

    public Supervisor(Syscalls sys) {
        this.sys = sys;
        this.epfd = sys.epollCreate();
        Thread t = new Thread(this::loop, "jcontainer-supervisor");
        t.setDaemon(true);
        t.start();
    }

    public void watch(ControlChannel channel, ExitListener listener) {
        long id = ids.getAndIncrement();
        watches.put(id, new Watch(channel, listener));
        sys.epollAdd(epfd, channel.fd(), id);
    }

    public int watched() {
        return watches.size();
    }

    private void loop() {
        long[] ready = new long[64];
        for (;;) {
            int n;
            try {
                n = sys.epollWait(epfd, ready, -1);
            } catch (RuntimeException e) {
                LOG.error("jcontainer supervisor: epoll_wait failed; containers exits will not be observed", e);
                return;
            }
            for (int i = 0; i < n; i++) {
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
