package io.jcontainer.linux.rootfs;

import io.jcontainer.ContainerException;
import io.jcontainer.ContainerStartException;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.IdMap;
import io.jcontainer.Root;
import io.jcontainer.linux.sys.Syscalls;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The fallbacks for an image root when the kernel refuses its overlay (an older kernel, a
 * filesystem that refuses overlay in a user namespace, an overlay nested in an overlay):
 * fuse-overlayfs, started by the JVM for that container on {@code <dir>/merged}, and, as the
 * last resort, a plain copy of the flattened layers into {@code <dir>/rootfs}. Either is handed
 * to the launcher as a directory root; {@code <dir>} is the container's own directory of
 * uppers ({@link OverlayUpper}), so its owner mark covers them: a killed JVM's are unmounted and
 * removed by the next JVM's {@link OverlayUpper#reap}.
 *
 * <p>{@code -Djcontainer.imageRoot=overlay|fuse-overlayfs|copy|auto} (default auto: the kernel
 * overlay, then fuse-overlayfs where installed, then a copy). The kernel overlay's path is not
 * touched by any of this: a fallback is tried only after the kernel refused.
 */
public final class ImageRoots {
    private ImageRoots() {
    }

    public enum Mechanism {
        OVERLAY("overlay"), FUSE_OVERLAYFS("fuse-overlayfs"), COPY("copy");

        private final String label;

