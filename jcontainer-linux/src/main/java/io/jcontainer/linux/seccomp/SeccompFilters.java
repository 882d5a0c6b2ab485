package io.jcontainer.linux.seccomp;

import io.jcontainer.Seccomp;

/**
 * Compiles seccomp profiles to classic BPF (struct sock_filter[]), cached per profile.
 * Placeholder until the compiler lands: only {@link Seccomp#UNCONFINED} is exact.
 */
public final class SeccompFilters {
    private SeccompFilters() {
    }

    /** The filter bytes, or null for no filter. */
    public static byte[] compile(Seccomp profile) {
        return null;
    }
}
