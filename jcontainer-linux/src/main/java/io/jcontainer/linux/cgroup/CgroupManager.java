package io.jcontainer.linux.cgroup;

import io.jcontainer.ContainerSpec;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Namespace;
import io.jcontainer.Resources;
import io.jcontainer.linux.sys.Syscalls;

/**
 * Creates and removes the cgroups that hold containers. One interface, with siblings for cgroup
 * v2 ({@link CgroupV2Manager}), v1 including hybrid hosts ({@link CgroupV1Manager}) and none
 * ({@link #NONE}); the layout is detected once from a root path that tests inject
 * ({@link CgroupHost}).
 *
 * <p><b>When a container gets a cgroup</b> ({@link #create(String, ContainerSpec)}): when it asks
 * for a resource limit, or when it has no PID namespace (then killing its first process does
 * not end its children, and only the cgroup finds them all). A container with a PID namespace and
 * no limits gets none: the kernel kills the whole namespace with its init, and start latency
 * stays free of cgroup work (a v1 directory costs ~30–70 µs per hierarchy to make and remove).
 * Such a container has no {@code stats()} or {@code pause()}. A detached container always gets one
 * (where this user can have one), so that later processes can pause it.
 */
public interface CgroupManager {

    /**
     * Creates the container's cgroup(s) and applies the limits, before its command runs (the
     * launcher moves the child in while it still waits). Throws a clear exception naming the
     * value and the reason when a limit cannot be applied here. Null when no cgroup is needed
     * and none can be had.
     */
    ContainerCgroup create(String containerId, Resources resources);

    /** As {@link #create(String, Resources)}; a detached container's cgroup is named to survive the JVM. */
    default ContainerCgroup create(String containerId, Resources resources, boolean detached) {
        return create(containerId, resources);
    }

    /** Applies the policy above: null when the spec needs no cgroup. */
    default ContainerCgroup create(String containerId, ContainerSpec spec) {
        if (!needsCgroup(spec)) return null;
        return create(containerId, spec.resources(), spec.detached());
    }

    /**
     * Limits, no PID namespace, or detached: a detached container may be paused by a later
     * process ({@code jcontainer pause}), as docker can pause any container, and only a cgroup
     * freezer can do that (SIGSTOP is visible to the payload and undone by SIGCONT). Detached
     * starts are not on the hot path, so they pay the mkdirs.
     */
    static boolean needsCgroup(ContainerSpec spec) {
        // --device: its permissions (r, w, m) are the device allowlist's, which needs a cgroup
        return !spec.resources().isEmpty() || !spec.has(Namespace.PID) || spec.detached() || !spec.linux().devices().isEmpty()
                || spec.linux().cgroupsPath() != null;
    }

    /**
     * As {@link #create(String, ContainerSpec)}, but the directories and limits may be made
     * later ({@link PreparedCgroup#realize()}), in parallel with the child's setup. Bad
     * settings are refused here, before anything starts. Null when no cgroup is needed.
     */
    default PreparedCgroup prepare(String containerId, ContainerSpec spec) {
        ContainerCgroup c = create(containerId, spec);
        return c == null ? null : PreparedCgroup.of(c);
    }

    /** Removes cgroups left by containers of JVMs that no longer exist. */
    default void sweepStale() {
        sweepStale(java.util.Set.of());
    }

    /**
     * As {@link #sweepStale()}, but leaves the (empty) cgroups of the detached containers whose
     * 12-digit id prefixes are given: a container between two runs of its restart policy has an
     * empty cgroup that its monitor moves the next run into.
     */
    default void sweepStale(java.util.Set<String> detachedInUse) {
    }

    /** For hosts (or tests) without any usable cgroup: any limit asked for is refused. */
    CgroupManager NONE = (id, r) -> {
        if (r.isEmpty()) return null;
        throw new HostUnsupportedException("resource limits were asked for, but no writable cgroup hierarchy was found",
                "run as root, or on cgroup v2 with a delegated subtree (systemd: Delegate=yes)");
    };

    /** The manager for this host: v1 (or hybrid) when v1 controllers are mounted, else v2, else none. */
    static CgroupManager detect(Syscalls sys) {
        return detect(new CgroupFs(sys), CgroupHost.detect());
    }

    static CgroupManager detect(CgroupFs fs, CgroupHost host) {
        if (host.isV1()) return new CgroupV1Manager(fs, host);
        if (host.unified() != null) return new CgroupV2Manager(fs, host);
        return NONE;
    }
}
