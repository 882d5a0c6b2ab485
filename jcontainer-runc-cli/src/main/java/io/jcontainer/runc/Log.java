package io.jcontainer.runc;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * runc's log: logrus lines, {@code time="..." level=error msg="..."} or one JSON object a line
 * ({@code --log-format json}), to stderr or to {@code --log FILE} (engines read that file for the
 * error of a failed command, so errors go there as well as to stderr).
 */
final class Log {
    private final PrintStream stderr;
    private final Path file;
    private final boolean json;
    private final boolean debug;

    Log(PrintStream stderr, Path file, boolean json, boolean debug) {
        this.stderr = stderr;
        this.file = file;
        this.json = json;
        this.debug = debug;
    }

    void debug(String msg) {
        if (debug) write("debug", msg);
    }

    void warn(String msg) {
        write("warning", msg);
    }

    void error(String msg) {
        write("error", msg);
        if (file != null) stderr.println(msg); // runc prints the bare error too when the log is elsewhere
    }

    private void write(String level, String msg) {
        String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String line;
        if (json) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("level", level);
            m.put("msg", msg);
            m.put("time", time);
            try {
                line = new ObjectMapper().writeValueAsString(m);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            line = "time=\"" + time + "\" level=" + level + " msg=" + quote(msg);
        }
        if (file == null) {
            stderr.println(line);
            return;
        }
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            stderr.println(line);
        }
    }

    /** logrus quotes a value as Go's %q does. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
