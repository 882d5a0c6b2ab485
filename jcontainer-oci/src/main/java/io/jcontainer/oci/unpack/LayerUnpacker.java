package io.jcontainer.oci.unpack;

import com.github.luben.zstd.ZstdInputStream;
import io.jcontainer.image.ImageException;
import io.jcontainer.image.InvalidImageException;
import io.jcontainer.image.UnsafeLayerException;
import io.jcontainer.oci.Digest;
import io.jcontainer.oci.MediaTypes.Compression;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

/**
 * Applies one layer tar to a directory, the way containerd's {@code archive/tar.go} does, in
 * pure Java.
 *
 * <p><b>Containment</b> (SECURITY.md rows 27–30). Every entry name is split into components;
 * {@code ..} anywhere is refused (not cleaned: a layer that needs it is hostile), a leading
 * {@code /} is dropped. The parent directory is then found by walking from the root one
 * component at a time with {@code lstat}; a symbolic link met on the way is resolved
 * <em>inside</em> the root (an absolute target restarts at the root, {@code ..} stops at the
 * root — the semantics of openat2's {@code RESOLVE_IN_ROOT}), and the last component is never
 * followed: whatever is there is replaced, not written through. These checks are race-free here
 * because nobody else writes the directory while we unpack: it is a fresh directory under the
 * store's 0700 root (or the caller's empty target); the store's layer directories are only
 * renamed into place after the unpack succeeded.
 *
 * <p><b>What is created</b>: directories, regular files, symbolic links (their targets are data,
 * never followed here), hard links (to a file already unpacked in this root, resolved the same
 * way), modes including setuid (the store is 0700, so they are not usable by other host users —
 * row 31), owners when {@code chown} is on, {@code user.*} xattrs from PAX headers (every other
 * namespace — {@code security.capability}, {@code trusted.*} — is dropped). Device nodes and
 * FIFOs are made with {@code mknod} (FFM, {@link OverlayMarks}); device nodes only where
 * {@link Options#deviceNodes} allows (root, into the store), else skipped with a warning.
 *
 * <p><b>Whiteouts</b>: {@link Whiteouts#APPLY} deletes what {@code .wh.name} names and empties a
 * directory marked {@code .wh..wh..opq} (of content from earlier layers only) — for flattening.
 * {@link Whiteouts#KEEP} writes them as empty files, for per-layer directories that an overlay
 * driver converts (fuse-overlayfs understands them as they are).
 *
 * <p><b>Gzip</b> is the JDK's {@link java.util.zip.Inflater}; ISA-L's igzip through FFM (about
 * twice as fast) is a later optimisation behind the same {@link #decompress} switch.
 */
public final class LayerUnpacker {

    /**
     * APPLY: delete what they name (flattening); KEEP: leave them as the empty {@code .wh.*}
     * files of the tar (fuse-overlayfs reads those); OVERLAY: convert them to what the kernel's
     * overlayfs reads in a lower directory — a 0/0 character device, an opaque xattr
     * ({@link OverlayMarks}) — falling back to KEEP's files where the host refuses the marks.
     */
    public enum Whiteouts { APPLY, KEEP, OVERLAY }

    /** Shift owners by these amounts (0/0 keeps them); null {@code ownership} means do not chown. */
    public record Ownership(int uidShift, int gidShift) {
        public static final Ownership KEEP = new Ownership(0, 0);
    }

    /**
     * {@code deviceNodes}: make the layer's character and block devices ({@code mknod}, which
     * needs root) — only into the store's 0700 per-layer directories, where no other host user
     * reaches them and a container sees them through a nodev mount (SECURITY.md row 31); a
     * flattened copy into a caller's directory, or an ordinary user's unpack, skips them with a
     * warning, as podman does rootless. FIFOs are always made.
     */
    public record Options(Whiteouts whiteouts, Ownership ownership, Limits limits, boolean deviceNodes, boolean ownerXattrs) {
        public Options(Whiteouts whiteouts, Ownership ownership, Limits limits) {
            this(whiteouts, ownership, limits, false);
        }

        public Options(Whiteouts whiteouts, Ownership ownership, Limits limits, boolean deviceNodes) {
            this(whiteouts, ownership, limits, deviceNodes, false);
        }

        public static Options flatten(boolean chown) {
            return new Options(Whiteouts.APPLY, chown ? Ownership.KEEP : null, Limits.DEFAULT);
        }

