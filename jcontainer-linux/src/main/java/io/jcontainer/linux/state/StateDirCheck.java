package io.jcontainer.linux.state;

import io.jcontainer.HostUnsupportedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

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
 */
final class StateDirCheck {
    private static final int S_IWGRP = 0020, S_IWOTH = 0002, S_ISVTX = 01000;

    private StateDirCheck() {
    }

    /** Throws if {@code dir} (which exists) or an ancestor is not safe for {@code euid}/{@code egid}. */
    static void check(Path dir, int euid, int egid) {
        check(dir, dir, euid, egid);
    }

    /** As above, from {@code start} (an existing ancestor of {@code dir}, before it is created) up. */
    static void check(Path dir, Path start, int euid, int egid) {
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            int uid, gid, mode;
            try {
                uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                return; // not a POSIX file system: nothing to check
            }
            boolean ownerOk = uid == 0 || uid == euid;
            boolean writableByOthers = (mode & S_IWOTH) != 0 || (mode & S_IWGRP) != 0 && gid != egid && gid != 0;
            boolean stickyRoots = (mode & S_ISVTX) != 0 && uid == 0;
            if (!ownerOk || writableByOthers && !stickyRoots)
                throw new HostUnsupportedException("refusing the state directory " + dir + ": " + p
                        + (!ownerOk ? " belongs to uid " + uid : " is writable by " + ((mode & S_IWOTH) != 0 ? "others" : "its group"))
                        + ", who could then direct this user's stop, kill and rm at any of its processes",
                        "set XDG_RUNTIME_DIR to a directory of your own (systemd-logind makes /run/user/" + euid
                                + "), or JCONTAINER_STATE_DIR");
        }
    }
}
