package io.jcontainer.server.http;

/**
 * An Engine API version ({@code 1.41}): the {@code /v1.NN} prefix of a path. Unversioned paths
 * get {@link #MAX}, as docker's daemon does.
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    /** The oldest version served: what docker's daemon still accepts by default. */
    public static final ApiVersion MIN = new ApiVersion(1, 24);
    /** The newest version served: what Debian's docker.io client (20.10) asks for. */
    public static final ApiVersion MAX = new ApiVersion(1, 41);

    public static ApiVersion parse(String s) {
        int dot = s.indexOf('.');
        try {
            if (dot > 0) return new ApiVersion(Integer.parseInt(s.substring(0, dot)), Integer.parseInt(s.substring(dot + 1)));
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiError.badRequest("invalid API version \"" + s + "\"");
    }

    /** Refuses, in docker's words, a version outside {@link #MIN}..{@link #MAX}. */
    public ApiVersion checkSupported() {
        if (compareTo(MIN) < 0)
            throw ApiError.badRequest("client version " + this + " is too old. Minimum supported API version is " + MIN
                    + ", please upgrade your client to a newer version");
        if (compareTo(MAX) > 0)
            throw ApiError.badRequest("client version " + this + " is too new. Maximum supported API version is " + MAX);
        return this;
    }

    public boolean atLeast(int maj, int min) {
        return compareTo(new ApiVersion(maj, min)) >= 0;
    }

    @Override
    public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
