package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStartException;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.ExecSpec;
import io.jcontainer.ContainerProcess;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Namespace;
import io.jcontainer.Stdio;
import io.jcontainer.linux.cgroup.CgroupManager;
import io.jcontainer.linux.cgroup.PreparedCgroup;
import io.jcontainer.linux.cgroup.ContainerCgroup;
import io.jcontainer.linux.net.NetnsThread;
import io.jcontainer.linux.net.NetworkAttachment;
import io.jcontainer.linux.net.Networks;
import io.jcontainer.linux.net.Nftables;
import io.jcontainer.linux.launch.ControlChannel;
import io.jcontainer.linux.launch.FdInputStream;
import io.jcontainer.linux.launch.FdOutputStream;
import io.jcontainer.linux.launch.LauncherImage;
import io.jcontainer.linux.launch.LauncherSpawner;
import io.jcontainer.linux.launch.LaunchHooks;
import io.jcontainer.linux.hooks.OciHooks;
import io.jcontainer.linux.launch.PtyInputStream;
import io.jcontainer.linux.launch.Supervisor;
import io.jcontainer.linux.plan.ExecPlans;
import io.jcontainer.linux.plan.HookPoint;
import io.jcontainer.linux.plan.Op;
import io.jcontainer.linux.plan.Plan;
import io.jcontainer.linux.plan.PlanCompiler;
import io.jcontainer.linux.plan.PlanEncoder;
import io.jcontainer.linux.plan.SyscallId;
import io.jcontainer.linux.rootfs.Passwd;
import io.jcontainer.linux.rootfs.RootfsChecks;
import io.jcontainer.linux.seccomp.SeccompFilters;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;
import io.jcontainer.linux.state.ContainerState;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.state.ProcStat;
import io.jcontainer.linux.state.StoredSpec;
import org.slf4j.LoggerFactory;
import io.jcontainer.spi.ContainerRuntime;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Linux implementation of {@link ContainerRuntime}, found by {@code ServiceLoader}.
 *
 * <p>Starting a container, top to bottom:
 * <ol>
 *   <li>resolve the user against the image's /etc/passwd (text, never its code);</li>
 *   <li>create the cgroup with its limits (so the payload never runs unlimited);</li>
 *   <li>compile the spec into a plan of ops (all policy is here, in Java);</li>
 *   <li>open stdio and the control socket, all close-on-exec;</li>
 *   <li>start a launcher from its sealed memfd: forked by the spawn server, or posix_spawned
 *       (either way the cost is independent of the heap: {@link LauncherSpawner});</li>
 *   <li>send the plan; read STARTED or FAILED — a failure names the step, call, errno and path;</li>
 *   <li>hand the control socket to the supervisor thread, which reports the exit.</li>
 * </ol>
 * Any failure undoes what was done: descriptors closed, launcher reaped, cgroup removed.
 */
public final class LinuxContainerRuntime implements ContainerRuntime {
    /** In a holder: a SecureRandom loads and seeds the security providers, which the verbs that make no id never need. */
    private static final class Ids {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private final Syscalls sys;
    // Probed on first use, not in the constructor: the verbs that only read the store (ps, inspect,
    // logs...) need neither, and probing them costs a CLI tens of ms of class loading and FFM linking.
    private volatile HostInfo host;
    private volatile CgroupManager cgroups;
    private volatile LauncherImage launcher;
    private volatile Supervisor supervisor;
    private volatile LauncherSpawner spawner;
    private final Set<LinuxContainer> live = ConcurrentHashMap.newKeySet();
    private final ContainerStore store;
    private volatile String spawnMode = Settings.spawnMode();
    private volatile long logMaxBytes = 10L << 20;
    private volatile int logMaxFiles = 3;

    /** The ServiceLoader constructor: the real kernel. */
    public LinuxContainerRuntime() {
        this(NativeSyscalls.INSTANCE, null, null);
    }

    public LinuxContainerRuntime(Syscalls sys, HostInfo host, CgroupManager cgroups) {
        this(sys, host, cgroups, null);
    }

    /**
     * @param store where detached and named containers are recorded for other processes (see
     *              {@link ContainerStore}); null for the user's default
     */
    public LinuxContainerRuntime(Syscalls sys, HostInfo host, CgroupManager cgroups, ContainerStore store) {
        this.store = store != null ? store : ContainerStore.forUser(sys);
        this.sys = sys;
        this.host = host;
        this.cgroups = cgroups;
    }

    public HostInfo host() {
        HostInfo h = host;
        if (h == null) {
            synchronized (this) {
                if (host == null) host = HostInfo.probe(sys);
                h = host;
            }
        }
        return h;
    }

    private CgroupManager cgroups() {
        CgroupManager c = cgroups;
        if (c == null) {
            synchronized (this) {
                if (cgroups == null) cgroups = CgroupManager.detect(sys);
                c = cgroups;
            }
        }
        return c;
    }

    /**
     * Bounds the logs of detached containers (written by their monitor, never through the JVM):
     * {@code maxFiles} files of at most about {@code maxBytes} each. Default 10 MiB x 3.
     */
    public LinuxContainerRuntime logLimits(long maxBytes, int maxFiles) {
        if (maxBytes < 1024 || maxFiles < 1 || maxFiles > 100)
            throw new IllegalArgumentException("log limits: at least 1 KiB per file and 1 to 100 files (got " + maxBytes + ", " + maxFiles + ")");
        this.logMaxBytes = maxBytes;
        this.logMaxFiles = maxFiles;
        return this;
    }

    /**
     * How launchers are started: {@code "server"} (the default: forked by one spawn server per
     * runtime) or {@code "direct"} (posix_spawn per container); see {@link LauncherSpawner}. The
     * system property {@code jcontainer.spawn} sets the default. Only before the first start.
     */
    public synchronized LinuxContainerRuntime spawnMode(String mode) {
        LauncherSpawner.checkMode(mode);
        if (launcher != null) throw new IllegalStateException("the spawn mode is chosen before the first start");
        this.spawnMode = mode;
        return this;
    }

    /** The recorded containers of this host (this and other processes'). */
    public ContainerStore store() {
        return store;
    }

    private volatile LinuxContainers containers;
    /** Runtimes of other state directories, one each (a runtime has a spawn server and a supervisor thread). */
    private final java.util.Map<java.nio.file.Path, LinuxContainerRuntime> others = new ConcurrentHashMap<>();

    /**
     * The lifecycle API over this runtime's store, or over another state directory (a runtime of
     * its own, made once per directory, sharing nothing with this one but the host).
     */
    @Override
    public io.jcontainer.lifecycle.Containers containers(java.nio.file.Path stateDirectory) {
        java.nio.file.Path dir = stateDirectory == null ? null : stateDirectory.toAbsolutePath().normalize();
        if (dir != null && !dir.equals(store.root().toAbsolutePath().normalize()))
            return others.computeIfAbsent(dir, d -> new LinuxContainerRuntime(sys, host, cgroups, new ContainerStore(d, sys))).containers(null);
        LinuxContainers c = containers;
        if (c == null) {
            synchronized (this) {
                if (containers == null) containers = new LinuxContainers(this);
                c = containers;
            }
        }
        return c;
    }

    @Override
    public void writeOverlayChanges(io.jcontainer.Root.Overlay root, java.util.Set<String> mountPoints,
                                    List<io.jcontainer.IdMap> uidMap, List<io.jcontainer.IdMap> gidMap, java.io.OutputStream layerTar) {
        if (root.upper() == null) throw new io.jcontainer.InvalidSpecException("root.overlay.upper", "a read-only overlay has no changes to read");
        new io.jcontainer.linux.files.RootChanges(io.jcontainer.linux.sys.NativeSyscalls.INSTANCE, uidMap, gidMap)
                .writeChanges(root.upper(), root.lowerDirs(), mountPoints, layerTar);
    }

    @Override
    public io.jcontainer.lifecycle.HostTerminal hostTerminal() {
        return new io.jcontainer.lifecycle.HostTerminal() {
            @Override
            public boolean isTerminal(int fd) {
                return io.jcontainer.linux.terminal.HostTerminal.isTerminal(fd);
            }

            @Override
            public int[] size(int fd) {
                return io.jcontainer.linux.terminal.HostTerminal.size(fd);
            }

            @Override
            public AutoCloseable raw(int fd) {
                return io.jcontainer.linux.terminal.HostTerminal.raw(fd);
            }
        };
    }

    /** Containers started by this runtime and not yet closed. */
    public int liveCount() {
        return live.size();
    }

    /**
     * The launcher memfd, the spawner, the supervisor and the first FFM downcall linked (see
     * {@link #launcher}), and the default seccomp profile parsed and compiled for docker's
     * capabilities: most of a first start's one-time work, here so that it can overlap with the
     * caller's (the CLI's argument parsing).
     */
    @Override
    public void prepare() {
        // under the lock launcher() takes: a start that comes meanwhile waits in launcher() for both,
        // and finds the filter compiled instead of compiling it beside this thread
        synchronized (this) {
            try {
                SeccompFilters.compile(io.jcontainer.Seccomp.DEFAULT, io.jcontainer.CapabilitySets.dockerDefaults().bounding());
                launcher();
            } catch (RuntimeException e) {
                // the start that follows does the same and reports it
            }
        }
    }

    private LauncherImage launcher() {
        LauncherImage l = launcher;
        if (l == null) {
            synchronized (this) {
                if (launcher == null) {
                    host().prepare();
                    try {
                        cgroups().sweepStale(store.detachedInUse()); // cgroups of containers of JVMs that crashed
                    } catch (RuntimeException ignored) {
                        // best effort: a stale cgroup must not stop new containers
                    }
                    LauncherImage image = LauncherImage.load(sys);
                    spawner = LauncherSpawner.forMode(spawnMode, sys, image);
                    supervisor = new Supervisor(sys);
                    launcher = image;
                    try {
                        if (java.nio.file.Files.isDirectory(store.root().resolveSibling("networks")))
                            networks().sweep(); // endpoints, veths and rules of containers that are gone
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(LinuxContainerRuntime.class).warn("jcontainer: sweeping networks failed", e);
                    }
                    try {
                        store.sweep(); // what JVMs that died left behind
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(LinuxContainerRuntime.class).warn("jcontainer: sweeping {} failed", store.root(), e);
                    }
                }
                l = launcher;
            }
        }
        return l;
    }

    @Override
    public Container start(ContainerSpec spec) {
        return start(spec, (ContainerState) null);
    }

    @Override
    public List<List<io.jcontainer.IdMap>> subordinateIds() {
        int uid = sys.geteuid();
        var sub = uid == 0 ? io.jcontainer.linux.userns.SubordinateIds.NONE
                : io.jcontainer.linux.userns.SubordinateIds.probe(System.getProperty("user.name"), uid);
        if (!sub.usable()) return List.of(List.of(), List.of());
        io.jcontainer.IdMap u = sub.uids().getFirst(), g = sub.gids().getFirst();
        return List.of(List.of(new io.jcontainer.IdMap(0, u.hostId(), u.size())), List.of(new io.jcontainer.IdMap(0, g.hostId(), g.size())));
    }

