package io.jcontainer.linux.cgroup;

import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Resources;

/**
 * Creates and removes the cgroups that hold sandboxes. One interface, with siblings for cgroup
 * v2, v1 (including hybrid hosts) and none; the layout is detected once from a root path that
 * tests inject.
 */
public interface CgroupManager {

    /**
     * Creates the sandbox's cgroup(s) and applies the limits, before its command runs (the
     * launcher moves the child in while it still waits). Throws a clear exception naming the
     * value and the reason when a limit cannot be applied here.
     */
    SandboxCgroup create(String containerId, Resources resources);

    /** Removes cgroups left by sandboxes of JVMs that no longer exist. */
    default void sweepStale() {
    }

    /** For hosts (or tests) without any usable cgroup: any limit asked for is refused. */
    CgroupManager NONE = (id, r) -> {
        if (r.isEmpty()) return null;
        throw new HostUnsupportedException("resource limits were asked for, but no writable cgroup hierarchy was found",
                "run as root, or on cgroup v2 with a delegated subtree (systemd: Delegate=yes)");
    };
}
