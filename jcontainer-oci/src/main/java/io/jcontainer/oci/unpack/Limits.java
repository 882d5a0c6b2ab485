package io.jcontainer.oci.unpack;

import java.time.Duration;

/**
 * Bounds on one layer (SECURITY.md row 32: decompression bombs, 10^7 entries, huge headers, deep
 * paths). Exceeding any aborts the unpack and removes what was written.
 */
public record Limits(long maxBytes, long maxEntries, int maxDepth, int maxPathBytes, Duration maxTime) {
    /** 64 GiB uncompressed, a million entries, 128 path components, 4 KiB paths, an hour. */
    public static final Limits DEFAULT = new Limits(64L << 30, 1_000_000, 128, 4096, Duration.ofHours(1));
}
