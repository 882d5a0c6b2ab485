package io.jcontainer.linux.files;

import io.jcontainer.ContainerException;
import io.jcontainer.linux.launch.FdInputStream;
import io.jcontainer.linux.launch.FdOutputStream;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.output.CloseShieldOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static io.jcontainer.linux.sys.Syscalls.RESOLVE_BENEATH;
import static io.jcontainer.linux.sys.Syscalls.RESOLVE_IN_ROOT;
import static io.jcontainer.linux.sys.Syscalls.RESOLVE_NO_MAGICLINKS;
import static io.jcontainer.linux.sys.Syscalls.RESOLVE_NO_SYMLINKS;

/**
 * docker's archive endpoints ({@code GET/PUT /containers/{id}/archive}, {@code docker cp -}): a
 * path of a running container as a tar stream, and a tar stream extracted into a directory of
 * it. Paths inside are resolved as {@link ContainerFiles} resolves them — by the kernel, with
 * openat2, against an fd of the container's root ({@code /proc/PID/root}): the directory named
 * by the caller with {@code RESOLVE_IN_ROOT} (".." and absolute symlinks stop at the container's
 * root), everything below it one name at a time beneath its parent with
 * {@code RESOLVE_NO_SYMLINKS}, so a symlink — one the payload swaps in meanwhile, or one the
 * archive itself made a moment before — is never followed, and nothing reaches the host.
 *
 * <p>Extracting refuses, naming the entry: a name that leaves the target directory
 * ({@code ../x}; a leading {@code /} is dropped, as tar does), a hard link whose target leaves
 * it, device nodes, FIFOs and sockets (docker cp's rule for what it copies). A hard link is
 * written as a copy of its target (the syscall seam has no linkat yet). Directories are made
 * {@code 0700} and get their mode and times last, so nobody inside uses a half-filled one.
 * Owners are the archive's, mapped through the container's user namespace.
 */
public final class ContainerArchive {
    private static final long BENEATH = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

    private final Syscalls sys;

    public ContainerArchive(Syscalls sys) {
        this.sys = sys;
    }

    // ---- out ----

