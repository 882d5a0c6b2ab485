package io.jcontainer.docker;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * docker's {@code --detach-keys}: a comma-separated key sequence, each key a single character
 * or {@code ctrl-X} where X is a letter or one of {@code @ [ \ ] ^ _} (default
 * {@code ctrl-p,ctrl-q}). {@link #filter} scans the user's input: the bytes of a sequence being
 * typed are held back; the whole sequence means "detach"; anything else releases them to the
 * container with the byte that broke the match, so ctrl-p alone still reaches the payload.
 */
public final class DetachKeys {
    public static final String DEFAULT = "ctrl-p,ctrl-q";

    private final byte[] keys;
    private int matched;

    private DetachKeys(byte[] keys) {
        this.keys = keys;
    }

    public static DetachKeys parse(String spec) {
        if (spec == null || spec.isEmpty()) spec = DEFAULT;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String raw : spec.split(",", -1)) {
            String key = raw.trim();
            String lower = key.toLowerCase(Locale.ROOT);
            if (lower.startsWith("ctrl-") && key.length() == 6) {
                char c = Character.toLowerCase(key.charAt(5));
                int code;
                if (c >= 'a' && c <= 'z') code = c - 'a' + 1;
                else code = switch (c) {
                    case '@' -> 0;
                    case '[' -> 27;
                    case '\\' -> 28;
                    case ']' -> 29;
                    case '^' -> 30;
                    case '_' -> 31;
                    default -> throw invalid(key);
                };
                out.write(code);
            } else if (key.length() == 1 && key.charAt(0) > ' ' && key.charAt(0) < 0x7f) {
                out.write(key.charAt(0));
            } else {
                throw invalid(key);
            }
        }
        return new DetachKeys(out.toByteArray());
    }

    private static IllegalArgumentException invalid(String key) {
        return new IllegalArgumentException("Unrecognized input key: " + key
                + " (a single character or ctrl-<value>, <value> one of a-z, @, ^, [, \\, ], _)");
    }

    /** The sequence's bytes. */
    public byte[] bytes() {
        return keys.clone();
    }

    /** What {@link #filter} found in one chunk of input. */
    public record Result(byte[] forward, boolean detach) {
    }

    /**
     * Scans one chunk of the user's input: the bytes to send to the container now, and whether the
     * detach sequence completed (bytes after it are dropped, as docker does). A partial match at
     * the end of the chunk is held until the next call.
     */
    public Result filter(byte[] buf, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + keys.length);
        for (int i = off; i < off + len; i++) {
            byte b = buf[i];
            if (b == keys[matched]) {
                if (++matched == keys.length) {
                    matched = 0;
                    return new Result(out.toByteArray(), true);
                }
                continue;
            }
            if (matched > 0) { // release what was held; the breaking byte may start a new match
                out.write(keys, 0, matched);
                matched = 0;
                if (b == keys[0]) {
                    matched = 1;
                    continue;
                }
            }
            out.write(b);
        }
        return new Result(out.toByteArray(), false);
    }

    /** Bytes held by a partial match, for the end of input. */
    public byte[] pending() {
        byte[] p = Arrays.copyOf(keys, matched);
        matched = 0;
        return p;
    }
}
