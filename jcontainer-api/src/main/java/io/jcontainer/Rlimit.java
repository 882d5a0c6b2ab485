package io.jcontainer;

import java.util.Locale;

/**
 * A resource limit (setrlimit(2)) applied to the container's first process and inherited by its
 * children. Names are docker's {@code --ulimit} names: {@code nofile}, {@code nproc}, {@code core}...
 */
public record Rlimit(String name, long soft, long hard) {
    /** Value meaning "no limit" (RLIM_INFINITY). */
    public static final long UNLIMITED = -1;

    private static final String[] NAMES = {"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
            "memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime"};

    public Rlimit {
        name = name.toLowerCase(Locale.ROOT);
        if (resource(name) < 0) throw new InvalidSpecException("ulimit", "unknown limit '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        if (hard != UNLIMITED && (soft == UNLIMITED || soft > hard))
            throw new InvalidSpecException("ulimit", name + ": soft limit " + soft + " exceeds hard limit " + hard);
        if (soft < -1 || hard < -1) throw new InvalidSpecException("ulimit", name + ": negative limit");
    }

    /** The RLIMIT_* number on Linux (x86_64 and aarch64 agree), or -1. */
    public static int resource(String name) {
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(name)) return i;
        return -1;
    }

    public int resource() {
        return resource(name);
    }

    /** Parses docker's {@code --ulimit NAME=SOFT[:HARD]}; {@code -1} or {@code unlimited} is no limit. */
    public static Rlimit parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) throw new InvalidSpecException("ulimit", "expected NAME=SOFT[:HARD], got '" + text + "'");
        String name = text.substring(0, eq);
        String[] v = text.substring(eq + 1).split(":");
        if (v.length < 1 || v.length > 2) throw new InvalidSpecException("ulimit", "expected NAME=SOFT[:HARD], got '" + text + "'");
        long soft = value(v[0], text), hard = v.length == 2 ? value(v[1], text) : soft;
        return new Rlimit(name, soft, hard);
    }

    private static long value(String s, String text) {
        if (s.equals("unlimited") || s.equals("-1")) return UNLIMITED;
        try {
            long n = Long.parseLong(s);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("ulimit", "not a limit: '" + s + "' in '" + text + "'");
        }
    }
}
