package io.jcontainer.linux.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Signal;
import io.jcontainer.linux.Settings;
import io.jcontainer.linux.cgroup.CgroupFs;
import io.jcontainer.linux.cgroup.RecordedFreezer;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The containers of this host that other processes can see: one directory per container under
 * {@code /run/jcontainer/containers/<id>/} (root) or {@code $XDG_RUNTIME_DIR/jcontainer/containers/<id>/}
 * (rootless), holding {@code state.json} (an OCI state: {@link StateFile}), its configuration
 * ({@code config.json} and {@code jcontainer.json}: {@link StoredSpec}) and, once the payload has
 * exited, the {@code exit} record its monitor (the launcher) wrote. Lists, finds (by name, full id or unique id prefix,
 * as docker), signals, stops and removes containers of any process, and sweeps what JVMs that
 * died left behind.
 *
 * <p>Whether a container runs is decided from the kernel, never from the file alone: its pid
 * must exist with the recorded start time (pids are recycled). Name reservations take an
 * exclusive lock on {@code <root>/.lock} so two processes cannot claim one name.
 */
public final class ContainerStore {
    public static final String STATE = "state.json", EXIT = "exit", LOG = "container.log", STOPPED = "stopped", PID = "pid", ATTACH = "attach";
    /** Built on first use: a verb that reads no state file (ps of an empty store) loads no Jackson. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private final Path root;
    /** The kernel: signals, cgroup files and directories, this process's ids (the seam; tests hand a fake). */
    private final Syscalls sys;

    public ContainerStore(Path root) {
        this(root, NativeSyscalls.INSTANCE);
    }

    public ContainerStore(Path root, Syscalls sys) {
        this.root = root;
        this.sys = sys;
    }

