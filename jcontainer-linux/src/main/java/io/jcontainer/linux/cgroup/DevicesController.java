package io.jcontainer.linux.cgroup;

import java.util.List;

/**
 * The devices cgroup (v1 only): an allowlist of the device nodes a container may open or create,
 * so that even a container with CAP_MKNOD (no user namespace) cannot mknod and open the host's
 * disks or /dev/mem. Deny everything, then allow the harmless ones docker also allows.
 * (v2 expresses this as an eBPF program on the cgroup; not done yet, see the package docs.)
 */
final class DevicesController {
    /** type major:minor access — null, zero, full, random, urandom, tty, ptmx, and the pts range. */
    static final List<String> ALLOWED = List.of(
            "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm");

    private DevicesController() {
    }

    /** @param extra rules for the devices the spec hands in (docker's {@code --device}) */
    static void apply(Dir d, List<String> extra) {
        d.write("devices.deny", "a");
        for (String rule : ALLOWED) d.write("devices.allow", rule);
        for (String rule : extra) d.write("devices.allow", rule);
    }
}
