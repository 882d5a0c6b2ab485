package io.jcontainer.lifecycle;

import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a recorded container is and how it is doing now (the kernel decides whether it runs,
 * never a file alone). Immutable: a snapshot taken when it was asked for.
 *
 * @param id            64 hex digits
 * @param name          unique among the recorded containers (docker's, without the leading {@code /})
 * @param image         what its root is: a directory, or {@code <default>} for the embedded default root
 * @param command       its command line
 * @param spec          its full configuration as it was created, or null for a record written by a
 *                      jcontainer that did not keep it (such a container can be inspected, stopped
 *                      and removed, not started again)
 * @param status        docker's status now
 * @param pid           host pid of its first process while it runs, 0 otherwise
 * @param created       when it was created
 * @param started       when it last started, null if never
 * @param finished      when it last exited, null if it has not
 * @param exit          how it last exited, null if it has not (or its monitor died with it)
 * @param autoRemove    docker's {@code --rm}
 * @param restartPolicy docker's spelling: {@code no}, {@code always}, {@code on-failure:3}
 * @param streams       its terminal and streams, as docker's inspect shows them
 * @param labels        docker's labels (the spec's annotations once it has them)
 * @param cgroupDirs    its cgroup directories on the host
 * @param logPath       the log its monitor writes, null when nothing is logged
 * @param monitorPid    host pid of its monitor (the process that holds its terminal, log and exit
 *                      record, as conmon for podman), 0 if it has none
 * @param health        its health check's state (docker's {@code State.Health}), null when it has no check
 * @param restartCount  how often its restart policy restarted it since it was last started (docker's {@code RestartCount})
 */
public record ContainerInfo(String id, String name, String image, List<String> command, ContainerSpec spec, Status status,
                            long pid, Instant created, Instant started, Instant finished, ContainerExit exit, boolean autoRemove,
                            String restartPolicy, Streams streams, Map<String, String> labels, List<String> cgroupDirs, String logPath,
                            long monitorPid, Health health, int restartCount) {
    /** Without a restart count (docker's RestartCount: restarts done by the restart policy). */
    public ContainerInfo(String id, String name, String image, List<String> command, ContainerSpec spec, Status status,
                         long pid, Instant created, Instant started, Instant finished, ContainerExit exit, boolean autoRemove,
                         String restartPolicy, Streams streams, Map<String, String> labels, List<String> cgroupDirs, String logPath,
                         long monitorPid, Health health) {
        this(id, name, image, command, spec, status, pid, created, started, finished, exit, autoRemove, restartPolicy, streams,
                labels, cgroupDirs, logPath, monitorPid, health, 0);
    }

    /** Without a health check. */
    public ContainerInfo(String id, String name, String image, List<String> command, ContainerSpec spec, Status status,
                         long pid, Instant created, Instant started, Instant finished, ContainerExit exit, boolean autoRemove,
                         String restartPolicy, Streams streams, Map<String, String> labels, List<String> cgroupDirs, String logPath,
                         long monitorPid) {
        this(id, name, image, command, spec, status, pid, created, started, finished, exit, autoRemove, restartPolicy, streams,
                labels, cgroupDirs, logPath, monitorPid, null);
    }

    public ContainerInfo {
        command = command == null ? List.of() : List.copyOf(command);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        cgroupDirs = cgroupDirs == null ? List.of() : List.copyOf(cgroupDirs);
        streams = streams == null ? new Streams(false, false, false, false, false) : streams;
    }

    /** Docker's statuses ({@code docker ps --filter status=}); a paused container still runs. */
    public enum Status {
        CREATED, RUNNING, PAUSED, RESTARTING, EXITED, DEAD;

        /** docker's spelling. */
        public String docker() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * docker inspect's {@code State.Health}: {@code starting} until the first check that counts,
     * then {@code healthy} or {@code unhealthy} ({@code retries} failures in a row).
     *
     * @param status        the state now
     * @param failingStreak consecutive failed checks
     * @param log           the last checks (at most 5, oldest first)
     */
    public record Health(HealthStatus status, int failingStreak, List<Probe> log) {
        public Health {
            log = log == null ? List.of() : List.copyOf(log);
        }

        /** One check: when it ran, its exit code (-1 when it could not run or timed out) and its output (at most 4 KiB). */
        public record Probe(Instant start, Instant end, int exitCode, String output) {
        }
    }

    /** Docker's health statuses. */
    public enum HealthStatus {
        STARTING, HEALTHY, UNHEALTHY;

        public String docker() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * docker inspect's {@code Config.Tty}, {@code OpenStdin} and {@code AttachStdin/Stdout/Stderr}.
     */
    public record Streams(boolean tty, boolean openStdin, boolean attachStdin, boolean attachStdout, boolean attachStderr) {
    }

    public String shortId() {
        return id.substring(0, Math.min(12, id.length()));
    }

    /** It runs now (paused included, as docker's {@code State.Running}). */
    public boolean running() {
        return status == Status.RUNNING || status == Status.PAUSED;
    }

    public boolean paused() {
        return status == Status.PAUSED;
    }

    /** The same container in the OCI state's shape. */
    public OciState ociState(String bundle) {
        OciState.Status s = switch (status) {
            case CREATED -> pid > 0 ? OciState.Status.CREATED : OciState.Status.CREATING;
            case RUNNING, RESTARTING -> OciState.Status.RUNNING;
            case PAUSED -> OciState.Status.PAUSED;
            case EXITED, DEAD -> OciState.Status.STOPPED;
        };
        return new OciState(OciState.VERSION, id, s, running() ? pid : 0, bundle, labels);
    }
}
