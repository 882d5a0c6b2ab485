package io.jcontainer.linux.cgroup;

import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file operations cgroup code needs, on absolute paths. Control files are read and written
 * through the {@link Syscalls} seam (one open/write/close each: cgroupfs applies a value on
 * write(2), and an error such as EINVAL or EBUSY comes back from that write); directories are
 * made and removed with java.nio, whose exceptions are mapped back to the errno they stand for.
 * Every failure is a {@link SyscallException} naming the call, the errno symbol and the path.
 */
public class CgroupFs {
    private final Syscalls sys;

    public CgroupFs(Syscalls sys) {
        this.sys = sys;
    }

    public boolean exists(String path) {
        return Files.exists(Path.of(path));
    }

    /** Whether this process may create cgroups in {@code dir} (access(2) W_OK; EROFS counts). */
    public boolean writable(String dir) {
        return Files.isWritable(Path.of(dir));
    }

    /**
     * A control file as text, through {@link Syscalls#readFile} (the FFM seam reads it with the
     * JDK's file I/O: {@code ps} reads the freezer state of each container and should not have to
     * link open/read/close downcalls for that).
     */
    public String read(String path) {
        try {
            return new String(sys.readFile(path), StandardCharsets.UTF_8);
        } catch (SyscallException e) {
            if (e.syscall().equals("open")) throw e;
            throw new SyscallException("read", e.errno(), path);
        }
    }

    /** One write(2) of the whole value: cgroupfs parses each write on its own. */
    public void write(String path, String value) {
        int fd = sys.open(path, Syscalls.O_WRONLY | Syscalls.O_CLOEXEC, 0);
        try {
            byte[] b = value.getBytes(StandardCharsets.UTF_8);
            sys.write(fd, b, 0, b.length);
        } catch (SyscallException e) {
            throw new SyscallException("write", e.errno(), path + " (value \"" + value.strip() + "\")");
        } finally {
            sys.closeQuietly(fd);
        }
    }

    public void mkdir(String path) {
        try {
            Files.createDirectory(Path.of(path));
        } catch (IOException e) {
            throw mapped("mkdir", e, path);
        }
    }

    /** Makes the missing parents of {@code path} (not {@code path} itself); returns them, top down. */
    public java.util.List<String> mkdirParents(String path) {
        java.util.List<String> made = new java.util.ArrayList<>();
        for (Path p = Path.of(path).getParent(); p != null && !Files.isDirectory(p); p = p.getParent()) made.addFirst(p.toString());
        for (String d : made) mkdir(d);
        return made;
    }

    public void rmdir(String path) {
        if (sys != null) {
            sys.rmdir(path); // on the close() path: one system call, no stat first
            return;
        }
        try {
            Files.delete(Path.of(path));
        } catch (IOException e) {
            throw mapped("rmdir", e, path);
        }
    }

    /** Names of the subdirectories of {@code dir}; empty when it does not exist. */
    public List<String> subdirs(String dir) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            s.filter(Files::isDirectory).forEach(p -> out.add(p.getFileName().toString()));
        } catch (IOException e) {
            // gone or unreadable: nothing to list
        }
        return out;
    }

    /** kill(2), for killing the tasks listed in a cgroup. */
    public void kill(int pid, int signal) {
        sys.kill(pid, signal);
    }

    /** The major:minor of a device node (stat(2) st_rdev), for io limits. */
    public String deviceNumber(String path) {
        try {
            if (!Files.exists(Path.of(path))) throw new SyscallException("stat", Errno.ENOENT, path);
            long rdev = ((Number) Files.getAttribute(Path.of(path), "unix:rdev")).longValue();
            int mode = (Integer) Files.getAttribute(Path.of(path), "unix:mode");
            if ((mode & 0170000) != 0060000) return null; // S_IFBLK: io limits apply to block devices only
            // glibc's gnu_dev_major/minor
            long major = ((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL);
            long minor = ((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL);
            return major + ":" + minor;
        } catch (IOException e) {
            throw mapped("stat", e, path);
        }
    }

    static SyscallException mapped(String call, IOException e, String path) {
        int errno = switch (e) {
            case FileAlreadyExistsException x -> Errno.EEXIST;
            case NoSuchFileException x -> Errno.ENOENT;
            case AccessDeniedException x -> Errno.EACCES;
            case DirectoryNotEmptyException x -> 39; // ENOTEMPTY
            case FileSystemException x when x.getReason() != null && x.getReason().contains("busy") -> Errno.EBUSY;
            case FileSystemException x when x.getReason() != null && x.getReason().contains("Read-only") -> Errno.EROFS;
            case FileSystemException x when x.getReason() != null && x.getReason().contains("not permitted") -> Errno.EPERM;
            default -> Errno.EIO;
        };
        return new SyscallException(call, errno, path);
    }
}
