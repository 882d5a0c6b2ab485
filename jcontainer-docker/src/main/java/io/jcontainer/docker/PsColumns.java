package io.jcontainer.docker;

import io.jcontainer.lifecycle.ContainerInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code docker ps}'s table: its columns and its STATUS and CREATED wording. */
public final class PsColumns {
    public static final List<String> TITLES = List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");

    private PsColumns() {
    }

    /** One row of the table; {@code full}: {@code --no-trunc}. */
    public static List<String> row(ContainerInfo c, boolean full) {
        return row(c, full, List.of());
    }

    /** One row of the table, with the container's published ports ({@code ports}, as chosen at start). */
    public static List<String> row(ContainerInfo c, boolean full, List<io.jcontainer.PortBinding> ports) {
        String cmd = String.join(" ", c.command());
        if (!full && cmd.length() > 20) cmd = cmd.substring(0, 19) + "…";
        return List.of(full ? c.id() : c.shortId(), c.image() == null ? "" : c.image(), "\"" + cmd + "\"",
                c.created() == null ? "" : ago(c.created()), status(c), ports(ports), c.name() == null ? "" : c.name());
    }

    /**
     * docker ps's SIZE ({@code -s}, {@code .Size}): what the container wrote, and its whole root
     * as {@code (virtual …)} when known — decimal units, three digits ({@code units.HumanSizeWithPrecision}).
     */
    public static String size(long rw, long rootFs) {
        String written = StatsColumns.decimal(rw);
        return rootFs > 0 ? written + " (virtual " + StatsColumns.decimal(rootFs) + ")" : written;
    }

    /** docker's CLI asks for sizes when {@code -s} is given or the format uses {@code .Size}. */
    public static boolean wantsSize(boolean flag, String format) {
        return flag || (format != null && format.contains(".Size"));
    }

    /** docker ps's PORTS: {@code 0.0.0.0:8080->80/tcp, 127.0.0.1:32768->53/udp}. */
    public static String ports(List<io.jcontainer.PortBinding> ports) {
        return String.join(", ", ports.stream().map(b -> DockerPorts.hostSide(b) + "->" + b.containerPort() + "/" + b.protocol()).toList());
    }

    /** docker's "5 seconds ago" / "About a minute ago" / "2 hours ago". */
    public static String ago(Instant t) {
        return human(Duration.between(t, Instant.now())) + " ago";
    }

    public static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) return "Less than a second";
        if (s < 60) return s + " second" + (s == 1 ? "" : "s");
        long m = s / 60;
        if (m == 1) return "About a minute";
        if (m < 60) return m + " minutes";
        long h = m / 60;
        if (h == 1) return "About an hour";
        if (h < 48) return h + " hours";
        return h / 24 + " days";
    }

    /** docker ps's STATUS column. */
    public static String status(ContainerInfo c) {
        return switch (c.status()) {
            case RUNNING, PAUSED -> "Up " + (c.started() == null ? "" : human(Duration.between(c.started(), Instant.now())))
                    + (c.paused() ? " (Paused)" : health(c));
            case EXITED -> "Exited (" + (c.exit() == null ? 0 : c.exit().code()) + ") " + (c.finished() == null ? "" : ago(c.finished()));
            case RESTARTING -> "Restarting (" + (c.exit() == null ? 0 : c.exit().code()) + ") " + (c.finished() == null ? "" : ago(c.finished()));
            case CREATED -> "Created";
            case DEAD -> "Dead";
        };
    }

    /** docker's health suffix: " (healthy)", " (unhealthy)", " (health: starting)"; empty without a check. */
    private static String health(ContainerInfo c) {
        if (c.health() == null) return "";
        return switch (c.health().status()) {
            case STARTING -> " (health: starting)";
            case HEALTHY -> " (healthy)";
            case UNHEALTHY -> " (unhealthy)";
        };
    }

    /** ps --format's default table, as docker's. */
    public static final String TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    /** ps --format's header names where docker's differ from the field's. */
    public static final Map<String, String> HEADERS = Map.of("ID", "CONTAINER ID", "Names", "NAMES", "RunningFor", "CREATED", "CreatedAt", "CREATED AT");
    /** docker ps's {@code CreatedAt}: Go's time layout {@code 2006-01-02 15:04:05 -0700 MST} (here in UTC). */
    public static final java.time.format.DateTimeFormatter CREATED_AT =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z z", java.util.Locale.ROOT);

    /**
     * The fields {@code ps --format} templates see (docker's {@code formatter.ContainerContext}):
     * ID, Image, Command (quoted, truncated unless {@code full}), CreatedAt, RunningFor, Ports,
     * State, Status, Size, Names, Labels (k=v,...), Mounts, Networks; {@code .Label "k"} is a map
     * lookup here: {@code {{index .LabelMap "k"}}}.
     */
    public static Map<String, Object> fields(ContainerInfo c, boolean full) {
        return fields(c, full, List.of());
    }

    /** As {@link #fields(ContainerInfo, boolean)}, Ports from {@code ports}. */
    public static Map<String, Object> fields(ContainerInfo c, boolean full, List<io.jcontainer.PortBinding> ports) {
        List<String> row = row(c, full, ports);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", row.get(0));
        m.put("Image", row.get(1));
        m.put("Command", row.get(2));
        m.put("CreatedAt", c.created() == null ? "" : CREATED_AT.format(c.created().atZone(java.time.ZoneId.of("UTC"))));
        m.put("RunningFor", row.get(3));
        m.put("Ports", row.get(5));
        m.put("State", c.status().docker());
        m.put("Status", row.get(4));
        m.put("Size", "0B");
        m.put("Names", row.get(6));
        m.put("Labels", String.join(",", c.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        m.put("LabelMap", c.labels());
        m.put("Mounts", c.spec() == null ? "" : String.join(",", c.spec().mounts().stream().map(x -> x.target()).toList()));
        m.put("Networks", c.spec() == null ? "" : c.spec().network().toString());
        return m;
    }
}
