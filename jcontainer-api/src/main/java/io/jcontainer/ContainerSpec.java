package io.jcontainer;

import io.jcontainer.spi.ContainerRuntime;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything that defines a sandbox, immutable and validated. Made by {@link Container#builder()};
 * a spec can be started any number of times ({@link #start()}).
 *
 * <p>Defaults are those of {@code docker run}: namespaces PID, NET (loopback only), MNT, UTS,
 * IPC and CGROUP (plus USER when the JVM is not root); Docker's 14 capabilities; the default
 * seccomp profile; masked {@code /proc} paths; stdin from {@code /dev/null}, stdout and stderr
 * piped to the JVM; an empty environment but {@code PATH}, {@code HOSTNAME} and {@code HOME}.
 */
public final class ContainerSpec {
    private final String name;
    private final Set<Namespace> namespaces;
    private final Path rootfs;
    private final boolean readOnlyRoot;
    private final List<String> command;
    private final Map<String, String> env;
    private final String workingDir;
    private final String user;
    private final String hostname;
    private final String domainname;
    private final List<Mount> mounts;
    private final List<IdMap> uidMap;
    private final List<IdMap> gidMap;
    private final Stdio stdin, stdout, stderr;
    private final Resources resources;
    private final Set<Capability> capabilities;
    private final boolean noNewPrivileges;
    private final Seccomp seccomp;
    private final List<String> maskedPaths;
    private final List<String> readonlyPaths;
    private final List<Rlimit> rlimits;
    private final boolean init;
    private final boolean detached;
    private final Signal stopSignal;
    private final boolean tty;
    private final RestartPolicy restartPolicy;

    private ContainerSpec(Builder b) {
        this.name = b.name;
        this.namespaces = Collections.unmodifiableSet(EnumSet.copyOf(b.namespaces));
        this.rootfs = b.rootfs;
        this.readOnlyRoot = b.readOnlyRoot;
        this.command = List.copyOf(b.command);
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.workingDir = b.workingDir;
        this.user = b.user;
        this.hostname = b.hostname;
        this.domainname = b.domainname;
        this.mounts = List.copyOf(b.mounts);
        this.uidMap = List.copyOf(b.uidMap);
        this.gidMap = List.copyOf(b.gidMap);
        this.stdin = b.stdin;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.resources = b.resources;
        this.capabilities = Collections.unmodifiableSet(b.capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(b.capabilities));
        this.noNewPrivileges = b.noNewPrivileges;
        this.seccomp = b.seccomp;
        this.maskedPaths = b.maskedPaths == null ? null : List.copyOf(b.maskedPaths);
        this.readonlyPaths = b.readonlyPaths == null ? null : List.copyOf(b.readonlyPaths);
        this.rlimits = List.copyOf(b.rlimits);
        this.init = b.init;
        this.detached = b.detached;
        this.stopSignal = b.stopSignal;
        this.tty = b.tty;
        this.restartPolicy = b.restartPolicy;
    }

    /** Starts a sandbox from this spec with the runtime found on the class path. */
    public Container start() {
        return ContainerRuntime.get().start(this);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** An optional human name, unique among running sandboxes of one runtime. */
    public String name() { return name; }
    public Set<Namespace> namespaces() { return namespaces; }
    public boolean has(Namespace ns) { return namespaces.contains(ns); }
    /** The root filesystem directory, or null for the embedded default root (see docs/default-root.md). */
    public Path rootfs() { return rootfs; }
    public boolean readOnlyRoot() { return readOnlyRoot; }
    public List<String> command() { return command; }
    public Map<String, String> env() { return env; }
    public String workingDir() { return workingDir; }
    /** {@code uid[:gid]} or {@code name[:group]} as docker's {@code -u}, or null for root (0:0). */
    public String user() { return user; }
    public String hostname() { return hostname; }
    public String domainname() { return domainname; }
    public List<Mount> mounts() { return mounts; }
    /** Explicit uid map lines, or empty for the default (container root = the calling user). */
    public List<IdMap> uidMap() { return uidMap; }
    public List<IdMap> gidMap() { return gidMap; }
    public Stdio stdin() { return stdin; }
    public Stdio stdout() { return stdout; }
    public Stdio stderr() { return stderr; }
    public Resources resources() { return resources; }
    /** Capabilities the payload keeps (all five sets are reduced to these). */
    public Set<Capability> capabilities() { return capabilities; }
    public boolean noNewPrivileges() { return noNewPrivileges; }
    public Seccomp seccomp() { return seccomp; }
    /** Paths made inaccessible, or null for the runtime's defaults. */
    public List<String> maskedPaths() { return maskedPaths; }
    /** Paths made read-only, or null for the runtime's defaults. */
    public List<String> readonlyPaths() { return readonlyPaths; }
    public List<Rlimit> rlimits() { return rlimits; }
    /** Whether a tiny init runs as PID 1, reaping orphans and forwarding signals. */
    public boolean init() { return init; }
    /** Whether the sandbox outlives the JVM that started it (otherwise it dies with the JVM). */
    public boolean detached() { return detached; }
    /** The signal {@link Container#stop(java.time.Duration)} sends first (docker's {@code --stop-signal}); SIGTERM by default. */
    public Signal stopSignal() { return stopSignal; }
    /** Whether stdin, stdout and stderr are one pseudo-terminal (docker {@code -t}); see {@link Container#resizeTerminal}. */
    public boolean tty() { return tty; }
    /** docker's {@code --restart}; only for {@linkplain #detached() detached} sandboxes (their monitor restarts them). */
    public RestartPolicy restartPolicy() { return restartPolicy; }

    @Override
    public String toString() {
        return "ContainerSpec{" + (name == null ? "" : "name=" + name + ", ") + "command=" + command + ", rootfs="
                + (rootfs == null ? "<default>" : rootfs) + ", namespaces=" + namespaces + ", mounts=" + mounts.size()
                + ", resources=" + (resources.isEmpty() ? "none" : resources) + "}";
    }

    /** The fluent way to a {@link ContainerSpec}; every setter validates what it can at once. */
    public static final class Builder {
        private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
        private static final Pattern ENV_NAME = Pattern.compile("[^=\\x00]+");

        private String name;
        private EnumSet<Namespace> namespaces;
        private Path rootfs;
        private boolean readOnlyRoot;
        private List<String> command = List.of();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String workingDir;
        private String user;
        private String hostname;
        private String domainname;
        private final List<Mount> mounts = new ArrayList<>();
        private final List<IdMap> uidMap = new ArrayList<>();
        private final List<IdMap> gidMap = new ArrayList<>();
        private Stdio stdin = Stdio.NULL, stdout = Stdio.PIPE, stderr = Stdio.PIPE;
        private Resources resources = Resources.NONE;
        private Set<Capability> capabilities = Capability.dockerDefaults();
        private boolean noNewPrivileges;
        private Seccomp seccomp = Seccomp.DEFAULT;
        private List<String> maskedPaths;
        private List<String> readonlyPaths;
        private final List<Rlimit> rlimits = new ArrayList<>();
        private boolean init;
        private boolean detached;
        private Signal stopSignal = Signal.TERM;
        private boolean tty;
        private RestartPolicy restartPolicy = RestartPolicy.NO;

        Builder() {
            namespaces = defaultNamespaces();
        }

        private Builder(ContainerSpec s) {
            name = s.name;
            namespaces = EnumSet.copyOf(s.namespaces);
            rootfs = s.rootfs;
            readOnlyRoot = s.readOnlyRoot;
            command = s.command;
            env.putAll(s.env);
            workingDir = s.workingDir;
            user = s.user;
            hostname = s.hostname;
            domainname = s.domainname;
            mounts.addAll(s.mounts);
            uidMap.addAll(s.uidMap);
            gidMap.addAll(s.gidMap);
            stdin = s.stdin;
            stdout = s.stdout;
            stderr = s.stderr;
            resources = s.resources;
            capabilities = s.capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(s.capabilities);
            noNewPrivileges = s.noNewPrivileges;
            seccomp = s.seccomp;
            maskedPaths = s.maskedPaths;
            readonlyPaths = s.readonlyPaths;
            rlimits.addAll(s.rlimits);
            init = s.init;
            detached = s.detached;
            stopSignal = s.stopSignal;
            tty = s.tty;
            restartPolicy = s.restartPolicy;
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

        /** Exactly these namespaces (replacing the defaults). */
        public Builder namespaces(Namespace... ns) {
            this.namespaces = ns.length == 0 ? EnumSet.noneOf(Namespace.class) : EnumSet.of(ns[0], ns);
            return this;
        }

        public Builder namespaces(Set<Namespace> ns) {
            this.namespaces = ns.isEmpty() ? EnumSet.noneOf(Namespace.class) : EnumSet.copyOf(ns);
            return this;
        }

        public Builder addNamespace(Namespace ns) {
            namespaces.add(ns);
            return this;
        }

        public Builder removeNamespace(Namespace ns) {
            namespaces.remove(ns);
            return this;
        }

        /** The root filesystem: an absolute path to a directory holding the image's files. */
        public Builder rootfs(Path rootfs) {
            if (rootfs == null) throw new InvalidSpecException("rootfs", "null; leave it unset for the default root");
            if (!rootfs.isAbsolute()) throw new InvalidSpecException("rootfs", "must be an absolute path, got '" + rootfs + "'");
            this.rootfs = rootfs;
            return this;
        }

        public Builder readOnlyRoot(boolean ro) {
            this.readOnlyRoot = ro;
            return this;
        }

        public Builder command(String... argv) {
            return command(List.of(argv));
        }

        public Builder command(List<String> argv) {
            for (String a : argv)
                if (a == null || a.indexOf('\0') >= 0) throw new InvalidSpecException("command", "argument is null or contains NUL: " + argv);
            this.command = List.copyOf(argv);
            return this;
        }

        public Builder env(String key, String value) {
            if (key == null || !ENV_NAME.matcher(key).matches()) throw new InvalidSpecException("env", "invalid variable name '" + key + "'");
            if (value == null || value.indexOf('\0') >= 0) throw new InvalidSpecException("env", key + ": value is null or contains NUL");
            env.put(key, value);
            return this;
        }

        public Builder env(Map<String, String> vars) {
            vars.forEach(this::env);
            return this;
        }

        /** Docker's {@code -e K=V}; a bare {@code K} copies the JVM's value of K if set. */
        public Builder env(String assignment) {
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
            if (dir == null || !dir.startsWith("/")) throw new InvalidSpecException("workdir", "must be an absolute path inside the container, got '" + dir + "'");
            this.workingDir = dir;
            return this;
        }

        /** Docker's {@code -u}: {@code uid}, {@code uid:gid}, {@code name} or {@code name:group}. */
        public Builder user(String user) {
            if (user != null && (user.isEmpty() || user.indexOf('\0') >= 0 || user.split(":", -1).length > 2 || user.startsWith(":") || user.endsWith(":")))
                throw new InvalidSpecException("user", "expected UID[:GID] or NAME[:GROUP], got '" + user + "'");
            this.user = user;
            return this;
        }

        public Builder hostname(String hostname) {
            if (hostname != null && (hostname.length() > 64 || !HOSTNAME.matcher(hostname).matches()))
                throw new InvalidSpecException("hostname", "invalid hostname '" + hostname + "' (RFC 1123: letters, digits and '-', at most 64 characters)");
            this.hostname = hostname;
            return this;
        }

        public Builder domainname(String domainname) {
            if (domainname != null && (domainname.length() > 64 || !HOSTNAME.matcher(domainname).matches()))
                throw new InvalidSpecException("domainname", "invalid domain name '" + domainname + "'");
            this.domainname = domainname;
            return this;
        }

        public Builder mount(Mount m) {
            mounts.add(Objects.requireNonNull(m));
            return this;
        }

        /** Docker's {@code -v HOST:CTR[:ro]}. */
        public Builder volume(String spec) {
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

        public Builder uidMap(IdMap... maps) {
            uidMap.addAll(List.of(maps));
            return this;
        }

        public Builder gidMap(IdMap... maps) {
            gidMap.addAll(List.of(maps));
            return this;
        }

        public Builder stdin(Stdio s) {
            this.stdin = Objects.requireNonNull(s);
            return this;
        }

        public Builder stdout(Stdio s) {
            this.stdout = Objects.requireNonNull(s);
            return this;
        }

        public Builder stderr(Stdio s) {
            this.stderr = Objects.requireNonNull(s);
            return this;
        }

        /** All three streams inherited from the JVM (like {@code ProcessBuilder.inheritIO()}). */
        public Builder inheritIO() {
            stdin = stdout = stderr = Stdio.INHERIT;
            return this;
        }

        // ---- resources (cgroups) ----

        public Builder resources(Resources r) {
            this.resources = Objects.requireNonNull(r);
            return this;
        }

        private Builder res(java.util.function.UnaryOperator<ResourcesBuilder> f) {
            this.resources = f.apply(new ResourcesBuilder(resources)).build();
            return this;
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

        public Builder memorySwap(DataSize limit) {
            return res(r -> r.memorySwap(limit));
        }

        public Builder memoryReservation(DataSize size) {
            return res(r -> r.memoryReservation(size));
        }

        /** The CPUs the sandbox may use, as the design card's {@code cpus("2,3")} (docker {@code --cpuset-cpus}). */
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
            return res(r -> r.deviceLimit(limit));
        }

        public Builder oomScoreAdj(int adj) {
            return res(r -> r.oomScoreAdj(adj));
        }

        // ---- security ----

        /** Exactly these capabilities (replacing the defaults). */
        public Builder capabilities(Set<Capability> caps) {
            this.capabilities = caps.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(caps);
            return this;
        }

        public Builder capAdd(Capability... caps) {
            EnumSet<Capability> s = capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
            s.addAll(List.of(caps));
            capabilities = s;
            return this;
        }

        public Builder capDrop(Capability... caps) {
            EnumSet<Capability> s = capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
            s.removeAll(List.of(caps));
            capabilities = s;
            return this;
        }

        public Builder dropAllCapabilities() {
            capabilities = EnumSet.noneOf(Capability.class);
            return this;
        }

        /** Docker's {@code --privileged}: every capability, no seccomp filter, no masked paths. */
        public Builder privileged() {
            capabilities = EnumSet.allOf(Capability.class);
            seccomp = Seccomp.UNCONFINED;
            maskedPaths = List.of();
            readonlyPaths = List.of();
            return this;
        }

        public Builder noNewPrivileges(boolean on) {
            this.noNewPrivileges = on;
            return this;
        }

        public Builder seccomp(Seccomp profile) {
            this.seccomp = Objects.requireNonNull(profile);
            return this;
        }

        public Builder maskedPaths(List<String> paths) {
            this.maskedPaths = List.copyOf(paths);
            return this;
        }

        public Builder readonlyPaths(List<String> paths) {
            this.readonlyPaths = List.copyOf(paths);
            return this;
        }

        public Builder rlimit(Rlimit limit) {
            rlimits.removeIf(r -> r.name().equals(limit.name()));
            rlimits.add(limit);
            return this;
        }

        public Builder ulimit(String dockerSpec) {
            return rlimit(Rlimit.parse(dockerSpec));
        }

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
            this.tty = on;
            return this;
        }

        public Builder restart(RestartPolicy policy) {
            this.restartPolicy = java.util.Objects.requireNonNull(policy, "restart policy");
            return this;
        }

        public Builder stopSignal(Signal signal) {
            this.stopSignal = java.util.Objects.requireNonNull(signal, "stopSignal");
            return this;
        }

        /** Applies a preset; later calls can still change any of its settings. */
        public Builder profile(Profile profile) {
            profile.applyTo(this);
            return this;
        }

        /** Validates the whole spec: conflicts between settings, and the rootfs on disk. */
        public ContainerSpec build() {
            if (command.isEmpty()) throw new InvalidSpecException("command", "no command given: call command(...)");
            if (rootfs != null) {
                if (!Files.exists(rootfs, LinkOption.NOFOLLOW_LINKS)) throw new InvalidSpecException("rootfs", rootfs + " does not exist");
                if (!Files.isDirectory(rootfs)) throw new InvalidSpecException("rootfs", rootfs + " is not a directory");
            }
            if (!namespaces.contains(Namespace.MNT) && (rootfs != null || !mounts.isEmpty() || readOnlyRoot))
                throw new InvalidSpecException("namespaces", "a root filesystem, mounts or a read-only root need the MNT namespace");
            if (!namespaces.contains(Namespace.MNT))
                throw new InvalidSpecException("namespaces", "the MNT namespace is required: without it the sandbox would share the host's root");
            if ((hostname != null || domainname != null) && !namespaces.contains(Namespace.UTS))
                throw new InvalidSpecException("hostname", "setting a hostname needs the UTS namespace (it would rename the host)");
            if ((!uidMap.isEmpty() || !gidMap.isEmpty()) && !namespaces.contains(Namespace.USER))
                throw new InvalidSpecException("idmap", "uid/gid maps need the USER namespace");
            if (restartPolicy.mode() != RestartPolicy.Mode.NO && !detached)
                throw new InvalidSpecException("restart", "a restart policy needs a detached sandbox (its monitor restarts it; an attached one ends with its handle)");
            if (init && !namespaces.contains(Namespace.PID))
                throw new InvalidSpecException("init", "an init process needs the PID namespace");
            return new ContainerSpec(this);
        }

        /** Builds and starts the sandbox. */
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

        Resources build() {
            return new Resources(memory, memorySwap, memoryReservation, cpuQuota, cpusetCpus, cpusetMems, cpuShares,
                    pidsLimit, blkioWeight, devices, oom);
        }
    }
}
