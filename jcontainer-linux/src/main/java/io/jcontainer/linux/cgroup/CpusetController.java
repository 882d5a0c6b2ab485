package io.jcontainer.linux.cgroup;

import io.jcontainer.Resources;

/**
 * cpuset: the CPUs and memory nodes a container may use, checked against its parent's effective
 * sets (what the host, or the JVM's own container, allows). Same file names in v1 and v2.
 *
 * <p>v1 quirk: a new cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and the kernel
 * refuses to attach a task (ENOSPC) until both are set, so both are always written there.
 */
final class CpusetController {
    private CpusetController() {
    }

    static boolean wanted(Resources r) {
        return r.cpusetCpus() != null || r.cpusetMems() != null;
    }

    /** Checks syntax before any cgroup exists. */
    static void validateSyntax(Resources r) {
        if (r.cpusetCpus() != null) CpuList.parse("cpuset-cpus", r.cpusetCpus());
        if (r.cpusetMems() != null) CpuList.parse("cpuset-mems", r.cpusetMems());
    }

    /** Checks the sets against the parent cgroup's effective ones. */
    static void validate(Dir parent, Resources r) {
        if (r.cpusetCpus() != null) CpuList.requireSubset("cpuset-cpus", r.cpusetCpus(), effective(parent, "cpus"), "CPUs");
        if (r.cpusetMems() != null) CpuList.requireSubset("cpuset-mems", r.cpusetMems(), effective(parent, "mems"), "memory nodes");
    }

    static String effective(Dir parent, String what) {
        String eff = parent.v2() ? "cpuset." + what + ".effective" : "cpuset.effective_" + what;
        if (parent.has(eff)) return parent.read(eff).strip();
        if (parent.has("cpuset." + what)) return parent.read("cpuset." + what).strip();
        return null;
    }

    static void apply(Dir d, Dir parent, Resources r) {
        String cpus = r.cpusetCpus(), mems = r.cpusetMems();
        if (!d.v2()) {
            if (cpus == null) cpus = effective(parent, "cpus");
            if (mems == null) mems = effective(parent, "mems");
        }
        if (cpus != null) d.set("cpuset-cpus", "cpuset.cpus", cpus);
        if (mems != null) d.set("cpuset-mems", "cpuset.mems", mems);
    }
}