        /**
         * The store's per-layer directories: overlayfs' whiteouts; owners kept by root, and by an
         * ordinary user (who cannot chown) recorded in {@code user.containers.override_stat} on
         * every directory and regular file, so that fuse-overlayfs shows them as the image says
         * ({@code ImageRoots} in jcontainer-linux).
         */
        public static Options perLayer(boolean chown) {
            return new Options(Whiteouts.OVERLAY, chown ? Ownership.KEEP : null, Limits.DEFAULT, chown, !chown);
        }

        public Options withLimits(Limits l) {
            return new Options(whiteouts, ownership, l, deviceNodes, ownerXattrs);
        }

        public Options withDeviceNodes(boolean on) {
            return new Options(whiteouts, ownership, limits, on, ownerXattrs);
        }
    }

    /** What the unpack did: the tar stream's digest (the layer's diff id) and what it skipped. */
    public record Result(Digest diffId, long entries, long bytes, List<String> skipped) {
    }

    /** {@code -Djcontainer.gzip=jdk} forces the JDK's Inflater (the benchmark's comparison). */
    private static final String GZIP_IMPL = System.getProperty("jcontainer.gzip", "");
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final int MAX_SYMLINK_HOPS = 40;

    private final Path root;
    private final Options options;
    private final long deadline;
    private final Set<Path> createdHere = new HashSet<>();
    /**
     * Parent directories already resolved in this unpack, by their components as written. Valid
     * because nobody else writes here; emptied whenever this unpack deletes or replaces anything
     * (a deletion can change what a name resolves to), never by mere additions.
     */
    private final java.util.Map<List<String>, Path> resolved = new java.util.HashMap<>();
    private final boolean creatorIsRoot = "root".equals(System.getProperty("user.name"));
    private final ArrayDeque<Runnable> finalDirAttrs = new ArrayDeque<>();
    private final List<String> skipped = new ArrayList<>();
    private final byte[] buffer = new byte[1 << 18];
    private boolean emptyAtStart;
    /** {@link Options#ownerXattrs}, off when the file system refuses user xattrs (the layer root said so). */
    private boolean ownerXattrs;

    private LayerUnpacker(Path root, Options options) {
        this.root = root;
        this.options = options;
        this.deadline = System.nanoTime() + options.limits().maxTime().toNanos();
    }

