package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.linux.launch.LaunchHooks;
import io.jcontainer.linux.plan.HookPoint;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Containers of one spec made ahead of their start (opt-in): each is a whole, ordinary start —
 * namespaces, id maps, cgroups, root set up and pivoted — stopped at
 * {@link HookPoint#START_CONTAINER}, before capabilities are dropped, the seccomp filter is
 * loaded and the command is exec'd. {@link #start()} lets one go on and refills the pool in the
 * background once that container has exited, or 10 ms after its take if it runs longer (so a
 * short job does not share the CPU with its replacement's start); with none ready it starts one
 * the ordinary way. The caller's own thread lets it go
 * (CMD_CONTINUE to its launcher) and reads the launcher's report that it started: no other
 * thread is woken on the way, and none waits while a container is ready.
 *
 * <p>Isolation is that of a start without the pool: a pooled container is never reused, only
 * made early. Nothing of one container is carried to the next (each has its own namespaces,
 * cgroups, /proc, /dev and mounts); what they share is what any two starts of the spec share (the
 * root directory, bind mounts).
 *
 * <p>Cost while ready, per container: its launcher and the waiting child (~1 MB RSS together,
 * mostly shared pages), its kernel objects (namespaces, cgroups, mounts), its handle in the JVM
 * (no thread of its own: a background thread makes it, then ends), and its share of the spec's memory limit is not charged until the command runs. Closing the
 * pool aborts the ready ones (the launcher kills and reaps each, its cgroups are removed); a JVM
 * that dies leaves none either: each launcher's control socket closes and it ends its child.
 *
 * <p>Usage: {@code try (ContainerPool pool = ContainerPool.of(runtime, spec, 2)) { pool.start()... }}.
 */
public final class ContainerPool implements AutoCloseable {
    private final LinuxContainerRuntime runtime;
    private final ContainerSpec spec;
    private final int size;
    /** Made and stopped before exec, waiting to be taken. */
    private final ConcurrentLinkedQueue<LinuxContainer> ready = new ConcurrentLinkedQueue<>();
    /** Containers being made or ready: at most {@link #size}. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Thread> makers = new ArrayList<>();
    private volatile boolean closed;

    private ContainerPool(LinuxContainerRuntime runtime, ContainerSpec spec, int size) {
        this.runtime = runtime;
        this.spec = spec;
        this.size = size;
    }

    /**
     * A pool of {@code size} ready containers of {@code spec}, filling in the background from now.
     * The spec must be an attached, unnamed one (a name belongs to one container).
     */
    public static ContainerPool of(LinuxContainerRuntime runtime, ContainerSpec spec, int size) {
        if (size < 1) throw new IllegalArgumentException("a pool of " + size + " containers");
        if (spec.name() != null) throw new InvalidSpecException("name", "a pooled container has no name of its own (the pool makes many of the spec)");
        if (spec.detached()) throw new InvalidSpecException("detached", "a pooled container is attached to the JVM that takes it");
        if (spec.tty()) throw new InvalidSpecException("tty", "a pooled container has no terminal");
        ContainerPool p = new ContainerPool(runtime, spec, size);
        for (int i = 0; i < size; i++) p.refill();
        return p;
    }

    /** The number of containers ready now (waiting to be taken). */
    public int ready() {
        return ready.size();
    }

    /**
     * Starts a container of the pool's spec: a ready one is let go (exec'd), or — none ready — one
     * is started now. Either way, the caller owns the returned container as if started by
     * {@link LinuxContainerRuntime#start}, and a failure is the start's exception.
     */
    public Container start() {
        if (closed) throw new IllegalStateException("the container pool is closed");
        LinuxContainer c = ready.poll();
        if (c == null) {
            try {
                return runtime.start(spec);
            } finally {
                refill(); // a refill that failed (and so made none) is tried again
            }
        }
        inFlight.decrementAndGet();
        try {
            c.unpark();
        } catch (RuntimeException | Error e) {
            refill();
            throw e;
        }
        // The refill waits for the taken container's exit (at most REFILL_DELAY_MS): a whole start
        // is a few ms of CPU, and on a small machine a refill begun at the take competes with the
        // very job the pool exists to speed up — its exec, its run, its exit. A short job now
        // runs alone; a longer one shares the CPU with the refill after the delay, as before.
        // The supervisor wakes waitFor()'s waiter before this (it registered later: LIFO).
        c.onExit().completeOnTimeout(null, REFILL_DELAY_MS, TimeUnit.MILLISECONDS).whenComplete((e, x) -> refill());
        return c;
    }

    /** How long a refill waits, at most, for the exit of the container whose take it replaces. */
    static final long REFILL_DELAY_MS = 10;

    private void refill() {
        if (closed) return;
        if (inFlight.incrementAndGet() > size) {
            inFlight.decrementAndGet();
            return;
        }
        // A platform thread per container made: the start blocks in the launcher's reports; it
        // ends once the container waits at START_CONTAINER.
        Thread t = Thread.ofPlatform().daemon().name("jcontainer-pool").unstarted(() -> {
            LinuxContainer c;
            try {
                c = (LinuxContainer) runtime.start(spec, new LaunchHooks().park());
            } catch (Throwable e) {
                inFlight.decrementAndGet(); // the next start() starts one itself and reports why
                return;
            }
            ready.add(c);
            if (closed && ready.remove(c)) c.close(); // close() may have drained the queue before the add
        });
        synchronized (makers) {
            makers.removeIf(m -> !m.isAlive());
            makers.add(t);
        }
        t.start();
    }

    /**
     * Aborts the ready containers (nothing of them is left: processes, cgroups, mounts) and waits
     * for the pool's starts in progress to end. Containers already taken are the caller's.
     */
    @Override
    public void close() {
        closed = true;
        List<Thread> ts;
        synchronized (makers) {
            ts = new ArrayList<>(makers);
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (LinuxContainer c; (c = ready.poll()) != null; ) c.close();
    }
}
