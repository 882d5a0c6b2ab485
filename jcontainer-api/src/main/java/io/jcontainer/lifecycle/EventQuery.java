package io.jcontainer.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Which events to deliver ({@code docker events --since --until --filter}).
 *
 * @param since   events at or after it (null: only those from now on)
 * @param until   stop once past it (null: follow until the subscriber stops)
 * @param filters docker's event filters: {@code container} (id, id prefix or name), {@code event}
 *                (action), {@code type} ({@code container}), {@code label} ({@code k} or {@code k=v});
 *                values of one key are alternatives, keys must all match
 */
public record EventQuery(Instant since, Instant until, Map<String, List<String>> filters) {
    public EventQuery {
        filters = filters == null ? Map.of() : Map.copyOf(filters);
    }

    public static final EventQuery FOLLOW = new EventQuery(null, null, Map.of());

    public boolean matches(ContainerEvent e) {
        if (since != null && e.time().isBefore(since)) return false;
        if (until != null && e.time().isAfter(until)) return false;
        for (var f : filters.entrySet()) {
            boolean any = switch (f.getKey()) {
                case "container" -> f.getValue().stream().anyMatch(v -> e.id().startsWith(v) || v.equals(e.name()));
                case "event" -> f.getValue().contains(e.action());
                case "type" -> f.getValue().contains(e.type());
                case "label" -> f.getValue().stream().anyMatch(v -> {
                    int eq = v.indexOf('=');
                    return eq < 0 ? e.attributes().containsKey(v) : v.substring(eq + 1).equals(e.attributes().get(v.substring(0, eq)));
                });
                default -> throw new IllegalArgumentException("invalid filter '" + f.getKey() + "'");
            };
            if (!any) return false;
        }
        return true;
    }

    /** What receives events; returning false ends the subscription. */
    @FunctionalInterface
    public interface Sink {
        boolean accept(ContainerEvent event);
    }
}
