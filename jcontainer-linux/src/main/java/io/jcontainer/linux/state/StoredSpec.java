package io.jcontainer.linux.state;

import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.oci.runtime.RecordedConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A recorded container's full configuration, so that {@code start} of a stopped container,
 * restarts, {@code exec} (its security settings) and {@code inspect} need nothing but the
 * record: OCI {@code config.json} plus jcontainer's extras in {@code jcontainer.json}
 * ({@link RecordedConfig}: what a config.json cannot say — name, stdio, restart policy, network,
 * the default root...). The record's directory stands as the bundle; runc-style tools read its
 * config.json as is.
 *
 * <p>Records of earlier formats: one with {@code spec.json} (Jackson over the Java model) is
 * refused, naming it and saying what to do — it can still be listed, stopped and removed, as its
 * {@code state.json} is read ({@link StateFile}); one with neither ({@code run-args.json}, a CLI's
 * argv) reads as no configuration, and start and exec refuse it saying so.
 *
 * <p>The files are this user's own: config.json says what {@code start} runs, so a record
 * directory or file another user owns or may write is refused as tampered with.
 */
public final class StoredSpec {
    public static final String FILE = RecordedConfig.CONFIG, EXTRAS = RecordedConfig.EXTRAS;
    /** The configuration of records written before config.json: refused. */
    public static final String OLD_FILE = "spec.json";

    private StoredSpec() {
    }

    /** Writes config.json and jcontainer.json into the record's directory (each atomically). */
    public static void write(Path dir, ContainerSpec s) {
        RecordedConfig.write(dir, s);
    }

    /** The stored spec, or null when the record has none (a {@code run-args.json} record). */
    public static ContainerSpec read(Path dir) {
        for (Path p : new Path[] {dir, dir.resolve(FILE), dir.resolve(EXTRAS)}) ownedByThisUser(p);
        ContainerSpec spec = RecordedConfig.read(dir);
        if (spec != null) return spec;
        if (Files.exists(dir.resolve(OLD_FILE))) {
            String id = dir.getFileName().toString(), shortId = id.length() > 12 ? id.substring(0, 12) : id;
            throw new OldRecordException("container " + shortId + ": its record " + dir + " holds " + OLD_FILE
                    + ", the configuration of an earlier jcontainer, which this version does not read (it records " + FILE + " and "
                    + EXTRAS + "): the container can still be listed, stopped and removed; remove it (rm " + shortId + ") and run it anew");
        }
        return null;
    }

    /** Refuses a record path another user owns or may write (a missing one is fine: the readers say what is missing). */
    private static void ownedByThisUser(Path p) {
        int uid, gid, mode;
        try {
            uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException | UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to check
        }
        int euid = NativeSyscalls.INSTANCE.geteuid(), egid = NativeSyscalls.INSTANCE.getegid();
        String why = (mode & 0170000) == 0120000 ? "is a symbolic link"
                : uid != euid ? "belongs to uid " + uid + ", not to this user (uid " + euid + ")"
                : (mode & 0002) != 0 ? "is writable by others"
                : (mode & 0020) != 0 && gid != egid && gid != 0 ? "is writable by its group (gid " + gid + ")" : null;
        if (why != null)
            throw new TamperedRecordException("refusing the record " + p + ": it " + why
                    + "; it says what start runs, so it may have been tampered with: remove the container");
    }

    /** A record of a format this version does not read: the verb cannot act on it (docker's 409), removal can. */
    public static final class OldRecordException extends io.jcontainer.lifecycle.Containers.ConflictException {
        OldRecordException(String message) {
            super(message);
        }
    }

    /** A record another user owns or may write. */
    public static final class TamperedRecordException extends ContainerException {
        TamperedRecordException(String message) {
            super(message);
        }
    }
}
