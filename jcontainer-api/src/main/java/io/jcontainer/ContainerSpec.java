package io.jcontainer;

import io.jcontainer.spi.ContainerRuntime;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything that defines a container, immutable and validated, shaped like the OCI runtime
 * spec 1.2 ({@code config.json}): {@link #process()}, {@link #root()}, {@link #mounts()},
 * hostname and domainname, {@link #linux()}, {@link #hooks()} and {@link #annotations()} —
 * beside jcontainer's own settings (name, stdio, detached, init, restart policy, stop signal)
 * and the {@link #network()} mode. Made by {@link Container#builder()}; a spec can be started
 * any number of times ({@link #start()}).
 *
 * <p>Defaults are those of {@code docker run}: namespaces PID, NET (loopback only), MNT, UTS,
 * IPC and CGROUP (plus USER when the JVM is not root); Docker's 14 capabilities; the default
 * seccomp profile; masked {@code /proc} paths; stdin from {@code /dev/null}, stdout and stderr
 * piped to the JVM; an empty environment but {@code PATH}, {@code HOSTNAME} and {@code HOME}.
 *
 * <p>The flat accessors below the components ({@link #command()}, {@link #namespaces()},
 * {@link #rootfs()}...) are views of the OCI parts, kept for brevity.
 *
 * @param name          an optional human name, unique among running containers of one runtime
 * @param process       what runs (OCI {@code process})
 * @param root          the root filesystem (OCI {@code root}, plus overlay and the default root)
 * @param mounts        mounts in order (OCI {@code mounts})
 * @param hostname      the UTS hostname, or null (a UTS namespace then gets the short container id)
 * @param domainname    the NIS domain name, or null
 * @param linux         namespaces, id maps, resources, security (OCI {@code linux})
 * @param hooks         OCI hooks
 * @param annotations   OCI annotations (free-form metadata)
 * @param network       where the network comes from; consistent with the NET namespace
 * @param stdin         where the payload's stdin comes from
 * @param stdout        where its stdout goes
 * @param stderr        where its stderr goes
 * @param detached      whether the container outlives the JVM that started it (otherwise it dies with the JVM)
 * @param init          whether a tiny init runs as PID 1, reaping orphans and forwarding signals
 * @param restartPolicy docker's {@code --restart}; only for detached containers (their monitor restarts them)
 * @param stopSignal    the signal {@link Container#stop(java.time.Duration)} sends first (docker's {@code --stop-signal})
 * @param stopTimeout   how long a stop without a given grace waits before SIGKILL (docker's {@code --stop-timeout});
 *                      null = 10 seconds
 * @param logConfig     a detached container's log: driver and rotation (docker's {@code --log-driver}, {@code --log-opt});
 *                      null = {@link LogConfig#DEFAULT}
 * @param healthcheck   the health check of a detached container (docker's {@code --health-*}), or null for none
 * @param etcFiles      docker's generated {@code /etc/hostname}, {@code /etc/hosts} and {@code /etc/resolv.conf}: a
 *                      recorded container (named or detached) gets them as files of its state directory bound
 *                      over the root's — never written into a directory root (there only over files it has)
 */
public record ContainerSpec(String name, ProcessSpec process, Root root, List<Mount> mounts, String hostname, String domainname,
                            LinuxSpec linux, Hooks hooks, Map<String, String> annotations, NetworkMode network,
                            Stdio stdin, Stdio stdout, Stdio stderr, boolean detached, boolean init,
                            RestartPolicy restartPolicy, Signal stopSignal, java.time.Duration stopTimeout,
                            LogConfig logConfig, HealthCheck healthcheck, boolean etcFiles) {
    /** docker's default stop timeout. */
    public static final java.time.Duration DEFAULT_STOP_TIMEOUT = java.time.Duration.ofSeconds(10);

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    /** Validates each part and the conflicts between them (no file system access: see {@link Builder#build()}). */
    public ContainerSpec {
        if (name != null && !name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*"))
            throw new InvalidSpecException("name", "invalid container name '" + name + "': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        if (process == null) throw new InvalidSpecException("process", "null");
        if (root == null) root = new Root.Default(false);
        mounts = Checks.list("mounts", mounts);
        checkHostname("hostname", hostname);
        checkHostname("domainname", domainname);
        if (linux == null) throw new InvalidSpecException("linux", "null");
        if (hooks == null) hooks = Hooks.NONE;
        annotations = Checks.map("annotations", annotations);
        if (stdin == null || stdout == null || stderr == null) throw new InvalidSpecException("stdio", "null stream");
        if (restartPolicy == null) throw new InvalidSpecException("restart", "null");
        if (stopSignal == null) throw new InvalidSpecException("stopSignal", "null");
        if (stopTimeout != null && stopTimeout.isNegative())
            throw new InvalidSpecException("stop-timeout", "must not be negative, got " + stopTimeout.toSeconds() + "s");
        if (logConfig == null) logConfig = LogConfig.DEFAULT;
        if (network == null) network = derivedNetwork(linux);

        if (process.args().isEmpty()) throw new InvalidSpecException("command", "no command given: call command(...)");
        if (!linux.has(Namespace.MNT))
            throw new InvalidSpecException("namespaces", "the MNT namespace is required: without it the container would share the host's root");
        if (linux.namespacePath(Namespace.MNT) != null)
            throw new InvalidSpecException("namespaces.mount.path", "joining a mount namespace is not supported: the container gets its root in a new one");
        if ((hostname != null || domainname != null) && !linux.has(Namespace.UTS))
            throw new InvalidSpecException("hostname", "setting a hostname needs the UTS namespace (it would rename the host)");
        if ((!linux.uidMappings().isEmpty() || !linux.gidMappings().isEmpty()) && !linux.has(Namespace.USER))
            throw new InvalidSpecException("idmap", "uid/gid maps need the USER namespace");
        if (linux.unprivilegedRoot() && !linux.has(Namespace.USER))
            throw new InvalidSpecException("unprivilegedRoot", "an unprivileged host range for the container's ids needs the USER namespace");
        if (restartPolicy.mode() != RestartPolicy.Mode.NO && !detached)
            throw new InvalidSpecException("restart", "a restart policy needs a detached container (its monitor restarts it; an attached one ends with its handle)");
        if (init && !linux.has(Namespace.PID))
            throw new InvalidSpecException("init", "an init process needs the PID namespace");
        String netPath = linux.namespacePath(Namespace.NET);
        // instanceof, not a pattern switch: each pattern switch's class is spun at run time
        // (SwitchBootstraps), outside a JDK AOT cache, in every JVM that builds a spec
        boolean consistent = network instanceof NetworkMode.Host ? !linux.has(Namespace.NET)
                : network instanceof NetworkMode.NamespacePath p ? p.path().equals(netPath)
                : linux.has(Namespace.NET) && netPath == null; // None, Named, Container: a namespace of its own
        if (!consistent)
            throw new InvalidSpecException("network", "network mode " + network + " contradicts the NET namespace setting "
                    + (linux.has(Namespace.NET) ? (netPath == null ? "(a new one)" : "(join " + netPath + ")") : "(none: the host's network)"));
    }

    /** A spec with the defaults for stop timeout, log and health check (the shape before they existed). */
    public ContainerSpec(String name, ProcessSpec process, Root root, List<Mount> mounts, String hostname, String domainname,
                         LinuxSpec linux, Hooks hooks, Map<String, String> annotations, NetworkMode network,
                         Stdio stdin, Stdio stdout, Stdio stderr, boolean detached, boolean init,
                         RestartPolicy restartPolicy, Signal stopSignal) {
        this(name, process, root, mounts, hostname, domainname, linux, hooks, annotations, network, stdin, stdout, stderr,
                detached, init, restartPolicy, stopSignal, null, null, null);
    }

    /** A spec without generated /etc files (the shape before they existed). */
    public ContainerSpec(String name, ProcessSpec process, Root root, List<Mount> mounts, String hostname, String domainname,
                         LinuxSpec linux, Hooks hooks, Map<String, String> annotations, NetworkMode network,
                         Stdio stdin, Stdio stdout, Stdio stderr, boolean detached, boolean init,
                         RestartPolicy restartPolicy, Signal stopSignal, java.time.Duration stopTimeout,
                         LogConfig logConfig, HealthCheck healthcheck) {
        this(name, process, root, mounts, hostname, domainname, linux, hooks, annotations, network, stdin, stdout, stderr,
                detached, init, restartPolicy, stopSignal, stopTimeout, logConfig, healthcheck, false);
    }

    /** The grace a stop without one gives: {@link #stopTimeout()} or docker's 10 seconds. */
    public java.time.Duration effectiveStopTimeout() {
        return stopTimeout == null ? DEFAULT_STOP_TIMEOUT : stopTimeout;
    }

    private static void checkHostname(String setting, String h) {
        if (h != null && (h.length() > 64 || !HOSTNAME.matcher(h).matches()))
            throw new InvalidSpecException(setting, "invalid " + setting + " '" + h.replace('\0', '?') + "' (RFC 1123: letters, digits and '-', at most 64 characters)");
    }

    /** The mode the NET namespace setting implies: host without one, a path when joined, else none. */
    private static NetworkMode derivedNetwork(LinuxSpec linux) {
        if (!linux.has(Namespace.NET)) return NetworkMode.HOST;
        String p = linux.namespacePath(Namespace.NET);
        return p == null ? NetworkMode.NONE : new NetworkMode.NamespacePath(p);
    }

    /** Starts a container from this spec with the runtime found on the class path. */
    public Container start() {
        return ContainerRuntime.get().start(this);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    // ---- flat views of the OCI parts ----

    public Set<Namespace> namespaces() { return linux.namespaceTypes(); }
    public boolean has(Namespace ns) { return linux.has(ns); }
    /** Whether {@code /sys/fs/cgroup} shows the container's own cgroups ({@link Mount#cgroupView()}). */
    public boolean cgroupView() { return mounts.stream().anyMatch(Mount::isCgroupView); }
    /** The root directory, or null when the root is not a {@link Root.Directory}. */
    public Path rootfs() { return root instanceof Root.Directory d ? d.path() : null; }
    public boolean readOnlyRoot() { return root.readonly(); }
    public List<String> command() { return process.args(); }
    public Map<String, String> env() { return process.env(); }
    public String workingDir() { return process.cwd(); }
    /** {@code uid[:gid]} or {@code name[:group]} as docker's {@code -u}, or null for root (0:0). */
    public String user() { return process.user().name(); }
    /** Explicit uid map lines, or empty for the default (container root = the calling user). */
    public List<IdMap> uidMap() { return linux.uidMappings(); }
    public List<IdMap> gidMap() { return linux.gidMappings(); }
    public Resources resources() { return linux.resources(); }
    /** The bounding set: the capabilities the payload may hold (see {@link CapabilitySets}). */
    public Set<Capability> capabilities() { return process.capabilities().bounding(); }
    public boolean noNewPrivileges() { return process.noNewPrivileges(); }
    /** Whether a root JVM runs the user namespace's ids as an unprivileged host range (see {@link Builder#unprivilegedRoot}). */
    public boolean unprivilegedRoot() { return linux.unprivilegedRoot(); }
    public Seccomp seccomp() { return linux.seccomp(); }
    /** Paths made inaccessible, or null for the runtime's defaults. */
    public List<String> maskedPaths() { return linux.maskedPaths(); }
    /** Paths made read-only, or null for the runtime's defaults. */
    public List<String> readonlyPaths() { return linux.readonlyPaths(); }
    public List<Rlimit> rlimits() { return process.rlimits(); }
    /** Whether stdin, stdout and stderr are one pseudo-terminal (docker {@code -t}); see {@link Container#resizeTerminal}. */
    public boolean tty() { return process.terminal(); }

    @Override
    public String toString() {
        return "ContainerSpec{" + (name == null ? "" : "name=" + name + ", ") + "command=" + command() + ", root="
                + root + ", namespaces=" + namespaces() + ", mounts=" + mounts.size()
                + ", resources=" + (resources().isEmpty() ? "none" : resources()) + "}";
    }

    /** The fluent way to a {@link ContainerSpec}; every setter validates what it can at once. */
    public static final class Builder {
        private String name;
        private ProcessSpec process = ProcessSpec.DEFAULT;
        private Root root = new Root.Default(false);
        private final List<Mount> mounts = new ArrayList<>();
        private String hostname;
        private String domainname;
        private LinuxSpec linux = new LinuxSpec(List.of(), List.of(), List.of(), Resources.NONE, null, Map.of(), Seccomp.DEFAULT,
                null, null, List.of(), null);
        private Hooks hooks = Hooks.NONE;
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private NetworkMode network; // null: what the NET namespace implies
        private Stdio stdin = Stdio.NULL, stdout = Stdio.PIPE, stderr = Stdio.PIPE;
        private boolean detached;
        private boolean init;
        private RestartPolicy restartPolicy = RestartPolicy.NO;
        private Signal stopSignal = Signal.TERM;
        private java.time.Duration stopTimeout;
        private LogConfig logConfig = LogConfig.DEFAULT;
        private HealthCheck healthcheck;
        private boolean etcFiles;

        Builder() {
            linux = linux.withNamespaceTypes(defaultNamespaces());
        }

        private Builder(ContainerSpec s) {
            name = s.name;
            process = s.process;
            root = s.root;
            mounts.addAll(s.mounts);
            hostname = s.hostname;
            domainname = s.domainname;
            linux = s.linux;
            hooks = s.hooks;
            annotations.putAll(s.annotations);
            network = s.network;
            stdin = s.stdin;
            stdout = s.stdout;
            stderr = s.stderr;
            detached = s.detached;
            init = s.init;
            restartPolicy = s.restartPolicy;
            stopSignal = s.stopSignal;
            stopTimeout = s.stopTimeout;
            logConfig = s.logConfig;
            healthcheck = s.healthcheck;
            etcFiles = s.etcFiles;
        }

        private static EnumSet<Namespace> defaultNamespaces() {
            EnumSet<Namespace> ns = EnumSet.of(Namespace.PID, Namespace.NET, Namespace.MNT, Namespace.UTS, Namespace.IPC, Namespace.CGROUP);
            // A non-root JVM has no other way to get the privileges the other namespaces need.
            if (!"root".equals(System.getProperty("user.name"))) ns.add(Namespace.USER);
            return ns;
        }

        public Builder name(String name) {
            if (name != null && !name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*"))
                throw new InvalidSpecException("name", "invalid container name '" + name + "': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
            this.name = name;
            return this;
        }

        // ---- the OCI parts, whole ----

        public Builder process(ProcessSpec p) {
            this.process = nonNull("process", p);
            return this;
        }

        public Builder root(Root r) {
            if (r == null) throw new InvalidSpecException("root", "null; use new Root.Default(false)");
            this.root = r;
            return this;
        }

        public Builder linux(LinuxSpec l) {
            if (l == null) throw new InvalidSpecException("linux", "null");
            this.linux = l;
            return this;
        }

        public Builder hooks(Hooks h) {
            if (h == null) throw new InvalidSpecException("hooks", "null; use Hooks.NONE");
            this.hooks = h;
            return this;
        }

        /** Appends an OCI hook at {@code stage}. */
        public Builder hook(Hooks.Stage stage, Hooks.Hook hook) {
            if (stage == null || hook == null) throw new InvalidSpecException("hooks", "null stage or hook");
            this.hooks = hooks.with(stage, hook);
            return this;
        }

        public Builder annotation(String key, String value) {
            if (key == null || key.isEmpty() || value == null) throw new InvalidSpecException("annotations", "null or empty key, or null value: " + key);
            annotations.put(key, value);
            return this;
        }

        // ---- namespaces and network ----

        /** Exactly these namespaces, new (replacing the defaults; a joined one keeps its path). */
        public Builder namespaces(Namespace... ns) {
            return namespaces(ns.length == 0 ? EnumSet.noneOf(Namespace.class) : EnumSet.of(ns[0], ns));
        }

        public Builder namespaces(Set<Namespace> ns) {
            for (Namespace n : ns) if (n == null) throw new InvalidSpecException("namespaces", "contains null");
            linux = linux.withNamespaceTypes(ns);
            if (!(network instanceof NetworkMode.Named) && !(network instanceof NetworkMode.Container)) network = null;
            return this;
        }

        public Builder addNamespace(Namespace ns) {
            EnumSet<Namespace> s = EnumSet.of(ns);
            s.addAll(linux.namespaceTypes());
            return namespaces(s);
        }

        public Builder removeNamespace(Namespace ns) {
            EnumSet<Namespace> s = EnumSet.noneOf(Namespace.class);
            s.addAll(linux.namespaceTypes());
            s.remove(ns);
            return namespaces(s);
        }

        /** Joins an existing namespace instead of making one, e.g. {@code joinNamespace(NET, "/proc/1234/ns/net")}. */
        public Builder joinNamespace(Namespace ns, String path) {
            if (ns == null) throw new InvalidSpecException("namespaces", "null type");
            linux = linux.withNamespace(new LinuxNamespace(ns, path));
            if (ns == Namespace.NET) network = null;
            return this;
        }

        /** Docker's {@code --network}: none (the default), host, a namespace path; named and container modes are in the model only for now. */
        public Builder networkMode(NetworkMode mode) {
            if (mode == null) throw new InvalidSpecException("network", "null");
            switch (mode) {
                case NetworkMode.Host h -> removeNamespace(Namespace.NET);
                case NetworkMode.NamespacePath p -> joinNamespace(Namespace.NET, p.path());
                default -> linux = linux.withNamespace(new LinuxNamespace(Namespace.NET, null));
            }
            this.network = mode;
            return this;
        }

        /** Docker's {@code --network} text: {@code none}, {@code host}, {@code container:ID}, {@code ns:PATH} or a name. */
        public Builder network(String mode) {
            return networkMode(NetworkMode.parse(mode));
        }

        // ---- root ----

        /** The root filesystem: an absolute path to a directory holding the image's files. */
        public Builder rootfs(Path rootfs) {
            root = new Root.Directory(rootfs, root.readonly());
            return this;
        }

        /** The annotation {@link #image} records the image reference in (what {@code ps} shows as IMAGE). */
        public static final String IMAGE_ANNOTATION = "io.jcontainer.image";
        /** The annotation {@link #image} records the image id in: the parent of a {@code commit}. */
        public static final String IMAGE_ID_ANNOTATION = "io.jcontainer.image.id";

        /**
         * Runs {@code reference} (docker's {@code run IMAGE}): pulls it into the default image
         * store when missing (needs io.jcontainer:jcontainer-oci at run time), roots the
         * container in an overlay of the image's shared, read-only layers under a fresh writable
         * upper of its own (removed with the container: {@link io.jcontainer.image.Images#overlayRoot(String)}),
         * and takes the image's Entrypoint + Cmd, Env, WorkingDir and User as defaults — later
         * builder calls override them. {@link #readOnlyRoot(boolean)} makes the overlay read-only.
         */
        public Builder image(String reference) {
            try (var images = io.jcontainer.image.Images.open()) {
                var info = images.exists(reference) ? images.inspect(reference)
                        : images.pull(reference, io.jcontainer.image.ProgressListener.NONE);
                root = images.overlayRoot(reference).withReadonly(root.readonly());
                // which image it is, by name and by id: ps shows the name, commit and diff build on the id
                annotation(IMAGE_ANNOTATION, reference);
                annotation(IMAGE_ID_ANNOTATION, info.id());
                var config = info.config();
                if (!config.command().isEmpty()) command(config.command());
                config.env().forEach(this::env);
                if (!config.workingDir().isEmpty()) workingDir(config.workingDir());
                if (!config.user().isEmpty()) user(config.user());
            }
            return this;
        }

        /** An overlay root: {@code lowerDirs} topmost first, changes going to {@code upper} ({@code work} on the same filesystem). */
        public Builder rootOverlay(List<Path> lowerDirs, Path upper, Path work) {
            root = new Root.Overlay(lowerDirs, upper, work, root.readonly());
            return this;
        }

        public Builder readOnlyRoot(boolean ro) {
            root = root.withReadonly(ro);
            return this;
        }

        /** Propagation of the root mount (OCI {@code linux.rootfsPropagation}); default private. */
        public Builder rootfsPropagation(Propagation p) {
            linux = linux.withRootfsPropagation(p);
            return this;
        }

        // ---- process ----

        public Builder command(String... argv) {
            if (argv == null) throw new InvalidSpecException("command", "null");
            return command(Arrays.asList(argv));
        }

        public Builder command(List<String> argv) {
            if (argv == null) throw new InvalidSpecException("command", "null");
            for (String a : argv)
                if (a == null || a.indexOf('\0') >= 0) throw new InvalidSpecException("command", "argument is null or contains NUL: " + argv);
            process = process.withArgs(argv);
            return this;
        }

        public Builder env(String key, String value) {
            if (key == null) throw new InvalidSpecException("env", "null variable name");
            if (value == null) throw new InvalidSpecException("env", key + ": null value");
            Map<String, String> m = new LinkedHashMap<>(process.env());
            m.put(key, value);
            process = process.withEnv(m);
            return this;
        }

        public Builder env(Map<String, String> vars) {
            if (vars == null) throw new InvalidSpecException("env", "null");
            Map<String, String> m = new LinkedHashMap<>(process.env());
            vars.forEach((k, v) -> {
                if (k == null || v == null) throw new InvalidSpecException("env", "null name or value: " + k + "=" + v);
                m.put(k, v);
            });
            process = process.withEnv(m);
            return this;
        }

        /** Docker's {@code -e K=V}; a bare {@code K} copies the JVM's value of K if set. */
        public Builder env(String assignment) {
            // as docker's ValidateEnv: an empty name (-e '' or -e =x) is an error, not nothing
            if (assignment == null || assignment.isEmpty() || assignment.startsWith("="))
                throw new InvalidSpecException("env", "invalid environment variable: '" + assignment + "'");
            int eq = assignment.indexOf('=');
            if (eq < 0) {
                String v = System.getenv(assignment);
                return v == null ? this : env(assignment, v);
            }
            return env(assignment.substring(0, eq), assignment.substring(eq + 1));
        }

        /** Copies the named variables from the JVM's environment (only these: nothing else leaks). */
        public Builder inheritEnv(String... names) {
            for (String n : names) {
                String v = System.getenv(n);
                if (v != null) env(n, v);
            }
            return this;
        }

        public Builder workingDir(String dir) {
            if (dir == null) throw new InvalidSpecException("workingDir", "null; leave it unset for /");
            process = process.withCwd(dir);
            return this;
        }

        /** Docker's {@code -u}: {@code uid}, {@code uid:gid}, {@code name} or {@code name:group}. */
        public Builder user(String user) {
            process = process.withUser(process.user().withName(user));
            return this;
        }

        /** Supplementary groups beyond the user's own (docker {@code --group-add}, OCI {@code additionalGids}). */
        public Builder additionalGids(Integer... gids) {
            if (gids == null) throw new InvalidSpecException("additionalGids", "null");
            List<Integer> l = new ArrayList<>(process.user().additionalGids());
            l.addAll(Arrays.asList(gids));
            process = process.withUser(process.user().withAdditionalGids(l));
            return this;
        }

        /**
         * Supplementary groups by name, looked up in the root's {@code /etc/group} when the container
         * starts (docker's {@code --group-add NAME}).
         */
        public Builder additionalGroups(String... names) {
            if (names == null) throw new InvalidSpecException("group-add", "null");
            List<String> l = new ArrayList<>(process.user().additionalGroups());
            l.addAll(Arrays.asList(names));
            process = process.withUser(process.user().withAdditionalGroups(l));
            return this;
        }

        /** The payload's umask (OCI {@code user.umask}); 0022 when unset. */
        public Builder umask(int mask) {
            process = process.withUser(process.user().withUmask(mask));
            return this;
        }

        public Builder hostname(String hostname) {
            checkHostname("hostname", hostname);
            this.hostname = hostname;
            return this;
        }

        public Builder domainname(String domainname) {
            checkHostname("domainname", domainname);
            this.domainname = domainname;
            return this;
        }

        // ---- mounts ----

        public Builder mount(Mount m) {
            if (m == null) throw new InvalidSpecException("mount", "null");
            mounts.add(m);
            return this;
        }

        /** OCI's generic mount: {@code mount("tmpfs", "tmpfs", "/scratch", "size=1m", "noexec")}. */
        public Builder mount(String type, String source, String target, String... options) {
            return mount(new Mount.Generic(target, type, source, options == null ? null : Arrays.asList(options)));
        }

        /**
         * {@code /sys/fs/cgroup} shows the container's own cgroups, read-only, so software inside
         * that sizes itself from its limits (a JVM, Go's runtime, nproc) sees them
         * ({@link Mount#cgroupView()}; docker's and runc's default, opt-in here: it costs mounts).
         */
        public Builder cgroupView() {
            return mounts.stream().anyMatch(Mount::isCgroupView) ? this : mount(Mount.cgroupView());
        }

        /** Docker's {@code -v HOST:CTR[:ro|rw|z|Z|PROPAGATION]}. */
        public Builder volume(String spec) {
            if (spec == null) throw new InvalidSpecException("volume", "null");
            return mount(Mount.parseVolume(spec));
        }

        public Builder bind(Path source, String target) {
            return mount(Mount.bind(source, target));
        }

        public Builder bindReadOnly(Path source, String target) {
            return mount(Mount.bindReadOnly(source, target));
        }

        public Builder tmpfs(String target) {
            return mount(Mount.tmpfs(target));
        }

        public Builder tmpfs(String target, DataSize size) {
            return mount(Mount.tmpfs(target, size));
        }

        /** A device node: OCI's {@link Device#node}, or docker's {@code --device} ({@link Device#parse}). */
        public Builder device(Device d) {
            if (d == null) throw new InvalidSpecException("devices", "null");
            List<Device> l = new ArrayList<>(linux.devices());
            l.add(d);
            linux = linux.withDevices(l);
            return this;
        }

        /** Docker's {@code --device HOST[:CONTAINER[:rwm]]}. */
        public Builder device(String dockerSpec) {
            if (dockerSpec == null) throw new InvalidSpecException("device", "null");
            return device(Device.parse(dockerSpec));
        }

        // ---- user namespace ----

        public Builder uidMap(IdMap... maps) {
            List<IdMap> l = new ArrayList<>(linux.uidMappings());
            l.addAll(Arrays.asList(maps));
            linux = linux.withUidMappings(l);
            return this;
        }

        public Builder gidMap(IdMap... maps) {
            List<IdMap> l = new ArrayList<>(linux.gidMappings());
            l.addAll(Arrays.asList(maps));
            linux = linux.withGidMappings(l);
            return this;
        }

        /**
         * With a USER namespace and no explicit maps: even from a root JVM, map the container's
         * ids to an unprivileged host range instead of host root, so a process that escapes its
         * namespaces through a kernel bug is nobody on the host. The runtime picks the range (the
         * Linux one: the /etc/subuid and /etc/subgid ranges of a user named {@code jcontainer},
         * else a range of its own; see docs/rootless.md). {@link Profile#UNTRUSTED} turns it on.
         * A non-root JVM is unprivileged anyway: there it changes nothing.
         */
        public Builder unprivilegedRoot(boolean on) {
            linux = linux.withUnprivilegedRoot(on);
            return this;
        }

        // ---- stdio ----

        public Builder stdin(Stdio s) {
            this.stdin = nonNull("stdin", s);
            return this;
        }

        public Builder stdout(Stdio s) {
            this.stdout = nonNull("stdout", s);
            return this;
        }

        public Builder stderr(Stdio s) {
            this.stderr = nonNull("stderr", s);
            return this;
        }

        /** All three streams inherited from the JVM (like {@code ProcessBuilder.inheritIO()}). */
        public Builder inheritIO() {
            stdin = stdout = stderr = Stdio.INHERIT;
            return this;
        }

        // ---- resources (cgroups) ----

        public Builder resources(Resources r) {
            linux = linux.withResources(nonNull("resources", r));
            return this;
        }

        /** The cgroup to use (OCI {@code linux.cgroupsPath}): absolute from each hierarchy's root, or relative to the runtime's own cgroup. */
        public Builder cgroupsPath(String path) {
            linux = linux.withCgroupsPath(path);
            return this;
        }

        private Builder res(java.util.function.UnaryOperator<ResourcesBuilder> f) {
            return resources(f.apply(new ResourcesBuilder(linux.resources())).build());
        }

        public Builder memoryLimit(DataSize limit) {
            return res(r -> r.memory(limit));
        }

        public Builder memoryLimit(long bytes) {
            return memoryLimit(DataSize.bytes(bytes));
        }

        /** Docker's notation, e.g. {@code "100m"}. */
        public Builder memoryLimit(String size) {
            return memoryLimit(DataSize.parse(size));
        }

        /** Memory plus swap; {@link Resources#UNLIMITED_SWAP} (docker's {@code --memory-swap -1}) for unlimited swap. */
        public Builder memorySwap(DataSize limit) {
            return res(r -> r.memorySwap(limit));
        }

        public Builder memoryReservation(DataSize size) {
            return res(r -> r.memoryReservation(size));
        }

        /** The CPUs the container may use, as the design card's {@code cpus("2,3")} (docker {@code --cpuset-cpus}). */
        public Builder cpus(String cpuset) {
            return cpusetCpus(cpuset);
        }

        /** CPU time quota in CPUs, docker's {@code --cpus 1.5}. */
        public Builder cpus(double cpus) {
            return res(r -> r.cpuQuota(cpus));
        }

        public Builder cpusetCpus(String cpuset) {
            return res(r -> r.cpusetCpus(cpuset));
        }

        public Builder cpusetMems(String mems) {
            return res(r -> r.cpusetMems(mems));
        }

        public Builder cpuShares(int shares) {
            return res(r -> r.cpuShares(shares));
        }

        public Builder pidsLimit(long n) {
            return res(r -> r.pidsLimit(n));
        }

        public Builder blkioWeight(int weight) {
            return res(r -> r.blkioWeight(weight));
        }

        public Builder deviceLimit(Resources.DeviceLimit limit) {
            return res(r -> r.deviceLimit(nonNull("device", limit)));
        }

        public Builder oomScoreAdj(int adj) {
            return res(r -> r.oomScoreAdj(adj));
        }

        /** The CFS period in microseconds, 1000..1000000 (docker's {@code --cpu-period}); {@link #cpus(double)} is a share of it. */
        public Builder cpuPeriod(long micros) {
            return res(r -> r.cpuPeriod(micros));
        }

        /**
         * CPU time per period in microseconds (docker's {@code --cpu-quota}): {@code micros / period} CPUs, the
         * period being {@link #cpuPeriod(long)}'s (set it first) or 100 ms.
         */
        public Builder cpuQuota(long micros) {
            if (micros < 1000) throw new InvalidSpecException("cpu-quota", "CPU cfs quota can not be less than 1ms (i.e. 1000): " + micros);
            return res(r -> r.cpuQuota((double) micros / (r.cpuPeriod == 0 ? 100_000 : r.cpuPeriod)));
        }

        /** The cgroup's swappiness, 0..100 (docker's {@code --memory-swappiness}; cgroup v1 only). */
        public Builder memorySwappiness(int swappiness) {
            return res(r -> r.memorySwappiness(swappiness));
        }

        /** A kernel parameter set inside the container (docker {@code --sysctl}); only namespaced ones are accepted at start. */
        public Builder sysctl(String key, String value) {
            if (key == null || value == null) throw new InvalidSpecException("sysctl", "null key or value: " + key);
            Map<String, String> m = new LinkedHashMap<>(linux.sysctl());
            m.put(key, value);
            linux = linux.withSysctl(m);
            return this;
        }

        // ---- security ----

        /** Exactly these capabilities (replacing the defaults), docker's model: see {@link CapabilitySets#of}. */
        public Builder capabilities(Set<Capability> caps) {
            return capabilitySets(CapabilitySets.of(nonNull("capabilities", caps)));
        }

        /** OCI's five sets, given explicitly. */
        public Builder capabilitySets(CapabilitySets sets) {
            process = process.withCapabilities(nonNull("capabilities", sets));
            return this;
        }

        public Builder capAdd(Capability... caps) {
            EnumSet<Capability> s = EnumSet.noneOf(Capability.class);
            s.addAll(process.capabilities().bounding());
            s.addAll(Arrays.asList(caps));
            return capabilities(s);
        }

        public Builder capDrop(Capability... caps) {
            EnumSet<Capability> s = EnumSet.noneOf(Capability.class);
            s.addAll(process.capabilities().bounding());
            s.removeAll(Arrays.asList(caps));
            return capabilities(s);
        }

        public Builder dropAllCapabilities() {
            return capabilities(EnumSet.noneOf(Capability.class));
        }

        /** Docker's {@code --privileged}: every capability, no seccomp filter, no masked paths. */
        public Builder privileged() {
            capabilities(EnumSet.allOf(Capability.class));
            linux = linux.withSeccomp(Seccomp.UNCONFINED).withMaskedPaths(List.of()).withReadonlyPaths(List.of());
            return this;
        }

        public Builder noNewPrivileges(boolean on) {
            process = process.withNoNewPrivileges(on);
            return this;
        }

        public Builder seccomp(Seccomp profile) {
            linux = linux.withSeccomp(nonNull("seccomp", profile));
            return this;
        }

        public Builder maskedPaths(List<String> paths) {
            linux = linux.withMaskedPaths(nonNull("maskedPaths", paths));
            return this;
        }

        public Builder readonlyPaths(List<String> paths) {
            linux = linux.withReadonlyPaths(nonNull("readonlyPaths", paths));
            return this;
        }

        public Builder rlimit(Rlimit limit) {
            nonNull("rlimit", limit);
            List<Rlimit> l = new ArrayList<>(process.rlimits());
            l.removeIf(r -> r.name().equals(limit.name()));
            l.add(limit);
            process = process.withRlimits(l);
            return this;
        }

        public Builder ulimit(String dockerSpec) {
            return rlimit(Rlimit.parse(nonNull("ulimit", dockerSpec)));
        }

        // ---- jcontainer's own ----

        public Builder init(boolean on) {
            this.init = on;
            return this;
        }

        public Builder detached(boolean on) {
            this.detached = on;
            return this;
        }

        /** A pseudo-terminal as stdin/stdout/stderr: {@link Container#stdin()} and {@link Container#stdout()} are its master side. */
        public Builder tty(boolean on) {
            process = process.withTerminal(on);
            return this;
        }

        /** The terminal's initial size (OCI {@code process.consoleSize}); needs {@link #tty(boolean)}. */
        public Builder consoleSize(int height, int width) {
            process = process.withConsoleSize(new ProcessSpec.ConsoleSize(height, width));
            return this;
        }

        public Builder restart(RestartPolicy policy) {
            this.restartPolicy = nonNull("restart", policy);
            return this;
        }

        public Builder stopSignal(Signal signal) {
            this.stopSignal = nonNull("stopSignal", signal);
            return this;
        }

        /** How long a stop without a grace of its own waits before SIGKILL (docker's {@code --stop-timeout}). */
        public Builder stopTimeout(java.time.Duration timeout) {
            if (nonNull("stop-timeout", timeout).isNegative())
                throw new InvalidSpecException("stop-timeout", "must not be negative, got " + timeout.toSeconds() + "s");
            this.stopTimeout = timeout;
            return this;
        }

        /** A detached container's log driver and rotation (docker's {@code --log-driver}, {@code --log-opt}). */
        public Builder logConfig(LogConfig config) {
            this.logConfig = nonNull("log-driver", config);
            return this;
        }

        /** The health check of a detached container, or null for none (docker's {@code --health-*}, {@code --no-healthcheck}). */
        public Builder healthcheck(HealthCheck check) {
            this.healthcheck = check;
            return this;
        }

        /**
         * docker's generated {@code /etc/hostname}, {@code /etc/hosts} and {@code /etc/resolv.conf} (from the
         * hostname, the network mode and the host's resolver), bound in from the recorded container's state
         * directory; off by default (an OCI bundle's root keeps its own files, as runc's).
         */
        public Builder etcFiles(boolean generate) {
            this.etcFiles = generate;
            return this;
        }

        /** Applies a preset; later calls can still change any of its settings. */
        public Builder profile(Profile profile) {
            nonNull("profile", profile).applyTo(this);
            return this;
        }

        /** Validates the whole spec: conflicts between settings, and the root on disk. */
        public ContainerSpec build() {
            ContainerSpec spec = new ContainerSpec(name, process, root, mounts, hostname, domainname, linux, hooks, annotations,
                    network, stdin, stdout, stderr, detached, init, restartPolicy, stopSignal, stopTimeout, logConfig, healthcheck, etcFiles);
            // instanceof, not a pattern switch (see the constructor's network check)
            if (root instanceof Root.Directory d) {
                checkDir("rootfs", d.path());
            } else if (root instanceof Root.Overlay o) {
                for (Path p : o.lowerDirs()) checkDir("root.overlay.lowerDirs", p);
                if (o.upper() != null && !o.removeWithContainer()) {       // an owned upper is made at the start
                    checkDir("root.overlay.upper", o.upper());
                    checkDir("root.overlay.work", o.work());
                }
            }
            return spec;
        }

        private static void checkDir(String setting, Path p) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) throw new InvalidSpecException(setting, p + " does not exist");
            if (!Files.isDirectory(p)) throw new InvalidSpecException(setting, p + " is not a directory");
        }

        private static <T> T nonNull(String setting, T t) {
            if (t == null) throw new InvalidSpecException(setting, "null");
            return t;
        }

        /** Builds and starts the container. */
        public Container start() {
            return build().start();
        }
    }

    /** Small mutable helper behind the resource setters of {@link Builder}. */
    private static final class ResourcesBuilder {
        DataSize memory, memorySwap, memoryReservation;
        double cpuQuota;
        String cpusetCpus, cpusetMems;
        int cpuShares, blkioWeight;
        long pidsLimit;
        List<Resources.DeviceLimit> devices;
        Integer oom;
        long cpuPeriod;
        Integer swappiness;

        ResourcesBuilder(Resources r) {
            memory = r.memory();
            memorySwap = r.memorySwap();
            memoryReservation = r.memoryReservation();
            cpuQuota = r.cpuQuota();
            cpusetCpus = r.cpusetCpus();
            cpusetMems = r.cpusetMems();
            cpuShares = r.cpuShares();
            blkioWeight = r.blkioWeight();
            pidsLimit = r.pidsLimit();
            devices = new ArrayList<>(r.deviceLimits());
            oom = r.oomScoreAdj();
            cpuPeriod = r.cpuPeriod();
            swappiness = r.memorySwappiness();
        }

        ResourcesBuilder memory(DataSize v) { memory = v; return this; }
        ResourcesBuilder memorySwap(DataSize v) { memorySwap = v; return this; }
        ResourcesBuilder memoryReservation(DataSize v) { memoryReservation = v; return this; }
        ResourcesBuilder cpuQuota(double v) { cpuQuota = v; return this; }
        ResourcesBuilder cpusetCpus(String v) { cpusetCpus = v; return this; }
        ResourcesBuilder cpusetMems(String v) { cpusetMems = v; return this; }
        ResourcesBuilder cpuShares(int v) { cpuShares = v; return this; }
        ResourcesBuilder pidsLimit(long v) { pidsLimit = v; return this; }
        ResourcesBuilder blkioWeight(int v) { blkioWeight = v; return this; }
        ResourcesBuilder deviceLimit(Resources.DeviceLimit v) { devices.add(v); return this; }
        ResourcesBuilder oomScoreAdj(int v) { oom = v; return this; }
        ResourcesBuilder cpuPeriod(long v) { cpuPeriod = v; return this; }
        ResourcesBuilder memorySwappiness(int v) { swappiness = v; return this; }

        Resources build() {
            return new Resources(memory, memorySwap, memoryReservation, cpuQuota, cpusetCpus, cpusetMems, cpuShares,
                    pidsLimit, blkioWeight, devices, oom, cpuPeriod, swappiness);
        }
    }
}
