package io.jcontainer;

import java.util.List;

/**
 * Who the payload runs as: OCI's {@code process.user}. The user is docker's {@code -u} notation
 * ({@code uid}, {@code uid:gid}, {@code name}, {@code name:group}), resolved against the root's
 * {@code /etc/passwd} and {@code /etc/group} at start; null is root (0:0).
 *
 * @param name           docker-style user, or null for root
 * @param additionalGids supplementary groups added to those the user has in {@code /etc/group} (docker {@code --group-add})
 * @param umask          the payload's umask, or null for 0022
 * @param additionalGroups supplementary groups by name, resolved in the root's {@code /etc/group} at start
 *                       (docker's {@code --group-add NAME}); an unknown name fails the start naming it
 */
public record UserSpec(String name, List<Integer> additionalGids, Integer umask, List<String> additionalGroups) {
    public static final UserSpec ROOT = new UserSpec(null, List.of(), null);

    /** Without groups by name. */
    public UserSpec(String name, List<Integer> additionalGids, Integer umask) {
        this(name, additionalGids, umask, List.of());
    }

    public UserSpec {
        additionalGroups = Checks.list("additionalGroups", additionalGroups == null ? List.of() : additionalGroups);
        for (String g : additionalGroups)
            if (g.isEmpty() || g.indexOf(':') >= 0 || g.indexOf('\n') >= 0 || g.indexOf('\0') >= 0)
                throw new InvalidSpecException("group-add", "invalid group name '" + g.replace('\0', '?') + "'");
        if (name != null && (name.isEmpty() || name.indexOf('\0') >= 0 || name.split(":", -1).length > 2 || name.startsWith(":") || name.endsWith(":")))
            throw new InvalidSpecException("user", "expected UID[:GID] or NAME[:GROUP], got '" + name.replace('\0', '?') + "'");
        additionalGids = Checks.list("additionalGids", additionalGids);
        for (int g : additionalGids) if (g < 0) throw new InvalidSpecException("additionalGids", "negative gid " + g);
        if (umask != null && (umask < 0 || umask > 0777)) throw new InvalidSpecException("umask", "must be between 0 and 0777, got " + Integer.toOctalString(umask));
    }

    /** OCI's numeric form. */
    public static UserSpec ids(int uid, int gid) {
        if (uid < 0 || gid < 0) throw new InvalidSpecException("user", "negative id " + uid + ":" + gid);
        return new UserSpec(uid + ":" + gid, List.of(), null);
    }

    public UserSpec withName(String n) { return new UserSpec(n, additionalGids, umask, additionalGroups); }
    public UserSpec withAdditionalGids(List<Integer> g) { return new UserSpec(name, g, umask, additionalGroups); }
    public UserSpec withUmask(Integer m) { return new UserSpec(name, additionalGids, m, additionalGroups); }
    public UserSpec withAdditionalGroups(List<String> g) { return new UserSpec(name, additionalGids, umask, g); }
}
