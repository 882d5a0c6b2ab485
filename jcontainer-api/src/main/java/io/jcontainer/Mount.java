package io.jcontainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A filesystem mounted into the container: a bind mount of a host path, a fresh tmpfs, or OCI's
 * generic mount (any type, mount(8) options).
 * Targets are absolute paths inside the container; they are resolved inside its root, so a
 * symlink planted in an image can never redirect a mount onto the host.
 */
public sealed interface Mount {

    /** Where the mount appears inside the container (absolute). */
    String target();

    /**
     * A host file or directory made visible inside the container.
     *
     * @param source    absolute host path (must exist)
     * @param target    absolute path inside the container (created if missing)
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
     * @param size     the size limit, or null for the kernel's default (half of RAM)
     * @param mode     permission bits of its root, e.g. {@code 01777}
     * @param nrInodes the most files it may hold, or 0 to derive it from {@code size} (one per
     *                 KiB, at least 1024): empty files take no space, so without this bound a
     *                 1 MiB tmpfs holds millions of them in unreclaimable kernel memory
     */
    record Tmpfs(String target, DataSize size, int mode, boolean readOnly, boolean noExec, long nrInodes) implements Mount {
        /** One inode per KiB of size: the inodes' kernel memory stays about the size itself. */
        public static final long BYTES_PER_INODE = 1024;
        /** The fewest inodes a sized tmpfs gets when none are asked for. */
        public static final long MIN_INODES = 1024;

        public Tmpfs {
            checkTarget(target);
            if (mode < 0 || mode > 07777) throw new InvalidSpecException("tmpfs", "mode out of range: " + Integer.toOctalString(mode));
            if (nrInodes < 0) throw new InvalidSpecException("tmpfs", "nr_inodes must not be negative: " + nrInodes);
        }

        /** A tmpfs whose inode limit is derived from its size. */
        public Tmpfs(String target, DataSize size, int mode, boolean readOnly, boolean noExec) {
            this(target, size, mode, readOnly, noExec, 0);
        }

        /** The {@code nr_inodes} to mount with: the one asked for, else derived from the size; 0 = the kernel's default (no size given). */
        public long inodeLimit() {
            if (nrInodes > 0) return nrInodes;
            return size == null ? 0 : inodesFor(size.bytes());
        }

        /** The inode limit jcontainer gives a tmpfs of {@code bytes} (also /dev, /dev/shm and the default root). */
        public static long inodesFor(long bytes) {
            return Math.max(MIN_INODES, bytes / BYTES_PER_INODE);
        }
    }

    /**
     * OCI's generic mount: any filesystem type with mount(8)-style options. Options the kernel
     * takes as flags ({@code ro}, {@code nosuid}, {@code rbind}...) and propagation
     * ({@code rslave}, {@code private}...) are applied as such, the rest passed to the
     * filesystem (e.g. {@code size=64m}); an option the runtime cannot honour fails the start,
     * naming it. {@code z}/{@code Z} (SELinux relabel, docker's {@code -v}) are accepted on a
     * host without SELinux, where there is nothing to relabel.
     *
     * @param type   filesystem type, e.g. {@code tmpfs}, {@code proc}, {@code bind} (bind mounts may also say {@code none} with a {@code bind} option)
     * @param source host path for a bind, a device, or a name for pseudo filesystems; may be null
     */
    record Generic(String target, String type, String source, List<String> options) implements Mount {
        public Generic {
            checkTarget(target);
            if (type == null || type.isEmpty()) type = "none";
            if (type.indexOf('\0') >= 0 || (source != null && source.indexOf('\0') >= 0))
                throw new InvalidSpecException("mount", target + ": type or source contains a NUL byte");
            options = List.copyOf(options == null ? List.of() : options);
            for (String o : options)
                if (o.isEmpty() || o.indexOf('\0') >= 0 || o.indexOf(',') >= 0)
                    throw new InvalidSpecException("mount", target + ": invalid option '" + o.replace('\0', '?') + "'");
        }

