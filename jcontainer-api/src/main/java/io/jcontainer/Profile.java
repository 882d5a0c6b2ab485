package io.jcontainer;

import java.util.EnumSet;

/** Named presets, so that the safe configuration is one call: {@code builder().profile(Profile.UNTRUSTED)}. */
public enum Profile {
    /** Docker's defaults (what a builder starts with). */
    DEFAULT {
        @Override
        void applyTo(ContainerSpec.Builder b) {
            b.capabilities(Capability.dockerDefaults()).seccomp(Seccomp.DEFAULT).noNewPrivileges(false).unprivilegedRoot(false);
        }
    },
    /**
     * For code you do not trust: every namespace (including USER: capabilities inside count for
     * nothing outside), no capabilities, no_new_privs, the default seccomp filter, a read-only
     * root with a 64 MiB tmpfs on /tmp, no network, at most 256 tasks and 512 MiB of memory,
     * 1024 open files, no core dumps and files of at most 1 GiB.
     *
     * <p>The container's ids run as an unprivileged host range ({@link ContainerSpec.Builder#unprivilegedRoot}):
     * from a non-root JVM root inside is the calling user; from a root JVM it is not host root
     * but the first id of a range no host user owns (the Linux runtime: the /etc/subuid range of
     * a user {@code jcontainer}, else its own range from host uid 2147418112), so a job that
     * escapes through a kernel bug lands as nobody — with a root directory and with the embedded
     * default root alike. Explicit {@code uidMap}/{@code gidMap} win.
     */
    UNTRUSTED {
        @Override
        void applyTo(ContainerSpec.Builder b) {
            b.namespaces(EnumSet.of(Namespace.PID, Namespace.NET, Namespace.MNT, Namespace.UTS, Namespace.IPC,
                            Namespace.USER, Namespace.CGROUP))
                    .unprivilegedRoot(true)
                    .dropAllCapabilities()
                    .noNewPrivileges(true)
                    .seccomp(Seccomp.DEFAULT)
                    .readOnlyRoot(true)
                    .tmpfs("/tmp", DataSize.MB(64))
                    .pidsLimit(256)
                    .memoryLimit(DataSize.MB(512))
                    .rlimit(new Rlimit("nofile", 1024, 1024))
                    .rlimit(new Rlimit("core", 0, 0))
                    .rlimit(new Rlimit("fsize", DataSize.GIB, DataSize.GIB));
        }
    };

    abstract void applyTo(ContainerSpec.Builder b);
}
