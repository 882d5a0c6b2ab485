package io.jcontainer;

import java.nio.file.Path;
import java.util.List;

/**
 * The container's root filesystem: OCI's {@code root}, widened to the three roots jcontainer
 * can give. Every kind may be made read-only.
 */
public sealed interface Root {
    boolean readonly();

    Root withReadonly(boolean ro);

    /** The embedded default root: the host's /usr, /bin, /lib* read-only on a fresh tmpfs (docs/default-root.md). */
    record Default(boolean readonly) implements Root {
        public Root withReadonly(boolean ro) { return new Default(ro); }
    }

    /** A host directory holding the image's files (OCI {@code root.path}); bound, never copied. */
    record Directory(Path path, boolean readonly) implements Root {
        public Directory {
            if (path == null) throw new InvalidSpecException("rootfs", "null; leave it unset for the default root");
            if (!path.isAbsolute()) throw new InvalidSpecException("rootfs", "must be an absolute path, got '" + path + "'");
            Checks.noNul("rootfs", path.toString());
        }

        public Root withReadonly(boolean ro) { return new Directory(path, ro); }
    }

    /**
     * An overlay filesystem: read-only {@code lowerDirs} (topmost first, as overlayfs takes them)
     * under a writable {@code upper}, with {@code work} an empty directory on the same
     * filesystem as {@code upper}. In a user namespace it is mounted with {@code userxattr}.
     * {@code upper} and {@code work} may both be null for a read-only overlay of the lower dirs.
     *
     * <p>{@code removeWithContainer}: the runtime deletes {@code upper} and {@code work} (and
     * their parent directory, when that is then empty) when the container is removed — an
     * attached container's when its handle is closed, a recorded one's at {@code rm}, and on a
     * failed start. False (the four-argument form) keeps them: the caller owns the upper, e.g.
     * to diff or commit it ({@code docs/images.md}).
     */
    record Overlay(List<Path> lowerDirs, Path upper, Path work, boolean readonly, boolean removeWithContainer) implements Root {
        public Overlay(List<Path> lowerDirs, Path upper, Path work, boolean readonly) {
            this(lowerDirs, upper, work, readonly, false);
        }

        public Overlay {
            if (removeWithContainer && upper == null)
                throw new InvalidSpecException("root.overlay", "removeWithContainer needs an upper directory");
            lowerDirs = Checks.list("root.overlay.lowerDirs", lowerDirs);
            if (lowerDirs.isEmpty()) throw new InvalidSpecException("root.overlay.lowerDirs", "at least one lower directory is needed");
            if ((upper == null) != (work == null))
                throw new InvalidSpecException("root.overlay", "upper and work go together (both, or neither for a read-only overlay)");
            for (Path p : lowerDirs) check("root.overlay.lowerDirs", p);
            if (upper != null) {
                check("root.overlay.upper", upper);
                check("root.overlay.work", work);
            }
        }

        private static void check(String setting, Path p) {
            String s = Checks.noNul(setting, p.toString());
            if (!p.isAbsolute()) throw new InvalidSpecException(setting, "must be an absolute host path, got '" + s + "'");
            // overlayfs separates options with ',' and lower dirs with ':' (escaping is not portable)
            if (s.indexOf(',') >= 0 || s.indexOf(':') >= 0) throw new InvalidSpecException(setting, "',' and ':' cannot appear in an overlay path: " + s);
        }

        public Root withReadonly(boolean ro) { return new Overlay(lowerDirs, upper, work, ro, removeWithContainer); }
    }
}
