package io.jcontainer.docker;

import io.jcontainer.lifecycle.ContainerEvent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** docker's shapes of an event: the CLI's text line and the Engine API's message (also {@code --format}'s data). */
public final class DockerEvents {
    private DockerEvents() {
    }

    /** {@code 2026-12-04T18:20:00.123456789Z container start ID (image=..., name=...)}, attributes sorted by key as docker's. */
    public static String line(ContainerEvent e) {
        StringBuilder b = new StringBuilder(rfc3339Nano(e.time())).append(' ').append(e.type()).append(' ').append(e.action()).append(' ').append(e.id());
        if (!e.attributes().isEmpty()) {
            b.append(" (");
            String sep = "";
            for (var a : new TreeMap<>(e.attributes()).entrySet()) {
                b.append(sep).append(a.getKey()).append('=').append(a.getValue());
                sep = ", ";
            }
            b.append(')');
        }
        return b.toString();
    }

    /** The Engine API's event message: {@code Type}, {@code Action}, {@code Actor}, {@code scope}, {@code time}, {@code timeNano} and the legacy {@code status}, {@code id}, {@code from}. */
    public static Map<String, Object> message(ContainerEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", e.action());
        m.put("id", e.id());
        m.put("from", e.attributes().getOrDefault("image", ""));
        m.put("Type", e.type());
        m.put("Action", e.action());
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("ID", e.id());
        actor.put("Attributes", new TreeMap<>(e.attributes()));
        m.put("Actor", actor);
        m.put("scope", "local");
        m.put("time", e.time().getEpochSecond());
        m.put("timeNano", e.time().getEpochSecond() * 1_000_000_000L + e.time().getNano());
        return m;
    }

    /** Go's RFC3339Nano with all nine digits, as docker events prints. */
    static String rfc3339Nano(Instant t) {
        String s = t.toString(); // 2026-12-04T18:20:00.123Z, or without a fraction
        int dot = s.indexOf('.');
        String base = dot < 0 ? s.substring(0, s.length() - 1) : s.substring(0, dot);
        String frac = dot < 0 ? "" : s.substring(dot + 1, s.length() - 1);
        return base + "." + (frac + "000000000").substring(0, 9) + "Z";
    }
}
