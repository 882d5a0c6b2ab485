package io.jcontainer.junit;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ExecSpec;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Stdio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A container for a test: a {@link ContainerSpec}, how to tell it is ready, and — once started —
 * its output and a way to run commands in it. Annotate a field of this type with
 * {@link Container} and the extension starts and removes it; or use it by hand in a
 * try-with-resources block.
 *
 * <p>Everything happens in the test's own JVM: no daemon, no socket, no image needed (the spec
 * may still name one). The container's stdout and stderr, when piped (the spec's default), are
 * read as they come into a bounded buffer of the last {@value #LOG_CHARS} characters: the wait
 * strategies look there, {@link #logs()} returns it, and a failing test gets its tail attached.
 * A container whose JVM dies is removed with it.
 */
public final class TestContainer implements AutoCloseable {
    static final int LOG_CHARS = 1 << 20;
    private static final Duration DEFAULT_STARTUP = Duration.ofSeconds(60);
    private static final Duration DEFAULT_EXEC = Duration.ofSeconds(60);

    private final ContainerSpec spec;
    private final Wait wait;
    private final Duration startupTimeout;
    private volatile String label;

    /**
     * The threads that drain containers' pipes: platform threads (a read of a container's pipe
     * blocks in native code, which would pin a virtual thread's carrier), kept for a while after
     * their container ended, so the next container of a test run reuses them instead of starting
     * two threads of its own.
     */
    private static final java.util.concurrent.ExecutorService READERS = java.util.concurrent.Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("jcontainer-junit reader ", 0).factory());

    // Guarded by this: one start at a time, and close() sees a finished start.
    private Container container;
    private LogBuffer logs, out, err;
    /** Counts down as each reader of the last start reaches its stream's end. */
    private java.util.concurrent.CountDownLatch readers = new java.util.concurrent.CountDownLatch(0);

    private TestContainer(ContainerSpec spec, Wait wait, Duration startupTimeout, String label) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.wait = Objects.requireNonNull(wait, "wait");
        this.startupTimeout = Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (startupTimeout.isNegative() || startupTimeout.isZero())
            throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
        this.label = label;
    }

    public static TestContainer of(ContainerSpec spec) {
        return new TestContainer(spec, Wait.nothing(), DEFAULT_STARTUP, null);
    }

    public static TestContainer of(ContainerSpec.Builder builder) {
        return of(builder.build());
    }

    /** A copy that is ready only when {@code wait} says so. */
    public TestContainer waitingFor(Wait wait) {
        return new TestContainer(spec, wait, startupTimeout, label);
    }

    /** A copy that waits at most {@code timeout} for the start and the wait strategy together. */
    public TestContainer startupTimeout(Duration timeout) {
        return new TestContainer(spec, wait, timeout, label);
    }

    /** Shown as {@code label} in messages: the extension names it after its field. */
    void label(String label) {
        this.label = label;
    }

    public ContainerSpec spec() {
        return spec;
    }

    /**
     * Starts the container and waits until it is ready.
     *
     * @throws IllegalStateException if it is already started
     * @throws ContainerNotReadyException if the wait strategy does not succeed in time, or the
     *         container exits first; the container is removed before this is thrown
     * @throws ContainerException if the start itself fails
     */
    public synchronized TestContainer start() {
        if (container != null) throw new IllegalStateException(name() + " is already started");
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        Container c = spec.start();
        container = c;
        logs = new LogBuffer(LOG_CHARS);
        out = new LogBuffer(LOG_CHARS);
        err = new LogBuffer(LOG_CHARS);
        boolean readOut = spec.stdout() == Stdio.PIPE, readErr = spec.stderr() == Stdio.PIPE && !spec.tty();
        readers = new java.util.concurrent.CountDownLatch((readOut ? 1 : 0) + (readErr ? 1 : 0));
        if (readOut) read(c.stdout(), "stdout", out);
        else out.close();
        if (readErr) read(c.stderr(), "stderr", err);
        else err.close();
        try {
            awaitReady(c, deadline);
        } catch (RuntimeException e) {
            close();
            throw e;
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new ContainerNotReadyException(name() + ": interrupted while waiting for " + wait);
        }
        return this;
    }

    private void awaitReady(Container c, long deadline) throws InterruptedException {
        switch (wait) {
            case Wait.Nothing n -> { }
            case Wait.LogLine l -> {
                boolean ok = logs.awaitLines(line -> l.pattern().matcher(line).find(), l.times(), left(deadline));
                if (!ok) {
                    // its output ended: the exit follows, and the supervisor may not have seen it yet
                    if (logs.isClosed()) c.waitFor(Duration.ofSeconds(2));
                    throw notReady(c);
                }
            }
            case Wait.ListeningPort p -> poll(c, deadline, () -> {
                try {
                    return p.listens(c.pid());
                } catch (IOException e) {
                    return false; // the process is going away: the next round sees it exited
                }
            });
            case Wait.Command cmd -> poll(c, deadline, () -> {
                ExecResult r = exec(left(deadline), cmd.command().toArray(String[]::new));
                return r.succeeded();
            });
        }
    }

    private interface Check {
        boolean ready() throws InterruptedException;
    }

    /**
     * Checks until ready: soon after the start at first (a server typically listens within a few
     * milliseconds of its exec, and a fixed 100 ms would be most of a test container's start),
     * then less often, up to every 100 ms.
     */
    private void poll(Container c, long deadline, Check check) throws InterruptedException {
        long pause = 2;
        while (true) {
            if (!c.isRunning()) throw notReady(c);
            if (check.ready()) return;
            if (System.nanoTime() >= deadline) throw notReady(c);
            Thread.sleep(Math.min(pause, Math.max(1, left(deadline).toMillis())));
            pause = Math.min(100, pause * 2);
        }
    }

    private ContainerNotReadyException notReady(Container c) {
        String why = c.isRunning()
                ? "not ready after " + startupTimeout.toMillis() + " ms waiting for " + wait
                : "exited with " + exitText(c) + " while waiting for " + wait;
        String tail = logs.tail(4000);
        return new ContainerNotReadyException(name() + ": " + why
                + (tail.isEmpty() ? " (it printed nothing)" : "; its last output:\n" + tail));
    }

    private static String exitText(Container c) {
        try {
            Optional<ContainerExit> e = c.waitFor(Duration.ofSeconds(1));
            return e.map(Object::toString).orElse("an unknown status");
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return "an unknown status";
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** Drains one stream into its buffer and the combined one, on one of {@link #READERS}. */
    private void read(InputStream in, String stream, LogBuffer own) {
        LogBuffer both = logs, o = out, e2 = err;
        java.util.concurrent.CountDownLatch done = readers;
        String name = "jcontainer-junit " + name() + " " + stream;
        READERS.execute(() -> {
            Thread self = Thread.currentThread();
            String idle = self.getName();
            self.setName(name); // a thread dump shows whose output it reads
            Lines lines = new Lines(line -> {
                own.add(line);
                both.add(line);
            });
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) lines.feed(buf, n);
            } catch (IOException | ContainerException e) {
                // The container was removed under the reader: what was read stays.
            } finally {
                lines.finish();
                own.close();
                if (o.isClosed() && e2.isClosed()) both.close();
                self.setName(idle);
                done.countDown();
            }
        });
    }

    /** Splits UTF-8 bytes into lines (without their {@code \n} or {@code \r\n}). */
    private static final class Lines {
        private final java.util.function.Consumer<String> sink;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final StringBuilder line = new StringBuilder();
        private ByteBuffer pending = ByteBuffer.allocate(0);
        private final CharBuffer chars = CharBuffer.allocate(8192);

        Lines(java.util.function.Consumer<String> sink) {
            this.sink = sink;
        }

        void feed(byte[] b, int n) {
            ByteBuffer in = ByteBuffer.allocate(pending.remaining() + n);
            in.put(pending).put(b, 0, n).flip();
            while (true) {
                var r = utf8.decode(in, chars, false);
                drain();
                if (!r.isOverflow()) break;
            }
            pending = in.slice(); // an incomplete character waits for its next bytes
        }

        private void drain() {
            chars.flip();
            while (chars.hasRemaining()) {
                char ch = chars.get();
                if (ch == '\n') {
                    int len = line.length();
                    if (len > 0 && line.charAt(len - 1) == '\r') line.setLength(len - 1);
                    sink.accept(line.toString());
                    line.setLength(0);
                } else if (line.length() < LOG_CHARS) {
                    line.append(ch);
                }
            }
            chars.clear();
        }

        void finish() {
            utf8.decode(pending, chars, true);
            utf8.flush(chars);
            drain();
            if (!line.isEmpty()) sink.accept(line.toString());
        }
    }

    /** The running container (or the finished one, until it is closed). */
    public synchronized Container container() {
        if (container == null) throw new IllegalStateException(name() + " is not started");
        return container;
    }

    public boolean isStarted() {
        synchronized (this) {
            return container != null;
        }
    }

    public long pid() {
        return container().pid();
    }

    /** stdout and stderr as they came, line by line (the last {@value #LOG_CHARS} characters). */
    public String logs() {
        return buffer(() -> logs);
    }

    public String stdout() {
        return buffer(() -> out);
    }

    public String stderr() {
        return buffer(() -> err);
    }

    private synchronized String buffer(java.util.function.Supplier<LogBuffer> which) {
        LogBuffer b = which.get();
        if (b == null) throw new IllegalStateException(name() + " was never started");
        awaitReadersIfClosed();
        return b.text();
    }

    /** The last {@code chars} characters of its output, for a failure report; "" before a start. */
    synchronized String logTail(int chars) {
        if (logs == null) return "";
        awaitReadersIfClosed();
        return logs.tail(chars);
    }

    /**
     * Once closed, its output is complete when the readers have reached the pipes' ends (the
     * container is gone, so they do at once): {@link #close()} of a running container does not
     * wait for that, the readers of what it printed do. Bounded, so a pipe some other process
     * still holds open cannot hang a test run.
     */
    private void awaitReadersIfClosed() {
        if (container == null) awaitReaders();
    }

    private void awaitReaders() {
        try {
            readers.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code command} in the container with its environment, waiting up to 60 s. */
    public ExecResult exec(String... command) {
        return exec(DEFAULT_EXEC, command);
    }

    /**
     * Runs {@code command} in the container (its namespaces, cgroup and security), collects its
     * whole output and returns when it exits.
     *
     * @throws ContainerNotReadyException if it does not exit within {@code timeout} (it is killed)
     */
    public ExecResult exec(Duration timeout, String... command) {
        ContainerProcess p = container().exec(ExecSpec.of(command));
        try (p) {
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(p.stderr()), READERS);
            byte[] stdout = readAll(p.stdout());
            Optional<ContainerExit> exit = p.waitFor(timeout);
            if (exit.isEmpty())
                throw new ContainerNotReadyException(name() + ": " + String.join(" ", command)
                        + " did not exit within " + timeout.toMillis() + " ms");
            return new ExecResult(exit.get().code(), utf8(stdout),
                    utf8(stderr.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerNotReadyException(name() + ": interrupted while running " + String.join(" ", command));
        } catch (ExecutionException | TimeoutException e) {
            throw new ContainerException(name() + ": reading the stderr of " + String.join(" ", command) + " failed", e);
        }
    }

    /**
     * The contents of {@code path} in the container, read by its own {@code cat} (so through
     * its root and mounts, as the container's user).
     */
    public String readFile(String path) {
        ExecResult r = exec("cat", "--", path);
        if (!r.succeeded())
            throw new ContainerException(name() + ": cat " + path + " exited with " + r.exitCode() + ": " + r.stderr().strip());
        return r.stdout();
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Kills whatever still runs in the container and removes it; what it printed stays readable —
     * all of it when it had exited by itself, what the readers had taken when it is killed here.
     * Idempotent; a closed container can be started again.
     */
    @Override
    public synchronized void close() {
        Container c = container;
        if (c == null) return;
        try {
            // Closing the container closes its pipes under the readers: one that has exited may
            // still have output in them, so they drain it first (its writers are gone: they reach
            // the end at once). A running one is not waited for: the kill is the end of its output.
            if (!c.isRunning()) awaitReaders();
            c.close();
        } finally {
            container = null;
        }
    }

    String name() {
        if (label != null) return label;
        return spec.name() != null ? spec.name() : "test container " + String.join(" ", spec.process().args());
    }

    @Override
    public String toString() {
        return name();
    }
}
