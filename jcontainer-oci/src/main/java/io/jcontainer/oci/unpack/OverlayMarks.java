package io.jcontainer.oci.unpack;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * What Java's file API lacks, through FFM: {@code mknod} (whiteouts, FIFOs, device nodes),
 * {@code lsetxattr}, and {@code utimensat} on the entry itself. The two marks overlayfs reads in a lower directory, written through FFM (Java has neither
 * {@code mknod} nor {@code lsetxattr}): a whiteout is a character device 0/0 (which Linux ≥ 5.8
 * lets an unprivileged user make: "whiteout" is exempt from CAP_MKNOD), an opaque directory
 * carries {@code trusted.overlay.opaque=y} (read by a mount in the initial user namespace) and
 * {@code user.overlay.opaque=y} (read by a mount with {@code userxattr}, in a user namespace).
 * Only {@code trusted.*} needs root: an ordinary user's layers get the {@code user.*} mark only,
 * which is the one its (user-namespace) mounts read.
 */
public final class OverlayMarks {
    private static final int S_IFCHR = 0020000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MKNOD = LINKER.downcallHandle(LINKER.defaultLookup().find("mknod").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle LSETXATTR = LINKER.downcallHandle(LINKER.defaultLookup().find("lsetxattr").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));

    private static final MethodHandle LGETXATTR = LINKER.downcallHandle(LINKER.defaultLookup().find("lgetxattr").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle UTIMENSAT = LINKER.downcallHandle(LINKER.defaultLookup().find("utimensat").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CHMOD = LINKER.downcallHandle(LINKER.defaultLookup().find("chmod").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    static final int S_IFIFO = 0010000;
    static final int S_IFBLK = 0060000;

    private OverlayMarks() {
    }

    /**
     * Whether {@code dir} carries an opaque mark overlayfs obeys: {@code trusted.overlay.opaque}
     * (what a kernel overlay mount writes into its upper) or {@code user.overlay.opaque}.
     */
    public static boolean isOpaque(Path dir) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom(dir.toString());
            MemorySegment value = a.allocate(8);
            for (String name : new String[]{"trusted.overlay.opaque", "user.overlay.opaque"}) {
                long n = (long) LGETXATTR.invokeExact(path, a.allocateFrom(name), value, 8L);
                if (n > 0 && value.get(ValueLayout.JAVA_BYTE, 0) == 'y') return true;
            }
            return false;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("lgetxattr(" + dir + "): " + t, t);
        }
    }

    /**
     * {@code utimensat(AT_FDCWD, path, {OMIT, mtime}, AT_SYMLINK_NOFOLLOW)}: the modification time
     * of the entry itself (a link's own), in one system call — the JDK's {@code setTimes} opens
     * the file, reads its attributes for the access time, sets both and closes (five).
     */
    static void setMtime(Path path, long seconds, long nanos) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(CAPTURE);
            MemorySegment times = a.allocate(ValueLayout.JAVA_LONG, 4);
            times.setAtIndex(ValueLayout.JAVA_LONG, 0, 0L);
            times.setAtIndex(ValueLayout.JAVA_LONG, 1, UTIME_OMIT);
            times.setAtIndex(ValueLayout.JAVA_LONG, 2, seconds);
            times.setAtIndex(ValueLayout.JAVA_LONG, 3, nanos);
            int rc = (int) UTIMENSAT.invokeExact(errno, AT_FDCWD, a.allocateFrom(path.toString()), times, AT_SYMLINK_NOFOLLOW);
            if (rc != 0) throw new IOException("utimensat(" + path + ") failed: errno " + (int) ERRNO.get(errno, 0L));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("utimensat(" + path + "): " + t, t);
        }
    }

    /**
     * {@code chmod(path, mode)}: the JDK's "unix:mode" opens the file to {@code fchmod} it, which
     * blocks on a FIFO until a writer comes (and would open a device). The caller makes sure
     * {@code path} is not a symbolic link (chmod follows one).
     */
    static void chmod(Path path, int mode) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(CAPTURE);
            int rc = (int) CHMOD.invokeExact(errno, a.allocateFrom(path.toString()), mode);
            if (rc != 0) throw new IOException("chmod(" + path + ", 0" + Integer.toOctalString(mode) + ") failed: errno " + (int) ERRNO.get(errno, 0L));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("chmod(" + path + "): " + t, t);
        }
    }

    /**
     * {@code mknod(path, type|perm, makedev(major, minor))} for a FIFO or a device node of a layer
     * (never follows a link: EEXIST on anything there). The umask applies; the caller chmods.
     */
    static void mknod(Path path, int typeAndPerm, long major, long minor) throws IOException {
        long dev = ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(CAPTURE);
            int rc = (int) MKNOD.invokeExact(errno, a.allocateFrom(path.toString()), typeAndPerm, dev);
            if (rc != 0) {
                int e = (int) ERRNO.get(errno, 0L);
                throw new MknodException("mknod(" + path + ", 0" + Integer.toOctalString(typeAndPerm) + ", " + major + ":" + minor
                        + ") failed: errno " + e + (e == 1 ? " (EPERM: device nodes need CAP_MKNOD in the initial user namespace)" : ""), e);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mknod(" + path + "): " + t, t);
        }
    }

    /** A refused mknod, with its errno (EPERM: not privileged for device nodes). */
    static final class MknodException extends IOException {
        final int errno;

        MknodException(String message, int errno) {
            super(message);
            this.errno = errno;
        }
    }

    /** {@code mknod(path, S_IFCHR|0000, 0)}: never follows a link (fails with EEXIST on anything there). */
    static void whiteout(Path path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(CAPTURE);
            int rc = (int) MKNOD.invokeExact(errno, a.allocateFrom(path.toString()), S_IFCHR, 0L);
            if (rc != 0) throw new IOException("mknod(" + path + ", S_IFCHR, 0:0) failed: errno " + (int) ERRNO.get(errno, 0L));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mknod(" + path + "): " + t, t);
        }
    }

    /** Marks {@code dir} opaque: {@code user.overlay.opaque}, and {@code trusted.overlay.opaque} when {@code trusted}. */
    static void opaque(Path dir, boolean trusted) throws IOException {
        if (trusted) setxattr(dir, "trusted.overlay.opaque");
        setxattr(dir, "user.overlay.opaque");
    }

    private static void setxattr(Path p, String name) throws IOException {
        setxattr(p, name, "y");
    }

    /**
     * The owner and mode an image gave an entry that an ordinary user's unpack could not chown:
     * {@code user.containers.override_stat = "uid:gid:mode"} (containers/storage's form, which
     * fuse-overlayfs presents as the entry's owner and mode in a layer whose root carries it).
     */
    static void ownerOverride(Path p, long uid, long gid, int mode) throws IOException {
        setxattr(p, OWNER_OVERRIDE, uid + ":" + gid + ":0" + Integer.toOctalString(mode & 07777));
    }

    /** See {@link #ownerOverride}. */
    public static final String OWNER_OVERRIDE = "user.containers.override_stat";

    private static void setxattr(Path p, String name, String v) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(CAPTURE);
            byte[] bytes = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            MemorySegment value = a.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, value, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            int rc = (int) LSETXATTR.invokeExact(errno, a.allocateFrom(p.toString()), a.allocateFrom(name), value, (long) bytes.length, 0);
            if (rc != 0) throw new IOException("lsetxattr(" + p + ", " + name + ") failed: errno " + (int) ERRNO.get(errno, 0L));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("lsetxattr(" + p + ", " + name + "): " + t, t);
        }
    }
}
