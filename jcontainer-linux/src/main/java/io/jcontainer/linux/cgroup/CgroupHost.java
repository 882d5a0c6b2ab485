package io.jcontainer.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cgroup layout this JVM sees, detected once from {@code /proc/self/mountinfo} and
 * {@code /proc/self/cgroup} under an injectable root (tests point it at a temporary directory
 * that mimics a v1, hybrid or v2 host).
 *
 * <p>For every mounted hierarchy it records the directory of the JVM's own cgroup there:
 * containers are created below it, so that limits set on the JVM (a container, a systemd unit)
 * also bind its containers, and so that a non-root JVM uses the subtree delegated to it.
 *
 * @param root       the prefix of every host path ("" on a real host)
 * @param v1         v1 controller name ({@code memory}, {@code cpu}, ...) → its hierarchy
 * @param unified    the cgroup2 hierarchy, or null when none is mounted
 * @param pid        this JVM's pid
 * @param startTime  this JVM's start time (field 22 of /proc/self/stat), to recognise our cgroups
 */
public record CgroupHost(String root, Map<String, Hierarchy> v1, Hierarchy unified, long pid, long startTime) {

    /** The v1 controllers jcontainer knows. Named hierarchies such as name=systemd are left alone. */
    public static final Set<String> V1_CONTROLLERS = Set.of("memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "devices", "freezer");

    /**
     * One mounted hierarchy.
     *
     * @param controllers the controllers bound to it (v1) or available in the JVM's cgroup (v2)
     * @param dir         the JVM's cgroup in it (mount point + path), null when it is not visible
     * @param v2          whether it is a cgroup2 hierarchy
     * @param mountPoint  where it is mounted (null: unknown)
     * @param mountRoot   the cgroup at that mount point ("/" unless a subtree is mounted)
     */
    public record Hierarchy(Set<String> controllers, String dir, boolean v2, String mountPoint, String mountRoot) {
        public Hierarchy(Set<String> controllers, String dir, boolean v2) {
            this(controllers, dir, v2, null, null);
        }

        /**
         * The directory of an OCI {@code linux.cgroupsPath} (checked by
         * {@link CgroupManagers#checkCgroupsPath}) in this hierarchy: an absolute one from the
         * hierarchy's root, a relative one under the JVM's cgroup; null when not visible here.
         */
        public String dirOf(String cgroupsPath) {
            if (!cgroupsPath.startsWith("/")) return dir == null ? null : dir + "/" + cgroupsPath;
            return mountPoint == null ? null : join(mountPoint, mountRoot, cgroupsPath);
        }
    }

    public CgroupHost {
        v1 = Map.copyOf(v1);
    }

    /** Whether some v1 controller hierarchy is mounted (v1 or hybrid host). */
    public boolean isV1() {
        return !v1.isEmpty();
    }

    /** Reads the layout of the real host. */
    public static CgroupHost detect() {
        return detect("");
    }

    /** Reads the layout from files under {@code root} (a test fixture, or "" for the host). */
    public static CgroupHost detect(String root) {
        String mountinfo = readOr(root + "/proc/self/mountinfo", "");
        String cgroup = readOr(root + "/proc/self/cgroup", "");
        String stat = readOr(root + "/proc/self/stat", "");
        long pid = ProcessHandle.current().pid(), start = startTime(stat);
        if (!root.isEmpty()) {
            // a fixture names its own pid in its stat file
            String s = stat.strip();
            if (!s.isEmpty()) pid = Long.parseLong(s.substring(0, s.indexOf(' ')));
        }
        return parse(root, mountinfo, cgroup, pid, start);
    }

    /** Parses the two files' contents. */
    public static CgroupHost parse(String root, String mountinfo, String procSelfCgroup, long pid, long startTime) {
        Map<String, String> v1Paths = new LinkedHashMap<>(); // "memory" or "cpu,cpuacct" → path in hierarchy
        String v2Path = null;
        for (String line : procSelfCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) continue;
            if (f[0].equals("0") && f[1].isEmpty()) v2Path = f[2];
            else for (String c : f[1].split(",")) v1Paths.put(c, f[2]);
        }
        Map<String, Hierarchy> v1 = new LinkedHashMap<>();
        Hierarchy unified = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 0 || f.length < dash + 4) continue;
            String fstype = f[dash + 1], mountRoot = unescape(f[3]), mountPoint = root + unescape(f[4]);
            if (fstype.equals("cgroup2")) {
                if (unified != null || v2Path == null) continue;
                String dir = join(mountPoint, mountRoot, v2Path);
                Set<String> ctrls = dir == null ? Set.of() : Set.of(readOr(dir + "/cgroup.controllers", "").strip().split("\\s+"));
                ctrls = ctrls.stream().filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
                unified = new Hierarchy(ctrls, dir, true, mountPoint, mountRoot);
            } else if (fstype.equals("cgroup")) {
                List<String> ctrls = new ArrayList<>();
                for (String opt : f[dash + 3].split(",")) if (V1_CONTROLLERS.contains(opt)) ctrls.add(opt);
                if (ctrls.isEmpty() || v1.containsKey(ctrls.getFirst())) continue;
                String path = v1Paths.get(ctrls.getFirst());
                Hierarchy h = new Hierarchy(Set.copyOf(ctrls), path == null ? null : join(mountPoint, mountRoot, path), false, mountPoint, mountRoot);
                for (String c : ctrls) v1.put(c, h);
            }
        }
        return new CgroupHost(root, v1, unified, pid, startTime);
    }

    /**
     * The directory of cgroup {@code path} under a mount of hierarchy subtree {@code mountRoot};
     * null when the cgroup lies outside what is mounted (another cgroup namespace).
     */
    private static String join(String mountPoint, String mountRoot, String path) {
        if (mountRoot.equals("/")) return path.equals("/") ? mountPoint : mountPoint + path;
        if (path.equals(mountRoot)) return mountPoint;
        if (path.startsWith(mountRoot + "/")) return mountPoint + path.substring(mountRoot.length());
        return null;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else sb.append(c);
        }
        return sb.toString();
    }

    /** Field 22 of a /proc/PID/stat line (after the parenthesised command, which may hold spaces). */
    static long startTime(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) return 0;
        String[] f = stat.substring(close + 2).split(" ");
        return f.length > 19 ? Long.parseLong(f[19]) : 0;
    }

    /** Whether process {@code pid} that started at {@code start} still exists. */
    public boolean alive(long pid, long start) {
        String stat = readOr(root + "/proc/" + pid + "/stat", null);
        return stat != null && startTime(stat) == start;
    }

    static String readOr(String path, String fallback) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }
}