    /** Writes {@code path} of the container of {@code pid} to {@code out} as a tar stream (not closing {@code out}). */
    public void writeTar(long pid, String path, OutputStream out) {
        IdMaps ids = IdMaps.of(pid);
        String p = trimTrailing(path.startsWith("/") ? path : "/" + path);
        int root = openRoot(pid);
        try {
            String parent = p.equals("/") ? "/" : p.substring(0, p.lastIndexOf('/'));
            String name = p.equals("/") ? "." : p.substring(p.lastIndexOf('/') + 1);
            if (parent.isEmpty()) parent = "/";
            int dir = resolveDir(root, parent, path);
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(CloseShieldOutputStream.wrap(out))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                writeEntry(dir, name, name, path, tar, ids);
                tar.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                sys.closeQuietly(dir);
            }
        } finally {
            sys.closeQuietly(root);
        }
    }

    private void writeEntry(int dir, String name, String tarName, String shown, TarArchiveOutputStream tar, IdMaps ids) throws IOException {
        ContainerFiles.Attrs a = lstat(dir, name, shown);
        int type = a.mode() & 0170000;
        if (type == 0140000) return; // a socket cannot be archived (tar has no type for it): left out, as docker does
        TarArchiveEntry e;
        if (a.isSymbolicLink()) {
            e = new TarArchiveEntry(tarName, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(Path.of("/proc/self/fd/" + dir, name)).toString());
        } else if (a.isDirectory()) {
            e = new TarArchiveEntry(tarName + "/", TarConstants.LF_DIR);
        } else if (a.isRegularFile()) {
            e = new TarArchiveEntry(tarName, TarConstants.LF_NORMAL);
        } else {
            // a FIFO or device node: its header only (nothing is opened), as docker's archive has it
            e = new TarArchiveEntry(tarName, type == 0010000 ? TarConstants.LF_FIFO : type == 0020000 ? TarConstants.LF_CHR : TarConstants.LF_BLK);
        }
        e.setMode(a.mode() & 07777);
        e.setUserId(ids.uidInside(a.uid()));
        e.setGroupId(ids.gidInside(a.gid()));
        e.setModTime(a.mtime());
        if (a.isRegularFile()) {
            int f = sys.openat2(dir, name, Syscalls.O_RDONLY | Syscalls.O_NOFOLLOW | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0,
                    name.equals(".") ? RESOLVE_NO_MAGICLINKS : BENEATH);
            try (InputStream in = new FdInputStream(sys, f)) {
                Path fp = Path.of("/proc/self/fd/" + f);
                if (!Files.isRegularFile(fp)) throw new ContainerException("cannot archive " + shown + ": it was replaced while being read");
                long size = Files.size(fp);
                e.setSize(size);
                tar.putArchiveEntry(e);
                // a file that grows meanwhile is cut at the size in its header; one that shrinks is an error, never a corrupt tar
                long n = BoundedInputStream.builder().setInputStream(in).setMaxCount(size).get().transferTo(tar);
                if (n != size) throw new ContainerException("cannot archive " + shown + ": it shrank from " + size + " to " + n + " bytes while being read");
                tar.closeArchiveEntry();
            }
            return;
        }
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        if (!a.isDirectory()) return;
        int d = sys.openat2(dir, name, Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_NOFOLLOW | Syscalls.O_CLOEXEC, 0,
                name.equals(".") ? RESOLVE_NO_MAGICLINKS : BENEATH);
        try {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd/" + d))) {
                for (Path c : ds) names.add(c.getFileName().toString());
            }
            names.sort(null); // a stable order: the same tree gives the same archive
            for (String n : names) writeEntry(d, n, tarName.equals(".") ? "./" + n : tarName + "/" + n, shown + "/" + n, tar, ids);
        } finally {
            sys.closeQuietly(d);
        }
    }

    // ---- in ----

    /** A directory whose mode and times are applied once its entries are in. */
    private record PendingDir(String rel, TarArchiveEntry entry) {
    }

    /**
     * Extracts the tar stream {@code in} into the existing directory {@code path} of the
     * container of {@code pid}. Reads {@code in} to its end (not closing it).
     */
    public void extractTar(long pid, String path, InputStream in) {
        IdMaps ids = IdMaps.of(pid);
        String p = path.startsWith("/") ? path : "/" + path;
        int root = openRoot(pid);
        try {
            int dest;
            try {
                dest = sys.openat2(root, p, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENOTDIR) throw new ContainerException("extraction point is not a directory: " + path);
                if (e.errno() == Errno.ENOENT) throw new io.jcontainer.lifecycle.Containers.NoSuchPathException("Could not find the file " + path + " in container", e);
                throw e;
            }
            Deque<PendingDir> dirs = new ArrayDeque<>();
            try {
                TarArchiveInputStream tar = new TarArchiveInputStream(in);
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    String rel = inside(e.getName(), e.getName());
                    if (rel.isEmpty()) { // "./": the target directory itself keeps its own attributes
                        continue;
                    }
                    extractEntry(dest, rel, e, tar, ids, dirs);
                }
                // docker's client may send padding after the end-of-archive blocks: read the stream to its end
                in.transferTo(OutputStream.nullOutputStream());
                while (!dirs.isEmpty()) { // deepest last-made first: a parent's time is set after its children's changes
                    PendingDir d = dirs.pop();
                    int fd = openBeneath(dest, d.rel(), Syscalls.O_PATH | Syscalls.O_DIRECTORY, d.entry().getName());
                    try {
                        apply(Path.of("/proc/self/fd/" + fd), d.entry(), ids, false);
                    } finally {
                        sys.closeQuietly(fd);
                    }
                }
            } catch (IOException e) {
                throw new ContainerException("cannot extract the archive into " + path + ": " + e.getMessage(), e);
            } finally {
                sys.closeQuietly(dest);
            }
        } finally {
            sys.closeQuietly(root);
        }
    }

    private void extractEntry(int dest, String rel, TarArchiveEntry e, TarArchiveInputStream tar, IdMaps ids, Deque<PendingDir> dirs)
            throws IOException {
        String name = e.getName();
        int slash = rel.lastIndexOf('/');
        String parentRel = slash < 0 ? "" : rel.substring(0, slash), base = rel.substring(slash + 1);
        if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO())
            throw new ContainerException("refusing entry " + name + " of the archive: it is a "
                    + (e.isFIFO() ? "FIFO" : "device node") + "; only files, directories and links are extracted");
        int parent = parentDir(dest, parentRel, name);
        try {
            Path at = Path.of("/proc/self/fd/" + parent, base);
            if (e.isDirectory()) {
                try {
                    sys.mkdirat(parent, base, 0700);
                } catch (SyscallException x) {
                    if (x.errno() != Errno.EEXIST) throw x;
                }
                sys.closeQuietly(openBeneath(parent, base, Syscalls.O_PATH | Syscalls.O_DIRECTORY, name)); // an existing non-directory or link: refused
                dirs.push(new PendingDir(rel, e));
            } else if (e.isSymbolicLink()) {
                // its target is text: harmless here, since nothing of this extraction (or of ContainerFiles) follows a link
                replaceNonDirectory(at, name);
                sys.symlinkat(e.getLinkName(), parent, base);
                apply(at, e, ids, true);
            } else if (e.isLink()) {
                String target = inside(e.getLinkName(), name);
                int src = openBeneath(dest, target, Syscalls.O_RDONLY | Syscalls.O_NOFOLLOW | Syscalls.O_NONBLOCK, name);
                try (InputStream s = new FdInputStream(sys, src)) {
                    if (!Files.isRegularFile(Path.of("/proc/self/fd/" + src)))
                        throw new ContainerException("refusing entry " + name + " of the archive: its hard link target " + e.getLinkName() + " is not a regular file");
                    writeFile(parent, base, at, s, e, ids);
                }
            } else if (e.isFile()) {
                writeFile(parent, base, at, tar, e, ids);
            } else {
                throw new ContainerException("refusing entry " + name + " of the archive: its type is not one that is extracted"
                        + " (files, directories, symbolic and hard links)");
            }
        } finally {
            sys.closeQuietly(parent);
        }
    }

    /** A new file (O_EXCL after removing what was there; never through a link) with {@code content}. */
    private void writeFile(int parent, String base, Path at, InputStream content, TarArchiveEntry e, IdMaps ids) throws IOException {
        replaceNonDirectory(at, e.getName());
        int out = sys.openat2(parent, base, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_EXCL | Syscalls.O_NOFOLLOW | Syscalls.O_CLOEXEC,
                0600, BENEATH);
        try (OutputStream os = new FdOutputStream(sys, sys.dup(out))) {
            content.transferTo(os);
            apply(Path.of("/proc/self/fd/" + out), e, ids, false);
        } finally {
            sys.closeQuietly(out);
        }
    }

    /** A file or link at {@code at} is replaced (as tar does); a directory there is an error. */
    private static void replaceNonDirectory(Path at, String name) throws IOException {
        if (Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS))
            throw new ContainerException("refusing entry " + name + " of the archive: a directory is in its place");
        Files.deleteIfExists(at);
    }

    /**
     * The directory {@code rel} below {@code dest}, made (0755, as tar makes missing parents)
     * where missing, each name opened beneath its parent without following a link.
     */
    private int parentDir(int dest, String rel, String entry) {
        int cur = sys.dup(dest);
        if (rel.isEmpty()) return cur;
        try {
            for (String c : rel.split("/")) {
                int next;
                try {
                    next = openBeneath(cur, c, Syscalls.O_PATH | Syscalls.O_DIRECTORY, entry);
                } catch (NoSuchEntry missing) {
                    sys.mkdirat(cur, c, 0755);
                    next = openBeneath(cur, c, Syscalls.O_PATH | Syscalls.O_DIRECTORY, entry);
                }
                sys.closeQuietly(cur);
                cur = next;
            }
            return cur;
        } catch (RuntimeException e) {
            sys.closeQuietly(cur);
            throw e;
        }
    }

    private static final class NoSuchEntry extends ContainerException {
        NoSuchEntry(String m, Throwable cause) {
            super(m, cause);
        }
    }

    /** openat2 beneath {@code dir}, never through a symlink; ELOOP/ENOTDIR name the archive entry. */
    private int openBeneath(int dir, String rel, int flags, String entry) {
        try {
            return sys.openat2(dir, rel, flags | Syscalls.O_CLOEXEC, 0, BENEATH);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT) throw new NoSuchEntry("entry " + entry + " of the archive: " + rel + " does not exist", e);
            if (e.errno() == Errno.ELOOP || e.errno() == 18 /* EXDEV: RESOLVE_BENEATH left the directory */)
                throw new ContainerException("refusing entry " + entry + " of the archive: " + rel + " goes through a symbolic link", e);
            if (e.errno() == Errno.ENOTDIR)
                throw new ContainerException("refusing entry " + entry + " of the archive: " + rel + " is not a directory", e);
            throw e;
        }
    }

    /**
     * {@code name} as a path below the target directory: a leading "/" and "." parts dropped,
     * ".." taken back — and refused when it would leave the directory.
     */
    static String inside(String name, String entry) {
        Deque<String> parts = new ArrayDeque<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (parts.isEmpty())
                    throw new ContainerException("refusing entry " + entry + " of the archive: " + name + " would land outside the target directory");
                parts.removeLast();
            } else {
                parts.addLast(c);
            }
        }
        return String.join("/", parts);
    }

    /** The archive's owner (mapped to host ids), then mode (chown clears setuid), then times. */
    private static void apply(Path p, TarArchiveEntry e, IdMaps ids, boolean link) throws IOException {
        LinkOption[] nf = link ? new LinkOption[]{LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
        int uid = ids.uidHost((int) e.getLongUserId()), gid = ids.gidHost((int) e.getLongGroupId());
        try {
            Files.setAttribute(p, "unix:uid", uid, nf);
            Files.setAttribute(p, "unix:gid", gid, nf);
        } catch (IOException x) {
            throw new ContainerException("cannot give " + e.getName() + " the owner " + uid + ":" + gid + " in the container: " + x.getMessage(), x);
        }
        if (!link) Files.setAttribute(p, "unix:mode", e.getMode() & 07777);
        FileTime t = FileTime.from(e.getLastModifiedTime().toInstant());
        Files.getFileAttributeView(p, BasicFileAttributeView.class, nf).setTimes(t, t, null);
    }

    // ---- shared ----

    private int resolveDir(int root, String dir, String shown) {
        try {
            return sys.openat2(root, dir, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR)
                throw new io.jcontainer.lifecycle.Containers.NoSuchPathException("Could not find the file " + shown + " in container", e);
            throw e;
        }
    }

    private static ContainerFiles.Attrs lstat(int dir, String name, String shown) {
        try {
            return ContainerFiles.Attrs.of(Path.of("/proc/self/fd/" + dir, name), LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new io.jcontainer.lifecycle.Containers.NoSuchPathException("Could not find the file " + shown + " in container", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String trimTrailing(String path) {
        String p = path;
        while (p.endsWith("/.")) p = p.substring(0, p.length() - 2);
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? "/" : p;
    }

    private int openRoot(long pid) {
        try {
            return sys.openat2(-100 /* AT_FDCWD */, "/proc/" + pid + "/root", Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, 0);
        } catch (SyscallException e) {
            throw new ContainerException("cannot open the root of container pid " + pid + ": " + e.getMessage(), e);
        }
    }
}