    /**
     * {@code docker start}/{@code restart}: runs a recorded container that has exited again, under
     * its id and name, from {@code spec} (the one it was started with); its log continues.
     */
    public Container restart(ContainerState old, ContainerSpec spec) {
        ContainerStore.Entry e = store.entry(old);
        if (e.running() || e.status() == ContainerStore.Status.RESTARTING)
            throw new ContainerException("container " + old.id() + " is running: stop it first");
        if (!spec.detached() && spec.name() == null)
            throw new InvalidSpecException("restart", "only recorded containers (detached or named) can be started again");
        try {
            for (java.nio.file.Path p : List.of(store.exitFile(old.id()), store.stopMarker(old.id()), store.pidFile(old.id())))
                java.nio.file.Files.deleteIfExists(p);
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
        store.removeCgroups(old); // a detached cgroup keeps its name: the new run makes it afresh
        return start(spec, old, false, old.autoRemove(), null);
    }

    /**
     * As {@link #start(ContainerSpec)}, recording docker's {@code --rm} for a detached (or named)
     * container: once it has exited, whoever looks next removes it ({@link ContainerStore#removeAutoRemoved()};
     * a runtime's first start, every CLI verb). Nothing else has a daemon to do it as it exits.
     */
    public Container start(ContainerSpec spec, boolean autoRemove) {
        return start(spec, null, false, autoRemove, null);
    }

    /** A container just started with a client attached from its first byte of output on: see {@link #startAttached}. */
    public record AttachedStart(Container container, io.jcontainer.linux.attach.AttachSession session) {
    }

    /**
     * {@code docker run -t} without {@code -d}: starts {@code spec} (detached, with a terminal
     * or piped stdin: its monitor holds them, it is recorded, other processes can {@code attach},
     * {@code stop}, {@code rm} it) and attaches to it before its monitor reads any of its output
     * ({@link Op.Attach#hold()}), so the session sees everything, as docker attaches before it
     * starts the container. Closing the session detaches; the container runs on. The container
     * handle is the caller's to close (a detached container lives on), once the session is open.
     *
     * @param autoRemove docker's {@code --rm}: recorded, so that whoever sees it exited removes
     *                   it ({@link ContainerStore#removeAutoRemoved()}; the attached caller when it
     *                   ends during the session)
     */
    public AttachedStart startAttached(ContainerSpec spec, boolean autoRemove) {
        if (!spec.detached() || !(logged(spec) || spec.stdin() instanceof Stdio.Pipe))
            throw new InvalidSpecException("startAttached", "needs a detached container with piped output, a terminal or piped stdin (its monitor holds them)");
        Container c = start(spec, null, true, autoRemove, null);
        try {
            // not ContainerStore.attach: a payload that already ended is still served (held) until we are there
            return new AttachedStart(c, io.jcontainer.linux.attach.AttachSession.connect(store.attachSocket(c.id())));
        } catch (RuntimeException e) {
            c.close(); // lets go: the monitor stops holding its output
            try {
                store.remove(store.find(c.id()), true);
            } catch (InterruptedException i) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException ignored) {
                // best effort: the attach failure is what matters
            }
            throw e;
        }
    }

    private Container start(ContainerSpec spec, ContainerState old) {
        return start(spec, old, false, false, null);
    }

    /**
     * Parts of the model this runtime cannot carry out yet: refused by name before anything is
     * made, never dropped silently.
     */
    static void refuseNotYetSupported(ContainerSpec spec) {
        OciHooks.of(spec.hooks()); // refuses the hooks that would have to run inside the container
        if (spec.network() instanceof io.jcontainer.NetworkMode.Named && spec.restartPolicy().mode() != io.jcontainer.RestartPolicy.Mode.NO)
            throw new HostUnsupportedException("restart policy " + spec.restartPolicy() + " on network " + ((io.jcontainer.NetworkMode.Named) spec.network()).name()
                    + ": a monitor cannot restart a container on a bridge network yet (its namespace is wired by the JVM)",
                    "use --restart no, or --network none/host");
        // checked before anything is made; placed by the cgroup manager
        if (spec.linux().cgroupsPath() != null) io.jcontainer.linux.cgroup.CgroupManagers.checkCgroupsPath(spec.linux().cgroupsPath());
        if (spec.process().consoleSize() != null && !spec.tty())
            throw new io.jcontainer.InvalidSpecException("consoleSize", "needs a terminal (tty(true))");
    }

    /**
     * Starts {@code spec} with the caller's own work at its hook points (internal: OCI hooks, and
     * tests of the mechanism); the runtime adds its own (id maps, deferred cgroups) to {@code hooks}.
     */
    public Container start(ContainerSpec spec, LaunchHooks hooks) {
        return start(spec, null, false, false, hooks);
    }

    /**
     * @param hold       a client attaches right after the start: the monitor reads no output before
     * @param autoRemove recorded for docker's --rm (see {@link #startAttached})
     */
    /**
     * Starts {@code spec} on a bridge network with docker's per-network settings (aliases,
     * published ports, --ip, --dns, --add-host) that the container model does not carry yet:
     * its network namespace is made and wired by the JVM (veth, address, routes, published
     * ports, /etc/hosts and /etc/resolv.conf; see {@link Networks}) before the container joins
     * it, and taken down with the container. A spec whose network mode is
     * {@link io.jcontainer.NetworkMode.Named} gets the same with {@code Request.of(name)}.
     */
    public Container start(ContainerSpec spec, NetworkAttachment.Request network) {
        if (!(spec.network() instanceof io.jcontainer.NetworkMode.Named) && !(spec.network() instanceof io.jcontainer.NetworkMode.None))
            throw new InvalidSpecException("network", "a bridge network request contradicts the spec's network mode " + spec.network());
        return start(spec, null, false, false, null, network);
    }

    /** Whether this JVM runs as root (bridge networks need it). */
    boolean isRoot() {
        return sys.geteuid() == 0;
    }

    /** This host's bridge networks, kept beside the container store ({@code <state>/../networks}). */
    public Networks networks() {
        Networks n = networks;
        if (n == null) {
            synchronized (this) {
                if (networks == null) {
                    java.nio.file.Path root = store.root().resolveSibling("networks");
                    networks = new Networks(sys, root, Nftables.lazy(sys));
                    // an ordinary user's bridges live in a rootless network namespace of its own
                    if (!isRoot()) networks.rootless(new io.jcontainer.linux.net.RootlessNetns(sys, root, () -> launcher().path()));
                }
                n = networks;
            }
        }
        return n;
    }

    private volatile Networks networks;

    /**
     * A network namespace made and attached for a start: joined by the container through {@code path}.
     * An ordinary user's network has no namespace made ahead ({@code holder} and {@code path} null):
     * the container joins the user namespace {@code joinedUserns} (the rootless holder's) and is
     * wired at the CREATE_CONTAINER stop.
     */
    private record PreparedNetwork(NetnsThread.Fresh holder, String path, NetworkAttachment.Attachment attachment, String joinedUserns) {
        PreparedNetwork(NetnsThread.Fresh holder, String path, NetworkAttachment.Attachment attachment) {
            this(holder, path, attachment, null);
        }
    }

    private PreparedNetwork prepareNetwork(String id, ContainerSpec spec, NetworkAttachment.Request req) {
        // an unknown network is an error before anything is made (no namespace, no state directory)
        if (!networks().exists(req.network())) throw new io.jcontainer.linux.net.NetworkException.NotFound(req.network());
        if (!spec.has(Namespace.NET)) throw new InvalidSpecException("network", "a bridge network needs the NET namespace");
        if (spec.has(Namespace.USER))
            throw new InvalidSpecException("network", "bridge networks with a user namespace are not supported yet (the container could not mount its sysfs)");
        String name = spec.name();
        List<String> aliases = new ArrayList<>(req.aliases());
        if (name != null && !req.network().equals(Networks.DEFAULT)) {
            // its name is how the others reach it there (docker's names: compose's project_service_1 too)
            if (!aliases.contains(name)) aliases.addFirst(name);
        }
        String hostname = spec.hostname() != null ? spec.hostname() : id.substring(0, 12);
        NetworkAttachment.Request full = req.named(hostname, aliases);
        Networks.Prepared p = networks().attachNew(id, full);
        // the container (a grandchild of ours, root like us) opens our descriptor through /proc
        return new PreparedNetwork(p.netns(), "/proc/" + ProcessHandle.current().pid() + "/fd/" + p.netns().netnsFd(), p.attachment());
    }

    private Container start(ContainerSpec spec, ContainerState old, boolean hold, boolean autoRemove, LaunchHooks extraHooks) {
        return start(spec, old, hold, autoRemove, extraHooks, null);
    }

    private Container start(ContainerSpec requested, ContainerState old, boolean hold, boolean autoRemove, LaunchHooks extraHooks,
                            NetworkAttachment.Request network) {
        if (network == null && requested.network() instanceof io.jcontainer.NetworkMode.Named n) network = request(n);
        refuseNotYetSupported(requested);
        RootfsChecks.check(requested);
        LauncherImage image = launcher();
        String id = old != null ? old.id() : newId();
        // a container started again: what its last run left on its networks (it has exited) goes first
        if (old != null && network != null) networks().detach(id);
        if (requested.network() instanceof io.jcontainer.NetworkMode.Container other) return startInContainerNetwork(image, requested, other, old, hold, autoRemove, id, extraHooks);
        if (network != null && !isRoot()) return startWithPasta(image, requested, old, hold, autoRemove, id, extraHooks, network);
        PreparedNetwork net = network == null ? null : prepareNetwork(id, requested, network);
        try {
            // the prepared namespace is joined by path (setns in the child, first thing), as ns:PATH is
            ContainerSpec spec = net == null ? requested : requested.toBuilder()
                    .networkMode(new io.jcontainer.NetworkMode.NamespacePath(net.path())).build();
            Map<String, String> netEtc = net == null ? Map.of() : Map.of("/etc/hosts", net.attachment().hosts().toString(),
                    "/etc/resolv.conf", net.attachment().resolvConf().toString());
            Container c = start(image, spec, requested, old, hold, autoRemove, id, net, extraHooks, netEtc);
            // A detached container's endpoint is stale when the container is gone, not when this
            // JVM is. An attached one dies with this JVM (its launcher kills it when our control
            // socket closes), so this JVM stays its owner: no second write of its file per start.
            if (net != null && requested.detached()) networks().adopt(net.attachment().endpoint(), c.pid());
            net = net == null ? null : new PreparedNetwork(net.holder(), null, net.attachment()); // started: keep it
            return c;
        } finally {
            if (net != null) {
                net.holder().close(); // the container's processes hold the namespace now
                if (net.path() != null) {
                    try {
                        networks().detach(id);
                    } catch (RuntimeException ignored) {
                        // the start's failure matters more; the sweep retries
                    }
                }
            }
        }
    }

