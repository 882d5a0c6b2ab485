package io.jcontainer.linux.cgroup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cgroups of a container that another process started, from the directories its record
 * names (already checked to be jcontainer's own: {@code RecordCheck.ownCgroupDirs}). Which
 * controller each directory carries is read from the directory itself — a v2 directory lists
 * them in {@code cgroup.controllers}, a v1 directory has its controller's files — so this works
 * whatever cgroup the reading process sits in. Stats and updates are then those of a handle's
 * cgroup ({@link LinuxContainerCgroup}); this never removes anything (the container's monitor does).
 */
public final class RecordedCgroup {
    /** v1: a file only that controller's directories have → the controller ("io" is blkio, as in LinuxContainerCgroup). */
    private static final Map<String, String> V1_MARKERS = markers();

    private RecordedCgroup() {
    }

    private static Map<String, String> markers() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("memory.usage_in_bytes", "memory");
        m.put("cpu.shares", "cpu");
        m.put("cpuacct.usage", "cpuacct");
        m.put("cpuset.cpus", "cpuset");
        m.put("pids.max", "pids");
        m.put("blkio.throttle.io_service_bytes", "io");
        m.put("devices.list", "devices");
        m.put("freezer.state", "freezer");
        return m;
    }

    /** Checks limits on their own, as a start does before it asks the host anything. */
    public static void validate(io.jcontainer.Resources r) {
        CgroupManagers.validate(r);
    }

    /** The container's cgroups as one {@link ContainerCgroup}; empty {@code dirs} (none recorded) gives null. */
    public static ContainerCgroup of(CgroupFs fs, List<String> dirs) {
        Map<String, Dir> controllers = new LinkedHashMap<>(), parents = new LinkedHashMap<>();
        List<Dir> all = new ArrayList<>();
        Dir track = null;
        for (String path : dirs) {
            if (!fs.exists(path)) continue; // a lazily made freezer never made
            String parent = path.substring(0, path.lastIndexOf('/'));
            if (fs.exists(path + "/cgroup.controllers")) {
                Dir d = new Dir(fs, path, true);
                track = d;
                all.add(d);
                for (String c : fs.read(path + "/cgroup.controllers").strip().split("\\s+")) {
                    if (c.isEmpty()) continue;
                    controllers.putIfAbsent(c, d);
                    parents.putIfAbsent(c, new Dir(fs, parent, true));
                }
                continue;
            }
            Dir d = new Dir(fs, path, false);
            all.add(d);
            V1_MARKERS.forEach((file, c) -> {
                if (fs.exists(path + "/" + file)) {
                    controllers.putIfAbsent(c, d);
                    parents.putIfAbsent(c, new Dir(fs, parent, false));
                }
            });
        }
        if (all.isEmpty()) return null;
        return new LinuxContainerCgroup(fs, controllers, parents, track, all);
    }
}
