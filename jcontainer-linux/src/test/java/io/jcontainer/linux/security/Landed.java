package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Seccomp;
import io.jcontainer.linux.seccomp.SeccompFilters;
import io.jcontainer.linux.testing.TestRootfs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Attack rows that need a feature built on another branch (the seccomp compiler, cgroup limits)
 * are written now and skip — naming the branch — until that feature exists; then they run.
 */
final class Landed {
    private Landed() {
    }

    /** Skips unless the default seccomp profile compiles to a filter (branch {@code seccomp}). */
    static void seccomp() {
        assumeTrue(SeccompFilters.compile(Seccomp.DEFAULT, io.jcontainer.Capability.dockerDefaults()) != null,
                "needs the seccomp BPF compiler (branch 'seccomp'): the default profile compiles to no filter yet");
    }

    private static Boolean cgroups;

    /** Skips unless the runtime applies cgroup limits (branch {@code cgroup}). */
    static synchronized void cgroups() {
        if (cgroups == null) {
            try (var c = Container.builder().rootfs(TestRootfs.busybox()).pidsLimit(32).command("/bin/true").start()) {
                c.waitFor();
                cgroups = true;
            } catch (HostUnsupportedException e) {
                cgroups = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cgroups = false;
            }
        }
        assumeTrue(cgroups, "needs cgroup limits (branch 'cgroup'): this runtime has no cgroup manager yet");
    }
}