    /**
     * An ordinary user's start on a network: the container keeps its own network namespace (in
     * its user namespace) and pasta connects it once the child has joined it (the
     * {@code CREATE_CONTAINER} stop, before pivot_root and the payload), with the published ports
     * as pasta's forwards. No bridge, no address of ours, no rules: pasta's sockets are the user's.
     */
    private Container startWithPasta(LauncherImage image, ContainerSpec requested, ContainerState old, boolean hold, boolean autoRemove,
                                     String id, LaunchHooks extraHooks, NetworkAttachment.Request network) {
        String mode = network.network();
        boolean helperNamed = mode.equals("pasta") || mode.equals("slirp4netns");
        if (!mode.equals(Networks.DEFAULT) && !helperNamed)
            return startOnRootlessNetwork(image, requested, old, hold, autoRemove, id, extraHooks, network);
        String helper = io.jcontainer.linux.net.Pasta.choose(mode, "--network " + mode + (network.ports().isEmpty() ? "" : " with -p"));
        if (!requested.has(Namespace.NET)) throw new InvalidSpecException("network", "a network through pasta needs the NET namespace");
        List<io.jcontainer.linux.net.PortMapping> ports = new ArrayList<>();
        for (io.jcontainer.linux.net.PortMapping p : network.ports())
            ports.add(p.hostPort() != 0 ? p : new io.jcontainer.linux.net.PortMapping(p.hostIp(), freePort(p), p.containerPort(), p.protocol()));
        java.nio.file.Path netRoot = store.root().resolveSibling("networks");
        LaunchHooks hooks = extraHooks != null ? extraHooks : new LaunchHooks();
        if (helper.equals("pasta"))
            hooks.on(HookPoint.CREATE_CONTAINER, "connect the network namespace with pasta",
                    h -> io.jcontainer.linux.net.Pasta.attach(sys, netRoot, id, h.pid(), ports));
        else
            hooks.on(HookPoint.CREATE_CONTAINER, "connect the network namespace with slirp4netns",
                    h -> io.jcontainer.linux.net.Slirp4netns.attach(sys, netRoot, id, h.pid(), ports));
        ContainerSpec spec = requested.toBuilder().networkMode(io.jcontainer.NetworkMode.NONE).build();
        try {
            return start(image, spec, requested, old, hold, autoRemove, id, null, hooks, Map.of());
        } catch (RuntimeException e) {
            try {
                io.jcontainer.linux.net.Pasta.stop(sys, netRoot, id);
                io.jcontainer.linux.net.Slirp4netns.stop(sys, netRoot, id);
            } catch (RuntimeException ignored) {
                // the start's failure matters more
            }
            throw e;
        }
    }

    /**
     * An ordinary user's start on one of its networks (podman's rootless netns): the network's
     * bridge is in the rootless holder's namespaces ({@link io.jcontainer.linux.net.RootlessNetns}).
     * The address, IPAM entry and /etc files are reserved first (the holder started if need be);
     * the launcher joins the holder's user namespace before clone, so the container's network
     * namespace (made by the network helper, as for {@code none}) is owned by it; at the
     * {@code CREATE_CONTAINER} stop the JVM links it to the bridge through sockets the holder
     * opened, then — unless the network is internal — pasta gives it the way out and the
     * published ports, on an interface of its own ({@code tap0}) beside {@code eth0}.
     */
    private Container startOnRootlessNetwork(LauncherImage image, ContainerSpec requested, ContainerState old, boolean hold, boolean autoRemove,
                                             String id, LaunchHooks extraHooks, NetworkAttachment.Request network) {
        if (!networks().exists(network.network())) throw new io.jcontainer.linux.net.NetworkException.NotFound(network.network());
        if (!requested.has(Namespace.NET)) throw new InvalidSpecException("network", "a network needs the NET namespace");
        if (!requested.has(Namespace.USER)) throw new InvalidSpecException("network", "an ordinary user's network needs the USER namespace");
        io.jcontainer.linux.net.NetworkConfig config = networks().inspect(network.network());
        if (config.internal() && !network.ports().isEmpty())
            throw new InvalidSpecException("publish", "network " + config.name() + " is internal: it has no way in or out for -p");
        if (!config.internal()) io.jcontainer.linux.net.Pasta.require("network " + config.name() + "'s way out");
        List<io.jcontainer.linux.net.PortMapping> ports = new ArrayList<>();
        for (io.jcontainer.linux.net.PortMapping p : network.ports())
            ports.add(p.hostPort() != 0 ? p : new io.jcontainer.linux.net.PortMapping(p.hostIp(), freePort(p), p.containerPort(), p.protocol()));
        String name = requested.name();
        List<String> aliases = new ArrayList<>(network.aliases());
        if (name != null && !aliases.contains(name)) aliases.addFirst(name);
        String hostname = requested.hostname() != null ? requested.hostname() : id.substring(0, 12);
        NetworkAttachment.Request full = network.named(hostname, aliases).withoutPorts();
        java.nio.file.Path netRoot = store.root().resolveSibling("networks");
        Networks.RootlessReservation r = networks().reserveRootless(id, full);
        boolean ok = false;
        try {
            LaunchHooks hooks = extraHooks != null ? extraHooks : new LaunchHooks();
            hooks.on(HookPoint.CREATE_CONTAINER, "connect the container to network " + config.name(), h -> {
                int fd = sys.open("/proc/" + h.pid() + "/ns/net", io.jcontainer.linux.sys.Syscalls.O_RDONLY | io.jcontainer.linux.sys.Syscalls.O_CLOEXEC, 0);
                try {
                    networks().wireRootless(r, fd);
                } finally {
                    sys.closeQuietly(fd);
                }
            });
            if (!config.internal())
                hooks.on(HookPoint.CREATE_CONTAINER, "give the container its way out with pasta",
                        h -> io.jcontainer.linux.net.Pasta.attach(sys, netRoot, id, h.pid(), ports, "tap0"));
            ContainerSpec spec = requested.toBuilder().networkMode(io.jcontainer.NetworkMode.NONE).build();
            Map<String, String> netEtc = Map.of("/etc/hosts", r.attachment().hosts().toString(), "/etc/resolv.conf", r.attachment().resolvConf().toString());
            // the launcher (a grandchild of ours, the same user) opens our descriptor through /proc
            PreparedNetwork net = new PreparedNetwork(null, null, r.attachment(), "/proc/" + ProcessHandle.current().pid() + "/fd/" + r.userns());
            Container c = start(image, spec, requested, old, hold, autoRemove, id, net, hooks, netEtc);
            networks().adopt(r.attachment().endpoint(), c.pid()); // stale when the container is gone, not when this JVM is
            ok = true;
            return c;
        } finally {
            sys.closeQuietly(r.userns());
            if (!ok) {
                try {
                    io.jcontainer.linux.net.Pasta.stop(sys, netRoot, id);
                    networks().detach(id);
                } catch (RuntimeException ignored) {
                    // the start's failure matters more; the sweep retries
                }
            }
        }
    }

    /** A free host port for {@code -p ::PORT} through pasta (the JVM shares the namespace pasta binds in). */
    private static int freePort(io.jcontainer.linux.net.PortMapping p) {
        java.net.InetAddress at;
        try {
            at = java.net.InetAddress.getByName(p.hostIp() == null ? "0.0.0.0" : p.hostIp()); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new InvalidSpecException("publish", "host address " + p.hostIp() + ": " + e.getMessage());
        }
        try (java.io.Closeable s = p.protocol().equals("udp") ? new java.net.DatagramSocket(new java.net.InetSocketAddress(at, 0))
                : new java.net.ServerSocket(0, 1, at)) {
            return s instanceof java.net.DatagramSocket d ? d.getLocalPort() : ((java.net.ServerSocket) s).getLocalPort();
        } catch (java.io.IOException e) {
            throw new io.jcontainer.linux.net.NetworkException("no free host port for " + p + ": " + e.getMessage(), e);
        }
    }

    /** The container's settings on a named network, as the network layer takes them. */
    static NetworkAttachment.Request request(io.jcontainer.NetworkMode.Named n) {
        io.jcontainer.NetworkOptions o = n.options();
        List<io.jcontainer.linux.net.PortMapping> ports = new ArrayList<>();
        for (io.jcontainer.PortBinding p : o.ports())
            ports.add(new io.jcontainer.linux.net.PortMapping(p.hostIp(), p.hostPort(), p.containerPort(), p.protocol()));
        List<String> hosts = new ArrayList<>();
        for (String h : o.extraHosts()) hosts.add(h.indexOf(':') > 0 ? h : h.replaceFirst("=", ":")); // docker takes HOST=IP too
        return new NetworkAttachment.Request(n.name(), null, o.aliases(), ports, o.ip(), o.dns(), hosts, o.macAddress(), o.dnsSearch(), o.dnsOptions(), o.ip6());
    }

    /**
     * docker's {@code --network container:NAME}: the container joins the network namespace of a
     * running recorded container (its first process, checked against the kernel as every verb
     * does: {@link io.jcontainer.linux.state.RecordCheck}) and shares its /etc/hosts and
     * resolv.conf when it has them. The namespace is held open by this JVM for the start, so a
     * pid reused meanwhile cannot redirect the join.
     */
    private Container startInContainerNetwork(LauncherImage image, ContainerSpec requested, io.jcontainer.NetworkMode.Container other,
                                              ContainerState old, boolean hold, boolean autoRemove, String id, LaunchHooks extraHooks) {
        ContainerStore.Entry e = store.find(other.idOrName());
        ContainerState s = e.state();
        if (!e.running() || !io.jcontainer.linux.state.RecordCheck.isContainerProcess(s, s.pid(), s.pidStartTime()))
            throw new io.jcontainer.lifecycle.Containers.ConflictException("cannot join the network of container " + other.idOrName() + ": it is not running");
        if (s.id().equals(id)) throw new InvalidSpecException("network", "a container cannot join its own network namespace");
        int fd = sys.open("/proc/" + s.pid() + "/ns/net", io.jcontainer.linux.sys.Syscalls.O_RDONLY | io.jcontainer.linux.sys.Syscalls.O_CLOEXEC, 0);
        try {
            if (!io.jcontainer.linux.state.ProcStat.alive(s.pid(), s.pidStartTime()))
                throw new io.jcontainer.lifecycle.Containers.ConflictException("cannot join the network of container " + other.idOrName() + ": it exited");
            var b = requested.toBuilder().networkMode(new io.jcontainer.NetworkMode.NamespacePath("/proc/" + ProcessHandle.current().pid() + "/fd/" + fd));
            java.nio.file.Path etc = networks().etcDir(s.id());
            Map<String, String> netEtc = new java.util.HashMap<>();
            if (java.nio.file.Files.exists(etc.resolve("hosts"))) netEtc.put("/etc/hosts", etc.resolve("hosts").toString());
            if (java.nio.file.Files.exists(etc.resolve("resolv.conf"))) netEtc.put("/etc/resolv.conf", etc.resolve("resolv.conf").toString());
            return start(image, b.build(), requested, old, hold, autoRemove, id, null, extraHooks, netEtc);
        } finally {
            sys.closeQuietly(fd);
        }
    }

