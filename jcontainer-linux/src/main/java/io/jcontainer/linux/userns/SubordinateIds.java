package io.jcontainer.linux.userns;

import io.jcontainer.IdMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a non-root JVM may map in a user namespace beyond its own uid and gid: its ranges in
 * {@code /etc/subuid} and {@code /etc/subgid} (subuid(5): {@code owner:start:count}, the owner
 * by name or numeric uid; both files are keyed by the user), and the setuid helpers
 * {@code newuidmap}/{@code newgidmap} that write such maps for it (shadow's uidmap package).
 *
 * @param newuidmap null when not installed
 * @param uids      subordinate uid ranges, as {@code IdMap(0, start, count)} (containerId unused)
 */
public record SubordinateIds(Path newuidmap, Path newgidmap, List<IdMap> uids, List<IdMap> gids) {
    public static final SubordinateIds NONE = new SubordinateIds(null, null, List.of(), List.of());

    public SubordinateIds {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
    }

    /** Both helpers installed and at least one range of each kind. */
    public boolean usable() {
        return newuidmap != null && newgidmap != null && !uids.isEmpty() && !gids.isEmpty();
    }

    /** Reads the host's files for the user {@code name} with uid {@code uid}. */
    public static SubordinateIds probe(String name, int uid) {
        return new SubordinateIds(helper("newuidmap"), helper("newgidmap"),
                parse(read(Path.of("/etc/subuid")), name, uid), parse(read(Path.of("/etc/subgid")), name, uid));
    }

    /** The user whose /etc/subuid and /etc/subgid ranges {@link #unprivileged} takes first. */
    public static final String DEDICATED_USER = "jcontainer";
    /**
     * jcontainer's own range when no {@value #DEDICATED_USER} user has one: 65536 ids from
     * 2^31 - 2^16, far above what useradd hands out (UID_MAX 60000, SUB_UID_MAX 600100000), so no
     * host user or subordinate range owns them.
     */
    public static final long RESERVED_BASE = 2147418112L, RESERVED_SIZE = 65536;

    /**
     * Where a root JVM maps an unprivileged container's ids (0.. inside): the first range of the
     * user {@value #DEDICATED_USER} in {@code subuid}/{@code subgid} text (at most 65536 ids), else
     * {@link #RESERVED_BASE}. Returns {uid map, gid map}.
     */
    public static List<List<IdMap>> unprivileged(String subuid, String subgid) {
        return List.of(unprivileged(parse(subuid, DEDICATED_USER, -1)), unprivileged(parse(subgid, DEDICATED_USER, -1)));
    }

    /** As above, from the host's /etc/subuid and /etc/subgid. */
    public static List<List<IdMap>> unprivileged() {
        return unprivileged(read(Path.of("/etc/subuid")), read(Path.of("/etc/subgid")));
    }

    private static List<IdMap> unprivileged(List<IdMap> ranges) {
        if (!ranges.isEmpty()) {
            IdMap r = ranges.getFirst();
            return List.of(new IdMap(0, r.hostId(), Math.min(r.size(), RESERVED_SIZE)));
        }
        return List.of(new IdMap(0, RESERVED_BASE, RESERVED_SIZE));
    }

    /** Only the system's own directories: a helper found through $PATH could be anyone's. */
    public static Path helper(String name) {
        for (String d : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** The ranges of {@code owner} (name or numeric uid) in a subuid(5)/subgid(5) text. */
    public static List<IdMap> parse(String text, String name, int uid) {
        List<IdMap> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split(":");
            if (f.length != 3) continue;
            if (!f[0].equals(name) && !f[0].equals(Integer.toString(uid))) continue;
            try {
                long start = Long.parseLong(f[1]), count = Long.parseLong(f[2]);
                if (count > 0) out.add(new IdMap(0, start, count));
            } catch (RuntimeException malformed) {
                // skip it, as newuidmap does
            }
        }
        return out;
    }

    /** Whether host ids [start, start+size) lie inside one of {@code ranges}. */
    public static boolean covers(List<IdMap> ranges, long start, long size) {
        for (IdMap r : ranges) if (start >= r.hostId() && start + size <= r.hostId() + r.size()) return true;
        return false;
    }

    /** The maps newuidmap gets by default: container 0 = the JVM's id, 1.. = the first range. */
    public static List<IdMap> defaultMap(long ownId, List<IdMap> ranges) {
        IdMap r = ranges.getFirst();
        return List.of(new IdMap(0, ownId, 1), new IdMap(1, r.hostId(), Math.min(r.size(), 0xFFFF_FFFFL - 1)));
    }

    /** newuidmap's arguments after the pid: "inside outside count" triples. */
    public static List<String> args(List<IdMap> maps) {
        List<String> a = new ArrayList<>();
        for (IdMap m : maps) {
            a.add(Long.toString(m.containerId()));
            a.add(Long.toString(m.hostId()));
            a.add(Long.toString(m.size()));
        }
        return a;
    }
}
