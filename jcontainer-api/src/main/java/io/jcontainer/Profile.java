package io.jcontainer;

import java.util.EnumSet;

/** Named presets, so that the safe configuration is one call: {@code builder().profile(Profile.UNTRUSTED)}. */
public enum Profile {
    /** Docker's defaults (what a builder starts with). */
    DEFAULT {
        @Override
        void applyTo(ContainerSpec.Builder b) {
            b.capabilities(Capability.dockerDefaults()).seccomp(Seccomp.DEFAULT).noNewPrivileges(false);
        }
    },
    /**
     * For code you do not trust: every namespace (including USER: capabilities inside count for
     * nothing outside), no capabilities, no_new_privs, the default seccomp filter, a read-only
     * root with a 64 MiB tmpfs on /tmp, no network, at most 256 tasks and 512 MiB of memory,
     * 1024 open files, no core dumps and files of at most 1 GiB.
     *
     * <p>Root inside maps to the calling user outside. From a non-root JVM that is an
     * unprivileged user; from a root JVM it is host root (without any capability), so to make
     * root inside nobody outside add an unprivileged map, e.g.
     * {@code .uidMap(new IdMap(0, 100000, 65536)).gidMap(new IdMap(0, 100000, 65536))} with a range
     * no host user owns.
     */
    UNTRUSTED {
        @Override
        void applyTo(ContainerSpec.Builder b) {
            b.namespaces(EnumSet.of(Namespace.PID, Namespace.NET, Namespace.MNT, Namespace.UTS, Namespace.IPC,
                            Namespace.USER, Namespace.CGROUP))
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