    /**
     * What a container that has exited or is removed held on networks (veth, address, rules,
     * /etc files) goes now; a crash before is swept at the next start of a runtime.
     */
    public void releaseNetwork(String id) {
        if (!java.nio.file.Files.isDirectory(store.root().resolveSibling("networks"))) return;
        networks().detach(id);
    }

    /** Endpoints of containers that have exited (a detached one's first process is gone) are released. */
    public void sweepNetworks() {
        io.jcontainer.linux.net.Slirp4netns.sweep(sys, store.root().resolveSibling("networks"));
        if (!java.nio.file.Files.isDirectory(store.root().resolveSibling("networks").resolve("endpoints"))) return;
        networks().sweep();
    }

    /**
     * A container's own image root (an owned overlay) when the kernel refuses its overlay:
     * fuse-overlayfs, then a copy of the layers ({@link io.jcontainer.linux.rootfs.ImageRoots});
     * {@code -Djcontainer.imageRoot} forces one. Every other start goes straight on, and so does
     * this one on the kernel overlay: a fallback costs nothing until the kernel has refused.
     * Detached containers' fallbacks outlive this JVM: their record owns them (a fuse-overlayfs
     * root is unmounted when the container is seen to have exited, and at {@code rm}); a restart
     * mounts it again on the same upper, or takes its copy again.
     */
    private Container start(LauncherImage image, ContainerSpec spec, ContainerSpec asked, ContainerState old, boolean hold, boolean autoRemove,
                            String id, PreparedNetwork net, LaunchHooks extraHooks, Map<String, String> netEtc) {
        if (!(spec.root() instanceof io.jcontainer.Root.Overlay o) || !o.removeWithContainer())
            return startOnce(image, spec, asked, old, hold, autoRemove, id, net, extraHooks, netEtc, null);
        boolean restart = old != null;
        List<io.jcontainer.linux.rootfs.ImageRoots.Mechanism> order = io.jcontainer.linux.rootfs.ImageRoots.order(o);
        // a restart of a container that ran on a copy: the copy holds what it wrote
        if (restart && order.contains(io.jcontainer.linux.rootfs.ImageRoots.Mechanism.COPY) && io.jcontainer.linux.rootfs.ImageRoots.hasCopy(o))
            order = List.of(io.jcontainer.linux.rootfs.ImageRoots.Mechanism.COPY);
        List<String> failed = new ArrayList<>();
        if (!order.contains(io.jcontainer.linux.rootfs.ImageRoots.Mechanism.OVERLAY) && order.size() > 1)
            failed.add("overlay: refused by the kernel at an earlier start in this store");
        for (io.jcontainer.linux.rootfs.ImageRoots.Mechanism m : order) {
            if (m == io.jcontainer.linux.rootfs.ImageRoots.Mechanism.OVERLAY) {
                // A root mounted ahead by this JVM (ReadyRoots): the same overlay, taken off the
                // start's path. A root JVM only, and a user namespace only with the default maps
                // (container root = host root, as without one); other maps (and every rootless
                // start) mount their own in the container's namespace with userxattr, as before.
                boolean rootJvm = sys.geteuid() == 0;
                if (rootJvm) io.jcontainer.linux.rootfs.ReadyRoots.reapMounts(host().runtimeDir()); // a killed JVM's, once
                boolean defaultIds = !spec.has(Namespace.USER) || spec.uidMap().isEmpty() && spec.gidMap().isEmpty() && !spec.unprivilegedRoot();
                // an attached, unnamed container only: a recorded one's root outlives this JVM
                boolean throwAway = !restart && !spec.detached() && spec.name() == null
                        && spec.restartPolicy().mode() == io.jcontainer.RestartPolicy.Mode.NO;
                io.jcontainer.linux.rootfs.ReadyRoots.Taken ready = !Settings.refuseKernelOverlay() && defaultIds && throwAway && rootJvm
                        ? io.jcontainer.linux.rootfs.ReadyRoots.take(o, spec.etcFiles(), sys) : null;
                if (ready != null) {
                    boolean started = false;
                    try {
                        Container c = startOnce(image, spec.toBuilder().root(ready.root()).build(), asked, old, hold, autoRemove, id, net, extraHooks, netEtc, ready::close);
                        started = true;
                        // its own PID namespace, seen to end: no process of it is left to touch the root (ReadyRoots.untouched decides the rest)
                        if (spec.has(Namespace.PID) && spec.linux().namespacePath(Namespace.PID) == null) ready.whenClosed(() -> !c.isRunning());
                        return c;
                    } finally {
                        if (!started) ready.close();
                    }
                }
                ContainerSpec s = !Settings.refuseKernelOverlay() ? spec
                        : spec.toBuilder().root(io.jcontainer.linux.rootfs.ImageRoots.refused(o)).build();
                if (order.size() == 1) return startOnce(image, s, asked, old, hold, autoRemove, id, net, extraHooks, netEtc, null);
                try {
                    return startOnce(image, s, asked, old, hold, autoRemove, id, net, extraHooks, netEtc, null);
                } catch (ContainerException e) {
                    if (!io.jcontainer.linux.rootfs.ImageRoots.overlayRefused(e)) throw e;
                    failed.add("overlay: " + e.getMessage());
                    io.jcontainer.linux.rootfs.ImageRoots.rememberRefused(o);
                    LoggerFactory.getLogger(LinuxContainerRuntime.class).warn("jcontainer: the kernel refused the image root's overlay ({}); trying the fallbacks", e.getMessage());
                    continue;
                }
            }
            ContainerSpec withMaps = m == io.jcontainer.linux.rootfs.ImageRoots.Mechanism.FUSE_OVERLAYFS ? withFuseIdMaps(spec) : spec;
            io.jcontainer.linux.rootfs.ImageRoots.Prepared p;
            try {
                p = io.jcontainer.linux.rootfs.ImageRoots.prepare(o, m, sys,
                        new io.jcontainer.linux.rootfs.ImageRoots.IdMaps(withMaps.uidMap(), withMaps.gidMap()), spec.detached(), restart);
                if (m == io.jcontainer.linux.rootfs.ImageRoots.Mechanism.FUSE_OVERLAYFS && !isRoot()) {
                    io.jcontainer.linux.rootfs.ImageRoots.Prepared mounted = p;
                    try {
                        io.jcontainer.linux.rootfs.ImageRoots.checkFuseUser(withMaps, Passwd.forRoot(mounted.root())
                                .resolve(withMaps.user(), withMaps.process().user().additionalGroups()).uid(), sys.geteuid());
                    } catch (ContainerException refused) {
                        mounted.close();
                        throw refused;
                    }
                }
            } catch (ContainerException e) {
                if (order.size() == 1) throw e;
                failed.add(m.label() + ": " + e.getMessage());
                LoggerFactory.getLogger(LinuxContainerRuntime.class).warn("jcontainer: image root through {} failed ({}); trying the next", m.label(), e.getMessage());
                continue;
            }
            boolean started = false;
            try {
                // an attached container's handle undoes it at close; a detached one's record, at its exit and rm
                // the monitor unmounts a fuse-overlayfs root when the container has ended for good (an
                // attached one's only if this JVM died first: else p.close does, and waits for the daemon)
                Op.UnmountOnExit unmount = p.fuseMount() == null ? null
                        : new Op.UnmountOnExit(p.fuseMount().toString(), isRoot() ? null : io.jcontainer.linux.rootfs.ImageRoots.fusermount(), !spec.detached());
                Container c = startOnce(image, withMaps.toBuilder().root(p.root()).build(), asked, old, hold, autoRemove, id, net, extraHooks, netEtc,
                        spec.detached() ? null : p::close, unmount);
                started = true;
                if (spec.detached()) p.adopt();
                if (order.size() > 1) LoggerFactory.getLogger(LinuxContainerRuntime.class).debug("jcontainer: container {} runs on an image root through {}", id, m.label());
                return c;
            } catch (ContainerException e) {
                if (order.size() == 1) throw e;
                failed.add(m.label() + ": " + e.getMessage());
            } finally {
                if (!started) p.close();
            }
        }
        throw new ContainerStartException("no way to mount the image root of container " + id + " worked: " + String.join("; ", failed), null);
    }

    /**
     * An ordinary user's container on fuse-overlayfs gets its subordinate ids mapped (the first
     * /etc/subuid range after its own id, as for a non-root USER) even when it runs as root:
     * fuse-overlayfs shows the image's owners through those maps, so a file the image gives to
     * 1000 is 1000's inside, not the overflow id. Explicit maps stay; no ranges, no maps added.
     */
    private ContainerSpec withFuseIdMaps(ContainerSpec spec) {
        if (isRoot() || !spec.has(Namespace.USER)) return spec;
        if (!spec.uidMap().isEmpty() || !spec.gidMap().isEmpty()) return spec;
        int uid = sys.geteuid(), gid = sys.getegid();
        var sub = io.jcontainer.linux.userns.SubordinateIds.probe(System.getProperty("user.name"), uid);
        var b = spec.toBuilder();
        if (!sub.usable()) return b.uidMap(new io.jcontainer.IdMap(0, uid, 1)).gidMap(new io.jcontainer.IdMap(0, gid, 1)).build();
        return b.uidMap(io.jcontainer.linux.userns.SubordinateIds.defaultMap(uid, sub.uids()).toArray(io.jcontainer.IdMap[]::new))
                .gidMap(io.jcontainer.linux.userns.SubordinateIds.defaultMap(gid, sub.gids()).toArray(io.jcontainer.IdMap[]::new)).build();
    }

    /** A recorded container that has exited: what its image root still holds mounted (a fuse-overlayfs root) goes. */
    public void releaseRoot(ContainerSpec spec) {
        if (spec != null) io.jcontainer.linux.rootfs.ImageRoots.release(spec.root(), sys);
    }

