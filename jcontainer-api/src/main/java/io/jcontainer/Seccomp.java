package io.jcontainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The system call filter of a container. The JSON form is the OCI/Docker seccomp profile format
 * ({@code defaultAction}, {@code syscalls[].names/action/args/errnoRet}, {@code architectures}).
 */
public sealed interface Seccomp {
    /** No filter at all. */
    record Unconfined() implements Seccomp { }

    /** jcontainer's built-in profile, with Docker's default semantics. */
    record DefaultProfile() implements Seccomp { }

    /** A profile in the OCI/Docker JSON format. */
    record Json(String json, String origin) implements Seccomp {
        public Json {
            if (json == null || json.isBlank()) throw new InvalidSpecException("seccomp", "empty profile" + (origin == null ? "" : " in " + origin));
        }
    }

    Seccomp UNCONFINED = new Unconfined();
    Seccomp DEFAULT = new DefaultProfile();

    static Seccomp json(String json) {
        return new Json(json, null);
    }

    static Seccomp fromFile(Path file) {
        try {
            return new Json(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new InvalidSpecException("seccomp", "cannot read profile " + file + ": " + e.getMessage());
        }
    }
}
