package io.jcontainer.linux.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * What {@code state.json} in a container's state directory records: enough to find, inspect,
 * signal and clean up a container from another process. Times are ISO-8601 instants. On disk it
 * is an OCI state ({@link StateFile}); its configuration is beside it ({@link StoredSpec}).
 *
 * @param id           64 hex digits
 * @param name         unique among the store's containers, or null
 * @param pid          host pid of the container's first process (0 while it is being created)
 * @param pidStartTime its start time in clock ticks after boot (/proc/PID/stat field 22), so
 *                     a recycled pid is never mistaken for the container
 * @param launcherPid  host pid of its monitor (the launcher)
 * @param detached     whether it outlives the JVM that started it
 * @param cgroupDirs   its cgroup directories, removed with it
 * @param restartPolicy docker's spelling ({@code no}, {@code always}, {@code on-failure:3}); null means no
 * @param streams      its terminal and streams, as docker's inspect shows them; null in records
 *                     written before they were recorded
 * @param autoRemove   docker's {@code --rm}: whoever finds it exited removes it (the CLI's
 *                     {@code run -t} after a detach; {@link ContainerStore#removeAutoRemoved()})
 * @param annotations  the spec's annotations, as the OCI state carries them (empty in records
 *                     written before)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerState(String id, String name, String image, List<String> command, boolean init, boolean pidNamespace,
                             String stopSignal, long pid, long pidStartTime, long launcherPid, String created, String started,
                             boolean detached, String logPath, List<String> cgroupDirs, String restartPolicy, Streams streams,
                             boolean autoRemove, Map<String, String> annotations) {
    public ContainerState {
        command = command == null ? List.of() : List.copyOf(command);
        cgroupDirs = cgroupDirs == null ? List.of() : List.copyOf(cgroupDirs);
        annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(annotations));
    }

    /** A record without annotations. */
    public ContainerState(String id, String name, String image, List<String> command, boolean init, boolean pidNamespace,
                          String stopSignal, long pid, long pidStartTime, long launcherPid, String created, String started,
                          boolean detached, String logPath, List<String> cgroupDirs, String restartPolicy, Streams streams,
                          boolean autoRemove) {
        this(id, name, image, command, init, pidNamespace, stopSignal, pid, pidStartTime, launcherPid, created, started, detached,
                logPath, cgroupDirs, restartPolicy, streams, autoRemove, Map.of());
    }

    /** A record without streams and auto-removal (as written before they were recorded). */
    public ContainerState(String id, String name, String image, List<String> command, boolean init, boolean pidNamespace,
                          String stopSignal, long pid, long pidStartTime, long launcherPid, String created, String started,
                          boolean detached, String logPath, List<String> cgroupDirs, String restartPolicy) {
        this(id, name, image, command, init, pidNamespace, stopSignal, pid, pidStartTime, launcherPid, created, started, detached,
                logPath, cgroupDirs, restartPolicy, null, false, Map.of());
    }

    /**
     * docker inspect's {@code Config.Tty}, {@code OpenStdin} and {@code AttachStdin/Stdout/Stderr}:
     * whether it has a terminal, whether its stdin is kept open (piped; for a detached container
     * held by its monitor for attach clients), and which streams the process that started it
     * attached ({@code run -d}: none; {@code run -it}: all three; {@code run -t}: output only).
     */
    public record Streams(boolean tty, boolean openStdin, boolean attachStdin, boolean attachStdout, boolean attachStderr) {
    }

    public boolean restarts() {
        return restartPolicy != null && !restartPolicy.equals("no");
    }

    public String shortId() {
        return id.substring(0, 12);
    }

    public ContainerState withName(String newName) {
        return new ContainerState(id, newName, image, command, init, pidNamespace, stopSignal, pid, pidStartTime, launcherPid, created,
                started, detached, logPath, cgroupDirs, restartPolicy, streams, autoRemove, annotations);
    }

    /** The same record with the spec's annotations. */
    public ContainerState withAnnotations(Map<String, String> a) {
        return new ContainerState(id, name, image, command, init, pidNamespace, stopSignal, pid, pidStartTime, launcherPid, created,
                started, detached, logPath, cgroupDirs, restartPolicy, streams, autoRemove, a);
    }

    public ContainerState withRestartPolicy(String policy) {
        return new ContainerState(id, name, image, command, init, pidNamespace, stopSignal, pid, pidStartTime, launcherPid, created,
                started, detached, logPath, cgroupDirs, policy, streams, autoRemove, annotations);
    }

    public ContainerState started(long pid, long pidStartTime, long launcherPid, String started) {
        return new ContainerState(id, name, image, command, init, pidNamespace, stopSignal, pid, pidStartTime, launcherPid, created,
                started, detached, logPath, cgroupDirs, restartPolicy, streams, autoRemove, annotations);
    }
}
