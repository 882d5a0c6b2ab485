package io.jcontainer.linux.files;

import io.jcontainer.ContainerException;
import io.jcontainer.linux.launch.FdInputStream;
import io.jcontainer.linux.launch.FdOutputStream;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.jcontainer.linux.sys.Syscalls.RESOLVE_BENEATH;
import static io.jcontainer.linux.sys.Syscalls.RESOLVE_IN_ROOT;
import static io.jcontainer.linux.sys.Syscalls.RESOLVE_NO_MAGICLINKS;
import static io.jcontainer.linux.sys.Syscalls.RESOLVE_NO_SYMLINKS;

/**
 * {@code docker cp}, safe against symlinks inside the container (the CVE-2018-15664 class: a
 * payload swapping a path component for a symlink to / while the copy runs). Every path inside
 * is resolved by the kernel with openat2(RESOLVE_IN_ROOT) against the container's root (an fd of
 * /proc/PID/root, in its own mount namespace): ".." and absolute symlinks stop at that root,
 * whatever the payload does meanwhile. Below the first directory, entries are opened one name
 * at a time beneath their parent's fd with RESOLVE_NO_SYMLINKS; symlinks are copied as
 * symlinks, never followed (only SRC_PATH itself with {@link Options#followLink()}). Magic
 * links (/proc/self/...) are refused. On the host, nothing below the destination is followed
 * either (O_NOFOLLOW).
 *
 * <p>Where things land follows docker's documented rules (docker container cp): a file onto a
 * directory goes to {@code dest/basename}; a directory onto a missing path becomes that path,
 * onto an existing directory {@code dest/basename} ({@code SRC/.}: its contents); a directory
 * onto a file, or a missing parent of the destination, is an error. Permission bits (setuid,
 * setgid and sticky too, as docker's tar keeps them) and modification times are kept both
 * ways. Ownership is docker's: copied in, the container's root (the host uid its user
 * namespace maps 0 to); copied out, the invoking user; with {@link Options#archive()} the
 * source's ids, translated through the container's uid/gid maps. FIFOs, sockets and device
 * nodes are refused with a message naming them, never skipped.
 */
public final class ContainerFiles {
    private static final long BENEATH = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

    /**
     * @param archive    docker's {@code -a}: keep the source's uid/gid (else the receiving side's root or invoking user)
     * @param followLink docker's {@code -L}: when SRC_PATH itself is a symlink, copy what it points to
     */
    public record Options(boolean archive, boolean followLink) {
        public static final Options DEFAULT = new Options(false, false);
    }

    private final Syscalls sys;

    public ContainerFiles(Syscalls sys) {
        this.sys = sys;
    }

    /** Copies {@code path} (a file, directory or symlink inside the container) to {@code dest} on the host. */
    public void copyOut(long pid, String path, Path dest) {
        copyOut(pid, path, dest, Options.DEFAULT);
    }

