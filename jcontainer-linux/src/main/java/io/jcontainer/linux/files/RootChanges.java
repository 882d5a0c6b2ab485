package io.jcontainer.linux.files;

import io.jcontainer.ContainerException;
import io.jcontainer.lifecycle.FileChange;
import io.jcontainer.linux.sys.Syscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.io.output.CloseShieldOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A container's root seen as layers — an upper directory (what the container wrote) over lower
 * ones (the image) — read from the host, with overlayfs's own rules: a character device 0/0 in a
 * layer is a whiteout (the name is deleted), a directory with the {@code trusted.overlay.opaque}
 * (or, rootless, {@code user.overlay.opaque}) xattr hides what lower layers have under it. Lower
 * layers in the OCI form ({@code .wh.NAME}, {@code .wh..wh..opq}) are read too. Three products:
 * docker's {@code diff} list, the change as an OCI layer tar ({@code commit}), and the merged tree
 * as a tar ({@code export}).
 *
 * <p>Plain {@code java.nio} reads of jcontainer's own directories (nothing here runs inside a
 * container, nothing follows a link); the one thing {@code java.nio} cannot read, a
 * {@code trusted.*} xattr, goes through the syscall seam.
 */
public final class RootChanges {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final String WH = ".wh.", OPAQUE = ".wh..wh..opq";
    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFBLK = 0060000,
            S_IFLNK = 0120000, S_IFREG = 0100000, S_IFIFO = 0010000, S_IFSOCK = 0140000;

    private final Syscalls sys;
    private final List<io.jcontainer.IdMap> uidMap, gidMap;

    public RootChanges(Syscalls sys) {
        this(sys, List.of(), List.of());
    }

    /**
     * Owners in the layer tar are the container's ids, translated back through the user
     * namespace's maps the container ran with (empty: the host's ids as they are); a host id no
     * map covers becomes 65534 (the overflow id, as the kernel shows it inside).
     */
    public RootChanges(Syscalls sys, List<io.jcontainer.IdMap> uidMap, List<io.jcontainer.IdMap> gidMap) {
        this.sys = sys;
        this.uidMap = List.copyOf(uidMap);
        this.gidMap = List.copyOf(gidMap);
    }

    private static long inside(List<io.jcontainer.IdMap> maps, long hostId) {
        if (maps.isEmpty()) return hostId;
        for (io.jcontainer.IdMap m : maps)
            if (hostId >= m.hostId() && hostId < m.hostId() + m.size()) return m.containerId() + (hostId - m.hostId());
        return 65534;
    }

    // ---- diff ----

    /**
     * docker's {@code diff}: the upper directory's entries against the lowers (topmost first), in
     * path order. {@code mountPoints} are the container's mount targets: the runtime made those
     * the image lacks (/proc, /sys, /dev, /etc/hosts...) to mount on, so they are not the
     * container's changes — docker keeps them in a layer of their own (its init layer).
     */
    public List<FileChange> diff(Path upper, List<Path> lowers, Set<String> mountPoints) {
        List<FileChange> out = new ArrayList<>();
        try {
            diffDir(upper, "", lowers, mountPoints, out);
        } catch (IOException e) {
            throw new ContainerException("cannot read the container's changes in " + upper + ": " + e);
        }
        out.sort(Comparator.comparing(FileChange::path));
        return out;
    }

