package io.jcontainer.linux.state;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads a container's log (CRI format, written by its monitor: {@code TIME STREAM F|P CONTENT},
 * rotated to {@code .1}, {@code .2}, ...) the way {@code docker logs [-f] [-t] [--tail N]
 * [--since T]} prints it. Streams: memory stays bounded by {@code tail} lines, whatever the
 * size of the log.
 */
public final class ContainerLogs {
    /** What to print: {@code tail} < 0 means all; {@code since} null means from the start. */
    public record Options(boolean follow, boolean timestamps, int tail, Instant since, Instant until) {
        public static final Options ALL = new Options(false, false, -1, null, null);

        public Options(boolean follow, boolean timestamps, int tail, Instant since) {
            this(follow, timestamps, tail, since, null);
        }
    }

    /** One log line: its time, whether stderr, and its bytes (ISO-8859-1: byte for byte). */
    record Line(String time, boolean stderr, String content) {
    }

    private final Path log;

    public ContainerLogs(Path log) {
        this.log = log;
    }

    /** The log files, oldest first. */
    List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (int i = 100; i >= 1; i--) {
            Path p = log.resolveSibling(log.getFileName() + "." + i);
            if (Files.exists(p)) out.add(p);
        }
        if (Files.exists(log)) out.add(log);
        return out;
    }

    /**
     * Writes the log to {@code out} and {@code err}; with {@code follow}, keeps printing what is
     * appended until {@code running} turns false and everything has been printed.
     */
    public void print(Options o, OutputStream out, OutputStream err, BooleanSupplier running) throws IOException, InterruptedException {
        ArrayDeque<Line> tail = o.tail() >= 0 ? new ArrayDeque<>() : null;
        Assembler a = new Assembler(o, line -> {
            if (tail == null) emit(line, o, out, err);
            else if (o.tail() > 0) {
                if (tail.size() == o.tail()) tail.removeFirst();
                tail.addLast(line);
            }
        });
        List<Path> all = files();
        // The rotated files by name (a rotation meanwhile can only skip some of them, never
        // repeat or reorder); the live one through a descriptor held from here on, so that a
        // rotation (a rename: same inode) cannot swap another file under the reader's position.
        for (Path p : all) if (!p.equals(log)) readFrom(p, 0, a);
        Live current = Live.open(log);
        long pos = current == null ? 0 : current.read(0, a);
        try {
            if (tail != null) for (Line l : tail) emit(l, o, out, err);
            out.flush();
            err.flush();
            if (!o.follow()) return;
            Assembler live = new Assembler(o, line -> emit(line, o, out, err));
            live.partial = a.partial;
            for (;;) {
                boolean wasRunning = running.getAsBoolean();
                long before = pos;
                boolean switched = false;
                if (current != null) pos = current.read(pos, live);
                Object k = fileKey(log);
                if (k != null && (current == null || !k.equals(current.key))) {
                    // the first file appeared, or the monitor rotated: the held descriptor is the
                    // old file (now .1, or gone): finish it, then start the new one at 0
                    if (current != null) {
                        current.read(pos, live);
                        current.close();
                    }
                    current = Live.open(log);
                    pos = current == null ? 0 : current.read(0, live);
                    switched = true;
                }
                out.flush();
                err.flush();
                if (pos == before && !switched) {
                    if (!wasRunning) return;
                    Thread.sleep(100);
                }
            }
        } finally {
            if (current != null) current.close();
        }
    }

    /** The live log file, open, with the identity (device, inode) it had when it was opened. */
    private record Live(RandomAccessFile file, Object key) {
        static Live open(Path log) throws IOException {
            for (int attempt = 0; attempt < 100; attempt++) {
                Object before = fileKey(log);
                if (before == null) return null;
                RandomAccessFile f;
                try {
                    f = new RandomAccessFile(log.toFile(), "r");
                } catch (java.io.FileNotFoundException e) {
                    continue;                                  // rotated between the two looks
                }
                if (before.equals(fileKey(log))) return new Live(f, before);
                f.close();                                     // rotated while opening: look again
            }
            throw new IOException("the log " + log + " keeps being rotated under its reader");
        }

        long read(long pos, Assembler a) throws IOException {
            file.seek(pos);
            return readEntries(file, pos, a);
        }

        void close() throws IOException {
            file.close();
        }
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static void emit(Line l, Options o, OutputStream out, OutputStream err) {
        try {
            OutputStream s = l.stderr() ? err : out;
            if (o.timestamps()) s.write((l.time() + " ").getBytes(StandardCharsets.ISO_8859_1));
            s.write(l.content().getBytes(StandardCharsets.ISO_8859_1));
            s.write('\n');
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads complete entries from {@code pos}; returns the position after the last one. */
    private static long readFrom(Path p, long pos, Assembler a) throws IOException {
        if (!Files.exists(p)) return pos;
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            if (f.length() < pos) pos = 0;
            f.seek(pos);
            return readEntries(f, pos, a);
        } catch (java.io.FileNotFoundException e) {
            return pos;                                        // rotated away meanwhile
        }
    }

    /** Reads complete entries from the file's current position {@code pos} to its end. */
    private static long readEntries(RandomAccessFile f, long pos, Assembler a) throws IOException {
        byte[] buf = new byte[65536];
        StringBuilder pending = new StringBuilder();
        long consumed = pos;
        int n;
        while ((n = f.read(buf)) > 0) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] != '\n') continue;
                pending.append(new String(buf, start, i - start, StandardCharsets.ISO_8859_1));
                consumed += pending.length() + 1;
                a.entry(pending.toString());
                pending.setLength(0);
                start = i + 1;
            }
            pending.append(new String(buf, start, n - start, StandardCharsets.ISO_8859_1));
        }
        return consumed; // a half-written last entry is read again next time
    }

    /** Joins P(artial) entries to their F(inal) one; filters by time. */
    private static final class Assembler {
        private final Options o;
        private final java.util.function.Consumer<Line> sink;
        StringBuilder[] partial = {new StringBuilder(), new StringBuilder()}; // per stream: stdout, stderr

        Assembler(Options o, java.util.function.Consumer<Line> sink) {
            this.o = o;
            this.sink = sink;
        }

        void entry(String e) {
            int a = e.indexOf(' '), b = a < 0 ? -1 : e.indexOf(' ', a + 1);
            if (b < 0 || b + 2 > e.length()) return; // not an entry of ours
            String time = e.substring(0, a);
            boolean stderr = e.startsWith("stderr", a + 1);
            char tag = e.charAt(b + 1);
            String content = b + 3 <= e.length() ? e.substring(b + 3) : "";
            StringBuilder p = partial[stderr ? 1 : 0];
            p.append(content);
            if (tag == 'P') return;
            String line = p.toString();
            p.setLength(0);
            if (o.since() != null && Instant.parse(time).isBefore(o.since())) return;
            if (o.until() != null && !Instant.parse(time).isBefore(o.until())) return;
            sink.accept(new Line(time, stderr, line));
        }
    }
}