    /**
     * The published ports the kernel cannot forward ({@code [::1]}, {@link io.jcontainer.linux.net.PortMapping#userland()})
     * as pre ops: the monitor's userland proxy listens there and connects to the container's
     * address (IPv4, as docker's proxy does; IPv6 when it has only that).
     */
    private static Plan withProxies(Plan plan, io.jcontainer.linux.net.Endpoint e) {
        List<Op> pre = null;
        for (io.jcontainer.linux.net.PortMapping p : e.ports()) {
            if (!p.userland()) continue;
            if (pre == null) pre = new ArrayList<>(plan.pre());
            try {
                java.net.InetAddress target = java.net.InetAddress.getByName(e.ip() != null ? e.ip() : e.ip6());
                pre.add(new Op.Proxy(java.net.InetAddress.getByName(p.hostIp()), p.hostPort(), target, p.containerPort()));
            } catch (java.net.UnknownHostException notLiteral) {
                throw new IllegalStateException("an endpoint's address is not a literal: " + e, notLiteral);
            }
        }
        return pre == null ? plan : new Plan(plan.cloneFlags(), plan.flags(), pre, plan.parent(), plan.child());
    }

    /**
     * @param asked       what the record keeps (the spec as asked: a named network, not the namespace made for this run)
     * @param rootCleanup an image root's fallback to undo when the attached container's handle closes, or null
     */
    private Container startOnce(LauncherImage image, ContainerSpec spec, ContainerSpec asked, ContainerState old, boolean hold, boolean autoRemove,
                                String id, PreparedNetwork net, LaunchHooks extraHooks, Map<String, String> netEtc, Runnable rootCleanup) {
        return startOnce(image, spec, asked, old, hold, autoRemove, id, net, extraHooks, netEtc, rootCleanup, null);
    }

    /** @param unmountOnExit a fuse-overlayfs root for the monitor to unmount at the container's end, or null */
    private Container startOnce(LauncherImage image, ContainerSpec spec, ContainerSpec asked, ContainerState old, boolean hold, boolean autoRemove,
                                String id, PreparedNetwork net, LaunchHooks extraHooks, Map<String, String> netEtc, Runnable rootCleanup,
                                Op.UnmountOnExit unmountOnExit) {
        Passwd.User user = Passwd.forRoot(spec.root()).resolve(spec.user(), spec.process().user().additionalGroups());

        // Detached and named containers are recorded, so other processes can find them; the
        // record also reserves the name (before anything is created).
        ContainerState state = spec.detached() || spec.name() != null ? newState(id, asked, old, hold, autoRemove) : null;
        if (state != null && old != null) store.write(state); // its name is its own already
        else if (state != null) state = store.createNamed(state); // docker-style generated name when none was given
        ContainerCgroup cgroup = null;
        ContainerCgroup[] made = new ContainerCgroup[1]; // a cgroup made during the launch, to undo if it fails
        boolean ok = false;
        // docker's /etc files: in the record's directory (a restarting monitor binds them again), else
        // beside the store only until the container's mounts hold them (removed once it started)
        java.nio.file.Path etcHome = !spec.etcFiles() ? null : state != null ? store.dir(id) : store.scratchDir(id);
        try {
            io.jcontainer.linux.rootfs.OverlayUpper.prepare(spec.root(), state == null && spec.restartPolicy().mode() == io.jcontainer.RestartPolicy.Mode.NO);
            // the record holds the whole configuration: start, restart and exec from any process read it
            if (state != null) StoredSpec.write(store.dir(id), asked);
            // Validated and named now; made now or — where the plan lets the child wait for it —
            // while the child sets up its root (see PreparedCgroup). A restarting monitor has no
            // JVM to wait for, so restart policies get their cgroup first.
            PreparedCgroup prepared = cgroups().prepare(id, spec);
            boolean mayDefer = prepared != null && prepared.deferred() && spec.restartPolicy().mode() == io.jcontainer.RestartPolicy.Mode.NO
                    && Settings.deferCgroups(); // off: for comparison in benchmarks
            SeccompFilters.SeccompFilter filter = SeccompFilters.compile(spec.seccomp(), spec.capabilities());
            PlanCompiler compiler = new PlanCompiler(host());
            PlanCompiler.Inputs inputs = new PlanCompiler.Inputs(user, prepared == null ? List.of() : prepared.procsFiles(),
                    filter == null ? null : filter.program(), filter == null ? 0 : filter.flags(), id.substring(0, 12), mayDefer)
                    .withEtcFiles(spec.etcFiles() ? io.jcontainer.linux.net.EtcFiles.forContainer(etcHome, spec, id, netEtc) : netEtc, netEtc.keySet())
                    .withJoinedUserns(net == null ? null : net.joinedUserns())
                    .withRootOwned(rootCleanup != null); // an image root mounted ahead or by a fallback
            // The JVM's work while the container waits (see LaunchHooks): id maps a non-root JVM may
            // not write itself; cgroups made while the child sets up its root, where that is possible.
            LaunchHooks hooks = extraHooks != null ? extraHooks : new LaunchHooks();
            if (!spec.hooks().isEmpty()) OciHooks.of(spec.hooks()).registerOn(hooks, id, bundle(spec), spec.annotations());
            compiler.idMapsViaHelper(spec, user).ifPresent(m -> hooks.on(HookPoint.CREATE_RUNTIME, "map ids with newuidmap/newgidmap",
                    h -> IdMapHelper.map(sys, h.pid(), m.uid(), m.gid())));
            boolean deferred = compiler.defersCgroups(spec, inputs);
            if (prepared != null && !deferred) cgroup = made[0] = prepared.realize();
            if (deferred) hooks.ahead(HookPoint.CREATE_CONTAINER, "make the cgroups", h -> made[0] = prepared.realize());
            Plan plan = compiler.compile(spec, inputs.withStops(hooks.stops()));
            // A detached container's piped output goes to a bounded log written by its monitor:
            // no JVM may be there to read it, and none should buffer it.
            boolean logged = logged(spec);
            // ... and its terminal or piped stdin is held by the monitor for later attach clients.
            boolean attachable = spec.detached() && (logged || spec.stdin() instanceof Stdio.Pipe);
            boolean monitorStdin = attachable && (spec.tty() || spec.stdin() instanceof Stdio.Pipe);
            // The monitor removes the cgroups when the container has ended for good: a detached one's
            // always (the startup sweep of other runtimes leaves detached cgroups alone:
            // CgroupManagers.sweep), an attached one's if the JVM died (else the JVM does, at close).
            if (prepared != null) {
                List<Op> pre = new ArrayList<>(plan.pre());
                pre.add(new Op.RemoveOnExit(prepared.dirs(), !spec.detached()));
                plan = new Plan(plan.cloneFlags(), plan.flags(), pre, plan.parent(), plan.child());
            }
            if (unmountOnExit != null) {
                List<Op> pre = new ArrayList<>(plan.pre());
                pre.add(unmountOnExit);
                plan = new Plan(plan.cloneFlags(), plan.flags(), pre, plan.parent(), plan.child());
            }
            if (net != null && net.attachment() != null) plan = withProxies(plan, net.attachment().endpoint());
            if (state != null) {
                List<Op> pre = new ArrayList<>(plan.pre());
                pre.add(new Op.StatusFile(store.exitFile(id).toString()));
                if (logged) pre.add(logOp(store.logFile(id).toString(), spec));
                if (attachable) pre.add(new Op.Attach(store.attachSocket(id).toString(), spec.tty(), spec.stdin() instanceof Stdio.Pipe, hold));
                if (spec.restartPolicy().mode() != io.jcontainer.RestartPolicy.Mode.NO)
                    pre.add(new Op.Restart(spec.restartPolicy().mode() == io.jcontainer.RestartPolicy.Mode.ALWAYS ? 2 : 1,
                            spec.restartPolicy().maxRetries(), store.stopMarker(id).toString(), store.pidFile(id).toString()));
                plan = new Plan(plan.cloneFlags(), plan.flags(), pre, plan.parent(), plan.child());
            }
            Launched l = attachable && state != null ? launch(image, plan, spec, monitorStdin ? Stdio.NULL : spec.stdin(), Stdio.NULL, Stdio.NULL, hooks, id)
                    : spec.tty() ? launch(image, plan, spec, null, null, null, hooks, id)
                    : logged ? launch(image, plan, spec, spec.stdin(), Stdio.NULL, Stdio.NULL, hooks, id)
                    : launch(image, plan, spec, spec.stdin(), spec.stdout(), spec.stderr(), hooks, id);
            cgroup = made[0];
            ContainerState recorded = state == null ? null : withCgroups(state, cgroup).started(l.pid,
                    ProcStat.startTime(l.pid), l.launcherPid, Instant.now().toString());
            if (recorded != null) store.write(recorded);
            LinuxContainer[] self = new LinuxContainer[1];
            LinuxContainer c = new LinuxContainer(id, spec, l.pid, l.launcherPid, l.launcherIsChild, l.control, l.in, l.out, l.err,
                    l.ttyControl, cgroup, sys, () -> {
                        live.remove(self[0]);
                        // the handle of an attached container owns its record; a detached one lives on
                        if (recorded != null && !spec.detached()) store.delete(recorded);
                        if ((net == null || net.joinedUserns() != null) && !spec.detached()) { // an ordinary user's network has a pasta too
                            io.jcontainer.linux.net.Pasta.stop(sys, store.root().resolveSibling("networks"), id);
                            io.jcontainer.linux.net.Slirp4netns.stop(sys, store.root().resolveSibling("networks"), id);
                        }
                        if (rootCleanup != null) rootCleanup.run();
                        else if (!spec.detached()) io.jcontainer.linux.rootfs.OverlayUpper.removeIfOwnedLater(spec.root());
                        if (net != null && !spec.detached()) {
                            try {
                                // it has exited (close waited for it): its address and ports are free now, the rest follows
                                networks().releaseExited(id, l.pid, net.attachment().endpoint().hostVeth());
                            } catch (RuntimeException e) {
                                LoggerFactory.getLogger(LinuxContainerRuntime.class).warn("jcontainer: detaching {} from its network failed (the sweep retries)", id, e);
                            }
                        }
                    }, this);
            self[0] = c;
            live.add(c);
            // poststop work runs off the supervisor thread, which serves every container
            Runnable watch = () -> supervisor.watch(l.control, !hooks.has(HookPoint.POSTSTOP) ? c::exited : frame -> {
                c.exited(frame);
                Thread.ofVirtual().name("jcontainer-poststop").start(() -> runQuietly(hooks, HookPoint.POSTSTOP, id, l.pid));
            });
            ok = true;
            if (hooks.parks()) {
                // pooled: stopped before exec; its taker lets it go and reads STARTED on its own thread
                // (the supervisor must not read that frame first), then hands the channel to the supervisor
                Plan started = plan;
                c.park(new LinuxContainer.Parked() {
                    @Override
                    public void go() {
                        ControlChannel.Frame f;
                        try {
                            l.control.sendCommand(ControlChannel.CMD_CONTINUE, HookPoint.START_CONTAINER.wire());
                        } catch (SyscallException gone) {
                            // the launcher failed the child meanwhile: its FAILED report is read next
                        }
                        f = l.control.read();
                        if (f != null && f.type() == ControlChannel.MSG_STARTED) {
                            watch.run();
                            runQuietly(hooks, HookPoint.POSTSTART, id, l.pid);
                            return;
                        }
                        c.exited((ControlChannel.Frame) null);
                        c.close();
                        if (f == null) throw new ContainerStartException("the jcontainer launcher exited without a report", null);
                        if (f.type() == ControlChannel.MSG_FAILED) throw failure(started, f, spec);
                        throw new ContainerStartException("unexpected message " + f.type() + " from the launcher", null);
                    }

                    @Override
                    public void discard() {
                        try {
                            // the launcher kills and reaps the child and reports FAILED; the handle's close does the rest
                            l.control.sendAbort(HookPoint.START_CONTAINER.wire(), 125 /* ECANCELED */, "the container pool was closed before this container was taken");
                            l.control.read();
                        } catch (RuntimeException gone) {
                            // the launcher is gone: its child died with it
                        }
                        c.exited((ControlChannel.Frame) null);
                    }
                });
                return c;
            }
            watch.run();
            runQuietly(hooks, HookPoint.POSTSTART, id, l.pid);
            return c;
        } finally {
            if (!ok) {
                if (made[0] != null) made[0].close();
                if (state != null && old == null) store.delete(state);
                if (old == null) io.jcontainer.linux.rootfs.OverlayUpper.removeIfOwned(spec.root());
            }
            if (state == null && etcHome != null) deleteTree(etcHome);
        }
    }

