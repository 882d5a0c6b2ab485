package io.jcontainer.lifecycle;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which containers to list ({@code docker ps [-a] [--filter K=V]...}, the Engine API's
 * {@code GET /containers/json?all=&filters=}).
 *
 * @param all     exited and created ones too (by default only running ones, paused included)
 * @param filters docker's: {@code id} (prefix), {@code name} (regular expression, unanchored, as
 *                docker's), {@code label} ({@code k} or {@code k=v}), {@code status} ({@code created},
 *                {@code running}, {@code paused}, {@code restarting}, {@code exited}, {@code dead}),
 *                {@code exited} (exit code). Values of one key are alternatives; all keys must match.
 *                A status or exited filter lists exited containers without {@code all}, as docker.
 */
public record ListQuery(boolean all, Map<String, List<String>> filters) {
    private static final Set<String> KEYS = Set.of("id", "name", "label", "status", "exited");

    public ListQuery {
        filters = filters == null ? Map.of() : Map.copyOf(filters);
        for (var f : filters.entrySet()) {
            if (f.getKey().equals("ancestor"))
                throw new IllegalArgumentException("filter 'ancestor' needs images, which are not implemented yet");
            if (!KEYS.contains(f.getKey())) throw new IllegalArgumentException("invalid filter '" + f.getKey() + "'");
            if (f.getKey().equals("status"))
                for (String v : f.getValue())
                    try {
                        ContainerInfo.Status.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("invalid filter 'status=" + v + "'");
                    }
            if (f.getKey().equals("exited"))
                for (String v : f.getValue())
                    try {
                        Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("invalid filter 'exited=" + v + "'");
                    }
        }
    }

    public static final ListQuery RUNNING = new ListQuery(false, Map.of()), ALL = new ListQuery(true, Map.of());

    /** Parses docker's {@code --filter} values ({@code key=value}). */
    public static ListQuery of(boolean all, List<String> filterArgs) {
        Map<String, List<String>> m = new java.util.LinkedHashMap<>();
        for (String f : filterArgs) {
            int eq = f.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("bad format of filter (expected name=value)");
            m.computeIfAbsent(f.substring(0, eq), k -> new java.util.ArrayList<>()).add(f.substring(eq + 1));
        }
        return new ListQuery(all, m);
    }

    public boolean matches(ContainerInfo c) {
        boolean statusFilter = filters.containsKey("status") || filters.containsKey("exited");
        if (!all && !statusFilter && !c.running()) return false;
        for (var f : filters.entrySet()) {
            boolean any = switch (f.getKey()) {
                case "id" -> f.getValue().stream().anyMatch(v -> c.id().startsWith(v));
                case "name" -> f.getValue().stream().anyMatch(v -> c.name() != null && Pattern.compile(v).matcher(c.name()).find());
                case "label" -> f.getValue().stream().anyMatch(v -> {
                    int eq = v.indexOf('=');
                    return eq < 0 ? c.labels().containsKey(v) : v.substring(eq + 1).equals(c.labels().get(v.substring(0, eq)));
                });
                case "status" -> f.getValue().contains(c.status().docker());
                case "exited" -> c.status() == ContainerInfo.Status.EXITED && c.exit() != null
                        && f.getValue().stream().anyMatch(v -> Integer.parseInt(v) == c.exit().code());
                default -> false;
            };
            if (!any) return false;
        }
        return true;
    }
}
