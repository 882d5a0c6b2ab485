package io.jcontainer.linux.hooks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One OCI hook (runtime-spec config.md, "POSIX-platform Hooks"): a program run with the
 * container's state JSON on stdin. {@code args} is its whole argv (argv[0] included, as OCI's
 * {@code args}; empty: the path alone); {@code env} its whole environment ({@code KEY=value});
 * {@code timeout} null for none — past it the hook is killed and counts as failed.
 */
public record OciHook(Path path, List<String> args, List<String> env, Duration timeout) {
    public OciHook {
        if (path == null || !path.isAbsolute()) throw new IllegalArgumentException("an OCI hook's path must be absolute: " + path);
        args = List.copyOf(args);
        env = List.copyOf(env);
        if (timeout != null && (timeout.isNegative() || timeout.isZero()))
            throw new IllegalArgumentException("an OCI hook's timeout must be positive: " + timeout);
        for (String e : env)
            if (e.indexOf('=') <= 0) throw new IllegalArgumentException("an OCI hook's env entry must be KEY=value: " + e);
    }

    public static OciHook of(String path, String... args) {
        return new OciHook(Path.of(path), List.of(args), List.of(), null);
    }

    /** The argv it runs with: {@code args}, or the path alone. */
    public List<String> argv() {
        return args.isEmpty() ? List.of(path.toString()) : args;
    }
}
