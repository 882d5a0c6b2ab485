package io.jcontainer;

import java.util.Locale;

/**
 * An amount of memory or storage, in bytes. Units are binary, as docker's are: {@code 100m} is
 * 100 MiB. With {@code import static io.jcontainer.DataSize.*}, {@code memoryLimit(MB(100))}
 * reads like the design card's {@code memoryLimit(100MB)}.
 */
public record DataSize(long bytes) implements Comparable<DataSize> {
    public static final long KIB = 1024, MIB = KIB * 1024, GIB = MIB * 1024, TIB = GIB * 1024;

    public DataSize {
        if (bytes < 0) throw new InvalidSpecException("size", "a size cannot be negative: " + bytes);
    }

    public static DataSize bytes(long n) { return new DataSize(n); }
    public static DataSize KB(long n) { return new DataSize(Math.multiplyExact(n, KIB)); }
    public static DataSize MB(long n) { return new DataSize(Math.multiplyExact(n, MIB)); }
    public static DataSize GB(long n) { return new DataSize(Math.multiplyExact(n, GIB)); }

    /**
     * Parses docker's notation: a number with an optional unit {@code b, k, m, g, t} (also
     * {@code kb, mib, ...}, any case). Fractions are allowed with a unit: {@code 1.5g}.
     */
    public static DataSize parse(String text) {
        if (text == null || text.isBlank()) throw new InvalidSpecException("size", "empty size");
        String t = text.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) i++;
        String num = t.substring(0, i), unit = t.substring(i).trim();
        if (num.isEmpty()) throw new InvalidSpecException("size", "not a size: '" + text + "' (expected e.g. 512m, 2g, 1048576)");
        long mult = switch (unit) {
            case "", "b" -> 1;
            case "k", "kb", "kib" -> KIB;
            case "m", "mb", "mib" -> MIB;
            case "g", "gb", "gib" -> GIB;
            case "t", "tb", "tib" -> TIB;
            default -> throw new InvalidSpecException("size", "unknown unit '" + unit + "' in '" + text + "' (use b, k, m, g or t)");
        };
        try {
            double v = Double.parseDouble(num) * mult;
            if (v > Long.MAX_VALUE) throw new InvalidSpecException("size", "too large: " + text);
            return new DataSize((long) v);
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("size", "not a size: '" + text + "'");
        }
    }

    @Override
    public int compareTo(DataSize o) {
        return Long.compare(bytes, o.bytes);
    }

    @Override
    public String toString() {
        if (bytes != 0 && bytes % GIB == 0) return bytes / GIB + "g";
        if (bytes != 0 && bytes % MIB == 0) return bytes / MIB + "m";
        if (bytes != 0 && bytes % KIB == 0) return bytes / KIB + "k";
        return bytes + "b";
    }
}
