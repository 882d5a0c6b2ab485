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
 * Reads a sandbox's log (CRI format, written by its monitor: {@code TIME STREAM F|P CONTENT},
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
        long pos = 0;
        Path current = null;
        for (Path p : files()) {
            current = p;
            pos = readFrom(p, 0, a);
        }
        if (tail != null) for (Line l : tail) emit(l, o, out, err);
        out.flush();
        err.flush();
        if (!o.follow()) return;
        Assembler live = new Assembler(o, line -> emit(line, o, out, err));
        live.partial = a.partial;
        Object key = current == null ? null : fileKey(current);
        for (;;) {
            boolean wasRunning = running.getAsBoolean();
            Object k = fileKey(log);
            if (k != null && !k.equals(key)) {
                // the first file appeared, or the monitor rotated: finish the old one (now .1), start the new at 0
                Path old = log.resolveSibling(log.getFileName() + ".1");
                if (key != null && key.equals(fileKey(old))) readFrom(old, pos, live);
                current = log;
                key = k;
                pos = 0;
            }
            long before = pos;
            if (current != null) pos = readFrom(current, pos, live);
            out.flush();
            err.flush();
            if (pos == before) {
                if (!wasRunning) return;
                Thread.sleep(100);
            }
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
