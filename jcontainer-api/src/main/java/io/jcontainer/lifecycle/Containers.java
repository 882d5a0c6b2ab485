package io.jcontainer.lifecycle;

import io.jcontainer.ContainerException;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStats;
import io.jcontainer.ExecSpec;
import io.jcontainer.Resources;
import io.jcontainer.RestartPolicy;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Signal;
import io.jcontainer.spi.ContainerRuntime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The recorded containers of this host: the ones that outlive the process that started them
 * (detached or named), seen alike by every process of the user — a CLI, a Docker API server, a
 * Java program. Every verb of {@code docker container} is here; each takes a reference as docker
 * resolves it (full id, then name, then unique id prefix) and throws
 * {@link NoSuchContainerException} with docker's wording when it names none.
 *
 * <p>There is no daemon: whether a container runs is read from the kernel each time, and what a
 * daemon would do as a container exits (auto-removal, the {@code die} event) is done by whoever
 * looks next. Obtain one with {@link #get()} or {@link ContainerRuntime#containers(Path)}.
 *
 * <pre>{@code
 * Containers containers = Containers.get();
 * String id = containers.run(Container.builder().name("web").detached(true)
 *         .command("httpd", "-f").build(), false);
 * containers.logs("web", LogOptions.ALL, System.out, System.err);
 * containers.stop("web", Duration.ofSeconds(10));
 * containers.remove("web", false, false);
 * }</pre>
 */
public interface Containers {

    /** The user's containers (root: /run/jcontainer; rootless: $XDG_RUNTIME_DIR/jcontainer). */
    static Containers get() {
        return ContainerRuntime.get().containers(null);
    }

    /** Where the records are. */
    Path stateDirectory();

    // ---- creating and starting ----

    /**
     * {@code docker run -d}: starts a detached container (recorded; its output, when piped, logged
     * by its monitor) and lets go of it. Returns its id.
     *
     * @param autoRemove docker's {@code --rm}: removed once it has exited
     */
    String run(ContainerSpec spec, boolean autoRemove);

    /**
     * {@code docker run -a}: as {@link #run}, with a client attached before its monitor reads any
     * of its output, so the session sees all of it. The spec must be detached.
     */
    Attached runAttached(ContainerSpec spec, boolean autoRemove);

    /**
     * A container just started, as it was then (read before anyone could auto-remove it), and a
     * session attached to it from its first output on.
     */
    record Attached(ContainerInfo container, AttachSession session) {
    }

    /**
     * {@code docker create}: records the container, sets it up completely and leaves its process
     * waiting for {@link #start} — a wait that outlives this process (runc's {@code exec.fifo}).
     * Listed as {@link ContainerInfo.Status#CREATED}; {@link #remove} ends it cleanly. A terminal
     * or piped stdin ({@code create -it}) is held by its monitor from the start on, for
     * {@link #attach} (docker's {@code start -ai}).
     */
    ContainerInfo create(ContainerSpec spec);

    /**
     * runc's {@code create}: as {@link #create}, but nothing of jcontainer stays once it returns —
     * no monitor. The container's first process ({@link ContainerInfo#pid()}) waits for
     * {@link #start}; it is a descendant of the calling process and, once that process has
     * exited, the child of its subreaper (an engine's conmon or shim), which reaps it and reads its
     * exit status: no exit status is recorded here (an ended one is listed as
     * {@link ContainerInfo.Status#DEAD}), {@link ContainerInfo#monitorPid()} is 0, and its cgroups
     * go at {@link #remove}. Stdio must be inherited or a console socket (nobody logs or serves
     * attach clients), and no poststart/poststop hooks.
     */
    default ContainerInfo createWithoutMonitor(ContainerSpec spec) {
        throw new NotSupportedYetException("a created container without a monitor is not implemented by " + getClass().getName());
    }

    /**
     * Where a byte written starts a container made by {@link #createWithoutMonitor} (runc's
     * {@code exec.fifo}), which exists exactly while it waits: a runtime's {@code start} and
     * {@code state} need nothing else of this API. A writer that finds no reader (ENXIO with
     * O_NONBLOCK) has found a container that ended; the starter removes the file after its byte.
     */
    default java.nio.file.Path startFifo(String ref) {
        throw new NotSupportedYetException("a created container's start FIFO is not implemented by " + getClass().getName());
    }

    /**
     * {@code docker start}: runs a created or exited container from its stored configuration
     * (its id, name and log kept). Starting a running one does nothing.
     */
    void start(String ref);

    /**
     * Runs the container's health check ({@link io.jcontainer.ContainerSpec#healthcheck()}) as
     * docker's daemon does — in the container, every interval, a timeout per check — and records
     * each result where {@link #find} reads it ({@link ContainerInfo#health()}), until the
     * container stops for good. Returns at once when it has no check, or another process runs its
     * checks already. A process of its own runs this for a detached container (the CLI starts one).
     */
    default void runHealthChecks(String ref) throws InterruptedException {
        throw new UnsupportedOperationException("health checks are not implemented by " + getClass().getName());
    }

    /** {@code docker restart}: stops it ({@link #stop}; a null grace is its stop timeout) if it runs, then starts it. */
    void restart(String ref, Duration grace) throws InterruptedException;

    // ---- finding ----

    /** {@code docker ps}: the containers that match, oldest first. */
    List<ContainerInfo> list(ListQuery query);

    /** {@code docker inspect}: the container a reference names. */
    ContainerInfo find(String ref);

    // ---- running ones ----

    /** {@code docker attach}: refuses, with docker's message, a container that does not run. */
    AttachSession attach(String ref);

    /**
     * {@code docker logs}: writes its log (stdout and stderr entries to their streams) and, with
     * {@link LogOptions#follow()}, what comes while it runs.
     */
    void logs(String ref, LogOptions options, OutputStream stdout, OutputStream stderr) throws IOException, InterruptedException;

    /**
     * {@code docker stats --no-stream}: its resource use now, from its cgroup (and, with a network
     * namespace of its own, its interfaces' counters). Refuses a container that does not run.
     */
    ContainerStats stats(String ref);

    /**
     * {@code docker stats}: a snapshot every {@code interval}, to {@code sink} until it returns
     * false, the container stops running ({@link io.jcontainer.ContainerNotRunningException}) or the
     * thread is interrupted.
     */
    default void stats(String ref, Duration interval, Predicate<ContainerStats> sink) throws InterruptedException {
        while (sink.test(stats(ref))) Thread.sleep(interval);
    }

    /** {@code docker top}: its processes as {@code ps -ef} shows them. */
    ProcessList top(String ref);

    /**
     * {@code docker top CONTAINER [ps OPTIONS]}: as {@code ps} with those options would show its
     * processes — {@code -ef} (the default), {@code aux}, {@code -o FIELD,...}; others are refused
     * with an {@link IllegalArgumentException} naming them.
     */
    default ProcessList top(String ref, List<String> psOptions) {
        if (psOptions.isEmpty()) return top(ref);
        throw new NotSupportedYetException("top with ps options is not implemented by " + getClass().getName());
    }

    /** Titles and rows of {@link #top}. */
    record ProcessList(List<String> titles, List<List<String>> processes) {
        public ProcessList {
            titles = List.copyOf(titles);
            processes = processes.stream().map(List::copyOf).toList();
        }
    }

    /**
     * {@code docker exec}: runs a command in a running container with its security settings. The
     * process is this one's: it dies when this process exits.
     */
    ContainerProcess exec(String ref, ExecSpec exec);

    /**
     * {@code docker exec -d}: the process outlives this one (its own monitor, as a detached
     * container's); its streams are the exec spec's. Returns its exec id.
     */
    String execDetached(String ref, ExecSpec exec);

    /**
     * runc's {@code exec --detach}: as {@link #execDetached}, and the pid an engine waits on once
     * this process is gone — the exec's monitor, whose parent it becomes (a subreaper such as
     * conmon) and which exits as the process did (its status, or killed by its signal).
     */
    default DetachedExec execDetachedProcess(String ref, ExecSpec exec) {
        throw new NotSupportedYetException("exec --detach with its monitor's pid is not implemented by " + getClass().getName());
    }

    /**
     * runc's {@code exec --detach} as runc leaves it: no monitor — once the process runs, the
     * process that started it is its only link, and it is reparented to that one's subreaper
     * (conmon, containerd's shim), which waits on {@link DetachedExec#pid()} (the pid runc's
     * {@code --pid-file} names) and reaps it. Nothing records its exit; its {@code monitorPid} is 0.
     */
    default DetachedExec execWithoutMonitor(String ref, ExecSpec exec) {
        throw new NotSupportedYetException("exec --detach without a monitor is not implemented by " + getClass().getName());
    }

    /** An exec started by {@link #execDetachedProcess} or {@link #execWithoutMonitor}: its id, its process and its monitor (0: none). */
    record DetachedExec(String id, long pid, long monitorPid) {
    }

    /**
     * {@code docker exec -it}: as {@link #execDetached}, its terminal (or piped stdin) held by its
     * monitor, with a session attached before any of its output is read. The process's exit
     * comes through the session; closing the session (ctrl-p ctrl-q) leaves it running.
     */
    AttachSession execAttached(String ref, ExecSpec exec);

    /**
     * {@code docker wait}: blocks until the condition holds. Returns how it exited; empty when
     * nobody could record it (its monitor died with it) or, for {@link WaitCondition#REMOVED},
     * when the record went before an exit was seen.
     */
    Optional<ContainerExit> wait(String ref, WaitCondition condition) throws InterruptedException;

    /** {@code docker kill -s}: refuses a container that does not run. */
    void kill(String ref, Signal signal);

    /**
     * {@code docker stop -t}: its stop signal, then SIGKILL to everything of it after
     * {@code grace} — null for the container's own {@code --stop-timeout} (default 10 s); its
     * restart policy no longer applies. Returns how it exited.
     */
    Optional<ContainerExit> stop(String ref, Duration grace) throws InterruptedException;

    void pause(String ref);

    void unpause(String ref);

    /** {@code docker rename}: refuses a name another container has. */
    void rename(String ref, String newName);

    /** {@code docker update} of resource limits only: {@link #update(String, Resources, RestartPolicy)}. */
    default void update(String ref, Resources resources) {
        update(ref, resources, null);
    }

    /**
     * {@code docker update}: the set fields of {@code resources} (null or 0 = unchanged) replace
     * the container's limits — written to its cgroups at once when it runs, and kept in its record
     * so that {@code inspect} shows them and later starts apply them. {@code restartPolicy}, when
     * not null, replaces its restart policy from its next start on. A limit the kernel refuses
     * (a memory limit below what it uses now: EBUSY) is refused with the kernel's errno, and
     * nothing is recorded.
     */
    void update(String ref, Resources resources, RestartPolicy restartPolicy);

    // ---- removing ----

    /**
     * {@code docker rm [-f] [-v]}: refuses a running container unless {@code force}, which kills
     * it first. {@code volumes}: its anonymous volumes go too, unless another container uses them.
     */
    void remove(String ref, boolean force, boolean volumes) throws InterruptedException;

    /** {@code docker container prune}: removes every stopped container; returns their ids. */
    List<String> prune() throws InterruptedException;

    // ---- files ----

    /**
     * {@code docker cp [-a] [-L] CONTAINER:PATH DEST}: never follows a link out of its root.
     * {@code archive}: keep uid/gid (through the id maps); {@code followLink}: follow a link at PATH.
     */
    void copyOut(String ref, String path, Path hostDestination, boolean archive, boolean followLink);

    /** {@code docker cp [-a] [-L] SRC CONTAINER:PATH}. */
    void copyIn(String ref, Path hostSource, String path, boolean archive, boolean followLink);

    /**
     * {@code GET /containers/{id}/archive} ({@code docker cp CONTAINER:PATH -}): writes
     * {@code path} as a tar stream — one entry named after its last component, and with a
     * directory everything below it; modes, times, owners (as the container sees them) and
     * symlinks (as links, never followed) kept. {@code tar} is not closed.
     */
    void copyOutArchive(String ref, String path, OutputStream tar);

    /**
     * {@code PUT /containers/{id}/archive} ({@code docker cp - CONTAINER:PATH}): extracts a tar
     * stream into the directory {@code path} of the container. Every name is resolved inside the
     * container's root; an entry that would land outside {@code path} ({@code ..}), a hard link
     * to a file outside the archive, and device nodes are refused with the entry's name — nothing
     * ever follows a symlink out of the container. {@code tar} is read to its end, not closed.
     */
    void copyInArchive(String ref, String path, InputStream tar);

    // ---- the root filesystem: diff, commit, export ----

    /**
     * What changed in the container's root filesystem since it was made (docker's {@code diff}),
     * in path order. Known for a container whose root is an overlay with an upper directory (a
     * container made from an image): the upper directory is the change. A read-only root has
     * none. A writable root directory given as such ({@code --rootfs}) has no base to compare
     * with: {@link NotSupportedYetException} says so.
     */
    default java.util.List<FileChange> diff(String ref) {
        throw new NotSupportedYetException("diff is not implemented by " + getClass().getName());
    }

    /**
     * The container's changes as one OCI image layer (an uncompressed tar: added and changed
     * entries, {@code .wh.NAME} for deleted ones, {@code .wh..wh..opq} in a directory that hides
     * what was under it) — what {@code commit} puts on top of the container's image. Same
     * condition as {@link #diff}.
     */
    default void writeChanges(String ref, OutputStream layerTar) throws IOException {
        throw new NotSupportedYetException("commit is not implemented by " + getClass().getName());
    }

    /**
     * The container's whole root filesystem as a tar (docker's {@code export}): the image's files
     * with the container's changes over them; mounts (volumes, tmpfs, /proc) are not part of it.
     * Works for a stopped container too.
     */
    default void export(String ref, OutputStream tar) throws IOException {
        throw new NotSupportedYetException("export is not implemented by " + getClass().getName());
    }

    /**
     * docker's container sizes ({@code ps -s}, {@code inspect -s}, {@code system df}, the API's
     * {@code size=1}), counted now by walking the container's files: the bytes of every file,
     * symlink and other non-directory once per inode, as docker's daemon counts them. Works for a
     * stopped container too.
     */
    default RootSize size(String ref) {
        throw new NotSupportedYetException("size is not implemented by " + getClass().getName());
    }

    /**
     * @param rw     docker's {@code SizeRw}: what the container wrote — its overlay's upper
     *               directory; 0 when nothing it writes is kept apart (a read-only root, a root
     *               directory given as such, the default root)
     * @param rootFs docker's {@code SizeRootFs}: its whole root filesystem — the image's layers and
     *               what it wrote; the directory's for a root given as one; 0 for the default
     *               root (the host's own programs)
     */
    record RootSize(long rw, long rootFs) {
    }

    // ---- volumes ----

    /** {@code docker volume}: the volumes kept beside these containers. */
    Volumes volumes();

    // ---- networks ----

    /** {@code docker network}: the bridge networks containers join. */
    Networks networks();

    // ---- events ----

    /**
     * {@code docker events}: delivers the events {@code query} selects to {@code sink} — past
     * ones from {@link EventQuery#since()} on, then new ones as they happen (in this or any
     * other process of the user) until {@link EventQuery#until()} passes, the sink returns
     * false, or the thread is interrupted.
     */
    void events(EventQuery query, EventQuery.Sink sink) throws InterruptedException;

    /** The reference names no recorded container ("No such container: x"), or an ambiguous prefix. */
    class NoSuchContainerException extends ContainerException {
        public NoSuchContainerException(String message) {
            super(message);
        }
    }

    /** A path the verb names is not in the container's filesystem (docker cp's "Could not find the file", a 404). */
    class NoSuchPathException extends ContainerException {
        public NoSuchPathException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The container is not in a state the verb allows (docker's 409 Conflict): a name in use, a
     * running container removed without force, a paused one paused again.
     */
    class ConflictException extends ContainerException {
        public ConflictException(String message) {
            super(message);
        }
    }

    /** A verb this runtime cannot do yet; the message says what is missing. */
    class NotSupportedYetException extends ContainerException {
        public NotSupportedYetException(String message) {
            super(message);
        }
    }
}
