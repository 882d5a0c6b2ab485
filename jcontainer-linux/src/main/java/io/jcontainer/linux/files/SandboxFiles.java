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

import static io.jcontainer.linux.sys.Syscalls.RESOLVE_BENEATH;
import static io.jcontainer.linux.sys.Syscalls.RESOLVE_IN_ROOT;
import static io.jcontainer.linux.sys.Syscalls.RESOLVE_NO_MAGICLINKS;
import static io.jcontainer.linux.sys.Syscalls.RESOLVE_NO_SYMLINKS;

/**
 * {@code docker cp}, safe against symlinks inside the sandbox (the CVE-2018-15664 class: a
 * payload swapping a path component for a symlink to / while the copy runs). Every path inside
 * is resolved by the kernel with openat2(RESOLVE_IN_ROOT) against the sandbox's root (an fd of
 * /proc/PID/root, in its own mount namespace): ".." and absolute symlinks stop at that root,
 * whatever the payload does meanwhile. Below the first directory, entries are opened one name
 * at a time beneath their parent's fd with RESOLVE_NO_SYMLINKS; symlinks are copied as
 * symlinks, never followed. Magic links (/proc/self/...) are refused.
 */
public final class SandboxFiles {
    private final Syscalls sys;

    public SandboxFiles(Syscalls sys) {
        this.sys = sys;
    }

    /** Copies {@code path} (a file, directory or symlink inside the sandbox) to {@code dest} on the host. */
    public void copyOut(long pid, String path, Path dest) {
        int root = openRoot(pid);
        try {
            String p = path.replaceAll("/+$", "");
            String parent = p.contains("/") ? p.substring(0, p.lastIndexOf('/')) : ".";
            String name = p.substring(p.lastIndexOf('/') + 1);
            if (parent.isEmpty()) parent = "/";
            if (name.isEmpty()) name = ".";
            int dir = sys.openat2(root, parent, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            try {
                copyOutEntry(dir, name, dest);
            } finally {
                sys.closeQuietly(dir);
            }
        } finally {
            sys.closeQuietly(root);
        }
    }

    /** Copies entry {@code name} of the resolved directory {@code dir}: never following a symlink. */
    private void copyOutEntry(int dir, String name, Path dest) {
        long beneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        try {
            int d;
            try {
                d = sys.openat2(dir, name, Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_NOFOLLOW | Syscalls.O_CLOEXEC, 0, beneath);
            } catch (SyscallException e) {
                if (e.errno() == Errno.ELOOP) { // a symlink: copied as one
                    Files.createSymbolicLink(dest, Files.readSymbolicLink(Path.of("/proc/self/fd/" + dir, name)));
                    return;
                }
                if (e.errno() != Errno.ENOTDIR) throw e;
                int f;
                try {
                    f = sys.openat2(dir, name, Syscalls.O_RDONLY | Syscalls.O_NOFOLLOW | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0, beneath);
                } catch (SyscallException x) {
                    if (x.errno() != Errno.ELOOP) throw x;
                    // a symlink to a non-directory (O_DIRECTORY answered ENOTDIR first)
                    Files.createSymbolicLink(dest, Files.readSymbolicLink(Path.of("/proc/self/fd/" + dir, name)));
                    return;
                }
                try (InputStream s = new FdInputStream(sys, f)) {
                    if (!Files.isRegularFile(Path.of("/proc/self/fd/" + f))) return; // devices, fifos, sockets: not copied
                    try (OutputStream o = Files.newOutputStream(dest)) {
                        s.transferTo(o);
                    }
                }
                return;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd/" + d))) {
                Files.createDirectories(dest);
                for (Path e : ds) copyOutEntry(d, e.getFileName().toString(), dest.resolve(e.getFileName().toString()));
            } finally {
                sys.closeQuietly(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies {@code src} from the host into the sandbox at {@code path} (a new name in an existing directory). */
    public void copyIn(long pid, Path src, String path) {
        int root = openRoot(pid);
        try {
            String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : ".";
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (parent.isEmpty()) parent = "/";
            int dir = sys.openat2(root, parent, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            try {
                if (name.isEmpty()) name = src.getFileName().toString();
                else if (existsDir(dir, name)) { // cp FILE DIR: into it
                    int inner = sys.openat2(dir, name, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                    try {
                        copyInto(src, inner, src.getFileName().toString());
                    } finally {
                        sys.closeQuietly(inner);
                    }
                    return;
                }
                copyInto(src, dir, name);
            } finally {
                sys.closeQuietly(dir);
            }
        } finally {
            sys.closeQuietly(root);
        }
    }

    private boolean existsDir(int dir, String name) {
        try {
            sys.close(sys.openat2(dir, name, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS));
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }

    private void copyInto(Path src, int dir, String name) {
        try {
            if (Files.isSymbolicLink(src)) {
                sys.symlinkat(Files.readSymbolicLink(src).toString(), dir, name);
            } else if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    sys.mkdirat(dir, name, 0755);
                } catch (SyscallException e) {
                    if (e.errno() != Errno.EEXIST) throw e;
                }
                int sub = sys.openat2(dir, name, Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(src)) {
                    for (Path e : ds) copyInto(e, sub, e.getFileName().toString());
                } finally {
                    sys.closeQuietly(sub);
                }
            } else {
                // O_NOFOLLOW + RESOLVE_NO_SYMLINKS: a symlink planted at the target is an error, never followed
                int out = sys.openat2(dir, name, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC | Syscalls.O_NOFOLLOW | Syscalls.O_CLOEXEC,
                        0644, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                try (InputStream s = Files.newInputStream(src); OutputStream o = new FdOutputStream(sys, out)) {
                    s.transferTo(o);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int openRoot(long pid) {
        try {
            return sys.openat2(-100 /* AT_FDCWD */, "/proc/" + pid + "/root", Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0, 0);
        } catch (SyscallException e) {
            throw new ContainerException("cannot open the root of sandbox pid " + pid + ": " + e.getMessage(), e);
        }
    }
}
