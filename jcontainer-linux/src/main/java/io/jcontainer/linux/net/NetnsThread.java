package io.jcontainer.linux.net;

import io.jcontainer.ContainerException;
import io.jcontainer.linux.sys.Syscalls;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A platform thread of its own that lives in one network namespace: setns(2) and
 * unshare(CLONE_NEWNET) move only the calling thread, so work inside another namespace happens
 * on a thread that runs nothing else and ends with {@link #close()} — never a pooled JVM thread
 * that would later run unrelated work in the wrong namespace.
 */
public final class NetnsThread implements AutoCloseable {
    private final ExecutorService thread;
    private final Syscalls sys;
    private int ownFd = -1;

    private NetnsThread(Syscalls sys, String name) {
        this.sys = sys;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A thread that stays in the caller's network namespace (an ordinary user may not setns even
     * into its own): the rootless networks' reaper, whose sockets come from their holder.
     */
    static NetnsThread here(Syscalls sys, String name) {
        return new NetnsThread(sys, name);
    }

    /** A thread in the network namespace {@code netnsFd} (an fd of /proc/PID/ns/net). */
    public static NetnsThread join(Syscalls sys, int netnsFd, String name) {
        NetnsThread t = new NetnsThread(sys, name);
        try {
            t.call(() -> {
                sys.setns(netnsFd, Syscalls.CLONE_NEWNET);
                return null;
            });
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /**
     * A thread in a new, empty network namespace (only {@code lo}, down); {@link #netnsFd()} holds
     * it open until {@link #close()}.
     */
    public static NetnsThread createNew(Syscalls sys, String name) {
        NetnsThread t = new NetnsThread(sys, name);
        try {
            t.ownFd = t.call(() -> {
                sys.unshare(Syscalls.CLONE_NEWNET);
                return sys.open("/proc/thread-self/ns/net", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
            });
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /**
     * A new, empty network namespace held by {@code netnsFd}, with a route socket opened inside it
     * ({@code rtnetlink}: a netlink socket stays in the namespace it was opened in, whichever
     * thread uses it), so its links, addresses and routes are set from any thread without a hop.
     * Closing it closes both; the namespace lives on while a process is in it.
     */
    public record Fresh(int netnsFd, Rtnetlink rtnetlink, Syscalls sys) implements AutoCloseable {
        @Override
        public void close() {
            rtnetlink.close();
            sys.closeQuietly(netnsFd);
        }
    }

    private static NetnsThread factory; // guarded by NetnsThread.class
    private static int factoryHome = -1;

    /**
     * A {@link Fresh} namespace, made on one long-lived thread of this class that runs nothing
     * else: it unshares, opens the namespace and the socket, and setns(2)es back to the
     * namespace it started in, so no thread is started per namespace. If it cannot go back, it is
     * ended and the next call starts another.
     */
    public static Fresh createFresh(Syscalls sys) {
        NetnsThread f;
        int home;
        synchronized (NetnsThread.class) {
            if (factory == null) {
                NetnsThread t = new NetnsThread(sys, "jcontainer-netns-factory");
                factoryHome = t.call(() -> sys.open("/proc/thread-self/ns/net", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0));
                factory = t;
            }
            f = factory;
            home = factoryHome;
        }
        return f.call(() -> {
            Fresh made = null;
            RuntimeException failure = null;
            int fd = -1;
            try {
                sys.unshare(Syscalls.CLONE_NEWNET);
                fd = sys.open("/proc/thread-self/ns/net", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
                made = new Fresh(fd, new Rtnetlink(sys), sys);
            } catch (RuntimeException e) {
                sys.closeQuietly(fd);
                failure = e;
            }
            try {
                sys.setns(home, Syscalls.CLONE_NEWNET);
            } catch (RuntimeException e) {
                synchronized (NetnsThread.class) { // never used again in a namespace it was not made for
                    if (factory == f) {
                        factory = null;
                        f.thread.shutdown();
                        sys.closeQuietly(factoryHome);
                        factoryHome = -1;
                    }
                }
                if (made != null) made.close();
                throw failure != null ? failure : e;
            }
            if (failure != null) throw failure;
            return made;
        });
    }

    /** The namespace made by {@link #createNew}; -1 for a joined one. */
    public int netnsFd() {
        return ownFd;
    }

    /** Runs {@code task} on this thread, in its namespace; its exception is rethrown here. */
    public <T> T call(Callable<T> task) {
        try {
            return thread.submit(task).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new ContainerException("in network namespace thread: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("interrupted while waiting for the network namespace thread", e);
        }
    }

    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Queues {@code task} on this thread and returns at once; it must handle its own failures. */
    public void submit(Runnable task) {
        thread.execute(task);
    }

    /** Ends the thread (it is never reused) and closes the namespace fd it made. */
    @Override
    public void close() {
        thread.shutdown();
        sys.closeQuietly(ownFd);
        ownFd = -1;
    }
}