    private void diffDir(Path dir, String rel, List<Path> lowers, Set<String> mountPoints, List<FileChange> out) throws IOException {
        for (String name : names(dir)) {
            Path p = dir.resolve(name);
            if (name.equals(OPAQUE)) continue;
            if (name.startsWith(WH)) {
                out.add(new FileChange(FileChange.Kind.DELETED, rel + "/" + name.substring(WH.length())));
                continue;
            }
            Map<String, Object> a = attrs(p);
            String path = rel + "/" + name;
            if (isWhiteout(a)) {
                out.add(new FileChange(FileChange.Kind.DELETED, path));
                continue;
            }
            boolean existed = lowerExists(lowers, path);
            if (!existed && mountPoints.contains(path)) continue;
            // an image directory copied up only to hold the runtime's mount points (/etc for /etc/hosts)
            // is not a change of the container's either: docker's init layer hides it the same way
            if (existed && type(a) == S_IFDIR && !opaque(p) && onlyMountPoints(p, path, lowers, mountPoints)) continue;
            out.add(new FileChange(existed ? FileChange.Kind.CHANGED : FileChange.Kind.ADDED, path));
            if (type(a) != S_IFDIR) continue;
            if (existed && opaque(p)) {
                // the directory was replaced: what the image had under it is gone
                Set<String> mine = new HashSet<>(names(p));
                for (String lowerName : mergedNames(lowers, path))
                    if (!mine.contains(lowerName)) out.add(new FileChange(FileChange.Kind.DELETED, path + "/" + lowerName));
            }
            diffDir(p, path, lowers, mountPoints, out);
        }
    }

    /** Whether the upper directory {@code p} holds entries and each is a runtime mount point the image lacks. */
    private boolean onlyMountPoints(Path p, String path, List<Path> lowers, Set<String> mountPoints) throws IOException {
        List<String> names = names(p);
        if (names.isEmpty()) return false;
        for (String n : names)
            if (!mountPoints.contains(path + "/" + n) || lowerExists(lowers, path + "/" + n)) return false;
        return true;
    }

    /** Whether {@code path} is in the merged lower layers (topmost first). */
    private boolean lowerExists(List<Path> lowers, String path) throws IOException {
        for (Path l : lowers) {
            Look look = look(l, path);
            if (look.found != null) return true;
            if (look.hidesBelow) return false;
        }
        return false;
    }

