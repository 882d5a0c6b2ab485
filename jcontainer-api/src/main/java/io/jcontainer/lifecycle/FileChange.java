package io.jcontainer.lifecycle;

import java.util.Objects;

/**
 * One change in a container's root filesystem against the image it was made from, as
 * {@code docker diff} lists them: {@code A /path} (added), {@code C /path} (changed — a directory
 * whose entries changed is changed too), {@code D /path} (deleted).
 *
 * @param kind what happened to the path
 * @param path absolute, inside the container
 */
public record FileChange(Kind kind, String path) {

    public enum Kind {
        ADDED("A"), CHANGED("C"), DELETED("D");

        private final String letter;

        Kind(String letter) {
            this.letter = letter;
        }

        /** docker's letter: A, C or D. */
        public String letter() {
            return letter;
        }
    }

    public FileChange {
        Objects.requireNonNull(kind, "kind");
        if (path == null || !path.startsWith("/")) throw new IllegalArgumentException("path must be absolute: " + path);
    }

    /** docker's line: {@code A /path}. */
    @Override
    public String toString() {
        return kind.letter() + " " + path;
    }
}
