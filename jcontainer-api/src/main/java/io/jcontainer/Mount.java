package io.jcontainer;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A filesystem mounted into the sandbox: a bind mount of a host path, or a fresh tmpfs.
 * Targets are absolute paths inside the sandbox; they are resolved inside its root, so a
 * symlink planted in an image can never redirect a mount onto the host.
 */
public sealed interface Mount {

    /** Where the mount appears inside the sandbox (absolute). */
    String target();

    /**
     * A host file or directory made visible inside the sandbox.
     *
     * @param source    absolute host path (must exist)
     * @param target    absolute path inside the sandbox (created if missing)
     * @param readOnly  mounted read-only (writes fail with EROFS)
     * @param recursive also bind the mounts below {@code source} (docker's default: rbind)
     */
    record Bind(Path source, String target, boolean readOnly, boolean recursive) implements Mount {
        public Bind {
            if (source == null || !source.isAbsolute())
                throw new InvalidSpecException("mount", "bind source must be an absolute host path: " + source);
            checkTarget(target);
        }
    }

    /**
     * A tmpfs, always {@code nosuid,nodev}.
     *
     * @param size the size limit, or null for the kernel's default (half of RAM)
     * @param mode permission bits of its root, e.g. {@code 01777}
     */
    record Tmpfs(String target, DataSize size, int mode, boolean readOnly, boolean noExec) implements Mount {
        public Tmpfs {
            checkTarget(target);
            if (mode < 0 || mode > 07777) throw new InvalidSpecException("tmpfs", "mode out of range: " + Integer.toOctalString(mode));
        }
    }

    static Bind bind(Path source, String target) {
        return new Bind(source, target, false, true);
    }

    static Bind bindReadOnly(Path source, String target) {
        return new Bind(source, target, true, true);
    }

    static Tmpfs tmpfs(String target) {
        return new Tmpfs(target, null, 01777, false, false);
    }

    static Tmpfs tmpfs(String target, DataSize size) {
        return new Tmpfs(target, size, 01777, false, false);
    }

    private static void checkTarget(String target) {
        if (target == null || !target.startsWith("/"))
            throw new InvalidSpecException("mount", "target must be an absolute path inside the container: " + target);
        if (target.equals("/"))
            throw new InvalidSpecException("mount", "cannot mount over the container's root '/': use rootfs(...)");
        for (String part : target.split("/"))
            if (part.equals(".."))
                throw new InvalidSpecException("mount", "target must not contain '..': " + target);
        if (target.indexOf('\0') >= 0) throw new InvalidSpecException("mount", "target contains a NUL byte");
    }

    /**
     * Parses docker's {@code -v} syntax: {@code /host:/ctr}, {@code /host:/ctr:ro},
     * {@code /host:/ctr:rw}. Named volumes are not supported (the source must be absolute).
     */
    static Bind parseVolume(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty())
            throw new InvalidSpecException("volume", "expected HOST-PATH:CONTAINER-PATH[:ro|rw], got '" + spec + "'");
        if (!parts[0].startsWith("/"))
            throw new InvalidSpecException("volume", "'" + parts[0] + "' is not an absolute host path (named volumes are not supported)");
        boolean ro = false;
        if (parts.length == 3) {
            for (String opt : parts[2].split(",")) {
                switch (opt) {
                    case "ro" -> ro = true;
                    case "rw", "" -> ro = false;
                    case "z", "Z", "rprivate", "private", "rslave", "slave" -> { /* accepted, no effect here */ }
                    default -> throw new InvalidSpecException("volume", "unknown option '" + opt + "' in '" + spec + "' (use ro or rw)");
                }
            }
        }
        return new Bind(Path.of(parts[0]), parts[1], ro, true);
    }

    /**
     * Parses docker's {@code --mount} syntax: comma-separated {@code key=value} pairs, e.g.
     * {@code type=bind,source=/data,target=/data,readonly} or
     * {@code type=tmpfs,destination=/tmp,tmpfs-size=64m,tmpfs-mode=1777}.
     */
    static Mount parseMount(String spec) {
        String type = "volume", source = null, target = null;
        boolean ro = false, recursive = true;
        DataSize size = null;
        int mode = 01777;
        for (String item : spec.split(",")) {
            if (item.isEmpty()) continue;
            int eq = item.indexOf('=');
            String k = (eq < 0 ? item : item.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? null : item.substring(eq + 1).trim();
            switch (k) {
                case "type" -> type = v;
                case "source", "src" -> source = v;
                case "target", "destination", "dst" -> target = v;
                case "readonly", "ro" -> ro = v == null || v.equals("true") || v.equals("1");
                case "bind-propagation", "consistency" -> { }
                case "bind-nonrecursive" -> recursive = !(v == null || v.equals("true"));
                case "tmpfs-size" -> size = DataSize.parse(v);
                case "tmpfs-mode" -> {
                    try {
                        mode = Integer.parseInt(v, 8);
                    } catch (NumberFormatException | NullPointerException e) {
                        throw new InvalidSpecException("mount", "tmpfs-mode must be octal, got '" + v + "'");
                    }
                }
                default -> throw new InvalidSpecException("mount", "unknown key '" + k + "' in '" + spec + "'");
            }
        }
        if (target == null) throw new InvalidSpecException("mount", "missing target= in '" + spec + "'");
        return switch (type == null ? "" : type) {
            case "bind" -> {
                if (source == null) throw new InvalidSpecException("mount", "missing source= for a bind mount in '" + spec + "'");
                if (!source.startsWith("/")) throw new InvalidSpecException("mount", "bind source must be absolute: '" + source + "'");
                yield new Bind(Path.of(source), target, ro, recursive);
            }
            case "tmpfs" -> new Tmpfs(target, size, mode, ro, false);
            default -> throw new InvalidSpecException("mount", "unsupported type '" + type + "' (use type=bind or type=tmpfs)");
        };
    }
}