        Mechanism(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The property that forces one mechanism. */
    public static final String PROPERTY = io.jcontainer.linux.Settings.IMAGE_ROOT;
    /**
     * Tests only: the kernel overlay is also given the directory holding the layers as a lower
     * one (overlapping the others), so the kernel really refuses it (ELOOP) and auto's fallback
     * is seen end to end.
     */
    public static final String REFUSE_OVERLAY_PROPERTY = io.jcontainer.linux.Settings.IMAGE_ROOT_REFUSE_OVERLAY;

    /** The mechanisms to try, in order: one when forced, else all three. */
    public static List<Mechanism> order() {
        String v = io.jcontainer.linux.Settings.imageRoot();
        return switch (v) {
            case "auto", "" -> List.of(Mechanism.OVERLAY, Mechanism.FUSE_OVERLAYFS, Mechanism.COPY);
            case "overlay" -> List.of(Mechanism.OVERLAY);
            case "fuse-overlayfs", "fuse" -> List.of(Mechanism.FUSE_OVERLAYFS);
            case "copy" -> List.of(Mechanism.COPY);
            default -> throw new io.jcontainer.InvalidSpecException(PROPERTY, "'" + v + "': one of overlay, fuse-overlayfs, copy, auto");
        };
    }

    /**
     * Stores (directories of container uppers) whose kernel overlay this JVM saw refused: later
     * starts there go to the fallbacks at once instead of failing a launch first. Looked at only
     * when not empty, so the kernel overlay's starts do no work for it.
     */
    private static final java.util.Set<Path> REFUSED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public static void rememberRefused(Root.Overlay o) {
        REFUSED.add(store(o));
    }

    private static Path store(Root.Overlay o) {
        Path p = o.upper().getParent();
        return p == null || p.getParent() == null ? o.upper() : p.getParent();
    }

    /** As {@link #order()}, without the kernel overlay in auto mode where it was refused before. */
    public static List<Mechanism> order(Root.Overlay o) {
        List<Mechanism> all = order();
        if (REFUSED.isEmpty() || all.size() == 1 || !REFUSED.contains(store(o))) return all;
        return all.subList(1, all.size());
    }

    /** The kernel overlay as the test hook above spoils it (the caller checked the property). */
    public static Root.Overlay refused(Root.Overlay o) {
        List<Path> lowers = new ArrayList<>(o.lowerDirs());
        lowers.addFirst(o.lowerDirs().getFirst().getParent());
        return new Root.Overlay(lowers, o.upper(), o.work(), o.readonly(), o.removeWithContainer());
    }

    /** Whether a start failed at the kernel overlay's mount (and a fallback may do). */
    public static boolean overlayRefused(ContainerException e) {
        // the launcher's report of the plan's step (step N "mount overlay on …", Op.Mount) and its syscall, not the message's wording
        return e instanceof ContainerStartException f && f.step() != null && f.step().contains("\"mount overlay on ")
                && f.syscall() != null && f.syscall().matches("mount|fsopen|fsconfig|fsmount|move_mount");
    }

    /**
     * A fallback root made for one container. {@link #close} undoes it: unmounted, then the
     * directory goes — or, for a restart of a recorded container, only unmounted (its upper, or
     * its copy, holds what it wrote). {@link #adopt} hands a started recorded container's root to
     * its record: the owner mark goes, so the next JVM's reap leaves it; its exit ({@link #release})
     * and its removal ({@link OverlayUpper#removeIfOwned}) undo it instead.
     */
    public interface Prepared extends AutoCloseable {
        Root root();

        @Override
        void close();

        void adopt();

        /** The fuse-overlayfs mount point the container's monitor unmounts at its end, or null (a copy, a kernel overlay). */
        default Path fuseMount() {
            return null;
        }
    }

    /** The user namespace's maps the container will have (empty: none, or root's JVM): fuse-overlayfs shows the layers' owners through them. */
    public record IdMaps(List<IdMap> uids, List<IdMap> gids) {
        public static final IdMaps NONE = new IdMaps(List.of(), List.of());

        public IdMaps {
            uids = List.copyOf(uids);
            gids = List.copyOf(gids);
        }
    }

    /** Makes the root of {@code m} (not OVERLAY) for the owned overlay {@code o}; throws what failed, naming it. */
    public static Prepared prepare(Root.Overlay o, Mechanism m, Syscalls sys) {
        return prepare(o, m, sys, IdMaps.NONE, false, false);
    }

    /**
     * As above, for a container with the user namespace {@code maps}; {@code detached}: it
     * outlives this JVM (its fuse-overlayfs too); {@code restart}: a recorded container started
     * again, whose directory (upper, or copy) is its own and stays.
     */
    public static Prepared prepare(Root.Overlay o, Mechanism m, Syscalls sys, IdMaps maps, boolean detached, boolean restart) {
        // <dir>/{upper,work} and, at a first start, the owner mark: what a JVM killed during the start leaves is reaped
        OverlayUpper.prepare(o, !restart);
        Path dir = o.upper().getParent();
        try {
            release(o, sys);                              // a restart: what its last run left mounted
            return switch (m) {
                case FUSE_OVERLAYFS -> fuse(o, dir, sys, maps, detached, restart);
                case COPY -> copy(o, dir, restart);
                case OVERLAY -> throw new IllegalArgumentException("the kernel overlay is the plan's own");
            };
        } catch (RuntimeException e) {
            if (!restart) OverlayUpper.removeIfOwned(o);
            throw e;
        }
    }

    /** Whether a recorded container's root was a copy (its restarts take it again: it holds the container's writes). */
    public static boolean hasCopy(Root.Overlay o) {
        return o.removeWithContainer() && Files.isDirectory(o.upper().resolveSibling("rootfs"), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * A recorded container whose root came through fuse-overlayfs has exited: its mount goes
     * (its daemon ends with it); upper and work stay for a restart. Nothing to do, one stat, for
     * every other root. True when nothing is mounted there any more.
     */
    public static boolean release(Root root, Syscalls sys) {
        if (!(root instanceof Root.Overlay o) || !o.removeWithContainer()) return true;
        Path merged = o.upper().resolveSibling("merged");
        if (!Files.isDirectory(merged, LinkOption.NOFOLLOW_LINKS)) return true;
        return unmount(merged, sys);
    }

    /** The owner mark of {@code o}'s directory goes: its record owns it now. */
    private static void adopt(Root.Overlay o) {
        Path dir = o.upper().getParent();
        try (var marks = Files.newDirectoryStream(dir, ".owner-*")) {
            for (Path m : marks) Files.deleteIfExists(m);
        } catch (IOException e) {
            LoggerFactory.getLogger(ImageRoots.class).warn("jcontainer: cannot hand {} to its container's record: {}", dir, e.toString());
        }
    }

    // ---------------------------------------------------------------- fuse-overlayfs

    /** fuse-overlayfs in the system's directories, or null. */
    public static Path findFuseOverlayfs() {
        return find("fuse-overlayfs");
    }

    /** The system's directories only, as for pasta: a root JVM runs no helper from a user's PATH. */
    private static final List<String> DIRS = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin");

    private static Path find(String name) {
        for (String d : DIRS) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    private static final long MOUNT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static Prepared fuse(Root.Overlay o, Path dir, Syscalls sys, IdMaps maps, boolean detached, boolean restart) {
        Path bin = findFuseOverlayfs();
        if (bin == null) throw new HostUnsupportedException("an image root through fuse-overlayfs: fuse-overlayfs is not installed",
                "apt-get install fuse-overlayfs");
        boolean root = sys.geteuid() == 0;
        Path merged = dir.resolve("merged");
        Path log = dir.resolve("fuse-overlayfs.log");
        Process p;
        try {
            Files.createDirectories(merged);
            long dev = (Long) Files.getAttribute(merged, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            StringBuilder opts = new StringBuilder("lowerdir=");
            for (int i = 0; i < o.lowerDirs().size(); i++) opts.append(i == 0 ? "" : ":").append(o.lowerDirs().get(i));
            opts.append(",upperdir=").append(o.upper()).append(",workdir=").append(o.work());
            // root's mount is used by the container's other users too (an image's USER)
            if (root) opts.append(",allow_other,suid,dev");
            else opts.append(ownerOptions(o, maps, userAllowOther(FUSE_CONF)));
            // An attached container's daemon: -f, our child, so its end is seen; it exits when the
            // mount goes. A detached one's outlives this JVM: fuse-overlayfs daemonizes itself
            // (its own session, away from our terminal's signals) once the mount is there.
            List<String> cmd = new ArrayList<>(List.of(bin.toString()));
            if (!detached) cmd.add("-f");
            cmd.addAll(List.of("-o", opts.toString(), merged.toString()));
            p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(log.toFile()).start();
            long until = System.nanoTime() + MOUNT_TIMEOUT_NANOS;
            while ((Long) Files.getAttribute(merged, "unix:dev", LinkOption.NOFOLLOW_LINKS) == dev) {
                boolean ended = !p.isAlive();
                if (ended && detached && p.exitValue() == 0 && (Long) Files.getAttribute(merged, "unix:dev", LinkOption.NOFOLLOW_LINKS) != dev) break;
                if (ended) throw new ContainerStartException("image root: fuse-overlayfs (" + bin + ") exited with " + p.exitValue()
                        + (detached && p.exitValue() == 0 ? " without mounting " : " before mounting ") + merged + ": " + Files.readString(log).strip(), null);
                if (System.nanoTime() > until) {
                    p.destroyForcibly();
                    throw new ContainerStartException("image root: fuse-overlayfs (" + bin + ") did not mount " + merged + " within 10 s: "
                            + Files.readString(log).strip(), null);
                }
                Thread.sleep(1);
            }
            if (detached && !p.waitFor(MOUNT_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
                unmount(merged, sys);
                p.destroyForcibly();
                throw new ContainerStartException("image root: fuse-overlayfs (" + bin + ") mounted " + merged + " but did not go to the background", null);
            }
        } catch (IOException e) {
            throw new ContainerStartException("image root: cannot start fuse-overlayfs (" + bin + ") on " + merged + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerStartException("image root: interrupted while fuse-overlayfs mounted " + merged, e);
        }
        Process daemon = detached ? null : p;
        return new Prepared() {
            public Root root() {
                return new Root.Directory(merged, o.readonly());
            }

            public void close() {
                if (!unmount(merged, sys) || (daemon != null && !waitFor(daemon))) return;
                // still mounted or still running: its owner mark (or its record) lets a later sweep retry
                if (!restart) OverlayUpper.removeIfOwnedLater(o);
            }

            public void adopt() {
                ImageRoots.adopt(o);
            }

            public Path fuseMount() {
                return merged;
            }
        };
    }

    /** fusermount3 (else fusermount) in the system's directories, or null: how an ordinary user unmounts a FUSE root. */
    public static String fusermount() {
        Path fm = find("fusermount3");
        if (fm == null) fm = find("fusermount");
        return fm == null ? null : fm.toString();
    }

    /**
     * An ordinary user's fuse-overlayfs options for the image's owners. The layers hold them in
     * {@code user.containers.override_stat} (LayerUnpacker: every directory and file is the
     * user's on disk); fuse-overlayfs shows those ids through {@code uidmapping}/{@code gidmapping}
     * — the container's own user namespace maps, so that what the image owns by 1000 is 1000
     * inside, as podman's storage does it. What the container writes keeps its owner the same way
     * in the upper ({@code xattr_permissions=2}: {@code user.fuseoverlayfs.override_stat}), whose
     * root is marked 0:0 first (else fuse-overlayfs would record the user's own id for it). A
     * container with only the user's own id mapped (no subordinate ids) sees everything as its
     * root's, as on the kernel overlay. {@code allowOther}: fuse.conf's {@code user_allow_other},
     * without which FUSE lets only the user's own id in (not an image's USER 1000).
     */
    static String ownerOptions(Root.Overlay o, IdMaps maps, boolean allowOther) throws IOException {
        StringBuilder b = new StringBuilder();
        boolean ranges = maps.uids().stream().mapToLong(IdMap::size).sum() > 1 && maps.gids().stream().mapToLong(IdMap::size).sum() > 1;
        if (ranges) {
            b.append(",uidmapping=").append(mapping(maps.uids())).append(",gidmapping=").append(mapping(maps.gids()));
            b.append(",xattr_permissions=2");
            Path upperRoot = o.upper();
            var view = Files.getFileAttributeView(upperRoot, java.nio.file.attribute.UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            if (!view.list().contains("fuseoverlayfs.override_stat")) {
                int mode = (Integer) Files.getAttribute(upperRoot, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                view.write("fuseoverlayfs.override_stat", java.nio.ByteBuffer.wrap(("0:0:0" + Integer.toOctalString(mode)).getBytes(StandardCharsets.UTF_8)));
            }
        } else {
            long uid = maps.uids().isEmpty() ? -1 : maps.uids().getFirst().hostId();
            long gid = maps.gids().isEmpty() ? -1 : maps.gids().getFirst().hostId();
            if (uid >= 0 && gid >= 0) b.append(",squash_to_uid=").append(uid).append(",squash_to_gid=").append(gid);
        }
        if (allowOther) b.append(",allow_other");
        return b.toString();
    }

    /** fuse-overlayfs' form of a map: container:host:size triples joined by ':'. */
    private static String mapping(List<IdMap> maps) {
        StringBuilder b = new StringBuilder();
        for (IdMap m : maps) b.append(b.isEmpty() ? "" : ":").append(m.containerId()).append(':').append(m.hostId()).append(':').append(m.size());
        return b.toString();
    }

    /** fuse.conf, whose {@code user_allow_other} lets an ordinary user's FUSE mounts serve other ids. */
    public static final Path FUSE_CONF = Path.of("/etc/fuse.conf");

    /**
     * An ordinary user's fuse-overlayfs root serves only the user's own host id unless
     * {@link #FUSE_CONF} has {@code user_allow_other} (then it is mounted with {@code allow_other}):
     * every other id gets EACCES from FUSE, even for {@code /}. A container whose process would run
     * as another host id (an image's non-root USER, mapped to a subordinate id) is refused here,
     * before its launch fails on an unreadable root, naming the file; in auto mode the copy is
     * tried next.
     */
    public static void checkFuseUser(io.jcontainer.ContainerSpec spec, int containerUid, int hostUid) {
        checkFuseUser(spec.has(io.jcontainer.Namespace.USER) ? spec.uidMap() : List.of(), containerUid, hostUid, userAllowOther(FUSE_CONF));
    }

    static void checkFuseUser(List<IdMap> uidMap, int containerUid, int hostUid, boolean allowOther) {
        if (allowOther) return;
        long host = containerUid;
        for (IdMap m : uidMap) {
            if (containerUid >= m.containerId() && containerUid - m.containerId() < m.size()) {
                host = m.hostId() + (containerUid - m.containerId());
                break;
            }
        }
        if (host == hostUid) return;
        throw new HostUnsupportedException("an image root through fuse-overlayfs for user " + containerUid + " (host id " + host
                + "): FUSE lets only the mounting user (" + hostUid + ") into an ordinary user's mount, and " + FUSE_CONF
                + " has no line user_allow_other",
                "add the line user_allow_other to " + FUSE_CONF + " (as root), or use -Djcontainer.imageRoot=copy");
    }

    /** Whether fuse.conf lets ordinary users mount with allow_other. */
    static boolean userAllowOther(Path fuseConf) {
        try {
            for (String line : Files.readAllLines(fuseConf)) if (line.strip().equals("user_allow_other")) return true;
        } catch (IOException | RuntimeException absent) {
            // no fuse.conf: not allowed
        }
        return false;
    }

    private static boolean waitFor(Process p) {
        try {
            if (p.waitFor(5, TimeUnit.SECONDS)) return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LoggerFactory.getLogger(ImageRoots.class).warn("jcontainer: fuse-overlayfs (pid {}) did not end after its unmount", p.pid());
        return false;
    }

    /**
     * Unmounts a fuse-overlayfs root, or a kernel overlay root mounted ahead ({@link ReadyRoots}) (lazily: the container's mount namespace may still be going);
     * root through umount2(2), an ordinary user through fusermount3 (setuid: an unprivileged
     * process cannot unmount in the initial mount namespace). True when nothing is mounted there any more.
     */
    static boolean unmount(Path merged, Syscalls sys) {
        try {
            if (!Files.isDirectory(merged, LinkOption.NOFOLLOW_LINKS) || !mounted(merged)) return true;
            if (sys.geteuid() == 0) {
                sys.umount2(merged.toString(), 2 /* MNT_DETACH */ | 8 /* UMOUNT_NOFOLLOW */);
            } else {
                String fm = fusermount();
                if (fm == null) throw new IOException("fusermount3 is not installed (apt-get install fuse3)");
                Process p = new ProcessBuilder(fm, "-u", "-z", merged.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(fm + " -u -z " + merged + ": " + out);
            }
            return !mounted(merged);
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(ImageRoots.class).warn("jcontainer: cannot unmount the image root {}: {}", merged, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether {@code dir} is a mount point: on another device than its parent. */
    static boolean mounted(Path dir) throws IOException {
        Object d = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Object parent = Files.getAttribute(dir.getParent(), "unix:dev", LinkOption.NOFOLLOW_LINKS);
        return !d.equals(parent);
    }

    /** For {@link OverlayUpper#reap}: a dead JVM's fuse-overlayfs root is unmounted before its directory goes. */
    static boolean unmountLeftover(Path containerDir) {
        Path merged = containerDir.resolve("merged");
        if (!Files.isDirectory(merged, LinkOption.NOFOLLOW_LINKS)) return true;
        return unmount(merged, io.jcontainer.linux.sys.NativeSyscalls.INSTANCE);
    }

    // ---------------------------------------------------------------- copy

    private static Prepared copy(Root.Overlay o, Path dir, boolean restart) {
        Path rootfs = dir.resolve("rootfs");
        // a restart takes its copy again: what the container wrote is in it
        if (!(restart && Files.isDirectory(rootfs, LinkOption.NOFOLLOW_LINKS))) try {
            if (restart) Files.createDirectories(rootfs.getParent());
            Files.createDirectory(rootfs);
            Map<Path, Integer> modes = new LinkedHashMap<>();
            boolean root = io.jcontainer.linux.sys.NativeSyscalls.INSTANCE.geteuid() == 0;
            for (Path layer : o.lowerDirs().reversed()) apply(layer, rootfs, modes, root);
            // directory modes last, deepest first: a read-only directory of one layer takes the next layer's files first
            List<Map.Entry<Path, Integer>> m = new ArrayList<>(modes.entrySet());
            for (Map.Entry<Path, Integer> e : m.reversed()) {
                if (Files.isDirectory(e.getKey(), LinkOption.NOFOLLOW_LINKS)) Files.setAttribute(e.getKey(), "unix:mode", e.getValue(), LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException | RuntimeException e) {
            throw new ContainerStartException("image root: cannot copy the image's layers into " + rootfs + ": " + e, e instanceof IOException ? e : null);
        }
        return new Prepared() {
            public Root root() {
                return new Root.Directory(rootfs, o.readonly());
            }

            public void close() {
                if (!restart) OverlayUpper.removeIfOwnedLater(o);
            }

            public void adopt() {
                ImageRoots.adopt(o);
            }
        };
    }

    /** One layer (overlayfs' form: 0/0 character devices delete, opaque directories hide what is below) onto {@code dest}. */
    private static void apply(Path layer, Path dest, Map<Path, Integer> modes, boolean root) throws IOException {
        Files.walkFileTree(layer, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Path t = dest.resolve(layer.relativize(d).toString());
                if (!d.equals(layer)) {
                    if (Files.exists(t, LinkOption.NOFOLLOW_LINKS) && (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS) || opaque(d))) delete(t);
                    if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(t);
                }
                PosixFileAttributes a = Files.readAttributes(d, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(d, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                Files.setAttribute(t, "unix:mode", 0700 | mode, LinkOption.NOFOLLOW_LINKS);
                if (root) {
                    Files.setAttribute(t, "unix:uid", Files.getAttribute(d, "unix:uid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(t, "unix:gid", Files.getAttribute(d, "unix:gid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
                }
                Files.setLastModifiedTime(t, a.lastModifiedTime());
                modes.remove(t);
                modes.put(t, mode);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                String name = f.getFileName().toString();
                Path t = dest.resolve(layer.relativize(f).toString());
                if (name.equals(".wh..wh..opq")) return FileVisitResult.CONTINUE; // seen by opaque() on its directory
                if (name.startsWith(".wh.")) { // a whiteout kept in tar form (a host that refused the device)
                    delete(t.resolveSibling(name.substring(4)));
                    return FileVisitResult.CONTINUE;
                }
                if (Files.exists(t, LinkOption.NOFOLLOW_LINKS)) delete(t);
                if (attrs.isOther()) {
                    // a 0/0 character device is overlayfs' whiteout: the name is deleted; other devices and
                    // FIFOs are not copied (a copy in a container's directory is no place for device nodes)
                    return FileVisitResult.CONTINUE;
                }
                Files.copy(f, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static boolean opaque(Path d) {
        if (Files.exists(d.resolve(".wh..wh..opq"), LinkOption.NOFOLLOW_LINKS)) return true;
        Syscalls sys = io.jcontainer.linux.sys.NativeSyscalls.INSTANCE;
        for (String x : List.of("trusted.overlay.opaque", "user.overlay.opaque")) {
            try {
                byte[] v = sys.lgetxattr(d.toString(), x);
                if (v != null && v.length > 0 && v[0] == 'y') return true;
            } catch (RuntimeException notReadable) {
                // trusted.* as an ordinary user: not this one
            }
        }
        return false;
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.setAttribute(p, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
            try (var s = Files.list(p)) {
                for (Path c : s.toList()) delete(c);
            }
        }
        Files.delete(p);
    }
}
