package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStats;
import io.jcontainer.ExecSpec;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Resources;
import io.jcontainer.RestartPolicy;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Signal;
import io.jcontainer.lifecycle.AttachSession;
import io.jcontainer.lifecycle.ContainerEvent;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.EventQuery;
import io.jcontainer.lifecycle.ListQuery;
import io.jcontainer.lifecycle.LogOptions;
import io.jcontainer.lifecycle.Volumes;
import io.jcontainer.lifecycle.WaitCondition;
import io.jcontainer.linux.cgroup.CgroupFs;
import io.jcontainer.linux.cgroup.RecordedCgroup;
import io.jcontainer.linux.cgroup.ContainerCgroup;
import io.jcontainer.linux.files.ContainerArchive;
import io.jcontainer.linux.files.RootChanges;
import io.jcontainer.linux.files.ContainerFiles;
import io.jcontainer.linux.state.ContainerLogs;
import io.jcontainer.linux.state.ContainerState;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.state.EventJournal;
import io.jcontainer.linux.state.ContainerTop;
import io.jcontainer.linux.state.HostMemory;
import io.jcontainer.linux.state.ProcNetDev;
import io.jcontainer.linux.state.RecordCheck;
import io.jcontainer.linux.state.StoredSpec;
import io.jcontainer.linux.sys.NativeSyscalls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Containers} over a {@link ContainerStore}: the records are the store's, the verbs its
 * and the runtime's; this adds the stored spec ({@link StoredSpec}: start, restart, exec need
 * nothing but the record) and the event journal ({@link EventJournal}). Without a daemon, exits
 * are noticed by whoever looks next ({@link #noticeExits}): a {@code die} event is appended once
 * per exit, under an exclusive-create marker in the container's directory, with the exit's own
 * time.
 */
final class LinuxContainers implements Containers {
    static final String DIED = "died";

    private final LinuxContainerRuntime runtime;
    private final ContainerStore store;
    private final EventJournal journal;
    private final LinuxVolumes volumes;
    private final LinuxNetworks networks;

    LinuxContainers(LinuxContainerRuntime runtime) {
        this.runtime = runtime;
        this.store = runtime.store();
        this.journal = new EventJournal(store.root());
        this.volumes = new LinuxVolumes(store);
        this.networks = new LinuxNetworks(runtime);
    }

    @Override
    public Path stateDirectory() {
        return store.root();
    }

    // ---- creating and starting ----

    @Override
    public String run(ContainerSpec spec, boolean autoRemove) {
        if (!spec.detached()) throw new InvalidSpecException("detached", "run records a detached container: build the spec with detached(true)");
        Container c = runtime.start(spec, autoRemove);
        try {
            started(c.id(), true);
            return c.id();
        } finally {
            c.close(); // lets go: it lives on
        }
    }

    @Override
    public Attached runAttached(ContainerSpec spec, boolean autoRemove) {
        LinuxContainerRuntime.AttachedStart s = runtime.startAttached(spec, autoRemove);
        String id = s.container().id();
        try {
            started(id, true);
        } finally {
            s.container().close();
        }
        event(id, "attach", Map.of());
        // not entry(): its auto-removal could take the record of one that ended at once before its end is read
        return new Attached(info(store.find(id)), journaled(id, s.session()));
    }

    /**
     * docker create: the record first (it reserves the name), then the runtime's create in the
     * record's directory — the container set up completely, its process waiting at
     * {@code exec.fifo} for {@link #start}, from any process. Its output is logged there
     * ({@code log}), its exit recorded as any detached container's. Listed as {@code created}
     * (a live process never started) until then.
     */
    @Override
    public ContainerInfo create(ContainerSpec spec) {
        return create(spec, false);
    }

    /**
     * runc's create (see the interface): launched as {@link #create} is, its launcher exits once
     * the process waits. The record has no monitor pid and lists the cgroup directories the
     * container was placed in (the monitor would have removed them): {@link #remove} does.
     */
    @Override
    public ContainerInfo createWithoutMonitor(ContainerSpec spec) {
        if (spec.stdin() instanceof io.jcontainer.Stdio.Pipe || spec.stdout() instanceof io.jcontainer.Stdio.Pipe
                || spec.stderr() instanceof io.jcontainer.Stdio.Pipe || (spec.tty() && !(spec.stdin() instanceof io.jcontainer.Stdio.Console)))
            throw new InvalidSpecException("stdio", "a container without a monitor has nobody to hold piped stdio or a terminal:"
                    + " inherit them, or send its terminal to a console socket");
        return create(spec, true);
    }

    @Override
    public Path startFifo(String ref) {
        return io.jcontainer.linux.CreatedContainer.fifo(store.dir(entry(ref).state().id()));
    }

    private ContainerInfo create(ContainerSpec spec, boolean monitorless) {
        ContainerSpec s = spec.detached() ? spec : spec.toBuilder().detached(true).build();
        String id = LinuxContainerRuntime.newId();
        boolean console = s.stdin() instanceof io.jcontainer.Stdio.Console; // the engine's terminal: nothing logged here
        boolean logged = !console && (s.tty() || s.stdout() instanceof io.jcontainer.Stdio.Pipe || s.stderr() instanceof io.jcontainer.Stdio.Pipe);
        boolean stdinOpen = s.stdin() instanceof io.jcontainer.Stdio.Pipe;
        // docker create -it: Tty, OpenStdin and AttachStdin/out/err (what start -a attaches); without -i or -t, none
        boolean attached = s.tty() || stdinOpen;
        ContainerState st = store.createNamed(new ContainerState(id, s.name(), image(s), s.command(), s.init(), s.has(io.jcontainer.Namespace.PID),
                s.stopSignal().name(), 0, 0, 0, Instant.now().toString(), null, true,
                logged ? store.dir(id).resolve("log").toString() : null, List.of(), s.restartPolicy().toString(),
                new ContainerState.Streams(s.tty(), stdinOpen, stdinOpen, attached, attached), false, s.annotations()));
        boolean ok = false;
        try {
            StoredSpec.write(store.dir(id), s);
            List<String> cgroupDirs = new ArrayList<>();
            io.jcontainer.linux.CreatedContainer c = runtime.create(s, store.dir(id), id, monitorless ? null : store.attachSocket(id),
                    monitorless ? cgroupDirs : null);
            store.write(new ContainerState(st.id(), st.name(), st.image(), st.command(), st.init(), st.pidNamespace(), st.stopSignal(),
                    c.pid(), c.pidStartTime(), c.monitorPid(), st.created(), null, true, st.logPath(), cgroupDirs, st.restartPolicy(),
                    st.streams(), false, st.annotations()));
            ok = true;
        } finally {
            if (!ok) store.delete(st);
        }
        event(id, "create", Map.of());
        return find(id);
    }

    private static String image(ContainerSpec s) {
        String named = s.annotations().get(ContainerSpec.Builder.IMAGE_ANNOTATION);
        if (named != null) return named;
        return switch (s.root()) {
            case io.jcontainer.Root.Directory d -> d.path().toString();
            case io.jcontainer.Root.Overlay o -> "overlay:" + o.lowerDirs().getFirst();
            case io.jcontainer.Root.Default d -> "<default>";
        };
    }

    @Override
    public void start(String ref) {
        ContainerStore.Entry e = entry(ref);
        if (e.running() || e.status() == ContainerStore.Status.RESTARTING) return; // docker: a no-op
        ContainerState s = e.state();
        if (e.status() == ContainerStore.Status.CREATED && s.pid() > 0) { // created: its process waits at its FIFO
            runtime.startCreated(store.dir(s.id()));
            store.write(s.started(s.pid(), s.pidStartTime(), s.launcherPid(), Instant.now().toString()));
            event(s.id(), "start", Map.of());
            return;
        }
        ContainerSpec spec = StoredSpec.read(store.dir(s.id()));
        if (spec == null)
            throw new NotSupportedYetException("container " + s.shortId() + " was recorded by an earlier jcontainer without its configuration"
                    + " (" + StoredSpec.FILE + "): it cannot be started again; remove it and run it anew");
        if (!java.util.Objects.equals(spec.name(), s.name())) spec = spec.toBuilder().name(s.name()).build(); // renamed, or a generated name
        try {
            Files.deleteIfExists(store.dir(s.id()).resolve(DIED));
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        runtime.restart(s, spec).close(); // lets go: it lives on
        started(s.id(), false);
    }

    private void started(String id, boolean created) {
        if (created) event(id, "create", Map.of());
        event(id, "start", Map.of());
    }

    @Override
    public void restart(String ref, Duration grace) throws InterruptedException {
        ContainerStore.Entry e = entry(ref);
        if (e.running() || e.status() == ContainerStore.Status.RESTARTING) stop(e, grace(e, grace));
        start(e.state().id());
        event(e.state().id(), "restart", Map.of());
    }

    // ---- finding ----

    @Override
    public List<ContainerInfo> list(ListQuery query) {
        List<ContainerInfo> all = new ArrayList<>();
        for (ContainerStore.Entry e : entries()) all.add(info(e));
        return query.select(all); // before= and since= are relative to the others
    }

    @Override
    public ContainerInfo find(String ref) {
        return info(entry(ref));
    }

    /** The store's entries, after what a daemon would have done since: auto-removals, die events. */
    private List<ContainerStore.Entry> entries() {
        List<ContainerStore.Entry> all = store.list();
        if (removeAutoRemoved(all)) all = store.list(); // listed again only when some went
        noticeExits(all);
        return all;
    }

    private ContainerStore.Entry entry(String ref) {
        List<ContainerStore.Entry> all = store.list();
        if (removeAutoRemoved(all)) all = store.list();
        ContainerStore.Entry e = store.find(ref, all);
        noticeExits(List.of(e));
        return e;
    }

    /** docker's --rm of the ones that exited; what they held on networks goes with them. True when any went. */
    private boolean removeAutoRemoved(List<ContainerStore.Entry> all) {
        if (store.removeAutoRemoved(all) == 0) return false;
        try {
            runtime.sweepNetworks();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(LinuxContainers.class).warn("jcontainer: sweeping network endpoints failed: {}", e.getMessage());
        }
        return true;
    }

    /** The stored spec, or null when there is none or it cannot be read (a record of the format before). */
    private ContainerSpec specOrNull(String id) {
        try {
            return StoredSpec.read(store.dir(id));
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /** A stop's grace: the one asked for, else the container's {@code --stop-timeout}, else docker's 10 s. */
    private Duration grace(ContainerStore.Entry e, Duration asked) {
        if (asked != null) return asked;
        ContainerSpec spec = specOrNull(e.state().id());
        return spec == null ? ContainerSpec.DEFAULT_STOP_TIMEOUT : spec.effectiveStopTimeout();
    }

    private ContainerInfo info(ContainerStore.Entry e) {
        ContainerState s = e.state();
        ContainerSpec spec;
        try {
            spec = StoredSpec.read(store.dir(s.id()));
        } catch (RuntimeException unreadable) {
            spec = null; // still listed and removable; start says why
        }
        ContainerInfo.Status status = switch (e.status()) {
            case CREATED -> ContainerInfo.Status.CREATED;
            case RUNNING -> e.paused() ? ContainerInfo.Status.PAUSED : ContainerInfo.Status.RUNNING;
            case RESTARTING -> ContainerInfo.Status.RESTARTING;
            case EXITED -> ContainerInfo.Status.EXITED;
            case DEAD -> ContainerInfo.Status.DEAD;
        };
        ContainerState.Streams st = s.streams();
        ContainerInfo.Health health = spec == null || spec.healthcheck() == null ? null
                : io.jcontainer.linux.state.HealthRecord.read(store.dir(s.id()));
        return new ContainerInfo(s.id(), s.name(), s.image(), s.command(), spec, status,
                e.running() || (status == ContainerInfo.Status.CREATED && s.pid() > 0) ? s.pid() : 0, instant(s.created()),
                instant(s.started()), e.finished(), e.exit(), s.autoRemove(), s.restartPolicy() == null ? "no" : s.restartPolicy(),
                st == null ? null : new ContainerInfo.Streams(st.tty(), st.openStdin(), st.attachStdin(), st.attachStdout(), st.attachStderr()),
                spec == null ? Map.of() : spec.annotations(), s.cgroupDirs(), s.logPath(), s.launcherPid(), health, store.restartCount(s));
    }

    @Override
    public void runHealthChecks(String ref) throws InterruptedException {
        String id = entry(ref).state().id();
        // docker's event: "health_status: healthy"
        HealthChecks.run(this, id, store.dir(id), (cid, attrs) -> event(cid, "health_status: " + attrs.get("healthStatus"), Map.of()));
    }

    private static Instant instant(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Appends the {@code die} (and {@code oom}) events of exits nobody has reported yet: the
     * monitor that recorded the exit is C and appends no events, and there is no daemon.
     */
    void noticeExits(List<ContainerStore.Entry> entries) {
        for (ContainerStore.Entry e : entries) {
            if (e.status() != ContainerStore.Status.EXITED && e.status() != ContainerStore.Status.DEAD) continue;
            if (e.state().pid() <= 0) continue;
            // no exit record yet while its monitor lives: it is writing it (reported at the next look)
            if (e.status() == ContainerStore.Status.DEAD && e.state().launcherPid() > 0
                    && io.jcontainer.linux.state.ProcStat.alive(e.state().launcherPid(), -1)) continue;
            try {
                Files.createFile(store.dir(e.state().id()).resolve(DIED));
            } catch (FileAlreadyExistsException | NoSuchFileException reported) {
                continue; // reported already, or removed meanwhile
            } catch (IOException x) {
                continue; // an unwritable record: its die goes unreported rather than failing a listing
            }
            releaseNetwork(e.state().id()); // what a daemon would do as it exits: its veth, address and rules go
            releaseRoot(e.state().id());    // and a fuse-overlayfs root's mount (its daemon ends with it)
            Instant at = e.finished() != null ? e.finished() : Instant.now();
            ContainerExit exit = e.exit();
            if (exit != null && exit.oomKilled()) journal.append(event(e.state(), at, "oom", Map.of()));
            journal.append(event(e.state(), at, "die", Map.of("exitCode", String.valueOf(exit == null ? -1 : exit.code()))));
        }
    }

    // ---- running ones ----

    @Override
    public AttachSession attach(String ref) {
        ContainerStore.Entry e = entry(ref);
        AttachSession s = store.attach(e);
        event(e.state().id(), "attach", Map.of());
        return journaled(e.state().id(), s);
    }

    /** A session whose close appends {@code detach}. */
    private AttachSession journaled(String id, AttachSession s) {
        return new ForwardingSession(s) {
            private boolean closed;

            @Override
            public synchronized void close() {
                s.close();
                if (closed) return;
                closed = true;
                try {
                    event(id, "detach", Map.of());
                } catch (RuntimeException removed) {
                    // removed meanwhile (auto-removal): no record to name it by
                }
            }
        };
    }

    @Override
    public void logs(String ref, LogOptions o, OutputStream stdout, OutputStream stderr) throws IOException, InterruptedException {
        ContainerStore.Entry e = entry(ref);
        ContainerSpec spec = specOrNull(e.state().id());
        if (e.state().logPath() == null && spec != null && spec.logConfig().driver() == io.jcontainer.LogConfig.Driver.NONE)
            throw new NotSupportedYetException("configured logging driver does not support reading (container "
                    + e.state().shortId() + " runs with --log-driver none)");
        if (e.state().logPath() == null)
            throw new NotSupportedYetException("container " + e.state().shortId() + " has no log (only detached containers are logged)");
        new ContainerLogs(Path.of(e.state().logPath())).print(new ContainerLogs.Options(o.follow(), o.timestamps(), o.tail(), o.since(), o.until()),
                stdout, stderr, () -> store.entry(e.state()).running());
    }

    /**
     * Read from the cgroup directories the record names (only jcontainer's own, at real cgroup
     * paths: {@code RecordCheck.ownCgroupDirs}) and, when the container has a network namespace
     * of its own, from {@code /proc/PID/net/dev} of its process — verified to be the container's
     * just before ({@link #running}).
     */
    @Override
    public ContainerStats stats(String ref) {
        ContainerStore.Entry e = running(ref);
        ContainerCgroup cg = RecordedCgroup.of(new CgroupFs(NativeSyscalls.INSTANCE), RecordCheck.ownCgroupDirs(e.state()));
        if (cg == null)
            throw new NotSupportedYetException("container " + e.state().shortId() + " has no cgroup this user can read (started without one,"
                    + " e.g. rootless without a delegated cgroup): no statistics");
        ContainerStats st = cg.stats();
        if (st.memoryLimitBytes() < 0 || st.memoryLimitBytes() > HostMemory.total()) st = st.withMemoryLimit(HostMemory.total());
        long[] net = ProcNetDev.ownNamespaceBytes(e.state().pid());
        return net == null ? st : st.withNetwork(net[0], net[1]);
    }

    @Override
    public ProcessList top(String ref) {
        ContainerStore.Entry e = running(ref);
        try {
            return new ProcessList(ContainerTop.TITLES, ContainerTop.rows(e.state().pid(), e.state().pidNamespace()));
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    @Override
    public ProcessList top(String ref, List<String> psOptions) {
        if (psOptions.isEmpty()) return top(ref);
        ContainerStore.Entry e = running(ref);
        try {
            return ContainerTop.ps(e.state().pid(), e.state().pidNamespace(), psOptions);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    private ContainerStore.Entry running(String ref) {
        ContainerStore.Entry e = entry(ref);
        if (!e.running()) throw new ContainerNotRunningException("container " + e.state().id() + " is not running");
        return e;
    }

    /**
     * A container a process can join: a running one, or a created one, whose namespaces and
     * cgroups are complete while its first process waits for start (runc execs into both).
     */
    private ContainerStore.Entry joinable(String ref) {
        ContainerStore.Entry e = entry(ref);
        if (!e.running() && !(e.status() == ContainerStore.Status.CREATED && e.state().pid() > 0))
            throw new ContainerNotRunningException("container " + e.state().id() + " is not running");
        return e;
    }

    @Override
    public ContainerProcess exec(String ref, ExecSpec exec) {
        ContainerStore.Entry e = joinable(ref);
        String id = e.state().id();
        ContainerSpec spec = StoredSpec.read(store.dir(id));
        if (spec == null)
            throw new NotSupportedYetException("container " + e.state().shortId() + " was recorded by an earlier jcontainer without its configuration"
                    + " (" + StoredSpec.FILE + "): exec needs its security settings; remove it and run it anew");
        String execId = HexFormat.of().formatHex(random32());
        Map<String, String> a = Map.of("execID", execId, "commandLine", String.join(" ", exec.command()));
        event(id, "exec_create", a);
        ContainerProcess p = runtime.exec(e.state(), spec, exec);
        event(id, "exec_start", a);
        p.onExit().thenAccept(x -> {
            Map<String, String> d = new LinkedHashMap<>(a);
            d.put("exitCode", String.valueOf(x.code()));
            try {
                event(id, "exec_die", d);
            } catch (RuntimeException removed) {
                // the container went meanwhile
            }
        });
        return p;
    }

    @Override
    public String execDetached(String ref, ExecSpec exec) {
        String execId = HexFormat.of().formatHex(random32());
        detachedExec(ref, exec, execId, false);
        return execId;
    }

    @Override
    public DetachedExec execDetachedProcess(String ref, ExecSpec exec) {
        String execId = HexFormat.of().formatHex(random32());
        int[] pids = new int[2];
        detachedExec(ref, exec, execId, false, pids);
        return new DetachedExec(execId, pids[0], pids[1]);
    }

    @Override
    public DetachedExec execWithoutMonitor(String ref, ExecSpec exec) {
        String execId = HexFormat.of().formatHex(random32());
        int[] pids = new int[2];
        detachedExec(ref, exec, execId, false, pids, true);
        return new DetachedExec(execId, pids[0], 0);
    }

    @Override
    public AttachSession execAttached(String ref, ExecSpec exec) {
        if (!exec.tty() && !(exec.stdin() instanceof io.jcontainer.Stdio.Pipe))
            throw new InvalidSpecException("exec", "an attached exec needs a terminal or piped stdin (its monitor holds them)");
        String execId = HexFormat.of().formatHex(random32());
        String id = entry(ref).state().id();
        AttachSession s = detachedExec(id, exec, execId, true);
        Path log = store.dir(id).resolve("exec-" + execId.substring(0, 12) + ".log");
        Map<String, String> a = Map.of("execID", execId, "commandLine", String.join(" ", exec.command()));
        return new ForwardingSession(s) {
            @Override
            public Optional<ContainerExit> copyOutput(OutputStream stdout, OutputStream stderr) throws IOException {
                Optional<ContainerExit> x = s.copyOutput(stdout, stderr);
                if (x.isPresent()) { // it ended: its log served this session only
                    try (var files = Files.newDirectoryStream(log.getParent(), log.getFileName() + "*")) {
                        for (Path f : files) Files.deleteIfExists(f);
                    } catch (IOException ignored) {
                        // the container was removed meanwhile
                    }
                    Map<String, String> d = new LinkedHashMap<>(a);
                    d.put("exitCode", String.valueOf(x.get().code()));
                    try {
                        event(id, "exec_die", d);
                    } catch (RuntimeException removed) {
                        // the container went meanwhile
                    }
                }
                return x;
            }
        };
    }

    /** A session passed through, for the wrappers above to change only what they add (events, log clean-up). */
    private abstract static class ForwardingSession implements AttachSession {
        private final AttachSession s;

        ForwardingSession(AttachSession s) {
            this.s = s;
        }

        @Override
        public boolean tty() {
            return s.tty();
        }

        @Override
        public boolean stdinOpen() {
            return s.stdinOpen();
        }

        @Override
        public OutputStream stdin() {
            return s.stdin();
        }

        @Override
        public void closeStdin() throws IOException {
            s.closeStdin();
        }

        @Override
        public void resize(int rows, int cols) {
            s.resize(rows, cols);
        }

        @Override
        public Optional<ContainerExit> copyOutput(OutputStream stdout, OutputStream stderr) throws IOException {
            return s.copyOutput(stdout, stderr);
        }

        @Override
        public void close() {
            s.close();
        }
    }

    private AttachSession detachedExec(String ref, ExecSpec exec, String execId, boolean attach) {
        return detachedExec(ref, exec, execId, attach, null);
    }

    private AttachSession detachedExec(String ref, ExecSpec exec, String execId, boolean attach, int[] pids) {
        return detachedExec(ref, exec, execId, attach, pids, false);
    }

    private AttachSession detachedExec(String ref, ExecSpec exec, String execId, boolean attach, int[] pids, boolean monitorless) {
        ContainerStore.Entry e = joinable(ref);
        String id = e.state().id();
        ContainerSpec spec = StoredSpec.read(store.dir(id));
        if (spec == null)
            throw new NotSupportedYetException("container " + e.state().shortId() + " was recorded by an earlier jcontainer without its configuration"
                    + " (" + StoredSpec.FILE + "): exec needs its security settings; remove it and run it anew");
        Map<String, String> a = Map.of("execID", execId, "commandLine", String.join(" ", exec.command()));
        event(id, "exec_create", a);
        AttachSession s = runtime.execDetached(e.state(), spec, exec, execId, attach, pids, monitorless);
        event(id, "exec_start", a);
        return s;
    }

    private static byte[] random32() {
        return LinuxContainerRuntime.random32();
    }

    @Override
    public Optional<ContainerExit> wait(String ref, WaitCondition condition) throws InterruptedException {
        ContainerStore.Entry e = entry(ref);
        String id = e.state().id(), startedAt = e.state().started();
        boolean sawRunning = e.running() || e.status() == ContainerStore.Status.RESTARTING;
        while (true) {
            switch (condition) {
                case NOT_RUNNING -> {
                    if (!e.running() && e.status() != ContainerStore.Status.CREATED && e.status() != ContainerStore.Status.RESTARTING)
                        return exitOf(e);
                }
                case NEXT_EXIT -> {
                    boolean restarted = !java.util.Objects.equals(startedAt, e.state().started());
                    if ((sawRunning || restarted) && !e.running() && e.status() != ContainerStore.Status.RESTARTING) return exitOf(e);
                }
                case REMOVED -> {
                    if (!Files.isDirectory(store.dir(id))) return Optional.ofNullable(e.exit());
                }
            }
            Thread.sleep(50);
            try {
                ContainerStore.Entry now = store.find(id);
                sawRunning |= now.running();
                e = now;
            } catch (NoSuchContainerException gone) {
                if (condition == WaitCondition.REMOVED) return Optional.ofNullable(e.exit());
                throw gone;
            }
        }
    }

    /** The monitor writes the exit record as its child ends: give it a moment. */
    private Optional<ContainerExit> exitOf(ContainerStore.Entry e) throws InterruptedException {
        for (int i = 0; i < 100 && e.exit() == null && e.status() != ContainerStore.Status.EXITED; i++) {
            Thread.sleep(20);
            e = store.entry(e.state());
        }
        noticeExits(List.of(e));
        return Optional.ofNullable(e.exit());
    }

    @Override
    public void kill(String ref, Signal signal) {
        ContainerStore.Entry e = entry(ref);
        if (!e.running()) throw new ContainerNotRunningException("container " + e.state().shortId() + " is not running");
        // before the signal, as docker: a follower noticing the exit must not see its die first
        event(e.state().id(), "kill", Map.of("signal", String.valueOf(signal.number())));
        store.signal(e, signal);
    }

    @Override
    public Optional<ContainerExit> stop(String ref, Duration grace) throws InterruptedException {
        ContainerStore.Entry e = entry(ref);
        return stop(e, grace(e, grace));
    }

    private Optional<ContainerExit> stop(ContainerStore.Entry e, Duration grace) throws InterruptedException {
        boolean wasRunning = e.running();
        Optional<ContainerExit> exit = store.stop(e, grace);
        if (wasRunning) {
            noticeExits(List.of(store.entry(e.state())));
            event(e.state().id(), "stop", Map.of());
        }
        return exit;
    }

    @Override
    public void pause(String ref) {
        ContainerStore.Entry e = entry(ref);
        store.pause(e);
        event(e.state().id(), "pause", Map.of());
    }

    @Override
    public void unpause(String ref) {
        ContainerStore.Entry e = entry(ref);
        store.unpause(e);
        event(e.state().id(), "unpause", Map.of());
    }

    @Override
    public void rename(String ref, String newName) {
        ContainerStore.Entry e = entry(ref);
        String old = e.state().name();
        store.rename(e.state().id(), newName);
        event(e.state().id(), "rename", Map.of("oldName", "/" + (old == null ? "" : old)));
    }

    /**
     * Validates the merged limits as a start would, writes them into the running container's
     * cgroups (the kernel may still refuse one: nothing is recorded then), then records them in
     * its stored spec, where inspect and later starts read them.
     */
    @Override
    public void update(String ref, Resources resources, RestartPolicy restartPolicy) {
        ContainerStore.Entry e = entry(ref);
        ContainerState s = e.state();
        ContainerSpec spec = StoredSpec.read(store.dir(s.id()));
        if (spec == null)
            throw new NotSupportedYetException("container " + s.shortId() + " was recorded by an earlier jcontainer without its configuration"
                    + " (" + StoredSpec.FILE + "): it cannot be updated; remove it and run it anew");
        if (restartPolicy != null && restartPolicy.mode() != RestartPolicy.Mode.NO && s.autoRemove())
            throw new ConflictException("Cannot update container " + s.id() + ": Restart policy cannot be updated because AutoRemove is enabled for the container");
        Resources given = resources == null ? Resources.NONE : resources;
        Resources merged = ResourceUpdate.merge(spec.resources(), given);
        ContainerSpec.Builder b = spec.toBuilder().resources(merged);
        if (restartPolicy != null) b.restart(restartPolicy);
        ContainerSpec updated = b.build();
        if (e.running() && !given.isEmpty()) {
            ContainerCgroup cg = RecordedCgroup.of(new CgroupFs(NativeSyscalls.INSTANCE), RecordCheck.ownCgroupDirs(s));
            if (cg == null)
                throw new NotSupportedYetException("Cannot update container " + s.shortId() + ": it has no cgroup this user can write"
                        + " (started without one, e.g. rootless without a delegated cgroup)");
            cg.update(ResourceUpdate.toApply(merged, given));
        }
        StoredSpec.write(store.dir(s.id()), updated);
        if (restartPolicy != null) store.write(store.find(s.id()).state().withRestartPolicy(restartPolicy.toString()));
        event(s.id(), "update", Map.of());
    }

    // ---- removing ----

    @Override
    public Volumes volumes() {
        return volumes;
    }

    @Override
    public io.jcontainer.lifecycle.Networks networks() {
        return networks;
    }

    @Override
    public void remove(String ref, boolean force, boolean volumes) throws InterruptedException {
        ContainerStore.Entry e = entry(ref);
        ContainerSpec spec = null;
        try {
            spec = StoredSpec.read(store.dir(e.state().id()));
        } catch (RuntimeException unreadable) {
            // its volumes and an owned overlay upper stay (docker volume prune removes the volumes)
        }
        boolean wasRunning = e.running() || e.status() == ContainerStore.Status.RESTARTING;
        if (e.status() == ContainerStore.Status.CREATED && e.state().pid() > 0) {
            // a created one that never started: SIGKILL while it waits; its monitor removes its cgroups and FIFO
            runtime.killCreated(store.dir(e.state().id()), Signal.KILL);
            long end = System.nanoTime() + 10_000_000_000L;
            while (io.jcontainer.linux.state.ProcStat.alive(e.state().launcherPid(), -1) && System.nanoTime() < end) Thread.sleep(20);
            e = store.entry(e.state());
        }
        store.remove(e, force); // refuses a running one without force; kills it with
        releaseNetwork(e.state().id());
        if (wasRunning) {
            journal.append(event(e.state(), Instant.now(), "kill", Map.of("signal", String.valueOf(Signal.KILL.number()))));
            noticeExitOfRemoved(e);
        }
        journal.append(event(e.state(), Instant.now(), "destroy", Map.of()));
        if (volumes && spec != null) this.volumes.removeAnonymousOf(spec);
        if (spec != null) io.jcontainer.linux.rootfs.OverlayUpper.removeIfOwned(spec.root());
    }

    /** An exited container's fuse-overlayfs root is unmounted (upper and work stay for a restart); a failure is logged and retried at rm. */
    private void releaseRoot(String id) {
        try {
            runtime.releaseRoot(specOrNull(id));
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(LinuxContainers.class).warn("jcontainer: releasing {}'s image root failed: {}", id, e.getMessage());
        }
    }

    /** Its networks' endpoints go; a failure is left to the sweep of the next runtime start. */
    private void releaseNetwork(String id) {
        try {
            runtime.releaseNetwork(id);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(LinuxContainers.class).warn("jcontainer: releasing {}'s network endpoints failed (the next start sweeps them): {}", id, e.getMessage());
        }
    }

    /** A container removed while it ran took its exit record with it: its die is reported here. */
    private void noticeExitOfRemoved(ContainerStore.Entry e) {
        journal.append(event(e.state(), Instant.now(), "die", Map.of("exitCode", String.valueOf(128 + Signal.KILL.number()))));
    }

    @Override
    public List<String> prune() throws InterruptedException {
        List<String> removed = new ArrayList<>();
        for (ContainerStore.Entry e : entries()) {
            if (e.running() || e.status() == ContainerStore.Status.RESTARTING) continue;
            try {
                remove(e.state().id(), false, false);
                removed.add(e.state().id());
            } catch (NoSuchContainerException | ConflictException raced) {
                // removed or started by another process meanwhile
            }
        }
        return removed;
    }

    // ---- files ----

    @Override
    public void copyOut(String ref, String path, Path hostDestination, boolean archive, boolean followLink) {
        new ContainerFiles(NativeSyscalls.INSTANCE).copyOut(running(ref).state().pid(), path, hostDestination,
                new ContainerFiles.Options(archive, followLink));
    }

    @Override
    public void copyIn(String ref, Path hostSource, String path, boolean archive, boolean followLink) {
        new ContainerFiles(NativeSyscalls.INSTANCE).copyIn(running(ref).state().pid(), hostSource, path, new ContainerFiles.Options(archive, followLink));
    }

    @Override
    public void copyOutArchive(String ref, String path, OutputStream tar) {
        new ContainerArchive(NativeSyscalls.INSTANCE).writeTar(running(ref).state().pid(), path, tar);
    }

    @Override
    public void copyInArchive(String ref, String path, InputStream tar) {
        new ContainerArchive(NativeSyscalls.INSTANCE).extractTar(running(ref).state().pid(), path, tar);
    }

    // ---- the root filesystem: diff, commit, export ----

    @Override
    public List<io.jcontainer.lifecycle.FileChange> diff(String ref) {
        ContainerInfo c = find(ref);
        return switch (rootOf(c)) {
            case io.jcontainer.Root.Overlay o when o.upper() != null -> new RootChanges(NativeSyscalls.INSTANCE).diff(o.upper(), o.lowerDirs(), mountPoints(c));
            case io.jcontainer.Root r when r.readonly() -> List.of(); // nothing could change
            default -> throw noBase(c, "diff");
        };
    }

    @Override
    public void writeChanges(String ref, OutputStream layerTar) throws IOException {
        ContainerInfo c = find(ref);
        switch (rootOf(c)) {
            case io.jcontainer.Root.Overlay o when o.upper() != null -> {
                List<List<io.jcontainer.IdMap>> maps = idMapsOf(c);
                new RootChanges(NativeSyscalls.INSTANCE, maps.get(0), maps.get(1)).writeChanges(o.upper(), o.lowerDirs(), mountPoints(c), layerTar);
            }
            case io.jcontainer.Root r when r.readonly() -> {
                // an empty layer, as docker commits an unchanged container
                try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                        org.apache.commons.io.output.CloseShieldOutputStream.wrap(layerTar))) {
                    tar.finish();
                }
            }
            default -> throw noBase(c, "commit");
        }
    }

    @Override
    public void export(String ref, OutputStream tar) throws IOException {
        ContainerInfo c = find(ref);
        List<Path> layers = switch (rootOf(c)) {
            case io.jcontainer.Root.Overlay o -> {
                List<Path> l = new ArrayList<>();
                if (o.upper() != null) l.add(o.upper());
                l.addAll(o.lowerDirs());
                yield l;
            }
            case io.jcontainer.Root.Directory d -> List.of(d.path());
            case io.jcontainer.Root.Default d -> throw new NotSupportedYetException("cannot export " + c.name()
                    + ": it runs on the default root (the host's programs read-only), not a filesystem of its own");
        };
        new RootChanges(NativeSyscalls.INSTANCE).writeMerged(layers, tar);
    }

    /**
     * The user namespace maps the container's files were written through, to put the owners
     * the container saw into a commit's layer: the spec's own maps; for a rootless container
     * without them, the runtime's default (this user's id as root, then its first /etc/subuid
     * range, see PlanCompiler); none (host ids as they are) otherwise.
     */
    private static List<List<io.jcontainer.IdMap>> idMapsOf(ContainerInfo c) {
        if (!c.spec().has(io.jcontainer.Namespace.USER)) return List.of(List.of(), List.of());
        if (!c.spec().uidMap().isEmpty() || !c.spec().gidMap().isEmpty()) return List.of(c.spec().uidMap(), c.spec().gidMap());
        int uid = NativeSyscalls.INSTANCE.geteuid(), gid = NativeSyscalls.INSTANCE.getegid();
        if (uid == 0) return List.of(List.of(), List.of());
        var sub = io.jcontainer.linux.userns.SubordinateIds.probe(System.getProperty("user.name"), uid);
        List<io.jcontainer.IdMap> own = List.of(new io.jcontainer.IdMap(0, uid, 1)), ownGid = List.of(new io.jcontainer.IdMap(0, gid, 1));
        if (!sub.usable()) return List.of(own, ownGid);
        return List.of(io.jcontainer.linux.userns.SubordinateIds.defaultMap(uid, sub.uids()),
                io.jcontainer.linux.userns.SubordinateIds.defaultMap(gid, sub.gids()));
    }

    @Override
    public RootSize size(String ref) {
        ContainerInfo c = find(ref);
        if (c.spec() == null) return new RootSize(0, 0);
        return switch (c.spec().root()) {
            case io.jcontainer.Root.Overlay o -> {
                long rw = o.upper() == null ? 0 : io.jcontainer.linux.rootfs.FileSizes.total(List.of(o.upper()));
                yield new RootSize(rw, rw + io.jcontainer.linux.rootfs.FileSizes.total(o.lowerDirs()));
            }
            case io.jcontainer.Root.Directory d -> new RootSize(0, io.jcontainer.linux.rootfs.FileSizes.total(List.of(d.path())));
            case io.jcontainer.Root.Default d -> new RootSize(0, 0); // the host's own programs, shared by every such container
        };
    }

    /** Where the runtime mounts in this container: what it made there is not the container's change. */
    private static java.util.Set<String> mountPoints(ContainerInfo c) {
        java.util.Set<String> out = new java.util.HashSet<>(List.of("/proc", "/sys", "/dev", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf"));
        for (io.jcontainer.Mount m : c.spec().mounts()) out.add(m.target());
        return out;
    }

    private static io.jcontainer.Root rootOf(ContainerInfo c) {
        if (c.spec() == null) throw new NotSupportedYetException("container " + c.name() + " has no stored configuration to find its root in");
        return c.spec().root();
    }

    private static NotSupportedYetException noBase(ContainerInfo c, String verb) {
        return new NotSupportedYetException(verb + " needs a container made from an image (a root whose changes are kept "
                + "apart from the image): " + c.name() + "'s root is the writable directory " + c.spec().rootfs()
                + ", which has no image to compare with");
    }

    // ---- events ----

    @Override
    public void events(EventQuery query, EventQuery.Sink sink) throws InterruptedException {
        long[] last = {0};
        journal.follow(query, sink, () -> {
            // a follower is what notices exits while nobody else looks: every quarter second
            if (System.nanoTime() - last[0] < 250_000_000L) return;
            last[0] = System.nanoTime();
            try {
                noticeExits(store.list());
            } catch (RuntimeException unreadable) {
                // the store is being changed under us: next time
            }
        });
    }

    private ContainerEvent event(String id, String action, Map<String, String> attrs) {
        Map<String, String> all = new LinkedHashMap<>();
        try {
            ContainerSpec spec = StoredSpec.read(store.dir(id));
            if (spec != null) all.putAll(spec.annotations()); // docker puts the labels among an event's attributes
        } catch (RuntimeException unreadable) {
            // the event still names the container
        }
        all.putAll(attrs);
        ContainerEvent e = event(store.find(id).state(), Instant.now(), action, all);
        journal.append(e);
        return e;
    }

    private static ContainerEvent event(ContainerState s, Instant at, String action, Map<String, String> attrs) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("name", s.name() == null ? "" : s.name());
        a.put("image", s.image() == null ? "" : s.image());
        a.putAll(attrs);
        return new ContainerEvent(at, "container", action, s.id(), a);
    }
}
