package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Seccomp;
import io.jcontainer.linux.seccomp.SeccompFilters;
import io.jcontainer.linux.testing.TestRootfs;


/**
 * Attack rows that need the seccomp compiler or cgroup limits. Both have landed, so these are
 * hard requirements now: a missing feature fails the test instead of skipping it (a skipped root
 * test would hide a regression under CI).
 */
final class Landed {
    private Landed() {
    }

    /** Fails unless the default seccomp profile compiles to a filter. */
    static void seccomp() {
        if (SeccompFilters.compile(Seccomp.DEFAULT, io.jcontainer.Capability.dockerDefaults()) == null)
            throw new AssertionError("the default seccomp profile compiled to no filter");
    }

    /** Fails unless the runtime applies cgroup limits. */
    static void cgroups() {
        try (var c = Container.builder().rootfs(TestRootfs.busybox()).pidsLimit(32).command("/bin/true").start()) {
            c.waitFor();
        } catch (HostUnsupportedException e) {
            throw new AssertionError("cgroup limits are not available: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