    /** As above, with docker's {@code -a} and {@code -L}. */
    public void copyOut(long pid, String path, Path dest, Options o) {
        IdMaps ids = IdMaps.of(pid);
        boolean contents = path.endsWith("/.");
        String p = trimTrailing(path);
        int root = openRoot(pid);
        try {
            String parent = p.contains("/") ? p.substring(0, p.lastIndexOf('/')) : ".";
            String name = p.substring(p.lastIndexOf('/') + 1);
            if (parent.isEmpty()) parent = "/";
            if (name.isEmpty()) name = ".";
            int dir = sys.openat2(root, parent, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            try {
                Attrs a = lstat(dir, name, path);
                if (a.isSymbolicLink() && o.followLink()) {
                    // -L: what the link points to, resolved inside the root; copied under the link's name
                    int target = sys.openat2(root, p, Syscalls.O_PATH | Syscalls.O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
                    try {
                        Attrs ta = Attrs.of(fdPath(target));
                        Path to = destinationOut(dest, ta.isDirectory(), contents, name.equals(".") ? "root" : name, path);
                        if (ta.isDirectory()) {
                            copyOutDir(target, ".", p, ta, to, o, ids);
                        } else {
                            refuseSpecial(ta, path);
                            copyOutFile(sys.open(fdPath(target).toString(), Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0), ta, path, to, o, ids);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        sys.closeQuietly(target);
                    }
                    return;
                }
                Path to = destinationOut(dest, a.isDirectory(), contents, name.equals(".") ? "root" : name, path);
                copyOutEntry(dir, name, p, to, o, ids);
            } finally {
                sys.closeQuietly(dir);
            }
        } finally {
            sys.closeQuietly(root);
        }
    }

    /** Docker's rules for where SRC lands on the host. */
    private static Path destinationOut(Path dest, boolean srcIsDir, boolean contents, String baseName, String src) {
        boolean exists = Files.exists(dest);
        if (exists && Files.isDirectory(dest)) return srcIsDir && contents ? dest : dest.resolve(baseName);
        if (exists && srcIsDir) throw new ContainerException("cannot copy directory " + src + " to " + dest + ": it is a file");
        if (!exists && dest.getParent() != null && !Files.isDirectory(dest.getParent()))
            throw new ContainerException("cannot copy to " + dest + ": the destination directory " + (dest.getParent() == null ? dest : dest.getParent())
                    + " does not exist (cp creates no parent directories)");
        return dest;
    }

    /** Copies entry {@code name} of the resolved directory {@code dir} to {@code dest}: never following a symlink. */
    private void copyOutEntry(int dir, String name, String shown, Path dest, Options o, IdMaps ids) {
        try {
            Attrs a = lstat(dir, name, shown);
            if (a.isSymbolicLink()) {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + dir, name)).toString();
                Files.deleteIfExists(dest); // an existing file or link is replaced, as docker's untar does
                Files.createSymbolicLink(dest, Path.of(target));
                applyHost(dest, a, o, ids, true);
                return;
            }
            if (a.isDirectory()) {
                copyOutDir(dir, name, shown, a, dest, o, ids);
                return;
            }
            refuseSpecial(a, shown);
            copyOutFile(sys.openat2(dir, name, Syscalls.O_RDONLY | Syscalls.O_NOFOLLOW | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0, BENEATH),
                    a, shown, dest, o, ids);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the open file {@code f} (closed here) to {@code dest}, replacing a file there, never following a link. */
    private void copyOutFile(int f, Attrs a, String name, Path dest, Options o, IdMaps ids) throws IOException {
        try (InputStream s = new FdInputStream(sys, f)) {
            // swapped since the lstat? then it is no longer what was checked
            if (!Files.isRegularFile(fdPath(f))) refuseSpecial(Attrs.of(fdPath(f)), name);
            try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                s.transferTo(out);
            }
        }
        applyHost(dest, a, o, ids, false);
    }

    private void copyOutDir(int dir, String name, String shown, Attrs a, Path dest, Options o, IdMaps ids) throws IOException {
        int d = sys.openat2(dir, name, Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_NOFOLLOW | Syscalls.O_CLOEXEC, 0,
                name.equals(".") ? RESOLVE_NO_MAGICLINKS : BENEATH);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(fdPath(d))) {
            if (Files.isSymbolicLink(dest) || Files.exists(dest, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS))
                throw new ContainerException("cannot copy directory " + shown + " onto " + dest + ": it exists and is not a directory");
            if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(dest);
            for (Path e : ds) {
                String n = e.getFileName().toString();
                copyOutEntry(d, n, shown.endsWith("/") ? shown + n : shown + "/" + n, dest.resolve(n), o, ids);
            }
        } finally {
            sys.closeQuietly(d);
        }
        applyHost(dest, a, o, ids, false); // last: adding entries changed its time
    }

    /** Owner (with -a: the container's ids, as docker's archive), then mode (chown clears setuid), then times. */
    private static void applyHost(Path p, Attrs a, Options o, IdMaps ids, boolean link) throws IOException {
        LinkOption[] nf = {LinkOption.NOFOLLOW_LINKS};
        if (o.archive()) {
            Files.setAttribute(p, "unix:uid", ids.uidInside(a.uid()), nf);
            Files.setAttribute(p, "unix:gid", ids.gidInside(a.gid()), nf);
        }
        if (!link) Files.setAttribute(p, "unix:mode", a.mode() & 07777, nf);
        Files.getFileAttributeView(p, BasicFileAttributeView.class, nf).setTimes(a.mtime(), a.atime(), null);
    }

    /** Copies {@code src} from the host into the container at {@code path} (a new name in an existing directory, or into a directory). */
    public void copyIn(long pid, Path src, String path) {
        copyIn(pid, src, path, Options.DEFAULT);
    }

    /** As above, with docker's {@code -a} and {@code -L}. */
    public void copyIn(long pid, Path src, String path, Options o) {
        IdMaps ids = IdMaps.of(pid);
        boolean contents = src.toString().endsWith("/.") || src.toString().equals(".");
        Path source = contents ? src.getParent() == null ? Path.of(".") : src.getParent() : src;
        LinkOption[] follow = o.followLink() ? new LinkOption[0] : new LinkOption[]{LinkOption.NOFOLLOW_LINKS};
        Attrs a;
        try {
            a = Attrs.of(source, follow);
        } catch (IOException e) {
            throw new ContainerException("cannot copy " + src + ": " + e.getMessage(), e);
        }
        String baseName = source.toAbsolutePath().normalize().getFileName() == null ? "root" : source.toAbsolutePath().normalize().getFileName().toString();
        boolean destSlash = path.endsWith("/");
        String p = trimTrailing(path);
        int root = openRoot(pid);
        try {
            String parent = p.contains("/") ? p.substring(0, p.lastIndexOf('/')) : ".";
            String name = p.substring(p.lastIndexOf('/') + 1);
            if (parent.isEmpty()) parent = "/";
            int dir = sys.openat2(root, parent, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            try {
                if (name.isEmpty() || name.equals(".")) { // the root, or "dir/.": into that directory
                    copyInto(source, a, dir, contents && a.isDirectory() ? null : baseName, o, ids);
                    return;
                }
                Boolean isDir = typeInside(dir, name);
                if (isDir == null) { // missing: becomes the copy (docker: never with a trailing slash)
                    if (destSlash && !a.isDirectory())
                        throw new ContainerException("cannot copy to " + path + ": no such directory in the container");
                    copyInto(source, a, dir, name, o, ids);
                } else if (isDir) { // an existing directory: dest/basename, or its contents with SRC/.
                    int inner = sys.openat2(dir, name, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, BENEATH);
                    try {
                        copyInto(source, a, inner, a.isDirectory() && contents ? null : baseName, o, ids);
                    } finally {
                        sys.closeQuietly(inner);
                    }
                } else {
                    if (a.isDirectory()) throw new ContainerException("cannot copy directory " + src + " to " + path + ": it is a file in the container");
                    copyInto(source, a, dir, name, o, ids);
                }
            } finally {
                sys.closeQuietly(dir);
            }
        } finally {
            sys.closeQuietly(root);
        }
    }

    /** Whether {@code name} in {@code dir} is a directory; null when missing. A symlink (never followed) is not one. */
    private Boolean typeInside(int dir, String name) {
        try {
            return Attrs.of(Path.of("/proc/self/fd/" + dir, name), LinkOption.NOFOLLOW_LINKS).isDirectory();
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies host {@code src} (attributes {@code a}) as {@code name} into {@code dir}; a null
     * name copies a directory's entries into {@code dir} itself.
     */
    private void copyInto(Path src, Attrs a, int dir, String name, Options o, IdMaps ids) {
        try {
            if (a.isSymbolicLink()) {
                unlinkIfFileOrLink(dir, name);
                sys.symlinkat(Files.readSymbolicLink(src).toString(), dir, name);
                applyInside(Path.of("/proc/self/fd/" + dir, name), a, o, ids, true);
            } else if (a.isDirectory()) {
                int sub;
                if (name == null) {
                    sub = sys.dup(dir);
                } else {
                    try {
                        sys.mkdirat(dir, name, 0700); // opened up once filled: nobody inside uses it half-copied
                    } catch (SyscallException e) {
                        if (e.errno() != Errno.EEXIST) throw e;
                    }
                    // an existing symlink there answers ELOOP: never followed
                    sub = sys.openat2(dir, name, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, BENEATH);
                }
                try {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(src)) {
                        for (Path e : ds)
                            copyInto(e, Attrs.of(e, LinkOption.NOFOLLOW_LINKS), sub, e.getFileName().toString(), o, ids);
                    }
                    if (name != null) applyInside(fdPath(sub), a, o, ids, false);
                } finally {
                    sys.closeQuietly(sub);
                }
            } else {
                refuseSpecial(a, src.toString());
                // O_NOFOLLOW + RESOLVE_NO_SYMLINKS: a symlink planted at the target is an error, never followed
                int out = sys.openat2(dir, name, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC | Syscalls.O_NOFOLLOW | Syscalls.O_CLOEXEC,
                        0600, BENEATH);
                try (InputStream s = Files.newInputStream(src); OutputStream os = new FdOutputStream(sys, sys.dup(out))) {
                    s.transferTo(os);
                    applyInside(fdPath(out), a, o, ids, false);
                } finally {
                    sys.closeQuietly(out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file or symlink already at {@code name} is replaced by a new symlink (a directory is not). */
    private void unlinkIfFileOrLink(int dir, String name) throws IOException {
        Path p = Path.of("/proc/self/fd/" + dir, name);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.delete(p);
    }

    /** Inside: the container's root (or with -a the source's ids), mapped to host ids; then mode, then times. */
    private static void applyInside(Path p, Attrs a, Options o, IdMaps ids, boolean link) throws IOException {
        LinkOption[] nf = link ? new LinkOption[]{LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
        int uid = ids.uidHost(o.archive() ? a.uid() : 0), gid = ids.gidHost(o.archive() ? a.gid() : 0);
        if ((Integer) Files.getAttribute(p, "unix:uid", nf) != uid || (Integer) Files.getAttribute(p, "unix:gid", nf) != gid) {
            try {
                Files.setAttribute(p, "unix:uid", uid, nf);
                Files.setAttribute(p, "unix:gid", gid, nf);
            } catch (IOException e) {
                throw new ContainerException("cannot give " + p + " the owner " + uid + ":" + gid + " in the container: " + e.getMessage()
                        + (o.archive() ? " (-a keeps the source's ids; without it files belong to the container's root)" : ""), e);
            }
        }
        if (!link) Files.setAttribute(p, "unix:mode", a.mode() & 07777);
        Files.getFileAttributeView(p, BasicFileAttributeView.class, nf).setTimes(a.mtime(), a.atime(), null);
    }

    /** FIFOs, sockets and device nodes cannot be copied: refused by name, never skipped. */
    private static void refuseSpecial(Attrs a, String name) {
        if (a.isRegularFile() || a.isDirectory() || a.isSymbolicLink()) return;
        int type = a.mode() & 0170000;
        String what = switch (type) {
            case 0010000 -> "a FIFO (named pipe)";
            case 0140000 -> "a socket";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "not a regular file";
        };
        throw new ContainerException("cannot copy " + name + ": it is " + what + "; cp copies regular files, directories and symlinks only");
    }

    private Attrs lstat(int dir, String name, String shown) {
        try {
            return Attrs.of(Path.of("/proc/self/fd/" + dir, name), LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ContainerException("cannot copy " + shown + ": no such file or directory in the container", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path fdPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** What is copied of a file's inode: type and permission bits, owner, times. */
    record Attrs(int mode, int uid, int gid, FileTime mtime, FileTime atime) {
        static Attrs of(Path p, LinkOption... opts) throws IOException {
            Map<String, Object> m = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime,lastAccessTime", opts);
            return new Attrs((Integer) m.get("mode"), (Integer) m.get("uid"), (Integer) m.get("gid"),
                    (FileTime) m.get("lastModifiedTime"), (FileTime) m.get("lastAccessTime"));
        }

        boolean isDirectory() { return (mode & 0170000) == 0040000; }
        boolean isSymbolicLink() { return (mode & 0170000) == 0120000; }
        boolean isRegularFile() { return (mode & 0170000) == 0100000; }
    }

    /** "a/b/", "a/b/." and "a/b" all name a/b. */
    private static String trimTrailing(String path) {
        String p = path;
        while (p.endsWith("/.")) p = p.substring(0, p.length() - 2);
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    private int openRoot(long pid) {
        try {
            return sys.openat2(-100 /* AT_FDCWD */, "/proc/" + pid + "/root", Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, 0);
        } catch (SyscallException e) {
            throw new ContainerException("cannot open the root of container pid " + pid + ": " + e.getMessage(), e);
        }
    }

}