    /** The names the merged lowers have in directory {@code path}. */
    private List<String> mergedNames(List<Path> lowers, String path) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (Path l : lowers) {
            Look look = look(l, path);
            if (look.found != null && Files.isDirectory(look.found, NOFOLLOW)) dirs.add(look.found);
            if (look.hidesBelow || (look.found != null && !Files.isDirectory(look.found, NOFOLLOW))) break;
        }
        return new ArrayList<>(merge(dirs).keySet());
    }

    /**
     * {@code path} in one layer: the entry when the layer has it, and whether the layer hides the
     * same path in the layers below — a whiteout of it or of a parent, a parent that is a file
     * here, or an opaque parent (or the entry itself an opaque directory).
     */
    private record Look(Path found, boolean hidesBelow) {
    }

    private Look look(Path layer, String path) throws IOException {
        String[] segs = path.substring(1).split("/");
        Path cur = layer;
        boolean hidden = false;
        for (int i = 0; i < segs.length; i++) {
            if (Files.exists(cur.resolve(WH + segs[i]), NOFOLLOW)) return new Look(null, true);
            Path next = cur.resolve(segs[i]);
            if (!Files.exists(next, NOFOLLOW)) return new Look(null, hidden);
            Map<String, Object> a = attrs(next);
            if (isWhiteout(a)) return new Look(null, true);
            boolean dir = type(a) == S_IFDIR;
            if (i == segs.length - 1) return new Look(next, hidden || !dir || opaque(next));
            if (!dir) return new Look(null, true);
            if (opaque(next)) hidden = true;
            cur = next;
        }
        return new Look(null, hidden);
    }

    // ---- commit: the upper directory as an OCI layer ----

    /**
     * The upper directory as an OCI layer tar: whiteouts as {@code .wh.} files, opaque
     * directories marked; the runtime's mount points the image lacks left out (see {@link #diff}).
     */
    public void writeChanges(Path upper, List<Path> lowers, Set<String> mountPoints, OutputStream out) {
        try (TarArchiveOutputStream tar = tarOut(out)) {
            Map<String, String> links = new HashMap<>();
            writeChangesDir(upper, "", lowers, mountPoints, tar, links);
            tar.finish();
        } catch (IOException e) {
            throw new ContainerException("cannot write the container's changes in " + upper + " as a layer: " + e);
        }
    }

    private void writeChangesDir(Path dir, String rel, List<Path> lowers, Set<String> mountPoints, TarArchiveOutputStream tar,
                                 Map<String, String> links) throws IOException {
        for (String name : names(dir)) {
            Path p = dir.resolve(name);
            Map<String, Object> a = attrs(p);
            String path = rel + name;
            if (mountPoints.contains("/" + path) && !lowerExists(lowers, "/" + path)) continue;
            if (isWhiteout(a)) {
                TarArchiveEntry e = new TarArchiveEntry(rel + WH + name, TarConstants.LF_NORMAL);
                e.setModTime((FileTime) a.get("lastModifiedTime"));
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                continue;
            }
            writeEntry(p, path, a, tar, links);
            if (type(a) != S_IFDIR) continue;
            if (opaque(p)) {
                TarArchiveEntry e = new TarArchiveEntry(path + "/" + OPAQUE, TarConstants.LF_NORMAL);
                e.setModTime((FileTime) a.get("lastModifiedTime"));
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
            writeChangesDir(p, path + "/", lowers, mountPoints, tar, links);
        }
    }

    // ---- export: the merged tree ----

    /** The merged tree of {@code layers} (topmost first: the upper, then the lowers) as a tar. */
    public void writeMerged(List<Path> layers, OutputStream out) {
        try (TarArchiveOutputStream tar = tarOut(out)) {
            writeMergedDir(layers, "", tar, new HashMap<>());
            tar.finish();
        } catch (IOException e) {
            throw new ContainerException("cannot export the container's files from " + layers + ": " + e);
        }
    }

    private void writeMergedDir(List<Path> dirs, String rel, TarArchiveOutputStream tar, Map<String, String> links) throws IOException {
        TreeMap<String, Integer> visible = merge(dirs);
        for (var v : visible.entrySet()) {
            String name = v.getKey();
            int from = v.getValue();
            Path p = dirs.get(from).resolve(name);
            Map<String, Object> a = attrs(p);
            String path = rel + name;
            writeEntry(p, path, a, tar, links);
            if (type(a) != S_IFDIR) continue;
            // the lower layers' directories of the same name show through, until an opaque one or a whiteout
            List<Path> children = new ArrayList<>();
            children.add(p);
            if (!opaque(p)) {
                for (int j = from + 1; j < dirs.size(); j++) {
                    Path d = dirs.get(j);
                    if (Files.exists(d.resolve(WH + name), NOFOLLOW)) break;
                    Path c = d.resolve(name);
                    if (!Files.exists(c, NOFOLLOW)) continue;
                    Map<String, Object> ca = attrs(c);
                    if (type(ca) != S_IFDIR) break; // a file below a directory: hidden, and so is all under it
                    children.add(c);
                    if (opaque(c)) break;
                }
            }
            writeMergedDir(children, path + "/", tar, links);
        }
    }

    /**
     * The names visible in directories {@code dirs} (the same directory in each layer, topmost
     * first) and the index of the layer each comes from: a whiteout hides a name in the layers
     * below its own, an opaque directory hides everything below it.
     */
    private TreeMap<String, Integer> merge(List<Path> dirs) throws IOException {
        TreeMap<String, Integer> visible = new TreeMap<>();
        Set<String> hidden = new HashSet<>();
        for (int i = 0; i < dirs.size(); i++) {
            Path d = dirs.get(i);
            Set<String> whiteouts = new HashSet<>();
            for (String name : names(d)) {
                if (name.equals(OPAQUE)) continue;
                if (name.startsWith(WH)) {
                    whiteouts.add(name.substring(WH.length()));
                    continue;
                }
                if (isWhiteout(attrs(d.resolve(name)))) {
                    whiteouts.add(name);
                    continue;
                }
                if (!hidden.contains(name)) visible.putIfAbsent(name, i);
            }
            hidden.addAll(whiteouts);
            hidden.addAll(visible.keySet());
            if (opaque(d)) break;
        }
        return visible;
    }

    // ---- one entry ----

    private void writeEntry(Path p, String name, Map<String, Object> a, TarArchiveOutputStream tar, Map<String, String> links) throws IOException {
        int type = type(a);
        if (type == S_IFSOCK) return; // tar has no socket type: left out, as docker does
        TarArchiveEntry e;
        String key = null;
        if (type != S_IFDIR && ((Number) a.get("nlink")).intValue() > 1) {
            key = a.get("dev") + ":" + a.get("ino");
            String first = links.get(key);
            if (first != null) {
                e = new TarArchiveEntry(name, TarConstants.LF_LINK);
                e.setLinkName(first);
                fill(e, a);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                return;
            }
            links.put(key, name);
        }
        switch (type) {
            case S_IFDIR -> e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
            case S_IFLNK -> {
                e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                e.setLinkName(Files.readSymbolicLink(p).toString());
            }
            case S_IFREG -> e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
            case S_IFIFO -> e = new TarArchiveEntry(name, TarConstants.LF_FIFO);
            case S_IFCHR, S_IFBLK -> {
                e = new TarArchiveEntry(name, type == S_IFCHR ? TarConstants.LF_CHR : TarConstants.LF_BLK);
                long rdev = ((Number) a.get("rdev")).longValue();
                e.setDevMajor((int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL)));
                e.setDevMinor((int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL)));
            }
            default -> throw new IOException("unknown file type " + Integer.toOctalString(type) + " of " + p);
        }
        fill(e, a);
        if (type == S_IFREG) {
            long size = ((Number) a.get("size")).longValue();
            e.setSize(size);
            tar.putArchiveEntry(e);
            try (InputStream in = Files.newInputStream(p, NOFOLLOW)) {
                long n = org.apache.commons.io.input.BoundedInputStream.builder().setInputStream(in).setMaxCount(size).get().transferTo(tar);
                if (n != size) throw new IOException(p + " shrank from " + size + " to " + n + " bytes while being read");
            }
        } else {
            tar.putArchiveEntry(e);
        }
        tar.closeArchiveEntry();
    }

    private void fill(TarArchiveEntry e, Map<String, Object> a) {
        e.setMode(((Number) a.get("mode")).intValue() & 07777);
        e.setUserId(inside(uidMap, ((Number) a.get("uid")).longValue()));
        e.setGroupId(inside(gidMap, ((Number) a.get("gid")).longValue()));
        e.setModTime((FileTime) a.get("lastModifiedTime"));
    }

    // ---- overlayfs's marks ----

    private static boolean isWhiteout(Map<String, Object> a) {
        return type(a) == S_IFCHR && ((Number) a.get("rdev")).longValue() == 0;
    }

    /** Overlayfs's opaque mark (kernel: trusted., rootless with userxattr: user.), or the OCI one. */
    private boolean opaque(Path dir) throws IOException {
        if (Files.exists(dir.resolve(OPAQUE), NOFOLLOW)) return true;
        for (String x : List.of("trusted.overlay.opaque", "user.overlay.opaque")) {
            byte[] v = sys.lgetxattr(dir.toString(), x);
            if (v != null && new String(v, StandardCharsets.UTF_8).startsWith("y")) return true;
        }
        return false;
    }

    // ---- plumbing ----

    private static int type(Map<String, Object> a) {
        return ((Number) a.get("mode")).intValue() & S_IFMT;
    }

    private static Map<String, Object> attrs(Path p) throws IOException {
        return Files.readAttributes(p, "unix:mode,rdev,nlink,dev,ino,uid,gid,size,lastModifiedTime", NOFOLLOW);
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path c : ds) names.add(c.getFileName().toString());
        } catch (NoSuchFileException gone) {
            return names;
        }
        names.sort(null); // a stable order: the same tree gives the same tar, the same layer digest
        return names;
    }

    private static TarArchiveOutputStream tarOut(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(CloseShieldOutputStream.wrap(out));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return tar;
    }
}
