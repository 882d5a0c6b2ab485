package io.jcontainer.linux.seccomp;

import io.jcontainer.Capability;
import io.jcontainer.Seccomp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a {@link Seccomp} setting into the filter the launcher loads, cached per (profile,
 * architecture, capability set, kernel) so that a start pays for compiling a profile once.
 *
 * <p>Filter flags: none by default. {@code SECCOMP_FILTER_FLAG_TSYNC} is pointless (the
 * launcher is single-threaded); {@code SECCOMP_FILTER_FLAG_SPEC_ALLOW} is honoured when a
 * profile asks for it but never set by us: before Linux 5.16 loading a filter also turned on
 * the Speculative Store Bypass mitigation for the task, which costs the payload speed, and
 * SPEC_ALLOW opts out of that protection — a security trade the profile's author must make.
 * Since 5.16 the default ({@code spec_store_bypass_disable=prctl}) no longer ties the two.
 */
public final class SeccompFilters {
    /** The built-in profile (Docker's default semantics, in our own words): a resource. */
    public static final String DEFAULT_PROFILE_RESOURCE = "default-profile.json";
    private static final int CACHE_LIMIT = 64;

    private static volatile SeccompProfile defaultProfile;
    private static final ConcurrentHashMap<Key, SeccompFilter> CACHE = new ConcurrentHashMap<>();

    private SeccompFilters() {
    }

    /**
     * A compiled filter.
     *
     * @param program struct sock_filter[], 8 bytes per instruction, little-endian
     * @param flags   SECCOMP_FILTER_FLAG_* for seccomp(2)
     */
    public record SeccompFilter(byte[] program, int flags) {
        public int instructions() {
            return program.length / 8;
        }
    }

    /**
     * The capabilities as a bit mask: hashed and compared at every start, a set's hashing showed in profiles.
     * equals and hashCode written out: a record's are linked by an invokedynamic bootstrap on first
     * use (method handles spun at run time, none of them kept by the AOT cache: ~10% of
     * {@code run --rm}'s own CPU with the profile's other records). Profiles compare as their
     * records do: a JSON one by its text and origin, the others by kind.
     */
    private static final class Key {
        private final Seccomp profile;
        private final Arch arch;
        private final long caps;
        private final int major, minor;

        Key(Seccomp profile, Arch arch, long caps, int major, int minor) {
            this.profile = profile;
            this.arch = arch;
            this.caps = caps;
            this.major = major;
            this.minor = minor;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && arch == k.arch && caps == k.caps && major == k.major && minor == k.minor
                    && sameProfile(profile, k.profile);
        }

        @Override
        public int hashCode() {
            return ((arch.hashCode() * 31 + Long.hashCode(caps)) * 31 + major) * 31 + minor
                    + (profile instanceof Seccomp.Json j ? j.json().hashCode() : profile.getClass().hashCode());
        }

        private static boolean sameProfile(Seccomp a, Seccomp b) {
            if (a instanceof Seccomp.Json x) return b instanceof Seccomp.Json y && x.json().equals(y.json()) && java.util.Objects.equals(x.origin(), y.origin());
            return a.getClass() == b.getClass();
        }
    }

    private static long mask(Set<Capability> caps) {
        long m = 0;
        for (Capability c : caps) m |= 1L << c.ordinal();
        return m;
    }

    /** The filter for the container's capabilities on this host, or null for no filter. */
    public static SeccompFilter compile(Seccomp profile, Set<Capability> capabilities) {
        if (profile instanceof Seccomp.Unconfined) return null;
        return compile(profile, SeccompCompiler.Target.host(capabilities));
    }

    /** The filter for an explicit target (tests, tools); null for {@link Seccomp#UNCONFINED}. */
    public static SeccompFilter compile(Seccomp profile, SeccompCompiler.Target target) {
        if (profile instanceof Seccomp.Unconfined) return null;
        Key key = new Key(profile, target.arch(), mask(target.caps()), target.major(), target.minor());
        SeccompFilter f = CACHE.get(key);
        if (f != null) return f;
        SeccompProfile p = profile(profile);
        f = new SeccompFilter(SeccompCompiler.compile(p, target), p.flags());
        // Profiles given as JSON text could be unbounded in number: keep the cache small and simple.
        if (CACHE.size() >= CACHE_LIMIT) CACHE.clear();
        CACHE.put(key, f);
        return f;
    }

    /** The parsed profile behind a setting ({@link Seccomp#UNCONFINED} has none). */
    public static SeccompProfile profile(Seccomp profile) {
        // instanceof, not a pattern switch (its class would be spun at run time, see Bpf.encode)
        if (profile instanceof Seccomp.Json j) return SeccompProfile.parse(j.json(), j.origin());
        if (profile instanceof Seccomp.DefaultProfile) return defaultProfile();
        throw new IllegalArgumentException("UNCONFINED has no profile");
    }

    /** The built-in profile's JSON text (for {@code jcontainer seccomp default > my.json}-style tools). */
    public static String defaultProfileJson() {
        try (InputStream in = SeccompFilters.class.getResourceAsStream(DEFAULT_PROFILE_RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + DEFAULT_PROFILE_RESOURCE);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SeccompProfile defaultProfile() {
        SeccompProfile p = defaultProfile;
        if (p == null) defaultProfile = p = SeccompProfile.parse(defaultProfileJson(), "built-in default profile");
        return p;
    }
}
