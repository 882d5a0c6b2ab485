package io.jcontainer.linux;

import io.jcontainer.linux.state.StateDirCheck;
import io.jcontainer.linux.sys.Proc;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What this host offers, probed once: who the JVM runs as, the kernel's last capability,
 * whether time namespaces exist, where jcontainer keeps its runtime state, and what blocks user
 * namespaces if anything does. Tests construct it directly.
 *
 * @param runtimeDir    jcontainer's private directory: {@code /run/jcontainer} for the host's root,
 *                      {@code $XDG_RUNTIME_DIR/jcontainer} or {@code /tmp/jcontainer-UID} otherwise
 * @param rootMount     an empty directory below it where each container mounts its new root in its
 *                      own mount namespace (so one directory serves every container, and none is
 *                      ever left behind)
 * @param hostDirs      for the default root: host top-level directories to bind read-only, with
 *                      the symlink target for those that are links (merged /usr)
 */
public record HostInfo(int euid, int egid, int capLastCap, boolean timeNamespace, Path runtimeDir, Path rootMount,
                       List<String> thermalThrottleDirs, List<HostDir> hostDirs, List<String> hostEtcFiles) {

    /** A top-level host directory of the default root: bound if a directory, recreated if a symlink. */
    public record HostDir(String path, String symlinkTarget) {
    }

    public boolean isRoot() {
        return euid == 0;
    }

    public static HostInfo probe(Syscalls sys) {
        int euid = sys.geteuid(), egid = sys.getegid();
        Proc proc = new Proc(sys);
        int last = (int) proc.sysctl("kernel/cap_last_cap", 40);
        boolean timens = proc.link("/proc/self/ns/time") != null;
        Path runtime;
        // Root of a user namespace of its own (unshare -r, a rootless outer container) is not the
        // host's root: /run/jcontainer belongs to someone it cannot see (nobody), so it is refused
        // by prepare(); such a "root" keeps its directory where an ordinary user would.
        if (euid == 0 && StateDirCheck.initialUserNamespace()) runtime = Path.of("/run/jcontainer");
        else {
            Path xdg = Settings.xdgRuntimeDir().orElse(null);
            runtime = xdg != null && Files.isDirectory(xdg) && Files.isWritable(xdg)
                    ? xdg.resolve("jcontainer") : Path.of(System.getProperty("java.io.tmpdir"), "jcontainer-" + euid);
        }
        List<String> thermal = new ArrayList<>();
        try (Stream<Path> cpus = Files.list(Path.of("/sys/devices/system/cpu"))) {
            cpus.filter(p -> p.getFileName().toString().matches("cpu\\d+"))
                    .map(p -> p.resolve("thermal_throttle"))
                    .filter(Files::isDirectory)
                    .forEach(p -> thermal.add(p.toString()));
        } catch (IOException ignored) {
            // no sysfs cpu directory: nothing to mask
        }
        List<HostDir> dirs = new ArrayList<>();
        for (String d : List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
            Path p = Path.of(d);
            try {
                if (Files.isSymbolicLink(p)) dirs.add(new HostDir(d, Files.readSymbolicLink(p).toString()));
                else if (Files.isDirectory(p)) dirs.add(new HostDir(d, null));
            } catch (IOException ignored) {
                // unreadable: leave it out of the default root
            }
        }
        List<String> etc = new ArrayList<>();
        for (String f : List.of("/etc/ld.so.cache", "/etc/alternatives", "/etc/ssl", "/etc/localtime"))
            if (Files.exists(Path.of(f))) etc.add(f);
        return new HostInfo(euid, egid, last, timens, runtime, runtime.resolve("root"), List.copyOf(thermal), List.copyOf(dirs), List.copyOf(etc));
    }

    /**
     * Creates the runtime and root-mount directories if they are missing. The runtime directory
     * is 0711: nobody else may list or write it, but a container whose user namespace maps its root
     * to another host uid (0 -> 100000) must still reach the mount point below it. It must be
     * this user's (or root's), and so must every ancestor, none writable by others except a
     * sticky root-owned one like /tmp ({@link StateDirCheck}): else another user could create
     * {@code /tmp/jcontainer-UID} first and swap the mount point. Checked before anything is
     * created in it, and again once it exists. The owner that counts is the process's effective
     * uid (a test may describe another host in this record).
     */
    public void prepare() {
        int[] ids = effectiveIds();
        Path existing = rootMount;
        while (existing != null && !Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) existing = existing.getParent();
        if (existing != null) StateDirCheck.checkRuntime(runtimeDir, existing, ids[0], ids[1]);
        try {
            if (!Files.isDirectory(rootMount)) Files.createDirectories(rootMount);
            StateDirCheck.checkRuntime(runtimeDir, rootMount, ids[0], ids[1]);
            try {
                var perms = java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x");
                if (!Files.getPosixFilePermissions(runtimeDir).equals(perms)) Files.setPosixFilePermissions(runtimeDir, perms);
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: nothing to tighten
            }
        } catch (IOException e) {
            throw new io.jcontainer.HostUnsupportedException("cannot create jcontainer's runtime directory " + rootMount + ": " + e,
                    "make " + runtimeDir.getParent() + " writable for uid " + euid);
        }
    }

    /** The process's effective uid and gid (second fields of Uid:/Gid: in /proc/self/status); this record's without procfs. */
    private int[] effectiveIds() {
        // no procfs: the ids this record was made with
        int uid = Proc.HOST.effectiveUid("self"), gid = Proc.HOST.effectiveGid("self");
        return new int[]{uid < 0 ? euid : uid, gid < 0 ? egid : gid};
    }

    /**
     * The JVM's capability bounding set (CapBnd of /proc/self/status): without a user namespace
     * a container can keep at most these. Hosts (and outer containers) often drop some.
     */
    public long boundingSet() {
        return Bounding.SET;
    }

    private static final class Bounding {
        static final long SET = read();

        private static long read() {
            String bnd = Proc.HOST.status("self", "CapBnd:");
            try {
                return bnd == null ? -1L : Long.parseUnsignedLong(bnd, 16);
            } catch (NumberFormatException ignored) {
                return -1L; // no procfs: assume everything, capset will name what fails
            }
        }
    }

    /**
     * Why the kernel refuses an unprivileged user namespace, naming the setting to change; null
     * when nothing known blocks it.
     */
    public String userNamespaceBlocker() {
        if (Proc.HOST.sysctl("user/max_user_namespaces", 1) == 0)
            return "user namespaces are disabled: sysctl user.max_user_namespaces=0 (set it to e.g. 15000: sysctl -w user.max_user_namespaces=15000)";
        if (euid != 0 && Proc.HOST.sysctl("kernel/unprivileged_userns_clone", 1) == 0)
            return "unprivileged user namespaces are disabled: sysctl kernel.unprivileged_userns_clone=0 (enable with sysctl -w kernel.unprivileged_userns_clone=1)";
        if (euid != 0 && Proc.HOST.sysctl("kernel/apparmor_restrict_unprivileged_userns", 0) == 1)
            return "AppArmor restricts unprivileged user namespaces: sysctl kernel.apparmor_restrict_unprivileged_userns=1 "
                    + "(set it to 0, or give the java binary an AppArmor profile with the 'userns' permission)";
        return null;
    }
}
