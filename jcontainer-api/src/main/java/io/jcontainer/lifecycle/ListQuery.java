package io.jcontainer.lifecycle;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which containers to list ({@code docker ps [-a] [--filter K=V]...}, the Engine API's
 * {@code GET /containers/json?all=&filters=}).
 *
 * @param all     exited and created ones too (by default only running ones, paused and restarting included:
 *                docker counts a container its restart policy is about to start again as running)
 * @param filters docker's: {@code id} (prefix), {@code name} (regular expression, unanchored, as
 *                docker's), {@code label} ({@code k} or {@code k=v}; every one must hold), {@code status} ({@code created},
 *                {@code running}, {@code paused}, {@code restarting}, {@code exited}, {@code dead}),
 *                {@code exited} (exit code), {@code ancestor} (the image or root it runs from),
 *                {@code before}/{@code since} (a container: those created before or after it; see
 *                {@link #select}), {@code volume} (a mount's source, volume name or destination),
 *                {@code network} (its network mode's name: {@code none}, {@code host}, a network),
 *                {@code health} ({@code none} until health checks exist), {@code publish}/{@code expose}
 *                (no container publishes or exposes ports yet: none matches), {@code isolation}
 *                ({@code default} on Linux) and {@code is-task} (no swarm: {@code false}). Values of one
 *                key are alternatives; all keys must match. A status or exited filter lists exited
 *                containers without {@code all}, as docker.
 */
public record ListQuery(boolean all, Map<String, List<String>> filters) {
    private static final Set<String> KEYS = Set.of("id", "name", "label", "status", "exited", "ancestor", "before", "since", "volume",
            "network", "publish", "expose", "health", "isolation", "is-task");

    public ListQuery {
        filters = filters == null ? Map.of() : Map.copyOf(filters);
        for (var f : filters.entrySet()) {
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
            for (String v : f.getValue()) {
                boolean ok = switch (f.getKey()) {
                    case "health" -> Set.of("starting", "healthy", "unhealthy", "none").contains(v);
                    case "isolation" -> Set.of("default", "process", "hyperv").contains(v);
                    case "is-task" -> v.equals("true") || v.equals("false");
                    case "publish", "expose" -> v.matches("\\d+(-\\d+)?(/(tcp|udp|sctp))?");
                    default -> true;
                };
                if (!ok) throw new IllegalArgumentException("invalid filter '" + f.getKey() + "=" + v + "'");
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

    /**
     * The containers of {@code all} (every recorded one, oldest first) that match, {@code before}
     * and {@code since} resolved among them as docker resolves a reference (id, name, id prefix).
     */
    public List<ContainerInfo> select(List<ContainerInfo> all) {
        java.time.Instant before = bound(all, "before"), since = bound(all, "since");
        return all.stream().filter(c -> (before == null || c.created() != null && c.created().isBefore(before))
                && (since == null || c.created() != null && c.created().isAfter(since)) && matches(c)).toList();
    }

    private java.time.Instant bound(List<ContainerInfo> all, String key) {
        List<String> refs = filters.get(key);
        if (refs == null || refs.isEmpty()) return null;
        String ref = refs.getLast();
        for (ContainerInfo c : all) if (c.id().equals(ref) || ref.equals(c.name())) return c.created();
        List<ContainerInfo> prefixed = all.stream().filter(c -> c.id().startsWith(ref)).toList();
        if (prefixed.size() != 1) throw new Containers.NoSuchContainerException("No such container: " + ref);
        return prefixed.getFirst().created();
    }

    /** Whether {@code c} matches every filter but {@code before}/{@code since} (which need the others: {@link #select}). */
    public boolean matches(ContainerInfo c) {
        boolean statusFilter = filters.containsKey("status") || filters.containsKey("exited");
        if (!all && !statusFilter && !c.running() && c.status() != ContainerInfo.Status.RESTARTING) return false;
        for (var f : filters.entrySet()) {
            boolean any = switch (f.getKey()) {
                case "id" -> f.getValue().stream().anyMatch(v -> c.id().startsWith(v));
                case "name" -> f.getValue().stream().anyMatch(v -> c.name() != null && Pattern.compile(v).matcher(c.name()).find());
                // docker ANDs labels (docker-compose asks for project=X and oneoff=False at once)
                case "label" -> f.getValue().stream().allMatch(v -> {
                    int eq = v.indexOf('=');
                    return eq < 0 ? c.labels().containsKey(v) : v.substring(eq + 1).equals(c.labels().get(v.substring(0, eq)));
                });
                case "status" -> f.getValue().contains(c.status().docker());
                case "exited" -> c.status() == ContainerInfo.Status.EXITED && c.exit() != null
                        && f.getValue().stream().anyMatch(v -> Integer.parseInt(v) == c.exit().code());
                case "ancestor" -> f.getValue().stream().anyMatch(v -> ancestor(c.image(), v));
                case "before", "since" -> true; // select's
                case "volume" -> c.spec() != null && f.getValue().stream().anyMatch(v -> c.spec().mounts().stream().anyMatch(m -> mounts(m, v)));
                case "network" -> c.spec() != null && f.getValue().contains(networkName(c.spec()));
                case "health" -> f.getValue().contains("none"); // no health checks yet: every container's is none
                case "isolation" -> f.getValue().contains("default");
                case "is-task" -> f.getValue().contains("false");
                case "publish", "expose" -> false; // no published or exposed ports are recorded yet
                default -> false;
            };
            if (!any) return false;
        }
        return true;
    }

    /** docker's ancestor: the image as given, its name with any tag (a bare name means :latest too), or its id's prefix. */
    private static boolean ancestor(String image, String v) {
        if (image == null) return false;
        if (image.equals(v) || image.equals(v + ":latest") || image.startsWith(v + "@")) return true;
        return v.matches("(sha256:)?[0-9a-f]{4,64}") && image.startsWith(v);
    }

    /** docker's volume filter: a named volume, a bind's source, or the mount's destination. */
    private static boolean mounts(io.jcontainer.Mount m, String v) {
        if (m.target().equals(v)) return true;
        return switch (m) {
            case io.jcontainer.Mount.Bind b -> b.source().toString().equals(v) || b.source().toString().endsWith("/" + v + "/_data");
            case io.jcontainer.Mount.Generic g -> v.equals(g.source());
            case io.jcontainer.Mount.Tmpfs t -> false;
        };
    }

    private static String networkName(io.jcontainer.ContainerSpec s) {
        return switch (s.network()) {
            case io.jcontainer.NetworkMode.Named n -> n.name();
            case io.jcontainer.NetworkMode.Host h -> "host";
            case io.jcontainer.NetworkMode.None n -> "none";
            case io.jcontainer.NetworkMode.Container c -> "container:" + c.idOrName();
            case io.jcontainer.NetworkMode.NamespacePath p -> p.path();
        };
    }
}
