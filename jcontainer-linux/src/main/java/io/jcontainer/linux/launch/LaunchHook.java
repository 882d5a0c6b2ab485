package io.jcontainer.linux.launch;

import io.jcontainer.linux.plan.HookPoint;

/**
 * Work the JVM does at a {@link HookPoint} of a start while the container waits. Throwing
 * (a {@link io.jcontainer.ContainerException} naming what failed) aborts the start: the
 * launcher kills the waiting child and the start throws that exception.
 */
@FunctionalInterface
public interface LaunchHook {
    void run(Context context);

    /**
     * @param point       where the start is
     * @param containerId the container's id
     * @param pid         its first process, as the JVM sees it; -1 for work run ahead of the
     *                    point ({@link LaunchHooks#ahead}), before the pid is reported
     */
    record Context(HookPoint point, String containerId, int pid) {
    }
}