    private static void deleteTree(java.nio.file.Path dir) {
        try (var files = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.deleteIfExists(f);
        } catch (java.nio.file.NoSuchFileException ignored) {
            // never made: the start failed before
        } catch (java.io.IOException e) {
            LoggerFactory.getLogger(LinuxContainerRuntime.class).warn("jcontainer: removing {} failed", dir, e);
        }
    }

    /** The OCI state's bundle: the directory holding a directory root, as a bundle holds its rootfs. */
    private static String bundle(ContainerSpec spec) {
        return spec.root() instanceof io.jcontainer.Root.Directory d && d.path().toAbsolutePath().getParent() != null
                ? d.path().toAbsolutePath().getParent().toString() : "";
    }

    /** The work after start and after exit: its failure is a warning (OCI), the container is not undone. */
    private static void runQuietly(LaunchHooks hooks, HookPoint point, String id, int pid) {
        if (!hooks.has(point)) return;
        try {
            hooks.runAt(point, id, pid);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(LinuxContainerRuntime.class).warn("jcontainer: container {}: {} work failed: {}", id, point, e.getMessage());
        }
    }

    /** A detached container's piped output, or its terminal, is logged by its monitor. */
    /** The monitor's log: the spec's rotation (docker's --log-opt max-size, max-file), else this runtime's. */
    private Op.Log logOp(String path, ContainerSpec spec) {
        io.jcontainer.LogConfig c = spec.logConfig();
        return new Op.Log(path, c.maxSize() != null ? c.maxSize().bytes() : logMaxBytes, c.maxFiles() != 0 ? c.maxFiles() : logMaxFiles);
    }

    private static boolean logged(ContainerSpec spec) {
        return spec.detached() && (spec.tty() || spec.stdout() instanceof Stdio.Pipe || spec.stderr() instanceof Stdio.Pipe);
    }

    /**
     * @param old      the record of a container started again: its streams as docker keeps them (the
     *                 Config of its creation; start -a attaches without changing them)
     * @param attached a client attaches to this detached container as it starts ({@link #startAttached})
     */
    private ContainerState newState(String id, ContainerSpec spec, ContainerState old, boolean attached, boolean autoRemove) {
        boolean logged = logged(spec);
        return new ContainerState(id, spec.name(), switch (spec.root()) {
                    case io.jcontainer.Root.Directory d -> d.path().toString();
                    case io.jcontainer.Root.Overlay o -> "overlay:" + o.lowerDirs().getFirst();
                    case io.jcontainer.Root.Default d -> "<default>";
                }, spec.command(),
                spec.init(), spec.has(Namespace.PID), spec.stopSignal().name(), 0, 0, 0, Instant.now().toString(), null,
                spec.detached(), logged ? store.logFile(id).toString() : null, List.of(), spec.restartPolicy().toString(),
                old != null && old.streams() != null ? old.streams() : streams(spec, attached), autoRemove, spec.annotations());
    }

    /**
     * docker's Config.Tty/OpenStdin/Attach*: a detached container keeps stdin open when its monitor
     * holds it (piped); an attached one when it has any; what is attached is what the starter
     * reads or writes (nothing for a plain detached start).
     */
    static ContainerState.Streams streams(ContainerSpec spec, boolean attached) {
        boolean stdinOpen = spec.detached() ? spec.stdin() instanceof Stdio.Pipe : !(spec.stdin() instanceof Stdio.Null);
        if (spec.detached() && !attached) return new ContainerState.Streams(spec.tty(), stdinOpen, false, false, false);
        if (spec.detached() || spec.tty()) return new ContainerState.Streams(spec.tty(), stdinOpen, stdinOpen, true, true);
        return new ContainerState.Streams(false, stdinOpen, stdinOpen, !(spec.stdout() instanceof Stdio.Null), !(spec.stderr() instanceof Stdio.Null));
    }

    private static ContainerState withCgroups(ContainerState s, ContainerCgroup cgroup) {
        if (cgroup == null) return s;
        List<String> dirs = new ArrayList<>();
        for (String procs : cgroup.procsFiles()) dirs.add(java.nio.file.Path.of(procs).getParent().toString());
        return new ContainerState(s.id(), s.name(), s.image(), s.command(), s.init(), s.pidNamespace(), s.stopSignal(), s.pid(),
                s.pidStartTime(), s.launcherPid(), s.created(), s.started(), s.detached(), s.logPath(), dirs, s.restartPolicy(),
                s.streams(), s.autoRemove(), s.annotations());
    }

    /**
     * Runs a command in a running container: joins its namespaces (user first: it grants the
     * rights to join the others; mount last, in the child, after the launcher has placed it in
     * the container's cgroup through the host's /sys), then the same process setup as its PID 1.
     */
    ContainerProcess exec(LinuxContainer c, ContainerCgroup cgroup, ExecSpec exec, Set<ContainerProcess> open) {
        return exec(c.id(), c.pid(), c.spec(), cgroup == null ? List.of() : cgroup.procsFiles(), exec, open);
    }

    /**
     * Whether a process can join it: running, or created with its first process waiting for the
     * start (namespaces and cgroups complete; runc execs into both).
     */
    private static boolean joinable(ContainerStore.Entry e) {
        return e.running() || (e.status() == ContainerStore.Status.CREATED && e.state().pid() > 0);
    }

    /**
     * exec into a container of another process (found in the {@link #store()}): {@code spec} must
     * be the one it was started with (its security settings are applied again). Refuses a
     * container that is not running or is paused.
     */
    public ContainerProcess exec(ContainerState state, ContainerSpec spec, ExecSpec exec) {
        ContainerStore.Entry now = store.entry(state);
        if (!joinable(now)) throw new ContainerNotRunningException("container " + state.id() + " is not running");
        // a process joining a frozen cgroup freezes too: the exec would hang until unpause
        if (now.paused())
            throw new ContainerStore.PauseStateException("Container " + state.id() + " is paused, unpause the container before exec");
        List<String> procs = new ArrayList<>();
        // v1 directories are joined through tasks (the launcher writes the pid), cgroup2 ones at clone
        for (String d : io.jcontainer.linux.state.RecordCheck.ownCgroupDirs(state))
            procs.add(d + (java.nio.file.Files.exists(java.nio.file.Path.of(d, "cgroup.controllers")) ? "/cgroup.procs" : "/tasks"));
        return exec(state.id(), state.pid(), spec, procs, exec, ConcurrentHashMap.newKeySet());
    }

    /**
     * exec into a recorded container whose process outlives this JVM (docker exec -d; exec -it,
     * which ctrl-p ctrl-q leaves running): its launcher is its monitor, as a detached container's.
     * With {@code attach} (a terminal or piped stdin, held by the monitor) the monitor also logs
     * its output to {@code exec-ID.log} and serves attach clients on {@code exec-ID.sock} (ID: the
     * exec id's first 12 digits) in the
     * container's state directory, holding the output until the session returned here connects;
     * the process's exit comes through the session. Without, its streams are the exec's own
     * (null: /dev/null) and nothing is returned.
     */
    public io.jcontainer.linux.attach.AttachSession execDetached(ContainerState state, ContainerSpec spec, ExecSpec exec, String execId,
                                                                boolean attach) {
        return execDetached(state, spec, exec, execId, attach, null);
    }

    /** @param pids when not null, receives the process's pid and its monitor's */
    public io.jcontainer.linux.attach.AttachSession execDetached(ContainerState state, ContainerSpec spec, ExecSpec exec, String execId,
                                                                boolean attach, int[] pids) {
        return execDetached(state, spec, exec, execId, attach, pids, false);
    }

    /**
     * @param monitorless no monitor: the launcher exits once the process runs, which is then its
     *                    caller's subreaper's to reap (runc's exec -d; {@code Containers.execWithoutMonitor})
     */
    public io.jcontainer.linux.attach.AttachSession execDetached(ContainerState state, ContainerSpec spec, ExecSpec exec, String execId,
                                                                boolean attach, int[] pids, boolean monitorless) {
        ContainerStore.Entry now = store.entry(state);
        if (!joinable(now)) throw new ContainerNotRunningException("container " + state.id() + " is not running");
        if (now.paused())
            throw new ContainerStore.PauseStateException("Container " + state.id() + " is paused, unpause the container before exec");
        List<String> procs = new ArrayList<>();
        for (String d : state.cgroupDirs())
            procs.add(d + (java.nio.file.Files.exists(java.nio.file.Path.of(d, "cgroup.controllers")) ? "/cgroup.procs" : "/tasks"));
        ContainerSpec merged = ExecPlans.merge(spec, exec);
        Passwd.User user = Passwd.forRoot(merged.root()).resolve(merged.user(), merged.process().user().additionalGroups());
        SeccompFilters.SeccompFilter filter = SeccompFilters.compile(merged.seccomp(), merged.capabilities());
        Plan full = new PlanCompiler(host()).compile(merged, new PlanCompiler.Inputs(user, List.of(), filter == null ? null : filter.program(),
                filter == null ? 0 : filter.flags(), state.id().substring(0, 12)));
        Plan plan = ExecPlans.forExec(full, merged, state.pid(), procs, true);
        if (monitorless) {
            if (attach) throw new IllegalArgumentException("an attached exec needs its monitor");
            plan = new Plan(plan.cloneFlags(), plan.flags() | Plan.NO_MONITOR, plan.pre(), plan.parent(), plan.child());
        }
        // short names: a socket path past sun_path is bound through its directory's fd, which takes names up to 48 bytes
        String file = "exec-" + execId.substring(0, Math.min(12, execId.length()));
        java.nio.file.Path socket = store.dir(state.id()).resolve(file + ".sock");
        if (attach) {
            // first, with the host's view and this user's credentials: the files are in the state directory
            List<Op> pre = new ArrayList<>();
            pre.add(new Op.Log(store.dir(state.id()).resolve(file + ".log").toString(), logMaxBytes, logMaxFiles));
            pre.add(new Op.Attach(socket.toString(), exec.tty(), exec.stdin() instanceof Stdio.Pipe, true));
            pre.addAll(plan.pre());
            plan = new Plan(plan.cloneFlags(), plan.flags(), pre, plan.parent(), plan.child());
        }
        Launched l = attach || exec.stdin() instanceof Stdio.Console ? launch(launcher(), plan, merged, Stdio.NULL, Stdio.NULL, Stdio.NULL, new LaunchHooks(), state.id())
                : launch(launcher(), plan, merged, exec.stdin(), exec.stdout(), exec.stderr(), new LaunchHooks(), state.id());
        if (pids != null) {
            pids[0] = l.pid();
            pids[1] = l.launcherPid();
        }
        try {
            return attach ? io.jcontainer.linux.attach.AttachSession.connect(socket) : null;
        } finally {
            // lets go: the monitor holds the output for its first client (connected above) or, if
            // none came, stops holding it at this EOF
            l.control().close();
            for (java.io.Closeable c : new java.io.Closeable[]{l.in(), l.out(), l.err()})
                if (c != null) try {
                    c.close();
                } catch (java.io.IOException ignored) {
                    // closing our ends only
                }
        }
    }