    /** Wraps {@code in} in the decompressor {@code c} names; NONE sniffs gzip and zstd magic (docker-archive layers). */
    public static InputStream decompress(InputStream in, Compression c) throws IOException {
        InputStream buffered = new BufferedInputStream(in, 1 << 16);
        if (c == Compression.NONE) {
            buffered.mark(4);
            byte[] magic = buffered.readNBytes(4);
            buffered.reset();
            if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) c = Compression.GZIP;
            else if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                    && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) c = Compression.ZSTD;
        }
        return switch (c) {
            case NONE -> buffered;
            case GZIP -> gunzip(buffered);
            case ZSTD -> new ZstdInputStream(buffered);
        };
    }

    /** igzip through FFM when {@code libisal.so.2} is there ({@link IsalGzipInputStream}), else the JDK. */
    static InputStream gunzip(InputStream in) throws IOException {
        return IsalGzipInputStream.supported() && !"jdk".equals(GZIP_IMPL) ? new IsalGzipInputStream(in) : new GZIPInputStream(in, 1 << 16);
    }

    /** Which gzip: {@code isal} (when the library is there) or {@code jdk}. For comparisons in benchmarks. */
    public static String gzipImplementation() {
        return IsalGzipInputStream.supported() && !"jdk".equals(GZIP_IMPL) ? "isal" : "jdk";
    }

    /**
     * Unpacks the (already digest-checked or digest-checking) compressed stream into {@code root},
     * which must exist. On failure the caller removes {@code root}: nothing here is transactional.
     */
    public static Result unpack(InputStream compressed, Compression compression, Path root, Options options) {
        LayerUnpacker u = new LayerUnpacker(root, options);
        try {
            return u.run(compressed, compression);
        } catch (IOException e) {
            throw new ImageException("cannot unpack layer into " + root + ": " + e, e);
        }
    }

    private Result run(InputStream compressed, Compression compression) throws IOException {
        try (DirectoryStream<Path> d = Files.newDirectoryStream(root)) {
            emptyAtStart = !d.iterator().hasNext();
        }
        if (options.ownerXattrs()) {
            try {
                // on the layer's root first: fuse-overlayfs reads a layer's owners from xattrs when its root has one
                OverlayMarks.ownerOverride(root, 0, 0, 0755);
                ownerXattrs = true;
            } catch (IOException refused) {
                skipped.add("owners (not recorded in " + OverlayMarks.OWNER_OVERRIDE + ": " + refused.getMessage() + ")");
            }
        }
        MessageDigest sha = new Digest("sha256", "0".repeat(64)).newMessageDigest();
        Limits limits = options.limits();
        var bounded = new BoundedInputStream(decompress(compressed, compression), limits.maxBytes());
        var hashed = new DigestInputStream(bounded, sha);
        long entries = 0;
        try (var tar = new TarArchiveInputStream(hashed, StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (++entries > limits.maxEntries())
                    throw new UnsafeLayerException("layer has more than " + limits.maxEntries() + " entries");
                if (System.nanoTime() > deadline)
                    throw new UnsafeLayerException("layer took longer than " + limits.maxTime() + " to unpack");
                apply(e, tar);
            }
            // Read the tar's end (the zero blocks and any padding): the diff id covers all of it.
            hashed.transferTo(OutputStream.nullOutputStream());
        }
        while (!finalDirAttrs.isEmpty()) finalDirAttrs.pop().run();
        return new Result(Digest.of("sha256", sha.digest()), entries, bounded.count, List.copyOf(skipped));
    }

    private static final class BoundedInputStream extends FilterInputStream {
        private final long max;
        long count;

        BoundedInputStream(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0 && (count += n) > max)
                throw new UnsafeLayerException("layer expands to more than " + max + " bytes (decompression bomb?)");
            return n;
        }
    }

    // ---- one entry --------------------------------------------------------------------------

    private void apply(TarArchiveEntry e, InputStream data) throws IOException {
        List<String> parts = components(e.getName());
        if (parts.isEmpty()) return;                      // "./": the root itself keeps our mode
        String base = parts.getLast();
        Path parent = resolveParent(parts.subList(0, parts.size() - 1), e.getName());

        if (base.startsWith(WHITEOUT)) {
            whiteout(parent, base, e.getName());
            return;
        }
        Path target = parent.resolve(base);

        if (e.isDirectory()) {
            boolean fresh = false;
            if (exists(target) && Files.isDirectory(target, NOFOLLOW_LINKS)) {
                // an existing directory stays (with its content); its attributes follow this entry
            } else {
                removeExisting(target);
                Files.createDirectory(target, PosixFilePermissions.asFileAttribute(permissions((0700 | e.getMode()) & 0777)));
                fresh = true;
            }
            createdHere.add(target);
            deferDirectoryAttributes(target, e, fresh);
            recordOwner(target, e);
            return;
        }
        if (e.isSymbolicLink()) {
            removeExisting(target);
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            createdHere.add(target);
            setOwner(target, e, true);
            setMtime(target, e);
            return;
        }
        if (e.isLink()) {
            List<String> linkParts = components(e.getLinkName());
            if (linkParts.isEmpty()) throw new UnsafeLayerException("hard link " + e.getName() + " points at the root");
            Path linkParent = resolveParent(linkParts.subList(0, linkParts.size() - 1), e.getLinkName());
            Path existing = linkParent.resolve(linkParts.getLast());
            if (!Files.exists(existing, NOFOLLOW_LINKS))
                throw new UnsafeLayerException("hard link " + e.getName() + " -> " + e.getLinkName()
                        + ": the target is not in this layer (hard links may only point at files of the same layer)");
            if (Files.isDirectory(existing, NOFOLLOW_LINKS))
                throw new UnsafeLayerException("hard link " + e.getName() + " -> " + e.getLinkName() + " points at a directory");
            removeExisting(target);
            Files.createLink(target, existing);         // link(2) does not follow a symlink target
            createdHere.add(target);
            return;
        }
        if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            special(e, target);
            return;
        }
        if (e.isFile()) {
            removeExisting(target);
            int mode = e.getMode() & 07777;
            // Created with its permission bits: when the umask leaves them whole and there is no
            // setuid/setgid/sticky bit (which chown would clear), no chmod is needed afterwards.
            try (FileChannel out = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(permissions(mode & 0777)))) {
                long left = e.getSize();
                while (left > 0) {
                    int n = data.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) throw new java.io.EOFException("tar entry " + e.getName() + " ends early");
                    ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
                    while (bb.hasRemaining()) out.write(bb);
                    left -= n;
                }
            }
            createdHere.add(target);
            setOwner(target, e, true);
            if ((mode & 07000) != 0 || (mode & UMASK) != 0) setMode(target, mode);
            recordOwner(target, e);
            setXattrs(target, e);
            setMtime(target, e);
            return;
        }
        skipped.add(e.getName() + " (tar type " + (char) e.getLinkFlag() + ")");
    }

    /** A FIFO, or a device node where {@link Options#deviceNodes} allows (else skipped, with a warning). */
    private void special(TarArchiveEntry e, Path target) throws IOException {
        String what = e.isFIFO() ? "fifo" : (e.isBlockDevice() ? "block" : "character") + " device " + e.getDevMajor() + ":" + e.getDevMinor();
        if (!e.isFIFO() && !options.deviceNodes()) {
            skip(e.getName() + " (" + what + ": device nodes are made only by root, into the store)");
            return;
        }
        int mode = e.getMode() & 07777;
        int type = e.isFIFO() ? OverlayMarks.S_IFIFO : e.isBlockDevice() ? OverlayMarks.S_IFBLK : 0020000;
        removeExisting(target);
        try {
            OverlayMarks.mknod(target, type | (mode & 0777), e.isFIFO() ? 0 : e.getDevMajor(), e.isFIFO() ? 0 : e.getDevMinor());
        } catch (OverlayMarks.MknodException refused) {
            if (refused.errno != 1 || e.isFIFO()) throw refused;
            skip(e.getName() + " (" + what + ": " + refused.getMessage() + ")");   // root without CAP_MKNOD (a user namespace)
            return;
        }
        createdHere.add(target);
        setOwner(target, e, true);
        if ((mode & 07000) != 0 || (mode & UMASK) != 0) setMode(target, mode);
        setMtime(target, e);
    }

    private void skip(String what) {
        skipped.add(what);
        System.getLogger(LayerUnpacker.class.getName()).log(System.Logger.Level.WARNING, "jcontainer: layer entry skipped: {0} in {1}", what, root);
    }

    /** Splits a tar name into components, refusing {@code ..}, NUL and too deep or long names. */
    private List<String> components(String name) {
        if (name.indexOf('\0') >= 0) throw new UnsafeLayerException("tar entry name contains NUL: " + name.replace('\0', '?'));
        if (name.getBytes(StandardCharsets.UTF_8).length > options.limits().maxPathBytes())
            throw new UnsafeLayerException("tar entry name longer than " + options.limits().maxPathBytes() + " bytes");
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) throw new UnsafeLayerException("tar entry \"" + name + "\" contains \"..\": refused");
            parts.add(p);
        }
        if (parts.size() > options.limits().maxDepth())
            throw new UnsafeLayerException("tar entry \"" + abbreviate(name) + "\" is deeper than " + options.limits().maxDepth() + " directories");
        return parts;
    }

    /**
     * Walks {@code parts} from the root, creating missing directories and resolving symbolic links
     * inside the root (RESOLVE_IN_ROOT semantics). Returns a real directory under the root.
     */
    private Path resolveParent(List<String> parts, String entryName) throws IOException {
        Path cached = resolved.get(parts);
        if (cached != null) return cached;
        Path dir = walk(parts, entryName);
        resolved.put(List.copyOf(parts), dir);
        return dir;
    }

    private Path walk(List<String> parts, String entryName) throws IOException {
        ArrayDeque<String> todo = new ArrayDeque<>(parts);
        List<Path> stack = new ArrayList<>();           // the directories walked, for ".." from a link
        Path current = root;
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.equals("..")) {                           // only from a symlink target: stop at the root
                if (!stack.isEmpty()) current = stack.removeLast();
                continue;
            }
            if (c.equals(".") || c.isEmpty()) continue;
            Path next = current.resolve(c);
            boolean present = exists(next);
            if (present && Files.isSymbolicLink(next)) {
                if (++hops > MAX_SYMLINK_HOPS)
                    throw new UnsafeLayerException("too many symbolic links resolving \"" + entryName + "\"");
                String target = Files.readSymbolicLink(next).toString();
                List<String> linkParts = new ArrayList<>(List.of(target.split("/")));
                if (target.startsWith("/")) {
                    current = root;
                    stack.clear();
                }
                for (int i = linkParts.size() - 1; i >= 0; i--) todo.push(linkParts.get(i));
                continue;
            }
            if (!present) {
                Files.createDirectory(next);
                createdHere.add(next);
                if (ownerXattrs) OverlayMarks.ownerOverride(next, 0, 0, 0755);   // as containerd makes a missing parent
            } else if (!Files.isDirectory(next, NOFOLLOW_LINKS)) {
                throw new InvalidImageException("tar entry \"" + entryName + "\": " + root.relativize(next) + " is not a directory");
            }
            stack.add(current);
            current = next;
        }
        return current;
    }

    private void whiteout(Path parent, String base, String name) throws IOException {
        if (options.whiteouts() == Whiteouts.OVERLAY) {
            if (base.equals(WHITEOUT)) throw new UnsafeLayerException("bare whiteout \"" + name + "\" refused");
            try {
                if (base.equals(OPAQUE)) {
                    OverlayMarks.opaque(parent, creatorIsRoot);
                    return;
                }
                String victim = base.substring(WHITEOUT.length());
                if (victim.equals(".") || victim.equals(".."))
                    throw new UnsafeLayerException("whiteout \"" + name + "\" names nothing: refused");
                Path target = parent.resolve(victim);
                removeExisting(target);
                OverlayMarks.whiteout(target);
                createdHere.add(target);
                return;
            } catch (IOException refused) {
                // e.g. a kernel before 5.8 for an ordinary user, xattrs unsupported: keep the tar's form
                skipped.add(name + " (kept as a .wh. file: " + refused.getMessage() + ")");
            }
        }
        if (options.whiteouts() != Whiteouts.APPLY) {
            if (base.equals(WHITEOUT)) throw new UnsafeLayerException("bare whiteout \"" + name + "\" refused");
            Path marker = parent.resolve(base);
            removeExisting(marker);
            Files.createFile(marker);
            createdHere.add(marker);
            if (ownerXattrs) OverlayMarks.ownerOverride(marker, 0, 0, 0);
            return;
        }
        if (base.equals(OPAQUE)) {
            // Opaque: hide everything earlier layers put here, keep what this layer already wrote.
            try (DirectoryStream<Path> children = Files.newDirectoryStream(parent)) {
                for (Path child : children) if (!createdHere.contains(child)) {
                    resolved.clear();
                    FsTree.delete(child);
                }
            }
            return;
        }
        String victim = base.substring(WHITEOUT.length());
        if (victim.isEmpty() || victim.equals(".") || victim.equals(".."))
            throw new UnsafeLayerException("whiteout \"" + name + "\" names nothing: refused");
        resolved.clear();
        FsTree.delete(parent.resolve(victim));          // never follows links: only the name goes
    }

    private void removeExisting(Path target) throws IOException {
        if (exists(target)) {
            resolved.clear();
            FsTree.delete(target);
            if (emptyAtStart) createdHere.removeIf(p -> p.startsWith(target));
        }
    }

    /**
     * lstat, except in a directory that was empty when this unpack began (a per-layer directory,
     * a first layer): there only what this unpack made can exist, and that is in createdHere.
     */
    private boolean exists(Path p) {
        return emptyAtStart ? createdHere.contains(p) : Files.exists(p, NOFOLLOW_LINKS);
    }

    private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(int mode) {
        var out = java.util.EnumSet.noneOf(java.nio.file.attribute.PosixFilePermission.class);
        var all = java.nio.file.attribute.PosixFilePermission.values();   // OWNER_READ .. OTHERS_EXECUTE: bits 8..0
        for (int i = 0; i < 9; i++) if ((mode & (0400 >> i)) != 0) out.add(all[i]);
        return out;
    }

    /** This process's umask, from /proc (Java has no umask call); 0777 (always chmod) when unknown. */
    private static final int UMASK = readUmask();

    private static int readUmask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("Umask:")) return Integer.parseInt(line.substring(6).strip(), 8);
        } catch (IOException | NumberFormatException ignored) {
            // fall through
        }
        return 0777;
    }

    // ---- attributes -------------------------------------------------------------------------

    private void deferDirectoryAttributes(Path dir, TarArchiveEntry e, boolean fresh) throws IOException {
        // Directories keep 0700 while we fill them (a 0555 directory would stop an ordinary user
        // writing its content); owner, mode and mtime are set last, deepest first — and only if
        // the same directory (same inode) is still there: a later entry of this layer may have
        // replaced it with a symlink, and the JDK's "unix:mode" follows links even with
        // NOFOLLOW_LINKS (it calls chmod), which would chmod whatever the link points at.
        setOwner(dir, e, fresh);
        int mode = e.getMode() & 07777;
        int early = (0700 | mode) & 07777;                 // what the directory has while we fill it
        java.time.Instant mtime = e.getLastModifiedDate().toInstant();
        Object inode = Files.readAttributes(dir, BasicFileAttributes.class, NOFOLLOW_LINKS).fileKey();
        finalDirAttrs.push(() -> {
            try {
                BasicFileAttributes now;
                try {
                    now = Files.readAttributes(dir, BasicFileAttributes.class, NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    return;                              // deleted by a later entry
                }
                if (!now.isDirectory() || !java.util.Objects.equals(now.fileKey(), inode)) return;
                if (mode != early) setMode(dir, mode);
                OverlayMarks.setMtime(dir, mtime.getEpochSecond(), mtime.getNano());
            } catch (IOException ex) {
                throw new ImageException("cannot set attributes of " + dir + ": " + ex, ex);
            }
        });
        // made with these bits (mkdir's mode): a chmod only when the umask cut them, for setuid/setgid/sticky, or an existing one
        if (!fresh || (mode & 07000) != 0 || (early & UMASK) != 0) setMode(dir, early);
        setXattrs(dir, e);
    }

    /** An ordinary user's unpack: the owner and mode the image gives {@code p} (a directory or regular file), as an xattr. */
    private void recordOwner(Path p, TarArchiveEntry e) throws IOException {
        if (!ownerXattrs) return;
        long uid = e.getLongUserId(), gid = e.getLongGroupId();
        if (uid < 0 || gid < 0 || uid > 0xfffffffeL || gid > 0xfffffffeL)
            throw new InvalidImageException("tar entry " + e.getName() + " has an owner out of range: " + uid + ":" + gid);
        OverlayMarks.ownerOverride(p, uid, gid, e.getMode());
    }

    private void setOwner(Path p, TarArchiveEntry e, boolean fresh) throws IOException {
        Ownership o = options.ownership();
        if (o == null) return;
        long uid = e.getLongUserId() + o.uidShift();
        long gid = e.getLongGroupId() + o.gidShift();
        if (uid < 0 || gid < 0 || uid > 0xfffffffeL || gid > 0xfffffffeL)
            throw new InvalidImageException("tar entry " + e.getName() + " has an owner out of range: " + uid + ":" + gid);
        if (fresh && uid == 0 && gid == 0 && creatorIsRoot) return;   // just made by root: already 0:0
        Files.setAttribute(p, "unix:uid", (int) uid, NOFOLLOW_LINKS);       // lchown: never through a link
        Files.setAttribute(p, "unix:gid", (int) gid, NOFOLLOW_LINKS);
    }

    private static void setMode(Path p, int mode) throws IOException {
        // After chown, which clears setuid/setgid. Never on a symlink: the JDK's "unix:mode"
        // is chmod(2), which follows it whatever LinkOption says.
        if (Files.isSymbolicLink(p)) throw new IllegalStateException("setMode on a symlink: " + p);
        OverlayMarks.chmod(p, mode & 07777);   // chmod(2): the JDK's opens the file, which blocks on a FIFO
    }

    private static void setMtime(Path p, TarArchiveEntry e) throws IOException {
        java.time.Instant t = e.getLastModifiedDate().toInstant();
        OverlayMarks.setMtime(p, t.getEpochSecond(), t.getNano());   // one utimensat, on the entry itself
    }

    private void setXattrs(Path p, TarArchiveEntry e) throws IOException {
        for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
            if (!h.getKey().startsWith("SCHILY.xattr.")) continue;
            String name = h.getKey().substring("SCHILY.xattr.".length());
            if (!name.startsWith("user.") || name.startsWith("user.overlay.") || name.startsWith("user.containers.")
                    || name.startsWith("user.fuseoverlayfs.")) {
                // user.overlay.* is what a userxattr overlay mount obeys (opaque, redirect,
                // metacopy): a layer must not steer the overlay of the layers above it.
                // user.containers.override_stat and user.fuseoverlayfs.* are what fuse-overlayfs
                // takes as an entry's owner and mode (setuid root, for one), and opaque marks.
                // security.capability would give file capabilities, trusted.* is overlayfs'
                // private namespace, security.selinux belongs to the host's policy: none of them
                // is the image's to set (row 31).
                skipped.add(e.getName() + " (xattr " + name + ")");
                continue;
            }
            var view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW_LINKS);
            try {
                view.write(name.substring(5), ByteBuffer.wrap(h.getValue().getBytes(StandardCharsets.UTF_8)));
            } catch (IOException | UnsupportedOperationException ex) {
                skipped.add(e.getName() + " (xattr " + name + ": " + ex.getMessage() + ")");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

}
