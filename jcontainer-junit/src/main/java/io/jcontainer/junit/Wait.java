package io.jcontainer.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * When a started test container counts as ready. Each strategy waits no longer than the
 * container's {@linkplain TestContainer#startupTimeout(Duration) startup timeout}, and fails at
 * once if the container exits first.
 */
public sealed interface Wait {
    /** Ready as soon as it started. */
    static Wait nothing() {
        return new Nothing();
    }

    /** Ready once a line of its output (stdout or stderr) matches {@code regex} anywhere. */
    static Wait forLogLine(String regex) {
        return forLogLine(regex, 1);
    }

    /** Ready once {@code times} lines of its output match {@code regex}. */
    static Wait forLogLine(String regex, int times) {
        if (times < 1) throw new IllegalArgumentException("times must be at least 1, not " + times);
        return new LogLine(Pattern.compile(regex), times);
    }

    /**
     * Ready once a TCP socket listens on {@code port} in the container's network namespace. Read
     * from the kernel's socket table ({@code /proc/PID/net/tcp} and {@code tcp6}): nothing is sent
     * to the container, and it works for a private network namespace the test cannot reach.
     */
    static Wait forListeningPort(int port) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        return new ListeningPort(port);
    }

    /**
     * Ready once {@code command}, run in the container, exits with 0 (run again after 2 ms, then
     * after twice as long each time, up to every 100 ms; so is a listening port checked).
     */
    static Wait forSuccessfulCommand(String... command) {
        if (command.length == 0) throw new IllegalArgumentException("a command is needed");
        return new Command(List.of(command));
    }

    record Nothing() implements Wait {
        @Override
        public String toString() {
            return "nothing";
        }
    }

    record LogLine(Pattern pattern, int times) implements Wait {
        public LogLine {
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public String toString() {
            return "log line /" + pattern + "/" + (times > 1 ? " × " + times : "");
        }
    }

    record ListeningPort(int port) implements Wait {
        /** TCP_LISTEN in the kernel's {@code st} column. */
        private static final String LISTEN = "0A";

        boolean listens(long pid) throws IOException {
            for (String table : List.of("tcp", "tcp6")) {
                List<String> rows;
                try {
                    rows = Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table));
                } catch (NoSuchFileException e) {
                    continue; // no IPv6 in that namespace, or the process is gone
                }
                for (String row : rows.subList(Math.min(1, rows.size()), rows.size())) {
                    String[] f = row.trim().split("\\s+");
                    if (f.length < 4 || !LISTEN.equals(f[3])) continue;
                    String local = f[1];
                    int colon = local.lastIndexOf(':');
                    if (colon > 0 && Integer.parseInt(local.substring(colon + 1), 16) == port) return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return "a listening TCP port " + port;
        }
    }

    record Command(List<String> command) implements Wait {
        @Override
        public String toString() {
            return "command " + String.join(" ", command) + " to succeed";
        }
    }
}
