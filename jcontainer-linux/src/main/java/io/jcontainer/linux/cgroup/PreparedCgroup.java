package io.jcontainer.linux.cgroup;

import java.util.List;

/**
 * A container's cgroup(s) decided — settings validated, names chosen, so {@link #procsFiles()}
 * is known — but possibly not made yet. Making them ({@link #realize()}: mkdir and the limit
 * writes, ~0.3 ms on v1 here) can then overlap the child's mounts: the plan makes the child
 * wait for the JVM's go-ahead before it moves itself in and execs (see
 * {@code PlanCompiler.Inputs#cgroupsDeferred}).
 */
public interface PreparedCgroup {
    /** As {@link ContainerCgroup#procsFiles()}: valid before {@link #realize()}. */
    List<String> procsFiles();

    /**
     * Every directory {@link #realize()} makes, or a later pause may make (a v1 freezer): what
     * the container's monitor removes when the JVM is gone ({@code Op.RemoveOnExit}).
     */
    default List<String> dirs() {
        return procsFiles().stream().map(f -> f.substring(0, f.lastIndexOf('/'))).toList();
    }

    /** Whether {@link #realize()} still has the work to do (false: it was done eagerly). */
    boolean deferred();

    /**
     * Makes the directories and applies the limits; on failure removes what it made and
     * throws. Once.
     */
    ContainerCgroup realize();

    /** An already made cgroup. */
    static PreparedCgroup of(ContainerCgroup made) {
        return new PreparedCgroup() {
            @Override
            public List<String> procsFiles() {
                return made.procsFiles();
            }

            @Override
            public boolean deferred() {
                return false;
            }

            @Override
            public ContainerCgroup realize() {
                return made;
            }
        };
    }
}