    /**
     * /run/jcontainer/containers for root, $XDG_RUNTIME_DIR/jcontainer/containers otherwise;
     * {@link Settings#stateDir()} ({@code jcontainer.stateDir}, {@code JCONTAINER_STATE_DIR})
     * chooses another (tests, several independent users of one host).
     */
    public static ContainerStore forUser(Syscalls sys) {
        int euid = sys.geteuid();
        Optional<Path> override = Settings.stateDir();
        if (override.isPresent()) return new ContainerStore(override.get(), sys);
        if (euid == 0) return new ContainerStore(Path.of("/run/jcontainer/containers"), sys);
        Path base = Settings.xdgRuntimeDir().orElse(Path.of("/tmp", "jcontainer-" + euid));
        return new ContainerStore(base.resolve("jcontainer").resolve("containers"), sys);
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    /** How a recorded container is doing now. */
    public enum Status { CREATED, RUNNING, RESTARTING, EXITED, DEAD }

    /**
     * A recorded container and what the kernel and its exit record say about it now. As docker's,
     * a paused container is still running ({@code Up 5 seconds (Paused)}): {@code paused} says its
     * cgroup freezer holds it.
     */
    public record Entry(ContainerState state, Status status, ContainerExit exit, Instant finished, boolean paused) {
        public Entry(ContainerState state, Status status, ContainerExit exit, Instant finished) {
            this(state, status, exit, finished, false);
        }

        public boolean running() {
            return status == Status.RUNNING;
        }
    }

    // ---- recording ----

    /**
     * Reserves the container's directory and name before it starts. Throws
     * {@link NameInUseException} when another recorded container has the name (docker keeps names
     * of exited containers until they are removed, and so does this).
     */
    public void create(ContainerState s) {
        withLock(() -> {
            if (s.name() != null)
                for (Entry e : list())
                    if (s.name().equals(e.state().name()))
                        throw new NameInUseException("Conflict. The container name \"/" + s.name() + "\" is already in use by container \""
                                + e.state().id() + "\". You have to remove (or rename) that container to be able to reuse that name.");
            makeDirAndWrite(s);
            return null;
        });
    }

    /**
     * As {@link #create}, for a record without a name: gives it a generated one
     * ({@link GeneratedNames}) that no record uses, under the same lock. Returns the record as
     * written.
     */
    public ContainerState createNamed(ContainerState s) {
        if (s.name() != null) {
            create(s);
            return s;
        }
        return withLock(() -> {
            java.util.Set<String> taken = new java.util.HashSet<>();
            for (Entry e : list()) if (e.state().name() != null) taken.add(e.state().name());
            ContainerState named = s.withName(GeneratedNames.next(taken));
            makeDirAndWrite(named);
            return named;
        });
    }

    /**
     * docker rename: gives a recorded container another name, under the lock that reserves names;
     * refuses one another record has.
     */
    public void rename(String id, String newName) {
        if (newName == null || !newName.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*"))
            throw new io.jcontainer.InvalidSpecException("name", "Invalid container name (" + newName + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        withLock(() -> {
            Entry self = null;
            for (Entry e : list()) {
                if (e.state().id().equals(id)) self = e;
                else if (newName.equals(e.state().name()))
                    throw new NameInUseException("Conflict. The container name \"/" + newName + "\" is already in use by container \""
                            + e.state().id() + "\". You have to remove (or rename) that container to be able to reuse that name.");
            }
            if (self == null) throw new NoSuchContainerException("No such container: " + id);
            if (newName.equals(self.state().name()))
                throw new NameInUseException("Renaming a container with the same name as its current name");
            write(self.state().withName(newName));
            return null;
        });
    }

    /**
     * A directory (owner only) for files an unrecorded container needs while it starts, e.g. its
     * /etc files until its bind mounts hold them. A dot name: {@link #list()} skips it. The caller
     * removes it; a JVM killed during the start cannot, so the directory names its maker (pid and
     * start time, in {@value #SCRATCH_OWNER}) and {@link #sweep()} removes those whose maker is gone.
     */
    public Path scratchDir(String id) {
        return withLock(() -> {
            Path d = root.resolve(SCRATCH_PREFIX + id);
            try {
                Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                long pid = ProcessHandle.current().pid();
                Files.writeString(d.resolve(SCRATCH_OWNER), pid + " " + ProcStat.startTime(pid) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return d;
        });
    }

    static final String SCRATCH_PREFIX = ".start-", SCRATCH_OWNER = "owner";

    /**
     * Removes the scratch directories of starts whose JVM is gone (killed between making one and
     * removing it). One without an owner file (made before owners were recorded, or cut short
     * between the directory and the file) goes once it is an hour old: a start takes seconds.
     * Returns how many went.
     */
    int sweepScratchDirs() {
        int n = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, SCRATCH_PREFIX + "*")) {
            for (Path d : dirs) {
                if (!Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS) || scratchOwnerAlive(d)) continue;
                deleteTree(d);
                n++;
            }
        } catch (IOException | UncheckedIOException e) {
            // the next sweep retries
        }
        return n;
    }

    private static boolean scratchOwnerAlive(Path d) throws IOException {
        try {
            String[] owner = Files.readString(d.resolve(SCRATCH_OWNER)).trim().split(" ");
            return ProcStat.alive(Long.parseLong(owner[0]), Long.parseLong(owner[1]));
        } catch (NoSuchFileException | NumberFormatException | ArrayIndexOutOfBoundsException noOwner) {
            return Files.getLastModifiedTime(d, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant()
                    .isAfter(Instant.now().minus(Duration.ofHours(1)));
        }
    }

    /** The record's directory (owner only) and its state.json; under the store's lock. */
    private void makeDirAndWrite(ContainerState s) {
        try {
            Files.createDirectories(dir(s.id()), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        write(s);
    }

    /** Rewrites state.json (an OCI state: {@link StateFile}) atomically (temporary file, then rename). */
    public void write(ContainerState s) {
        Path d = dir(s.id()), tmp = d.resolve(STATE + ".tmp");
        try {
            Files.write(tmp, Json.MAPPER.writeValueAsBytes(StateFile.toJson(Json.MAPPER, s, d)));
            try {
                Files.move(tmp, d.resolve(STATE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, d.resolve(STATE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file the monitor writes the exit status to. */
    public Path exitFile(String id) {
        return dir(id).resolve(EXIT);
    }

    /** Left by a manual stop, kill or removal: the monitor then no longer applies the restart policy. */
    public Path stopMarker(String id) {
        return dir(id).resolve(STOPPED);
    }

    /** The pid of the current child of a monitor that restarts it (absent before the first restart). */
    public Path pidFile(String id) {
        return dir(id).resolve(PID);
    }

    private void markStopped(ContainerState s) {
        try {
            Files.writeString(stopMarker(s.id()), "");
        } catch (IOException ignored) {
            // the directory is gone: so is the container
        }
    }

    /** The log its monitor writes (rotated to .1, .2, ...), when its output is logged. */
    public Path logFile(String id) {
        return dir(id).resolve(LOG);
    }

    /** The unix socket its monitor serves attach clients on (detached containers with a log, a terminal or piped stdin). */
    public Path attachSocket(String id) {
        return dir(id).resolve(ATTACH);
    }

    /**
     * {@code docker attach}: connects to the monitor of a running detached container. Its output
     * (from now on) and exit come through the session; input reaches its stdin when it was
     * started with piped stdin or a terminal and {@code -i}. Refuses, with docker's message, a
     * container that is not running.
     */
    public io.jcontainer.linux.attach.AttachSession attach(Entry e) {
        // a created one whose process waits for its start is served too (docker's start -a attaches before it starts)
        if (!e.running() && !(e.status() == Status.CREATED && e.state().pid() > 0))
            throw new ContainerNotRunningException("You cannot attach to a stopped container, start it first");
        Path socket = attachSocket(e.state().id());
        if (!Files.exists(socket))
            throw new ContainerException("container " + e.state().shortId() + " cannot be attached to: its monitor serves no attach socket"
                    + " (only detached containers are)");
        return e.status() == Status.CREATED ? io.jcontainer.linux.attach.AttachSession.connectBeforeStart(socket)
                : io.jcontainer.linux.attach.AttachSession.connect(socket);
    }

    /** Forgets a container: its directory and its (empty) cgroup directories. */
    public void delete(ContainerState s) {
        removeCgroups(s);
        deleteTree(dir(s.id()));
    }

    /**
     * Removes the container's cgroup directories (rmdir: the kernel refuses while tasks remain).
     * Tasks SIGKILLed a moment ago may still be exiting (EBUSY), so retry for up to a second;
     * what is still busy then is left to the cgroup manager's sweep of empty detached cgroups.
     */
    public void removeCgroups(ContainerState s) {
        long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        for (String cg : RecordCheck.ownCgroupDirs(s)) {
            while (true) {
                try {
                    sys.rmdir(cg);
                    break;
                } catch (SyscallException busy) {
                    if (busy.errno() == Errno.ENOENT || System.nanoTime() > end) break;
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
    }

    // ---- reading ----

    /** Every recorded container, oldest first. Unreadable entries (half-written, foreign) are skipped. */
    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        checkOwnership();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path d : ds) {
                if (!Files.isDirectory(d) || d.getFileName().toString().startsWith(".")) continue;
                read(d).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // a lambda of our own, not Comparator.comparing: the JDK's lambda inside it is spun at run
        // time (the AOT cache keeps this class's lambdas, not that one), at every container start
        if (out.size() > 1) out.sort((a, b) -> created(a).compareTo(created(b)));
        return out;
    }

    private static String created(Entry e) {
        return e.state().created() == null ? "" : e.state().created();
    }

    private Optional<Entry> read(Path d) {
        ContainerState s;
        try {
            s = StateFile.fromJson(io.jcontainer.oci.runtime.JsonTrees.read(d.resolve(STATE)), d.resolve(STATE));
        } catch (IOException | ContainerException e) {
            return Optional.empty();
        }
        return Optional.of(entry(s));
    }

    /**
     * The restart policy's pid file: {@code PID RESTARTS} (the child the monitor runs now and how
     * often the policy restarted it — docker's RestartCount). A file of only the pid counts none.
     */
    private long[] pidFileValues(String id) throws IOException {
        String[] f = Files.readString(pidFile(id)).trim().split(" ");
        return new long[]{Long.parseLong(f[0]), f.length > 1 ? Long.parseLong(f[1]) : 0};
    }

    /** How often the restart policy restarted the container's process since its last start (0 without a policy). */
    public int restartCount(ContainerState s) {
        if (!s.restarts()) return 0;
        try {
            return (int) pidFileValues(s.id())[1];
        } catch (IOException | RuntimeException none) {
            return 0; // not started yet, or a record from before the count
        }
    }

    /** The entry of a state as the kernel sees it now (with the current pid, after restarts). */
    public Entry entry(ContainerState s) {
        if (s.pid() <= 0) return new Entry(s, Status.CREATED, null, null);
        if (RecordCheck.monitorless(s)) {
            // as runc derives it: created while its start FIFO is there (start removes it), no exit record
            if (!RecordCheck.isContainerProcess(s, s.pid(), s.pidStartTime())) return exited(s);
            if (Files.exists(dir(s.id()).resolve("exec.fifo"))) return new Entry(s, Status.CREATED, null, null);
            return new Entry(s, Status.RUNNING, null, null, frozen(s));
        }
        // created (docker create): its process waits for start at its FIFO, never started yet
        if (s.started() == null && RecordCheck.isContainerProcess(s, s.pid(), s.pidStartTime())) return new Entry(s, Status.CREATED, null, null);
        // running only as the recorded monitor's child: the file alone may name anyone (row 36)
        if (RecordCheck.isContainerProcess(s, s.pid(), s.pidStartTime())) return new Entry(s, Status.RUNNING, null, null, frozen(s));
        if (s.restarts()) {
            // a restarted child: trusted only as the live child of the recorded monitor
            try {
                long pid = pidFileValues(s.id())[0];
                String[] f = ProcStat.fields(pid);
                if (pid != s.pid() && f != null && RecordCheck.isContainerProcess(s, pid, -1))
                    return new Entry(s.started(pid, ProcStat.startTime(pid), s.launcherPid(), s.started()), Status.RUNNING, null, null, frozen(s));
            } catch (IOException | RuntimeException ignored) {
                // no restart yet
            }
            if (RecordCheck.isLauncher(s.launcherPid()) && !Files.exists(stopMarker(s.id()))) {
                Entry last = exited(s);
                return new Entry(s, Status.RESTARTING, last.exit(), last.finished());
            }
        }
        return exited(s);
    }

    private Entry exited(ContainerState s) {
        Path exit = exitFile(s.id());
        try {
            String[] f = Files.readString(exit).trim().split(" ");
            int code = Integer.parseInt(f[0]), status = Integer.parseInt(f[1]);
            ContainerExit e = switch (code) {
                case 1 -> ContainerExit.exited(status);
                case 3 -> new ContainerExit(0, status, true, false);
                default -> ContainerExit.killed(status);
            };
            if (f.length > 2 && f[2].equals("1")) e = e.withOomKilled(true); // the monitor saw the OOM killer's count grow
            return new Entry(s, Status.EXITED, e, Files.getLastModifiedTime(exit).toInstant());
        } catch (NoSuchFileException e) {
            return new Entry(s, Status.DEAD, null, null); // its monitor died with it (SIGKILL, JVM crash)
        } catch (IOException | RuntimeException e) {
            return new Entry(s, Status.DEAD, null, null);
        }
    }

    /**
     * Finds a container as docker does: a full id, then a name, then a unique id prefix. Throws
     * {@link NoSuchContainerException} with docker's wording when none or several match.
     */
    public Entry find(String ref) {
        return find(ref, list());
    }

    /** As {@link #find(String)}, among entries just listed. */
    public Entry find(String ref, List<Entry> all) {
        for (Entry e : all) if (e.state().id().equals(ref)) return e;
        String name = ref.startsWith("/") ? ref.substring(1) : ref;
        for (Entry e : all) if (name.equals(e.state().name())) return e;
        List<Entry> prefixed = new ArrayList<>();
        if (!ref.isEmpty()) for (Entry e : all) if (e.state().id().startsWith(ref)) prefixed.add(e);
        if (prefixed.size() == 1) return prefixed.getFirst();
        if (prefixed.size() > 1) throw new NoSuchContainerException("multiple IDs found with provided prefix: " + ref);
        throw new NoSuchContainerException("No such container: " + ref);
    }

    /**
     * {@code docker inspect}: the record, what the kernel says about it now, exit code and
     * times, as JSON.
     */
    public String inspect(Entry e) {
        var root = Json.MAPPER.createObjectNode();
        ContainerState s = e.state();
        root.put("Id", s.id());
        root.put("Name", "/" + (s.name() == null ? "" : s.name()));
        root.put("Created", s.created());
        root.put("Path", s.command().isEmpty() ? "" : s.command().getFirst());
        var args = root.putArray("Args");
        s.command().stream().skip(1).forEach(args::add);
        var st = root.putObject("State");
        st.put("Status", switch (e.status()) {
            case CREATED -> "created";
            case RUNNING -> e.paused() ? "paused" : "running";
            case RESTARTING -> "restarting";
            case EXITED -> "exited";
            case DEAD -> "dead";
        });
        st.put("Running", e.running());
        st.put("Paused", e.paused());
        st.put("Restarting", e.status() == Status.RESTARTING);
        st.put("Pid", e.running() ? s.pid() : 0);
        st.put("ExitCode", e.exit() == null ? 0 : e.exit().code());
        st.put("OOMKilled", e.exit() != null && e.exit().oomKilled());
        st.put("StartedAt", s.started());
        st.put("FinishedAt", e.finished() == null ? null : e.finished().toString());
        st.put("MonitorPid", s.launcherPid());
        root.put("LogPath", s.logPath());
        var cfg = root.putObject("Config");
        ContainerState.Streams io = s.streams() == null ? new ContainerState.Streams(false, false, false, false, false) : s.streams();
        cfg.put("AttachStdin", io.attachStdin());
        cfg.put("AttachStdout", io.attachStdout());
        cfg.put("AttachStderr", io.attachStderr());
        cfg.put("Tty", io.tty());
        cfg.put("OpenStdin", io.openStdin());
        cfg.put("Image", s.image());
        var cmd = cfg.putArray("Cmd");
        s.command().forEach(cmd::add);
        cfg.put("StopSignal", "SIG" + (s.stopSignal() == null ? "TERM" : s.stopSignal()));
        cfg.put("Init", s.init());
        var host = root.putObject("HostConfig");
        host.putObject("RestartPolicy").put("Name", s.restartPolicy() == null ? "no" : s.restartPolicy());
        host.put("AutoRemove", s.autoRemove());
        cfg.put("Detached", s.detached());
        cfg.put("PidNamespace", s.pidNamespace());
        var cg = root.putArray("CgroupPaths");
        s.cgroupDirs().forEach(cg::add);
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    // ---- acting on another process's containers ----

    /**
     * Sends a signal to the container's first process; refuses if it is not running. A paused
     * container gets other signals when it is unpaused; SIGKILL is made to act at once (the
     * freezer is thawed after it, as runc does), so {@code kill} of a paused container ends it.
     */
    public void signal(Entry e, Signal signal) {
        ContainerState s = e.state();
        verified(s, "signal");
        kill(s.pid(), signal.number());
        if (signal == Signal.KILL && e.paused()) freezer(s).ifPresent(RecordedFreezer::thaw);
    }

    /**
     * Throws unless the record's pid is its container's process: not running, or — when a process
     * with that pid and start time runs but is not the recorded monitor's child — a record that
     * names a foreign process, which is never signalled.
     */
    private static void verified(ContainerState s, String verb) {
        if (RecordCheck.isContainerProcess(s, s.pid(), s.pidStartTime())) return;
        if (!ProcStat.alive(s.pid(), s.pidStartTime()))
            throw new ContainerNotRunningException("container " + s.shortId() + " is not running");
        throw new ContainerException("refusing to " + verb + " container " + s.shortId() + ": its state.json names pid " + s.pid()
                + ", which is not a child of its jcontainer monitor (pid " + s.launcherPid() + "); the record may have been tampered with");
    }

    /**
     * docker stop -t: the stop signal, {@code grace} to exit, then SIGKILL to every process
     * (PID 1 of its namespace, else its process group and every task of its cgroups). Returns
     * its exit when its monitor recorded one. A container that is not running is left as it is.
     */
    public Optional<ContainerExit> stop(Entry e, Duration grace) throws InterruptedException {
        ContainerState s = e.state();
        markStopped(s);
        if (e.status() == Status.RESTARTING) { // between two runs: the monitor sees the marker after its back-off
            await(Duration.ofSeconds(30), () -> !ProcStat.alive(s.launcherPid(), -1));
            return Optional.ofNullable(entry(s).exit());
        }
        if (!e.running()) {
            if (ProcStat.alive(s.pid(), s.pidStartTime())) verified(s, "stop"); // a record naming a foreign process
            return Optional.ofNullable(e.exit());
        }
        Signal stop = s.stopSignal() == null ? Signal.TERM : Signal.parse(s.stopSignal());
        if (RecordCheck.isContainerProcess(s, s.pid(), s.pidStartTime())) kill(s.pid(), stop.number());
        if (!await(grace, () -> !ProcStat.alive(s.pid(), s.pidStartTime()))) killAll(s);
        // the monitor writes the exit record, then ends (no restart: the marker is there)
        await(Duration.ofSeconds(10), () -> !ProcStat.alive(s.pid(), s.pidStartTime()) && !ProcStat.alive(s.launcherPid(), -1));
        return Optional.ofNullable(entry(s).exit());
    }

    /**
     * SIGKILL to everything of the container, as {@link #stop} does after the grace period. A
     * paused container is thawed after the kills are queued: on cgroup v1 a frozen task acts on no
     * signal, SIGKILL included, until it is thawed (runc does the same); the kills are then the
     * first thing each task sees, so nothing runs on.
     */
    public void killAll(ContainerState s) {
        markStopped(s);
        boolean ours = RecordCheck.isContainerProcess(s, s.pid(), s.pidStartTime());
        if (ours && !s.pidNamespace()) kill(-s.pid(), Signal.KILL.number());
        if (ours) kill(s.pid(), Signal.KILL.number());
        for (String cg : RecordCheck.ownCgroupDirs(s)) {
            try {
                for (String line : new String(sys.readFile(cg + "/cgroup.procs"), StandardCharsets.US_ASCII).split("\n"))
                    if (!line.isBlank()) kill(Long.parseLong(line.trim()), Signal.KILL.number());
            } catch (RuntimeException ignored) {
                // the cgroup is gone: nothing left in it
            }
        }
        freezer(s).ifPresent(f -> {
            try {
                if (f.frozen() || f.holdsKills()) f.thaw();
            } catch (RuntimeException ignored) {
                // the cgroup is gone: so are its tasks
            }
        });
    }

    // ---- pause ----

    /**
     * docker pause: freezes every task of a running container through its cgroup freezer (v1
     * {@code freezer.state}, v2 {@code cgroup.freeze}) and returns once the kernel reports them
     * frozen. A process cannot notice or resist it, unlike SIGSTOP.
     */
    public void pause(Entry e) {
        ContainerState s = e.state();
        if (e.status() == Status.RESTARTING)
            throw new PauseStateException("Container " + s.id() + " is restarting, wait until the container is running");
        if (!e.running()) throw new ContainerNotRunningException("container " + s.id() + " is not running");
        if (e.paused()) throw new PauseStateException("container " + s.id() + " is already paused");
        requireFreezer(s, "pause").freeze();
    }

    /** docker unpause: thaws a paused container. */
    public void unpause(Entry e) {
        ContainerState s = e.state();
        if (!e.paused()) throw new PauseStateException("Container " + s.id() + " is not paused");
        requireFreezer(s, "unpause").thaw();
    }

    private static RecordedFreezer requireFreezer(ContainerState s, String verb) {
        return freezer(s).orElseThrow(() -> new HostUnsupportedException("cannot " + verb + " container " + s.id()
                + ": it has no cgroup freezer (" + (s.cgroupDirs().isEmpty()
                ? "no writable cgroup hierarchy with a freezer was available to this user when it started: on cgroup v1 only root can create cgroups"
                : "none of " + s.cgroupDirs() + " has freezer.state or cgroup.freeze") + ")",
                "run it as root, or on cgroup v2 in a delegated cgroup (systemd-run --user --scope -p Delegate=yes ...)"));
    }

    private static Optional<RecordedFreezer> freezer(ContainerState s) {
        List<String> own = RecordCheck.ownCgroupDirs(s);
        if (own.isEmpty()) return Optional.empty();
        return RecordedFreezer.find(CgroupFsHolder.FS, own);
    }

    /** Whether the container's freezer holds it (FROZEN; a freeze under way does not count yet). */
    private static boolean frozen(ContainerState s) {
        try {
            return freezer(s).map(RecordedFreezer::frozen).orElse(false);
        } catch (RuntimeException gone) {
            return false; // the cgroup went away under us: it ended
        }
    }

    /** docker rm [-f]: refuses a running container unless {@code force}, which kills it first. */
    public void remove(Entry e, boolean force) throws InterruptedException {
        ContainerState s = e.state();
        if (e.running() || e.status() == Status.RESTARTING) {
            if (!force)
                throw new ContainerRunningException("You cannot remove a running container " + s.id()
                        + ". Stop the container before attempting removal or force remove");
            killAll(s);
            await(Duration.ofSeconds(10), () -> !ProcStat.alive(s.launcherPid(), -1) && !ProcStat.alive(s.pid(), s.pidStartTime()));
        }
        delete(s);
    }

    /**
     * Removes what JVMs that died left: attached containers whose monitor is gone (it killed
     * them when the JVM's end of its socket closed) and entries that never got a pid.
     * Detached containers stay, running or exited, until removed. Also the scratch directories
     * of starts whose JVM died ({@link #scratchDir}). Returns how many went.
     */
    public int sweep() {
        int n = 0;
        for (Entry e : list()) {
            ContainerState s = e.state();
            boolean monitorAlive = s.launcherPid() > 0 && ProcStat.alive(s.launcherPid(), -1);
            boolean orphaned = !s.detached() && !monitorAlive && !e.running();
            boolean stillborn = s.pid() <= 0 && !monitorAlive && olderThan(s, Duration.ofMinutes(1));
            if (orphaned || stillborn) {
                delete(s);
                n++;
            }
        }
        return n + removeAutoRemoved() + sweepScratchDirs();
    }

    /**
     * docker's auto-removal ({@code --rm}) of containers nobody was attached to when they ended
     * (the CLI's {@code run -t} after a detach): removes the records marked {@code autoRemove}
     * whose monitor recorded their exit and is gone. Docker's daemon does it the moment they
     * exit; without a daemon it happens when a CLI next looks (every lifecycle verb calls this)
     * or a runtime starts. Returns how many went; an entry that vanishes meanwhile is skipped.
     */
    public int removeAutoRemoved() {
        return removeAutoRemoved(list());
    }

    /** As {@link #removeAutoRemoved()}, over entries just listed (a listing reads every record: once is enough). */
    public int removeAutoRemoved(List<Entry> entries) {
        int n = 0;
        for (Entry e : entries) {
            ContainerState s = e.state();
            if (!s.autoRemove() || e.status() != Status.EXITED || (s.launcherPid() > 0 && ProcStat.alive(s.launcherPid(), -1))) continue;
            try {
                // its owned overlay upper (run IMAGE, an API create on a stored image) goes with it, as remove() does
                io.jcontainer.ContainerSpec spec = null;
                try {
                    spec = StoredSpec.read(dir(s.id()));
                } catch (RuntimeException unreadable) {
                    // no spec to read the upper from: the record still goes
                }
                delete(s);
                if (spec != null) io.jcontainer.linux.rootfs.OverlayUpper.removeIfOwned(spec.root());
                n++;
            } catch (RuntimeException raced) {
                // another process removed it first
            }
        }
        return n;
    }

    /**
     * 12-digit id prefixes of the detached containers being started (no pid yet: the cgroup is
     * made before the child moves in) or whose monitor still runs (running, paused, between two
     * restarts): their cgroups are in use even when empty. Empty on any error.
     */
    public java.util.Set<String> detachedInUse() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        try {
            for (Entry e : list())
                if (e.state().detached() && (e.status() == Status.CREATED || ProcStat.alive(e.state().launcherPid(), -1)))
                    ids.add(e.state().shortId());
        } catch (RuntimeException unreadable) {
            // no store to consult: sweep as before
        }
        return ids;
    }

    private static boolean olderThan(ContainerState s, Duration d) {
        try {
            return Instant.parse(s.created()).plus(d).isBefore(Instant.now());
        } catch (RuntimeException e) {
            return true;
        }
    }

    private void checkOwnership() {
        StateDirCheck.check(root, sys.geteuid(), sys.getegid());
    }

    /** kill(2); a process that is already gone (ESRCH) is not an error. */
    private void kill(long pid, int signal) {
        try {
            sys.kill((int) pid, signal);
        } catch (SyscallException e) {
            if (e.errno() != Errno.ESRCH) throw e;
        }
    }

    private static boolean await(Duration d, Supplier<Boolean> cond) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (!cond.get()) {
            if (System.nanoTime() >= end) return false;
            Thread.sleep(20);
        }
        return true;
    }

    private <T> T withLock(Supplier<T> body) {
        try {
            if (!Files.isDirectory(root)) {
                Path existing = root.toAbsolutePath().getParent();
                while (existing != null && !Files.isDirectory(existing)) existing = existing.getParent();
                if (existing != null) StateDirCheck.check(root, existing, sys.geteuid(), sys.getegid());
                Files.createDirectories(root.getParent());
                try {
                    Files.createDirectory(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another process made it
                }
            }
            checkOwnership();
            try (FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return body.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Removes a container's directory while others may still work in it: the monitor of a
     * container killed a moment before writes its exit record or last log line, and removes its
     * attach socket as it exits. An entry gone before the walk reaches it is skipped (a walk that
     * failed on it left a --rm container behind, and docker's CLI waiting for its removal hung);
     * one added after its directory was read makes that directory's removal fail: walk again.
     */
    static void deleteTree(Path p) {
        for (int attempt = 1; ; attempt++) {
            try {
                Files.walkFileTree(p, DELETE);
                return;
            } catch (java.nio.file.DirectoryNotEmptyException late) {
                if (attempt == 5) throw new UncheckedIOException(late);
                try {
                    Thread.sleep(20L * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(late);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Deletes what it visits, symbolic links as themselves; what is already gone is no error. */
    static final java.nio.file.FileVisitor<Path> DELETE = new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
            Files.deleteIfExists(file);
            return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) return java.nio.file.FileVisitResult.CONTINUE; // removed meanwhile
            throw e;
        }

        @Override
        public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) throw e;
            Files.deleteIfExists(dir);
            return java.nio.file.FileVisitResult.CONTINUE;
        }
    };

    /** No recorded container has that name or id (prefix), or the prefix is ambiguous. */
    public static final class NoSuchContainerException extends io.jcontainer.lifecycle.Containers.NoSuchContainerException {
        public NoSuchContainerException(String message) {
            super(message);
        }
    }

    private static final class CgroupFsHolder { // only a store that meets a cgroup pays for the native setup
        static final CgroupFs FS = new CgroupFs(NativeSyscalls.INSTANCE);
    }

    /** pause of a paused container, unpause of one that is not, pause of one between two restarts. */
    public static final class PauseStateException extends io.jcontainer.lifecycle.Containers.ConflictException {
        public PauseStateException(String message) {
            super(message);
        }
    }

    /** Another recorded container has the name asked for. */
    public static final class NameInUseException extends io.jcontainer.lifecycle.Containers.ConflictException {
        public NameInUseException(String message) {
            super(message);
        }
    }

    /** The operation needs a stopped container (rm without force). */
    public static final class ContainerRunningException extends io.jcontainer.lifecycle.Containers.ConflictException {
        public ContainerRunningException(String message) {
            super(message);
        }
    }
}
