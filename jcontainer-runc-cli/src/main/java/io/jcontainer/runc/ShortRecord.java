package io.jcontainer.runc;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The record of a created container (no monitor) in the form the short-command program reads
 * ({@code src/main/c/short.c}: {@code state}, {@code start}, {@code kill}, {@code delete} without
 * a JVM). Beside {@code state.json}, written with it: a magic line, then fields
 * {@code KEY SP LENGTH LF BYTES LF}, so nothing needs unescaping in C and a path may hold any byte.
 *
 * <p>The state JSON is not rebuilt in C: it is this record's own {@code state} output, cut where
 * the two values that change (pid, status) go — {@code head}, {@code mid}, {@code tail} — so both
 * paths print the same bytes by construction. The process is identified as {@link Store.Record#alive}
 * does, by pid and start time, here in clock ticks (field 22 of {@code /proc/PID/stat}). Where
 * that cannot be read the file is left out and Java answers.
 */
final class ShortRecord {
    static final String FILE = "short";
    static final String MAGIC = "jcontainer-runc-short 1\n";
    /** Values no record holds before the pid and status (only ociVersion and the id, of [A-Za-z0-9_+.-]) */
    private static final long PID_MARK = Long.MIN_VALUE;
    private static final String STATUS_MARK = "@jcontainer-runc-status@";

    private ShortRecord() {
    }

    static void write(Path dir, Store.Record r) throws IOException {
        Path file = dir.resolve(FILE), tmp = dir.resolve(FILE + ".tmp");
        long ticks = startTicks(r.pid());
        if (ticks <= 0) { // gone, or not ours to read: Java answers every command
            Files.deleteIfExists(file);
            return;
        }
        ObjectNode state = r.stateJson("running");
        state.put("pid", PID_MARK);
        state.put("status", STATUS_MARK);
        String json = io.jcontainer.oci.runtime.JsonTrees.pretty(state);
        String pidText = Long.toString(PID_MARK);
        int p = json.indexOf(pidText), s = json.indexOf(STATUS_MARK, p);
        if (p < 0 || s < 0) throw new IllegalStateException("state JSON without its pid or status: " + json);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(MAGIC.getBytes(StandardCharsets.US_ASCII));
        field(b, "pid", Long.toString(r.pid()));
        field(b, "ticks", Long.toString(ticks));
        field(b, "paused", r.paused() ? "1" : "0");
        field(b, "hooks", r.hooks() ? "1" : "0");
        field(b, "fifo", r.startFifo());
        field(b, "lifecycle", Path.of(r.startFifo()).getParent().toString());
        for (String cg : r.cgroupDirs()) field(b, "cgroup", cg);
        field(b, "head", json.substring(0, p));
        field(b, "mid", json.substring(p + pidText.length(), s));
        field(b, "tail", json.substring(s + STATUS_MARK.length()));
        // list's: its table's cells, its order (the creation time in nanoseconds, fixed width, so
        // that bytes compare as times do) and the compact state JSON of --format json, cut alike
        String compact = state.toString();
        int cp = compact.indexOf(pidText), cs = compact.indexOf(STATUS_MARK, cp);
        if (cp < 0 || cs < 0) throw new IllegalStateException("state JSON without its pid or status: " + compact);
        field(b, "bundle", r.bundle());
        field(b, "created", r.created().toString());
        field(b, "owner", r.owner());
        long nanos = Math.addExact(Math.multiplyExact(r.created().getEpochSecond(), 1_000_000_000L), r.created().getNano());
        field(b, "order", String.format(java.util.Locale.ROOT, "%020d", nanos));
        field(b, "jhead", compact.substring(0, cp));
        field(b, "jmid", compact.substring(cp + pidText.length(), cs));
        field(b, "jtail", compact.substring(cs + STATUS_MARK.length()));
        field(b, "end", "");
        Files.write(tmp, b.toByteArray());
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The file beside {@link #FILE} holding the attributes of this container's journal events. */
    static final String EVENT = "event";

    /**
     * What the short commands need to append the lifecycle journal's lines the JVM path appends
     * for them (kill of a running container; die and destroy at delete): the attributes every
     * event of the container carries, as {@code LinuxContainers} builds them — its name and image,
     * then its annotations (docker's labels) — as one compact JSON object, escaped here, to which
     * C adds the command's own (signal, exitCode). Not written when an annotation would collide
     * with those: Java answers such a container's journaled commands.
     */
    static void writeEventAttributes(Path dir, String name, String image, java.util.Map<String, String> annotations) throws IOException {
        java.util.Map<String, String> a = new java.util.LinkedHashMap<>();
        a.put("name", name == null ? "" : name);
        a.put("image", image == null ? "" : image);
        a.putAll(annotations);
        if (annotations.containsKey("signal") || annotations.containsKey("exitCode")) return;
        java.io.StringWriter w = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            for (var e : a.entrySet()) g.writeStringField(e.getKey(), e.getValue());
            g.writeEndObject();
        }
        Path file = dir.resolve(EVENT), tmp = dir.resolve(EVENT + ".tmp");
        Files.writeString(tmp, w.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void field(ByteArrayOutputStream b, String key, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        b.writeBytes((key + " " + v.length + "\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(v);
        b.write('\n');
    }

    /** Field 22 of /proc/PID/stat (the start time in clock ticks since boot), or 0 when unreadable. */
    static long startTicks(long pid) {
        if (pid <= 0) return 0;
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[19]); // field 3 is f[0]
        } catch (NoSuchFileException gone) {
            return 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
