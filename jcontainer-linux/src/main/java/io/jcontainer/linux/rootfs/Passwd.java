package io.jcontainer.linux.rootfs;

import io.jcontainer.InvalidSpecException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves docker's {@code -u} ({@code uid[:gid]}, {@code name[:group]}) against an image's
 * {@code /etc/passwd} and {@code /etc/group}. The files are parsed as text: no code of the image
 * (NSS modules) is ever loaded on the host, and they are read only if they stay inside the root
 * (an image's {@code /etc/passwd -> /etc/shadow} link is refused).
 */
public final class Passwd {
    /** The resolved identity: uid, primary gid, supplementary groups and home directory. */
    public record User(int uid, int gid, List<Integer> groups, String home) {
        public static final User ROOT = new User(0, 0, List.of(0), "/root");
    }

    private final List<String[]> passwd;
    private final List<String[]> group;

    public Passwd(String passwdText, String groupText) {
        this.passwd = parse(passwdText);
        this.group = parse(groupText);
    }

    /** The embedded default root's generated files (see PlanCompiler), parsed once. */
    private static final Passwd DEFAULT_ROOT = new Passwd(
            io.jcontainer.linux.plan.PlanCompiler.DEFAULT_PASSWD, io.jcontainer.linux.plan.PlanCompiler.DEFAULT_GROUP);

    /** The user database of a container's root: the image's, or the default root's when {@code rootfs} is null. */
    public static Passwd forRoot(Path rootfs) {
        return rootfs == null ? DEFAULT_ROOT : of(rootfs);
    }

    /**
     * The users of a container's root: its directory, the default root's, or for an overlay the
     * topmost layer (upper, then the lower dirs) that has an {@code etc/passwd}.
     */
    public static Passwd forRoot(io.jcontainer.Root root) {
        // instanceof, not a pattern switch: every pattern switch's class is spun at run time
        // (SwitchBootstraps, ~1.5 ms interpreted), outside the AOT cache, at each start of the CLI
        if (root instanceof io.jcontainer.Root.Directory d) return of(d.path());
        if (root instanceof io.jcontainer.Root.Overlay o) {
            java.util.List<Path> layers = new java.util.ArrayList<>();
            if (o.upper() != null) layers.add(o.upper());
            layers.addAll(o.lowerDirs());
            Path top = layers.stream().filter(l -> java.nio.file.Files.exists(l.resolve("etc/passwd"))).findFirst().orElse(layers.getLast());
            return of(top);
        }
        return DEFAULT_ROOT; // Root.Default
    }

    /** Reads {@code etc/passwd} and {@code etc/group} of a root directory (absent files are empty). */
    public static Passwd of(Path rootfs) {
        // Parsed once per image and reused while both files keep their identity (lstat: a file
        // swapped for a symlink changes it), so a start pays two stats instead of two reads.
        String stamp = stamp(rootfs, "etc/passwd") + "|" + stamp(rootfs, "etc/group");
        Cached c = CACHE.get(rootfs);
        if (c != null && c.stamp.equals(stamp)) return c.passwd;
        Passwd p = new Passwd(readInside(rootfs, "etc/passwd"), readInside(rootfs, "etc/group"));
        if (CACHE.size() > 256) CACHE.clear();
        CACHE.put(rootfs, new Cached(stamp, p));
        return p;
    }

    private record Cached(String stamp, Passwd passwd) {
    }

    private static final java.util.concurrent.ConcurrentHashMap<Path, Cached> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    private static String stamp(Path root, String rel) {
        try {
            var a = Files.readAttributes(root.resolve(rel), java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.fileKey() + "/" + a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + a.isSymbolicLink();
        } catch (IOException e) {
            return "absent";
        }
    }

    private static String readInside(Path root, String rel) {
        try {
            Path realRoot = root.toRealPath();
            Path p = root.resolve(rel);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return "";
            Path real = p.toRealPath();
            if (!real.startsWith(realRoot))
                throw new InvalidSpecException("user", root.relativize(p) + " in the rootfs links outside of it (" + real + "); refusing to read it");
            if (!Files.isRegularFile(real) || Files.size(real) > 16 << 20) return "";
            return Files.readString(real);
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String[]> parse(String text) {
        List<String[]> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            out.add(line.split(":", -1));
        }
        return out;
    }

    /** Resolves a user spec; null means root. Throws naming the unknown user or group. */
    public User resolve(String spec) {
        if (spec == null) return withHome(0, 0, true);
        String[] parts = spec.split(":", 2);
        String u = parts[0], g = parts.length == 2 ? parts[1] : null;
        int uid, gid;
        String[] entry = null;
        if (isNumber(u)) {
            uid = parseId(u, "user");
            for (String[] e : passwd) if (e.length >= 4 && e[2].equals(u)) entry = e;
            gid = entry != null ? parseId(entry[3], "user") : uid == 0 ? 0 : uid;
        } else {
            for (String[] e : passwd) if (e.length >= 4 && e[0].equals(u)) { entry = e; break; }
            if (entry == null) throw new InvalidSpecException("user", "unable to find user " + u + ": no matching entries in passwd file");
            uid = parseId(entry[2], "user");
            gid = parseId(entry[3], "user");
        }
        if (g != null) {
            if (isNumber(g)) gid = parseId(g, "group");
            else {
                String[] ge = null;
                for (String[] e : group) if (e.length >= 3 && e[0].equals(g)) { ge = e; break; }
                if (ge == null) throw new InvalidSpecException("user", "unable to find group " + g + ": no matching entries in group file");
                gid = parseId(ge[2], "group");
            }
        }
        // As docker shows it: the primary group is also a supplementary one, then the memberships.
        List<Integer> groups = new ArrayList<>(List.of(gid));
        if (entry != null && g == null) {
            String name = entry[0];
            for (String[] e : group) {
                if (e.length < 4 || e[3].isEmpty()) continue;
                for (String member : e[3].split(","))
                    if (member.equals(name)) {
                        int id = parseId(e[2], "group");
                        if (id != gid && !groups.contains(id)) groups.add(id);
                    }
            }
        }
        String home = entry != null && entry.length >= 6 && !entry[5].isEmpty() ? entry[5] : uid == 0 ? "/root" : "/";
        return new User(uid, gid, List.copyOf(groups), home);
    }

    /**
     * {@link #resolve(String)} plus supplementary groups by name from this root's
     * {@code /etc/group} (docker's {@code --group-add NAME}), refused naming an unknown one.
     */
    public User resolve(String spec, List<String> groupNames) {
        User u = resolve(spec);
        if (groupNames == null || groupNames.isEmpty()) return u;
        List<Integer> groups = new ArrayList<>(u.groups());
        for (String name : groupNames) {
            int id;
            if (isNumber(name)) id = parseId(name, "group");
            else {
                String[] ge = null;
                for (String[] e : group) if (e.length >= 3 && e[0].equals(name)) { ge = e; break; }
                if (ge == null) throw new InvalidSpecException("group-add", "unable to find group " + name + ": no matching entries in group file");
                id = parseId(ge[2], "group");
            }
            if (!groups.contains(id)) groups.add(id);
        }
        return new User(u.uid(), u.gid(), List.copyOf(groups), u.home());
    }

    private User withHome(int uid, int gid, boolean root) {
        return resolve(String.valueOf(uid) + ":" + gid);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private static int parseId(String s, String what) {
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0 || v > 0xFFFF_FFFEL) throw new NumberFormatException();
            return (int) v;
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("user", "invalid " + what + " id '" + s + "'");
        }
    }
}
