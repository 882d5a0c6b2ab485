package io.jcontainer.linux.state;

import io.jcontainer.HostUnsupportedException;
import io.jcontainer.linux.sys.Proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Refuses a state directory that another user controls. Its {@code state.json} files say which
 * pids {@code stop}, {@code kill} and {@code rm -f} signal and which cgroups they remove: a user
 * who can write or rename anything on the path could make this one's commands kill its other
 * processes. That is a real risk for the rootless fallback {@code /tmp/jcontainer-UID} (used when
 * {@code XDG_RUNTIME_DIR} is unset, e.g. under {@code sudo -u} or cron), whose name anyone can
 * claim first. The rule is the one OpenSSH applies to key files ({@code secure_filename}): the
 * directory and each ancestor belong to root or to this user, and none is writable by others
 * unless it is sticky and root's (like {@code /tmp}), nor by a group other than this user's own
 * (umask 002 with per-user groups is common and harmless).
 * <p>
 * The same rule guards the runtime directory ({@code /tmp/jcontainer-UID} too, when
 * {@code XDG_RUNTIME_DIR} is unset), where each container mounts its new root: whoever can rename
 * in it could put a directory of theirs under this user's containers (SECURITY.md row 35).
 */
public final class StateDirCheck {
    private static final int S_IWGRP = 0020, S_IWOTH = 0002, S_ISVTX = 01000;
    private static final String STATE = "the state directory", STATE_RISK = "who could then direct this user's stop, kill and rm at any of its processes";
    /** What {@link #checkRuntime} calls the directory, and why another user's hand on it matters. */
    private static final String RUNTIME = "jcontainer's runtime directory",
            RUNTIME_RISK = "who could then swap the directory this user's containers mount as their root";

    /** The uid unmapped owners show as, when this process is in a user namespace of its own; -1 in the host's. */
    private static final int UNMAPPED = initialUserNamespace() ? -1 : overflowUid();

    private StateDirCheck() {
    }

    /** Whether this process is in the host's user namespace (uid_map is the identity over all ids). */
    public static boolean initialUserNamespace() {
        List<long[]> map = Proc.HOST.idMap("self", "uid_map");
        if (map == null || map.isEmpty()) return true; // no procfs: assume the host's
        long[] m = map.getFirst();
        return m[0] == 0 && m[1] == 0 && m[2] == 4294967295L;
    }

    private static int overflowUid() {
        return (int) Proc.HOST.sysctl("kernel/overflowuid", 65534);
    }

    /** Throws if {@code dir} (which exists) or an ancestor is not safe for {@code euid}/{@code egid}. */
    static void check(Path dir, int euid, int egid) {
        check(dir, dir, euid, egid);
    }

    /** As above, from {@code start} (an existing ancestor of {@code dir}, before it is created) up. */
    static void check(Path dir, Path start, int euid, int egid) {
        check(STATE, STATE_RISK, dir, start, euid, egid);
    }

    /** The rule for jcontainer's runtime directory, from {@code start} (it or an existing ancestor) up. */
    public static void checkRuntime(Path dir, Path start, int euid, int egid) {
        check(RUNTIME, RUNTIME_RISK, dir, start, euid, egid);
    }

    private static void check(String what, String risk, Path dir, Path start, int euid, int egid) {
        Path self = dir.toAbsolutePath().normalize();
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            int uid, gid, mode;
            try {
                uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                return; // not a POSIX file system: nothing to check
            }
            // In a user namespace of its own the host's root shows as the overflow uid (nobody):
            // above the directory that is taken for root, who owns / and /tmp; the directory
            // itself and what is below it must be this user's or its namespace's root.
            boolean rootLike = uid == 0 || UNMAPPED >= 0 && uid == UNMAPPED && !p.startsWith(self);
            boolean ownerOk = rootLike || uid == euid;
            // a symlink's own mode bits mean nothing (0777 always): only who owns it counts
            boolean symlink = (mode & 0170000) == 0120000;
            boolean writableByOthers = !symlink && ((mode & S_IWOTH) != 0 || (mode & S_IWGRP) != 0 && gid != egid && gid != 0);
            boolean stickyRoots = (mode & S_ISVTX) != 0 && rootLike;
            if (!ownerOk || writableByOthers && !stickyRoots)
                throw new HostUnsupportedException("refusing " + what + " " + dir + ": " + p
                        + (!ownerOk ? " belongs to uid " + uid + ownerName(p) : " is writable by " + ((mode & S_IWOTH) != 0 ? "others" : "its group"))
                        + ", " + risk,
                        "set XDG_RUNTIME_DIR to a directory of your own (systemd-logind makes /run/user/" + euid
                                + ")" + (what.equals(STATE) ? ", or JCONTAINER_STATE_DIR" : ""));
        }
    }

    /** " (name)" of the file's owner where the host knows one. */
    private static String ownerName(Path p) {
        try {
            String name = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
            return name.chars().allMatch(Character::isDigit) ? "" : " (" + name + ")";
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }
}
