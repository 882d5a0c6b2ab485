package io.jcontainer.lifecycle;

import java.time.Instant;

/**
 * {@code docker logs [-f] [-t] [--tail N] [--since T] [--until T]}.
 *
 * @param follow     keep reading while the container runs
 * @param timestamps prefix each line with its RFC 3339 time (nanoseconds)
 * @param tail       only the last {@code tail} lines; negative for all
 * @param since      only entries at or after it; null for no bound
 * @param until      only entries before it; null for no bound
 */
public record LogOptions(boolean follow, boolean timestamps, int tail, Instant since, Instant until) {
    public static final LogOptions ALL = new LogOptions(false, false, -1, null, null);
}
