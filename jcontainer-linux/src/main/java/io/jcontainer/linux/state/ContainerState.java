package io.jcontainer.linux.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * What {@code state.json} in a sandbox's state directory records: enough to find, inspect,
 * signal and clean up a sandbox from another process. Times are ISO-8601 instants.
 *
 * @param id           64 hex digits
 * @param name         unique among the store's sandboxes, or null
 * @param pid          host pid of the sandbox's first process (0 while it is being created)
 * @param pidStartTime its start time in clock ticks after boot (/proc/PID/stat field 22), so
 *                     a recycled pid is never mistaken for the sandbox
 * @param launcherPid  host pid of its monitor (the launcher)
 * @param detached     whether it outlives the JVM that started it
 * @param cgroupDirs   its cgroup directories, removed with it
 * @param restartPolicy docker's spelling ({@code no}, {@code always}, {@code on-failure:3}); null means no
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerState(String id, String name, String image, List<String> command, boolean init, boolean pidNamespace,
                             String stopSignal, long pid, long pidStartTime, long launcherPid, String created, String started,
                             boolean detached, String logPath, List<String> cgroupDirs, String restartPolicy) {
    public ContainerState {
        command = command == null ? List.of() : List.copyOf(command);
        cgroupDirs = cgroupDirs == null ? List.of() : List.copyOf(cgroupDirs);
    }

    public boolean restarts() {
        return restartPolicy != null && !restartPolicy.equals("no");
    }

    public String shortId() {
        return id.substring(0, 12);
    }

    public ContainerState started(long pid, long pidStartTime, long launcherPid, String started) {
        return new ContainerState(id, name, image, command, init, pidNamespace, stopSignal, pid, pidStartTime, launcherPid, created,
                started, detached, logPath, cgroupDirs, restartPolicy);
    }
}