    private ContainerProcess exec(String id, long pid, ContainerSpec spec, List<String> cgroupProcs, ExecSpec exec, Set<ContainerProcess> open) {
        ContainerSpec merged = ExecPlans.merge(spec, exec);
        Passwd.User user = Passwd.forRoot(merged.root()).resolve(merged.user(), merged.process().user().additionalGroups());
        SeccompFilters.SeccompFilter filter = SeccompFilters.compile(merged.seccomp(), merged.capabilities());
        Plan full = new PlanCompiler(host()).compile(merged, new PlanCompiler.Inputs(user, List.of(), filter == null ? null : filter.program(),
                filter == null ? 0 : filter.flags(), id.substring(0, 12)));
        Plan plan = ExecPlans.forExec(full, merged, pid, cgroupProcs);
        Launched l = exec.tty() ? launch(launcher(), plan, merged, null, null, null, new LaunchHooks(), id)
                : launch(launcher(), plan, merged, exec.stdin(), exec.stdout(), exec.stderr(), new LaunchHooks(), id);
        LinuxExecProcess[] self = new LinuxExecProcess[1];
        // with a terminal, the process keeps a dup of its master for resizeTerminal (closed with it)
        LinuxExecProcess p = new LinuxExecProcess(l.pid, l.launcherPid, l.launcherIsChild, l.control, l.in, l.out, l.err, sys,
                () -> open.remove(self[0]), l.ttyControl);
        self[0] = p;
        open.add(p);
        supervisor.watch(l.control, p::exited);
        return p;
    }

    /**
     * runc's {@code create}: sets {@code spec} up completely and leaves it waiting just before its
     * process setup and exec (at {@link HookPoint#START_CONTAINER}) until {@link #startCreated}
     * — from any process, after this JVM is gone too. Its monitor keeps it meanwhile, and writes
     * into {@code stateDir} (which the caller owns and keeps): {@code exec.fifo} while it waits,
     * {@code created.json} (see {@link CreatedContainer}), {@code exit} once it has ended
     * ("si_code si_status oom", as detached containers), {@code log} when its stdout or stderr is
     * {@link Stdio.Pipe} (nobody reads them: CRI format, as detached containers). Killing its
     * pid ({@link #killCreated}) before the start ends it: the monitor removes its cgroups and
     * FIFO and records the exit. Output otherwise goes where {@code spec}'s stdio says
     * ({@link Stdio.File} is the useful one); the container is detached whatever {@code spec} says.
     * For the lifecycle API to build on; not yet recorded in {@link #store()}.
     */
    public CreatedContainer create(ContainerSpec spec, java.nio.file.Path stateDir) {
        if (spec.tty() && !(spec.stdin() instanceof Stdio.Console))
            throw new InvalidSpecException("tty", "a created container's terminal is held by its monitor for attach clients:"
                + " create it through the lifecycle API (Containers.create), which serves them");
        return create(spec, stateDir, newId(), null, null);
    }

    /**
     * As {@link #create(ContainerSpec, java.nio.file.Path)}, under an id chosen by the caller (the
     * lifecycle API's record). With {@code attachSocket} its monitor holds its terminal or piped
     * stdin, and its output, for attach clients on that socket (as a detached container's).
     */
    /**
     * @param monitorless null: a monitor keeps the container; else no monitor stays (runc's create:
     *                    {@link io.jcontainer.lifecycle.Containers#createWithoutMonitor}) and the
     *                    cgroup directories it was placed in are added to this list, for the remove
     */
    CreatedContainer create(ContainerSpec spec, java.nio.file.Path stateDir, String id, java.nio.file.Path attachSocket,
                            List<String> monitorless) {
        if (!java.nio.file.Files.isDirectory(stateDir)) throw new InvalidSpecException("create", "no state directory " + stateDir);
        ContainerSpec s = spec.toBuilder().detached(true).build();
        refuseNotYetSupported(s);
        if (s.network() instanceof io.jcontainer.NetworkMode.Named || s.network() instanceof io.jcontainer.NetworkMode.Container)
            throw new io.jcontainer.lifecycle.Containers.NotSupportedYetException("create with network " + s.network()
                    + " is not implemented yet (the JVM wires the namespace at start): use run -d");
        if (!s.hooks().poststart().isEmpty() || !s.hooks().poststop().isEmpty())
            throw new HostUnsupportedException("hooks.poststart/poststop of a created container: nobody runs them once this JVM is gone (yet)",
                    "start the container with start(spec), or leave those hooks out");
        RootfsChecks.check(s);
        LauncherImage image = launcher();
        Passwd.User user = Passwd.forRoot(s.rootfs()).resolve(s.user(), s.process().user().additionalGroups());
        ContainerCgroup cgroup = null;
        Launched l = null;
        boolean ok = false;
        try {
            PreparedCgroup prepared = cgroups().prepare(id, s);
            if (prepared != null) cgroup = prepared.realize(); // made now: a created container has no JVM to wait for
            SeccompFilters.SeccompFilter filter = SeccompFilters.compile(s.seccomp(), s.capabilities());
            LaunchHooks hooks = new LaunchHooks().awaitStart(h -> { });
            if (!s.hooks().isEmpty()) OciHooks.of(s.hooks()).registerOn(hooks, id, bundle(s), s.annotations());
            PlanCompiler compiler = new PlanCompiler(host());
            compiler.idMapsViaHelper(s, user).ifPresent(m -> hooks.on(HookPoint.CREATE_RUNTIME, "map ids with newuidmap/newgidmap",
                    h -> IdMapHelper.map(sys, h.pid(), m.uid(), m.gid())));
            Plan plan = compiler.compile(s, new PlanCompiler.Inputs(user, prepared == null ? List.of() : prepared.procsFiles(),
                    filter == null ? null : filter.program(), filter == null ? 0 : filter.flags(), id.substring(0, 12)).withStops(hooks.stops())
                    .withEtcFiles(s.etcFiles() ? io.jcontainer.linux.net.EtcFiles.forContainer(stateDir, s, id, Map.of()) : Map.of()));
            List<Op> pre = new ArrayList<>(plan.pre());
            if (monitorless == null) {
                pre.add(new Op.StatusFile(CreatedContainer.exitFile(stateDir).toString()));
                if (prepared != null) pre.add(new Op.RemoveOnExit(prepared.dirs()));
            } else if (prepared != null) {
                monitorless.addAll(prepared.dirs());
            }
            // a terminal sent to a console socket is the engine's: no log, nothing for attach clients
            boolean console = s.stdin() instanceof Stdio.Console;
            boolean logged = !console && (s.tty() || s.stdout() instanceof Stdio.Pipe || s.stderr() instanceof Stdio.Pipe);
            if (logged) pre.add(logOp(stateDir.resolve("log").toString(), s));
            // As run -d's: its terminal (-t) or piped stdin (-i), and its output, are held by its
            // monitor for attach clients — from now on, so that start -a can attach before the start
            // (clients that connect while it waits are accepted before any output is read).
            boolean attachable = attachSocket != null && (logged || s.stdin() instanceof Stdio.Pipe);
            if (attachable) pre.add(new Op.Attach(attachSocket.toString(), s.tty(), s.stdin() instanceof Stdio.Pipe, false));
            pre.add(new Op.StartFifo(CreatedContainer.fifo(stateDir).toString()));
            plan = new Plan(plan.cloneFlags(), plan.flags() | (monitorless == null ? 0 : Plan.NO_MONITOR), pre, plan.parent(), plan.child());
            Stdio in = s.stdin() instanceof Stdio.Pipe ? Stdio.NULL : s.stdin();
            l = attachable || console ? launch(image, plan, s, Stdio.NULL, Stdio.NULL, Stdio.NULL, hooks, id)
                    : logged ? launch(image, plan, s, in, Stdio.NULL, Stdio.NULL, hooks, id) : launch(image, plan, s, in, s.stdout(), s.stderr(), hooks, id);
            l.control.close(); // lets go: the monitor keeps it (PF_KILL_ON_EOF is off for a detached container)
            CreatedContainer created = new CreatedContainer(id, l.pid, ProcStat.startTime(l.pid), monitorless == null ? l.launcherPid : 0, stateDir);
            created.write();
            ok = true;
            return created;
        } finally {
            if (!ok && l != null) sys.kill(l.pid, io.jcontainer.Signal.KILL.number()); // waiting: its monitor cleans up
            else if (!ok && cgroup != null) cgroup.close();
        }
    }

    /**
     * runc's {@code start}: lets the container created in {@code stateDir} go on to exec. Any
     * process may call it, once. Throws when nothing waits there (never created, started already,
     * or ended).
     */
    public void startCreated(java.nio.file.Path stateDir) {
        java.nio.file.Path fifo = CreatedContainer.fifo(stateDir);
        int fd;
        try {
            // O_NONBLOCK: ENXIO at once when no monitor has it open for reading, instead of blocking
            fd = sys.open(fifo.toString(), Syscalls.O_WRONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC | Syscalls.O_NOFOLLOW, 0);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENXIO)
                throw new ContainerNotRunningException("no created container waits for its start in " + stateDir + " (" + fifo + ": "
                        + Errno.name(e.errno()) + ")");
            throw e;
        }
        try {
            sys.write(fd, new byte[]{0}, 0, 1);
        } finally {
            sys.closeQuietly(fd);
        }
        // a monitor unlinks it as it reads the byte; a monitorless container's process cannot
        // (it has pivoted): gone, a second start finds nothing waiting
        try {
            java.nio.file.Files.deleteIfExists(fifo);
        } catch (java.io.IOException e) {
            // a monitor removed it meanwhile, or the directory is read-only: nothing waits on it any more
        }
    }

