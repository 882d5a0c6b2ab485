package io.jcontainer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The spec's shared argument checks: every refusal is an {@link InvalidSpecException} naming the setting. */
final class Checks {
    private Checks() { }

    /** A copy of {@code list} (null = empty), refusing null elements by name. */
    static <T> List<T> list(String setting, Collection<? extends T> list) {
        if (list == null) return List.of();
        List<T> out = new ArrayList<>(list.size());
        for (T t : list) {
            if (t == null) throw new InvalidSpecException(setting, "contains null: " + list);
            out.add(t);
        }
        return List.copyOf(out);
    }

    /** An unmodifiable ordered copy of {@code map} (null = empty), refusing null keys and values. */
    static <V> Map<String, V> map(String setting, Map<String, ? extends V> map) {
        if (map == null) return Map.of();
        Map<String, V> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k == null || v == null) throw new InvalidSpecException(setting, "null key or value: " + k + "=" + v);
            out.put(k, v);
        });
        return java.util.Collections.unmodifiableMap(out);
    }

    /** A string the kernel will see as a C string: no NUL inside. */
    static String noNul(String setting, String s) {
        if (s == null) throw new InvalidSpecException(setting, "null");
        if (s.indexOf('\0') >= 0) throw new InvalidSpecException(setting, "contains a NUL byte: '" + s.replace('\0', '?') + "'");
        return s;
    }

    /** An absolute path inside the container: starts with '/', no NUL. */
    static String absolute(String setting, String path) {
        noNul(setting, path);
        if (!path.startsWith("/")) throw new InvalidSpecException(setting, "must be an absolute path inside the container, got '" + path + "'");
        return path;
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
