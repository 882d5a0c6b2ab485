package io.jcontainer.linux.cgroup;

import io.jcontainer.ContainerException;

import java.util.List;
import java.util.Optional;

/**
 * The freezer of a container that another process started, found from the cgroup directories
 * its {@code state.json} records: a v2 directory ({@code cgroup.freeze}) or the v1 freezer
 * hierarchy's ({@code freezer.state}). {@code pause}/{@code unpause} of a later CLI invocation
 * go through it; the freezing itself is {@link FreezerController}'s, as for a handle's
 * {@code Container.pause()}.
 */
public final class RecordedFreezer {
    private final Dir dir;

    private RecordedFreezer(Dir dir) {
        this.dir = dir;
    }

    /** The freezer among {@code cgroupDirs}, if one of them has one. */
    public static Optional<RecordedFreezer> find(CgroupFs fs, List<String> cgroupDirs) {
        for (String d : cgroupDirs) if (fs.exists(d + "/cgroup.freeze")) return Optional.of(new RecordedFreezer(new Dir(fs, d, true)));
        for (String d : cgroupDirs) if (fs.exists(d + "/freezer.state")) return Optional.of(new RecordedFreezer(new Dir(fs, d, false)));
        return Optional.empty();
    }

    public String path() {
        return dir.path();
    }

    /**
     * Freezes every task and waits until the kernel says they all are frozen (v1: FREEZING
     * turns FROZEN; v2: cgroup.events {@code frozen 1}). Thaws again and throws if they do not
     * get there (a task stuck in an uninterruptible wait, e.g. on a dead NFS server).
     */
    public void freeze() {
        FreezerController.freeze(dir);
        if (!frozen()) {
            FreezerController.thaw(dir);
            throw new ContainerException("the tasks of " + dir.path() + " did not freeze in time (a task in an uninterruptible "
                    + "wait?); they were thawed again");
        }
    }

    public void thaw() {
        FreezerController.thaw(dir);
    }

    /** v1 reports FREEZING while a freeze is under way; only FROZEN counts. */
    public boolean frozen() {
        return FreezerController.frozen(dir);
    }

    /**
     * Whether the freezer stops SIGKILL: on v1 a frozen task handles no signal until thawed;
     * on v2 fatal signals wake frozen tasks (cgroup-v2.rst, "cgroup.freeze").
     */
    public boolean holdsKills() {
        return !dir.v2();
    }
}