    /**
     * Signals the container created in {@code stateDir} (its first process, if it is still the one
     * recorded); SIGKILL of one that waits for its start removes it: its monitor cleans up.
     */
    public void killCreated(java.nio.file.Path stateDir, io.jcontainer.Signal signal) {
        CreatedContainer c = CreatedContainer.read(stateDir);
        if (!ProcStat.alive(c.pid(), c.pidStartTime())) return; // ended: nothing to signal
        try {
            sys.kill(c.pid(), signal.number());
        } catch (SyscallException e) {
            if (e.errno() != Errno.ESRCH) throw e;
        }
    }

    /** A started launcher: its pid, its child's pid, the control channel and the JVM's stdio ends. */
    private record Launched(int launcherPid, boolean launcherIsChild, int pid, ControlChannel control, OutputStream in,
                            InputStream out, InputStream err, int ttyControl) {
    }

    /**
     * Opens stdio and the control socket, spawns the launcher, sends the plan and reads its
     * STARTED or FAILED report. On failure everything is undone (an attached launcher kills
     * its child when the control socket closes) and a precise exception is thrown. With null
     * stdio, the child's 0, 1 and 2 are a new pseudo-terminal's slave; the JVM keeps the master.
     */
    /**
     * @param hooks the JVM's work at the plan's hook points, driven once the launcher has the plan
     *              ({@link LaunchHooks#drive}); what it throws is rethrown as it is
     */
    private Launched launch(LauncherImage image, Plan plan, ContainerSpec spec, Stdio stdin, Stdio stdout, Stdio stderr,
                            LaunchHooks hooks, String id) {
        List<Integer> toClose = new ArrayList<>();
        List<Integer> mine = new ArrayList<>();
        LauncherSpawner.Spawned spawned = null;
        ControlChannel control = null;
        boolean ok = false;
        String step = "encode the plan";
        try {
            byte[] encoded = PlanEncoder.encodeFramed(plan);
            step = "open the standard streams";
            int[] in, out, err;
            int ttyControl = -1;
            if (stdin == null) {
                int[] pty = sys.openPty();
                mine.add(pty[0]);
                toClose.add(pty[1]);
                // OCI consoleSize: set before the payload can ask
                var size = spec.process().consoleSize();
                if (size != null) sys.setWindowSize(pty[0], size.height(), size.width());
                int master2 = sys.dup(pty[0]);
                mine.add(master2);
                ttyControl = sys.dup(pty[0]);
                mine.add(ttyControl);
                in = new int[]{pty[1], master2};
                out = new int[]{pty[1], pty[0]};
                err = new int[]{pty[1], -1};
            } else {
                in = stdio(stdin, 0, true, toClose, mine);
                out = stdio(stdout, 1, false, toClose, mine);
                err = stdio(stderr, 2, false, toClose, mine);
            }
            step = "create the control socket";
            int[] ctl = sys.socketpair();
            toClose.add(ctl[1]);
            control = new ControlChannel(sys, ctl[0]);

            step = "start the launcher";
            spawned = spawner.spawn(new int[]{in[0], out[0], err[0], ctl[1]});
            // The launcher has its copies; ours of the child's ends must go, or EOF never comes.
            for (int fd : toClose) sys.closeQuietly(fd);
            toClose.clear();
            step = "send the plan to the launcher";
            control.sendPlan(encoded);
            step = "wait for the launcher's report";
            ControlChannel.Frame first = hooks.drive(control, id);
            if (first == null)
                throw new ContainerStartException("the jcontainer launcher exited without a report ("
                        + (spawned.jvmChild() ? waitDescription(spawned.pid()) : "no exit status to show: launchers forked by the spawn server are reaped by it") + ")", null);
            if (first.type() == ControlChannel.MSG_FAILED) throw failure(plan, first, spec);
            boolean created = first.type() == ControlChannel.MSG_HOOK; // LaunchHooks.awaitStart: it waits for its start
            if (first.type() != ControlChannel.MSG_STARTED && !created)
                throw new ContainerStartException("unexpected message " + first.type() + " from the launcher", null);
            ok = true;
            InputStream o = out[1] < 0 ? null : ttyControl >= 0 ? new PtyInputStream(new FdInputStream(sys, out[1])) : new FdInputStream(sys, out[1]);
            // STARTED: the child's pid, then (since the spawn server) the launcher's own; HOOK: point, pid, launcher
            int pid = created ? first.int32(1) : first.int32(0);
            int launcherPid = created ? first.int32(2) : first.payload().limit() >= 8 ? first.int32(1) : spawned.pid();
            return new Launched(launcherPid, spawned.jvmChild(), pid, control, in[1] >= 0 ? new FdOutputStream(sys, in[1]) : null,
                    o, err[1] >= 0 ? new FdInputStream(sys, err[1]) : null, ttyControl);
        } catch (LaunchHooks.HookFailed e) {
            throw e.getCause();
        } catch (SyscallException e) {
            var wrapped = new ContainerStartException(step, e.syscall(), e.errnoName(), Errno.text(e.errno()), e.path());
            wrapped.initCause(e);
            throw wrapped;
        } catch (ContainerException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ContainerStartException("start failed: " + e.getMessage(), e);
        } finally {
            if (!ok) {
                for (int fd : toClose) sys.closeQuietly(fd);
                for (int fd : mine) sys.closeQuietly(fd);
                if (control != null) control.close(); // an attached launcher kills its child on EOF
                if (spawned != null && spawned.jvmChild()) {
                    try {
                        sys.waitPid(spawned.pid(), false);
                    } catch (RuntimeException ignored) {
                        // already reaped
                    }
                }
            }
        }
    }

    /**
     * Opens one standard stream: returns {the fd the launcher gets, the JVM's end or -1}. Fds
     * opened only for the child are added to {@code toClose}.
     */
    private int[] stdio(Stdio s, int which, boolean input, List<Integer> toClose, List<Integer> ours) {
        // instanceof, not a pattern switch: see Passwd.forRoot (the CLI's run pays for each one)
        if (s instanceof Stdio.Inherit) return new int[]{which, -1};
        if (s instanceof Stdio.Null) {
            int fd = sys.open("/dev/null", (input ? Syscalls.O_RDONLY : Syscalls.O_WRONLY) | Syscalls.O_CLOEXEC, 0);
            toClose.add(fd);
            return new int[]{fd, -1};
        }
        if (s instanceof Stdio.File f) {
            int flags = input ? Syscalls.O_RDONLY
                    : Syscalls.O_WRONLY | Syscalls.O_CREAT | (f.append() ? Syscalls.O_APPEND : Syscalls.O_TRUNC);
            int fd = sys.open(f.path().toAbsolutePath().toString(), flags | Syscalls.O_CLOEXEC | Syscalls.O_NOCTTY, 0644);
            toClose.add(fd);
            return new int[]{fd, -1};
        }
        if (s instanceof Stdio.Pipe) {
            int[] pipe = sys.pipe();
            int child = input ? pipe[0] : pipe[1], mine = input ? pipe[1] : pipe[0];
            toClose.add(child);
            ours.add(mine);
            return new int[]{child, mine};
        }
        throw new InvalidSpecException("stdio", // Stdio.Console
                "a console socket is for created containers (Containers.create) and detached execs (execDetachedProcess) only");
    }

    private String waitDescription(int pid) {
        try {
            Syscalls.WaitStatus w = sys.waitPid(pid, false);
            return w.exited() ? "exit status " + w.status() : "killed by signal " + w.status();
        } catch (RuntimeException e) {
            return "status unknown";
        }
    }

    private ContainerException failure(Plan plan, ControlChannel.Frame f, ContainerSpec spec) {
        int phase = f.int32(0), index = f.int32(1), syscall = f.int32(3), errno = f.int32(4);
        String detail = f.string(24);
        SyscallId call = SyscallId.of(syscall);
        if (call == SyscallId.CLONE && spec.has(Namespace.USER) && (errno == Errno.EPERM || errno == Errno.ENOSPC || errno == Errno.EINVAL)) {
            String blocker = host().userNamespaceBlocker();
            if (blocker != null)
                return new HostUnsupportedException("cannot create a user namespace: clone3(2): " + Errno.name(errno), blocker);
        }
        Op op = plan.op(phase, index);
        String step = switch (phase) {
            case Plan.PHASE_PLAN -> "reading the plan";
            case Plan.PHASE_PARENT -> call == SyscallId.CLONE ? "creating the namespaces (clone3)" : "step P" + index + " \"" + (op == null ? "?" : op.step()) + "\"";
            default -> "step " + index + " \"" + (op == null ? "?" : op.step()) + "\"";
        };
        String path = detail.isEmpty() ? null : detail;
        if (call == SyscallId.CLONE) path = null;
        return new ContainerStartException(step, call.callName(), Errno.name(errno), Errno.text(errno), path);
    }

    static String newId() {
        return HexFormat.of().formatHex(random32());
    }

    /**
     * 32 bytes from the kernel's CSPRNG (/dev/urandom, what SecureRandom's default reads too),
     * without SecureRandom: its providers and their object identifiers cost the CLI's {@code run}
     * tens of ms before the first clone. SecureRandom answers where /dev/urandom cannot be read.
     */
    static byte[] random32() {
        byte[] b = new byte[32];
        java.nio.channels.FileChannel urandom = Urandom.CHANNEL;
        if (urandom != null) {
            try {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
                while (buf.hasRemaining()) if (urandom.read(buf) <= 0) break;
                if (!buf.hasRemaining()) return b;
            } catch (java.io.IOException | RuntimeException e) {
                // fall through to SecureRandom
            }
        }
        Ids.RANDOM.nextBytes(b);
        return b;
    }

    /** /dev/urandom opened once (an open, a read and a close per start before); null where it cannot be read (a chroot without /dev). */
    private static final class Urandom {
        static final java.nio.channels.FileChannel CHANNEL = open();

        private static java.nio.channels.FileChannel open() {
            try {
                return java.nio.channels.FileChannel.open(java.nio.file.Path.of("/dev/urandom"));
            } catch (java.io.IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /** For tests and tools: makes sure a spec compiles on this host without starting anything. */
    public Plan plan(ContainerSpec spec) {
        RootfsChecks.check(spec);
        Passwd.User user = Passwd.forRoot(spec.root()).resolve(spec.user(), spec.process().user().additionalGroups());
        try {
            return new PlanCompiler(host()).compile(spec, PlanCompiler.Inputs.of(user));
        } catch (InvalidSpecException e) {
            throw e;
        }
    }
}