        /** Whether this is a bind mount (type {@code bind} or a {@code bind}/{@code rbind} option). */
        public boolean isBind() {
            return type.equals("bind") || options.contains("bind") || options.contains("rbind");
        }

        /** OCI's {@code destination}. */
        public String destination() {
            return target;
        }
    }

    static Generic of(String type, String source, String target, String... options) {
        return new Generic(target, type, source, List.of(options));
    }

    /** Where {@link #cgroupView()} appears. */
    String CGROUP_FS = "/sys/fs/cgroup";

    /**
     * {@code /sys/fs/cgroup} as docker and runc show it: the container's own cgroups, read-only,
     * as the roots of their hierarchies, so a JVM, Go's runtime or {@code nproc} inside reads its
     * limits and nothing above its cgroup shows. OCI's {@code cgroup} mount ({@code runc spec}
     * writes one). Opt-in: on cgroup v1 the view costs a tmpfs, a bind mount per hierarchy and a
     * cgroup in memory, cpu and cpuset for a container with limits; a container that does not
     * ask sees what its {@code /sys} has there. The docker CLI, the API server and OCI bundles
     * with that mount ask for it.
     */
    static Generic cgroupView() {
        return new Generic(CGROUP_FS, "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"));
    }

    /** Whether {@code m} asks for the {@linkplain #cgroupView() cgroup view}: OCI's {@code cgroup} (or {@code cgroup2}) mount at {@code /sys/fs/cgroup}. */
    static boolean isCgroupView(Mount m) {
        return m instanceof Generic g && g.target().equals(CGROUP_FS) && (g.type().equals("cgroup") || g.type().equals("cgroup2"));
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
    static Mount parseVolume(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty())
            throw new InvalidSpecException("volume", "expected HOST-PATH:CONTAINER-PATH[:ro|rw], got '" + spec + "'");
        if (!parts[0].startsWith("/"))
            throw new InvalidSpecException("volume", "'" + parts[0] + "' is not an absolute host path (nor a volume name: a letter or digit first, no '/')");
        boolean ro = false;
        List<String> extra = new ArrayList<>(); // propagation and relabelling: honoured by the runtime, never dropped
        if (parts.length == 3) {
            for (String opt : parts[2].split(",")) {
                switch (opt) {
                    case "ro" -> ro = true;
                    case "rw", "" -> ro = false;
                    case "z", "Z" -> extra.add(opt);
                    default -> {
                        if (Propagation.fromOption(opt) == null)
                            throw new InvalidSpecException("volume", "unknown option '" + opt + "' in '" + spec
                                    + "' (known: ro, rw, z, Z, private, rprivate, slave, rslave, shared, rshared)");
                        extra.add(opt);
                    }
                }
            }
        }
        if (extra.isEmpty()) return new Bind(Path.of(parts[0]), parts[1], ro, true);
        List<String> opts = new ArrayList<>(List.of("rbind", ro ? "ro" : "rw"));
        opts.addAll(extra);
        return new Generic(parts[1], "bind", parts[0], opts);
    }

    /**
     * Parses docker's {@code --mount} syntax: comma-separated {@code key=value} pairs, e.g.
     * {@code type=bind,source=/data,target=/data,readonly} or
     * {@code type=tmpfs,destination=/tmp,tmpfs-size=64m,tmpfs-mode=1777}.
     */
    static Mount parseMount(String spec) {
        String type = "volume", source = null, target = null, propagation = null;
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
                case "bind-propagation" -> {
                    if (Propagation.fromOption(v) == null) throw new InvalidSpecException("mount", "unknown bind-propagation '" + v + "' in '" + spec + "'");
                    propagation = v;
                }
                case "consistency" -> { } // docker: macOS only, a no-op on Linux
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
                if (propagation == null) yield new Bind(Path.of(source), target, ro, recursive);
                yield new Generic(target, "bind", source, List.of(recursive ? "rbind" : "bind", ro ? "ro" : "rw", propagation));
            }
            case "tmpfs" -> new Tmpfs(target, size, mode, ro, false);
            default -> throw new InvalidSpecException("mount", "unsupported type '" + type + "' (use type=bind or type=tmpfs)");
        };
    }
}
