package io.jcontainer.linux.cgroup;

import io.jcontainer.InvalidSpecException;
import io.jcontainer.Resources;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;

import java.util.List;

/**
 * What the v1 and v2 managers share: the checks made before any directory exists, the names
 * that make a cgroup's owner recognisable, and the sweep of cgroups left by dead JVMs.
 *
 * <p>Names, all directly in the JVM's own cgroup of each hierarchy:
 * <ul>
 *   <li>{@code jcontainer-<jvm pid>.<jvm start time>-<id12>}: a container; stale once that JVM is gone;</li>
 *   <li>{@code jcontainer-<jvm pid>.<jvm start time>-jvm}: the leaf a v2 JVM moved itself into;</li>
 *   <li>{@code jcontainer-detached-<id12>}: a detached container, which outlives its JVM; swept only
 *       once empty.</li>
 * </ul>
 * No shared parent directory: creating and removing one around each container costs a mkdir and an
 * rmdir per hierarchy (measured ~150 µs for memory alone on v1), and keeping one leaks a
 * directory once the last container is gone.
 */
public final class CgroupManagers {
    static final String PREFIX = "jcontainer-";

    private CgroupManagers() {
    }

    /** Checks limits on their own, before the host is asked anything. */
    static void validate(Resources r) {
        MemoryController.validate(r);
        CpuController.validate(r);
        CpusetController.validateSyntax(r);
    }

    /**
     * An OCI {@code linux.cgroupsPath} as a cgroupfs path: absolute (from each hierarchy's root)
     * or relative (under the JVM's cgroup); every component a plain name, so no path can leave
     * the cgroup mounts ({@code ..}) or name a controller file's directory twice. systemd's
     * {@code slice:prefix:name} is refused: jcontainer drives cgroupfs itself.
     */
    public static String checkCgroupsPath(String path) {
        if (path.isEmpty() || path.equals("/"))
            throw new io.jcontainer.InvalidSpecException("linux.cgroupsPath", "'" + path + "' names no cgroup of its own");
        if (path.indexOf(':') >= 0)
            throw new io.jcontainer.HostUnsupportedException("linux.cgroupsPath '" + path + "': systemd's slice:prefix:name form is not supported",
                    "jcontainer manages cgroupfs itself: give a path such as /mygroup/" + path.substring(path.lastIndexOf(':') + 1)
                            + " (an engine: cgroup_manager = \"cgroupfs\")");
        String rel = path.startsWith("/") ? path.substring(1) : path;
        if (rel.endsWith("/")) rel = rel.substring(0, rel.length() - 1);
        for (String c : rel.split("/", -1))
            if (c.isEmpty() || c.equals(".") || c.equals("..") || c.indexOf('\0') >= 0)
                throw new io.jcontainer.InvalidSpecException("linux.cgroupsPath", "'" + path + "': each component must be a plain name"
                        + " (no empty, '.' or '..' component)");
        return path.startsWith("/") ? "/" + rel : rel;
    }

    static String owner(CgroupHost h) {
        return PREFIX + h.pid() + "." + h.startTime();
    }

    static String containerName(CgroupHost h, String id, boolean detached) {
        String id12 = id.length() > 12 ? id.substring(0, 12) : id;
        return detached ? PREFIX + "detached-" + id12 : owner(h) + "-" + id12;
    }

    static String jvmLeafName(CgroupHost h) {
        return owner(h) + "-jvm";
    }

    /**
     * Removes, in {@code dir}, cgroups of JVMs that no longer exist (killing what is left in
     * them first). Returns how many were removed. Cgroups of detached containers are not the
     * sweep's: an empty one may belong to a container being started, or between two runs of its
     * restart policy, by a process that records it in another state directory — nothing here
     * can tell. Their monitor removes them when the container has ended for good
     * ({@code Op.RemoveOnExit}); {@code rm} removes those of a monitor that died first.
     */
    static int sweep(CgroupFs fs, CgroupHost h, String dir, boolean v2) {
        return sweep(fs, h, dir, v2, java.util.Set.of());
    }

    /** As above, leaving detached cgroups of the ids (12-digit prefixes) in {@code keep}. */
    static int sweep(CgroupFs fs, CgroupHost h, String dir, boolean v2, java.util.Set<String> keep) {
        int removed = 0;
        for (String name : fs.subdirs(dir)) {
            if (!name.startsWith(PREFIX)) continue;
            String rest = name.substring(PREFIX.length());
            boolean detached = rest.startsWith("detached-");
            if (detached) continue;
            if (!detached) {
                int dot = rest.indexOf('.'), dash = rest.indexOf('-');
                if (dot <= 0 || dash < dot) continue;
                try {
                    long pid = Long.parseLong(rest.substring(0, dot)), start = Long.parseLong(rest.substring(dot + 1, dash));
                    if (h.alive(pid, start)) continue;
                } catch (NumberFormatException e) {
                    continue;
                }
            }
            String path = dir + "/" + name;
            killTasks(fs, new Dir(fs, path, v2));
            if (removeQuietly(fs, path, 50)) removed++;
        }
        return removed;
    }

    private static void killTasks(CgroupFs fs, Dir d) {
        if (d.has("cgroup.kill")) {
            d.write("cgroup.kill", "1");
            return;
        }
        List<String> pids = d.has("cgroup.procs") ? d.procs() : List.of();
        for (String p : pids) {
            try {
                fs.kill(Integer.parseInt(p.strip()), 9);
            } catch (SyscallException | NumberFormatException ignored) {
                // gone already
            }
        }
        // a container paused when its JVM died: v1 frozen tasks act on the SIGKILL only once thawed
        if (!pids.isEmpty() && d.has("freezer.state")) {
            try {
                FreezerController.thaw(d);
            } catch (SyscallException ignored) {
                // removed meanwhile
            }
        }
    }

    private static boolean removeQuietly(CgroupFs fs, String path, int tries) {
        for (int i = 0; i < tries; i++) {
            try {
                fs.rmdir(path);
                return true;
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENOENT) return false;
                if (e.errno() != Errno.EBUSY) return false;
                FreezerController.sleepMillis(2);
            }
        }
        return false;
    }

    static InvalidSpecException notAvailable(String setting, String controller) {
        return new InvalidSpecException(setting, "the " + controller + " cgroup controller is not available on this host");
    }
}
