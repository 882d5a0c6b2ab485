package io.jcontainer.server.handlers;

import io.jcontainer.server.http.ApiError;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * docker's label filters of the prune endpoints: {@code label=K}, {@code label=K=V} (all must
 * match) and {@code label!=K}, {@code label!=K=V} (none may). A prune removes what matches and
 * nothing else — Testcontainers without Ryuk prunes its session's networks, volumes and images
 * this way when its JVM ends, so a filter ignored would remove other users' things. Any other
 * key the endpoint does not know is refused, never ignored.
 */
record PruneFilters(List<String> labels, List<String> notLabels) {
    static PruneFilters of(String endpoint, Map<String, List<String>> filters, Set<String> alsoKnown) {
        for (String k : filters.keySet())
            if (!k.equals("label") && !k.equals("label!") && !alsoKnown.contains(k))
                throw ApiError.notImplemented(endpoint + " filter " + k + " is not supported yet (label, label! "
                        + (alsoKnown.isEmpty() ? "" : "and " + String.join(", ", alsoKnown) + " ") + "are)");
        return new PruneFilters(filters.getOrDefault("label", List.of()), filters.getOrDefault("label!", List.of()));
    }

    boolean any() {
        return !labels.isEmpty() || !notLabels.isEmpty();
    }

    boolean matches(Map<String, String> have) {
        return labels.stream().allMatch(l -> has(have, l)) && notLabels.stream().noneMatch(l -> has(have, l));
    }

    private static boolean has(Map<String, String> have, String filter) {
        int eq = filter.indexOf('=');
        return eq < 0 ? have.containsKey(filter) : filter.substring(eq + 1).equals(have.get(filter.substring(0, eq)));
    }
}
