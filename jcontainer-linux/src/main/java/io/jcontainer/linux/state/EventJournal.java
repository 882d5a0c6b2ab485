package io.jcontainer.linux.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;
import io.jcontainer.lifecycle.ContainerEvent;
import io.jcontainer.lifecycle.EventQuery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Docker's event stream without a daemon: an append-only journal {@code .events} in the store's
 * root, one JSON object a line, that every process of the user appends to and any process
 * follows. Bounded: past {@link #MAX_BYTES} the journal is renamed to {@code .events.1} (the one
 * before is dropped), so at most about twice that is kept — docker's daemon keeps its last
 * events in memory likewise.
 *
 * <p>Appends take an exclusive lock on {@code .events.lock}, so lines never interleave and the
 * rotation is seen whole. A follower polls: it reads new complete lines from the file it has open
 * and, when the name points to a new file (rotated), finishes the old one first (the rename does
 * not move its open descriptor) and goes on from the start of the new one — reading
 * {@code .events.1} whole first when it is not the file it had open (rotated twice). A follower
 * slower than that loses what the bound dropped, as docker's bounded buffer does. Events carry
 * their own time; a {@code die} noticed late carries the time of the exit.
 */
public final class EventJournal {
    private static final java.util.concurrent.locks.ReentrantLock JVM_LOCK = new java.util.concurrent.locks.ReentrantLock();
    public static final String FILE = ".events", OLD = ".events.1", LOCK = ".events.lock";
    static final long MAX_BYTES = 1 << 20;
    /** In a holder: an ObjectMapper costs a CLI verb tens of ms the first time, and this class is
     * loaded on paths (ps, inspect, the start) that do not all print or parse JSON with it. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private final Path root;
    private final long maxBytes;

    public EventJournal(Path root) {
        this(root, MAX_BYTES);
    }

    EventJournal(Path root, long maxBytes) {
        this.root = root;
        this.maxBytes = maxBytes;
    }

    /** Appends one event; a journal that cannot be written fails the caller's verb, naming it. */
    public void append(ContainerEvent e) {
        byte[] line = line(e);
        Path file = root.resolve(FILE);
        // file locks exclude processes, not threads of one: two appends of one JVM at once (the
        // API server's wait and remove) would otherwise fail with OverlappingFileLockException
        JVM_LOCK.lock();
        try {
            Files.createDirectories(root);
            try (FileChannel lock = FileChannel.open(root.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lock.lock()) {
                if (Files.exists(file) && Files.size(file) + line.length > maxBytes)
                    Files.move(file, root.resolve(OLD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                    ByteBuffer b = ByteBuffer.wrap(line);
                    while (b.hasRemaining()) ch.write(b);
                }
            }
        } catch (IOException x) {
            throw new ContainerException("appending a " + e.action() + " event to " + file + ": " + x, x);
        } finally {
            JVM_LOCK.unlock();
        }
    }

    static byte[] line(ContainerEvent e) {
        ObjectNode o = Json.JSON.createObjectNode();
        o.put("time", e.time().toString());
        o.put("type", e.type());
        o.put("action", e.action());
        o.put("id", e.id());
        ObjectNode a = o.putObject("attributes");
        e.attributes().forEach(a::put);
        try {
            return (Json.JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException x) {
            throw new IllegalStateException(x);
        }
    }

    static ContainerEvent parse(String line) {
        try {
            JsonNode o = Json.JSON.readTree(line);
            Map<String, String> attrs = new LinkedHashMap<>();
            o.path("attributes").properties().forEach(p -> attrs.put(p.getKey(), p.getValue().asText()));
            return new ContainerEvent(Instant.parse(o.get("time").asText()), o.path("type").asText("container"), o.get("action").asText(),
                    o.get("id").asText(), attrs);
        } catch (IOException | RuntimeException x) {
            return null; // not a line of ours (a torn write of a process killed mid-append): skipped
        }
    }

    /**
     * Delivers what {@code q} selects: the kept events from {@code q.since()} on (none without
     * it), then new ones as they are appended, until {@code q.until()} has passed, the sink
     * returns false or the thread is interrupted. {@code tick} runs between polls (the caller
     * notices exits there, which appends their {@code die}).
     */
    public void follow(EventQuery q, EventQuery.Sink sink, Runnable tick) throws InterruptedException {
        Reader r = new Reader();
        try {
            if (q.since() != null) {
                if (!r.replay(root.resolve(OLD), q, sink)) return;
                r.open(root.resolve(FILE));
                if (!r.drain(q, sink)) return;
            } else {
                r.open(root.resolve(FILE));
                r.skipToEnd();
            }
            while (q.until() == null || Instant.now().isBefore(q.until())) {
                if (Thread.interrupted()) throw new InterruptedException();
                tick.run();
                if (!r.drain(q, sink)) return;
                if (r.rotated(root.resolve(FILE))) {
                    // rotated since the last poll; if more than once, the file in between is .events.1 now
                    if (r.key != null && !r.isOpen(root.resolve(OLD)) && !r.replay(root.resolve(OLD), q, sink)) return;
                    r.open(root.resolve(FILE));
                    if (!r.drain(q, sink)) return;
                }
                Thread.sleep(100);
            }
            tick.run();
            r.drain(q, sink); // what was appended up to until
        } catch (IOException x) {
            throw new ContainerException("following the event journal " + root.resolve(FILE) + ": " + x, x);
        } finally {
            r.close();
        }
    }

    /** One open journal file and the part of a line read so far. */
    private static final class Reader {
        private FileChannel ch;
        private Object key;
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

        /** Delivers a whole other file (the rotated one), leaving the open one as it is. */
        boolean replay(Path old, EventQuery q, EventQuery.Sink sink) throws IOException {
            FileChannel mine = ch;
            try (FileChannel c = FileChannel.open(old, StandardOpenOption.READ)) {
                ch = c;
                partial.reset();
                return drain(q, sink);
            } catch (NoSuchFileException none) {
                return true;
            } finally {
                ch = mine;
                partial.reset();
            }
        }

        /** {@code file} is the one open now (the rotation renamed it there). */
        boolean isOpen(Path file) {
            try {
                return Files.readAttributes(file, BasicFileAttributes.class).fileKey().equals(key);
            } catch (IOException gone) {
                return false;
            }
        }

        void open(Path file) throws IOException {
            close();
            partial.reset();
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ);
                key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            } catch (NoSuchFileException none) {
                ch = null; // nothing appended yet: looked for again after each poll
                key = null;
            }
        }

        void skipToEnd() throws IOException {
            if (ch != null) ch.position(ch.size());
        }

        /** The name now points to another file than the one open (rotated, or created since). */
        boolean rotated(Path file) {
            try {
                return !Files.readAttributes(file, BasicFileAttributes.class).fileKey().equals(key);
            } catch (IOException gone) {
                return false;
            }
        }

        /** Delivers every complete line up to the end; false when the sink had enough. */
        boolean drain(EventQuery q, EventQuery.Sink sink) throws IOException {
            if (ch == null) return true;
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n <= 0) return true;
                byte[] a = buf.array();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (a[i] != '\n') continue;
                    partial.write(a, start, i - start);
                    start = i + 1;
                    ContainerEvent e = parse(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                    if (e != null && q.matches(e) && !sink.accept(e)) return false;
                }
                partial.write(a, start, n - start);
            }
        }

        void close() {
            if (ch != null) try {
                ch.close();
            } catch (IOException ignored) {
                // read-only
            }
            ch = null;
        }
    }
}
