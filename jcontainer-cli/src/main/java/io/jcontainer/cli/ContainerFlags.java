package io.jcontainer.cli;

import io.jcontainer.docker.DockerVolumes;

import io.jcontainer.Capability;
import io.jcontainer.ContainerSpec;
import io.jcontainer.DataSize;
import io.jcontainer.HealthCheck;
import io.jcontainer.LogConfig;
import io.jcontainer.IdMap;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Mount;
import io.jcontainer.Namespace;
import io.jcontainer.Resources;
import io.jcontainer.Seccomp;
import io.jcontainer.image.Platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static io.jcontainer.cli.Flags.Kind.BOOL;
import static io.jcontainer.cli.Flags.Kind.VALUE;

/**
 * The flags that describe a container ({@code docker run}'s and {@code docker create}'s), and how
 * each maps onto {@link ContainerSpec.Builder}. Shared by every verb that creates a container.
 */
public final class ContainerFlags {
    private ContainerFlags() {
    }

    /** Adds the container flags to {@code f}. */
    public static Flags declare(Flags f) {
        f.value("name", (char) 0, "string", "Assign a name to the container")
                .value("rootfs", (char) 0, "dir", "Use this directory as the root filesystem (jcontainer's own flag)")
                .value("hostname", 'h', "string", "Container host name")
                .value("domainname", (char) 0, "string", "Container NIS domain name")
                .value("env", 'e', "list", "Set environment variables (K=V, or K to copy it from here)")
                .value("env-file", (char) 0, "list", "Read in a file of environment variables")
                .value("workdir", 'w', "string", "Working directory inside the container")
                .value("user", 'u', "string", "Username or UID (format: <name|uid>[:<group|gid>])")
                .value("volume", 'v', "list", "Bind mount a host path or a volume (HOST-PATH|NAME:CONTAINER-PATH[:ro|rw], or CONTAINER-PATH: an anonymous volume)")
                .value("mount", (char) 0, "mount", "Attach a filesystem mount (type=bind|volume|tmpfs,...)")
                .value("volumes-from", (char) 0, "list", "Mount the volumes and binds of the specified container(s) (CONTAINER[:ro|rw])")
                .value("tmpfs", (char) 0, "list", "Mount a tmpfs (DST[:size=64m,nr_inodes=N,mode=1777,exec,ro])")
                .bool("read-only", (char) 0, "Mount the container's root filesystem as read only")
                .value("uts", (char) 0, "string", "UTS namespace to use: host, or private (default)")
                .value("pid", (char) 0, "string", "PID namespace to use: host, or private (default)")
                .value("ipc", (char) 0, "string", "IPC namespace to use: host, or private (default)")
                .value("cgroupns", (char) 0, "string", "Cgroup namespace to use: host, or private (default)")
                .value("userns", (char) 0, "string", "User namespace to use: host (none), or private")
                .value("uidmap", (char) 0, "list", "UID map line CONTAINER:HOST:SIZE (implies a user namespace)")
                .value("gidmap", (char) 0, "list", "GID map line CONTAINER:HOST:SIZE (default: as --uidmap)")
                .bool("privileged", (char) 0, "Give all capabilities, no seccomp filter, no masked paths")
                .value("cap-add", (char) 0, "list", "Add Linux capabilities (or ALL)")
                .value("cap-drop", (char) 0, "list", "Drop Linux capabilities (or ALL)")
                .value("security-opt", (char) 0, "list", "seccomp=FILE|unconfined, no-new-privileges[:true], systempaths=unconfined")
                .value("ulimit", (char) 0, "ulimit", "Ulimit options (NAME=SOFT[:HARD])")
                .bool("init", (char) 0, "Run an init inside the container that forwards signals and reaps processes")
                .value("memory", 'm', "bytes", "Memory limit")
                .value("memory-swap", (char) 0, "bytes", "Memory plus swap limit")
                .value("memory-reservation", (char) 0, "bytes", "Memory soft limit")
                .value("cpus", (char) 0, "decimal", "Number of CPUs")
                .value("cpuset-cpus", (char) 0, "string", "CPUs in which to allow execution (0-3, 0,1)")
                .value("cpuset-mems", (char) 0, "string", "MEMs in which to allow execution (0-3, 0,1)")
                .value("cpu-shares", 'c', "int", "CPU shares (relative weight)")
                .value("pids-limit", (char) 0, "int", "Tune container pids limit (-1 for unlimited)")
                .value("oom-score-adj", (char) 0, "int", "Tune host's OOM preferences (-1000 to 1000)")
                .value("blkio-weight", (char) 0, "uint16", "Block IO (relative weight), between 10 and 1000, or 0 to disable")
                .value("device-read-bps", (char) 0, "list", "Limit read rate (bytes per second) from a device (DEV:RATE)")
                .value("device-write-bps", (char) 0, "list", "Limit write rate (bytes per second) to a device (DEV:RATE)")
                .value("device-read-iops", (char) 0, "list", "Limit read rate (IO per second) from a device (DEV:RATE)")
                .value("device-write-iops", (char) 0, "list", "Limit write rate (IO per second) to a device (DEV:RATE)");
        f.value("device", (char) 0, "list", "Add a host device to the container (HOST[:CONTAINER[:rwm]])")
                .value("group-add", (char) 0, "list", "Add additional groups to join (names from the container's /etc/group, or gids)")
                .value("entrypoint", (char) 0, "string", "Overwrite the default ENTRYPOINT of the image ('' clears it)")
                .value("label", 'l', "list", "Set meta data on a container (K=V; stored as the spec's annotations)")
                .value("label-file", (char) 0, "list", "Read in a line delimited file of labels")
                .value("restart", (char) 0, "string", "Restart policy to apply when a container exits (no, always, on-failure[:N]; with -d)")
                .value("shm-size", (char) 0, "bytes", "Size of /dev/shm (default 64m)")
                .value("sysctl", (char) 0, "list", "Namespaced kernel parameters (K=V: kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.*)")
                .value("memory-swappiness", (char) 0, "int", "Tune container memory swappiness (0 to 100; cgroup v1 only), -1 for the default")
                .value("kernel-memory", (char) 0, "bytes", "Kernel memory limit (deprecated: ignored with a warning, as docker does)")
                .value("cpu-period", (char) 0, "int", "Limit CPU CFS (Completely Fair Scheduler) period (microseconds)")
                .value("cpu-quota", (char) 0, "int", "Limit CPU CFS (Completely Fair Scheduler) quota (microseconds)")
                .value("blkio-weight-device", (char) 0, "list", "Block IO weight (relative device weight, DEV:WEIGHT)")
                .value("stop-signal", (char) 0, "string", "Signal to stop the container")
                .value("stop-timeout", (char) 0, "int", "Timeout (in seconds) to stop a container (default 10)")
                .value("cidfile", (char) 0, "string", "Write the container ID to the file")
                .value("log-driver", (char) 0, "string", "Logging driver for the container: json-file (default), local, none")
                .value("log-opt", (char) 0, "list", "Log driver options: max-size=SIZE, max-file=N")
                .value("health-cmd", (char) 0, "string", "Command to run to check health (run with /bin/sh -c in the container)")
                .value("health-interval", (char) 0, "duration", "Time between running the check (ms|s|m|h) (default 30s)")
                .value("health-timeout", (char) 0, "duration", "Maximum time to allow one check to run (ms|s|m|h) (default 30s)")
                .value("health-retries", (char) 0, "int", "Consecutive failures needed to report unhealthy (default 3)")
                .value("health-start-period", (char) 0, "duration", "Start period for the container to initialize before failures count (ms|s|m|h) (default 0s)")
                .bool("no-healthcheck", (char) 0, "Disable any container-specified HEALTHCHECK")
                .value("platform", (char) 0, "string", "Set platform if server is multi-platform capable (this machine's only)")
                .value("pull", (char) 0, "string", "Pull image before running (\"always\", \"missing\", \"never\") (default \"missing\")");
        NetworkFlags.declare(f);
        // Docker flags with no jcontainer equivalent: refused by name, not as "unknown flag".
        f.unsupported("attach", 'a', VALUE, "the streams are always attached")
                .unsupported("cgroup-parent", (char) 0, VALUE, "the cgroup parent is chosen by the runtime")
                .unsupported("gpus", (char) 0, VALUE, "devices cannot be added yet")
                .unsupported("cpu-rt-period", (char) 0, VALUE, "jcontainer does not give real-time CPU time to containers (cpu.rt_period_us; the kernel needs CONFIG_RT_GROUP_SCHED, v2 has no such controller)")
                .unsupported("cpu-rt-runtime", (char) 0, VALUE, "jcontainer does not give real-time CPU time to containers (cpu.rt_runtime_us; the kernel needs CONFIG_RT_GROUP_SCHED, v2 has no such controller)");
        return f;
    }

    /**
     * What docker says or refuses before creating anything: {@code --platform} other than this
     * machine's, the deprecated {@code --kernel-memory} (ignored with a warning, as docker 23+ does),
     * {@code --memory-swappiness} on cgroup v2 (discarded with docker's warning).
     */
    static void warnings(Flags.Parsed p, Io cli) {
        String platform = p.value("platform");
        if (platform != null && !platform.isEmpty()) {
            Platform asked;
            try {
                asked = Platform.parse(platform.toLowerCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("invalid argument \"" + platform + "\" for \"--platform\" flag: " + e.getMessage());
            }
            Platform here = Platform.current();
            if (!here.matches(asked))
                throw new CliException(Cli.EXIT_ERROR, "platform " + platform + " is not supported: this machine runs " + here
                        + " and jcontainer does not emulate other platforms (use --platform " + here + " or leave it out)");
        }
        if (p.has("kernel-memory"))
            cli.err().println("WARNING: Specifying a kernel memory limit is deprecated and no longer supported (cgroup v2 and Linux 5.16+ have none); the limit is ignored.");
        if (p.has("memory-swappiness") && !"-1".equals(p.value("memory-swappiness").trim()) && cgroupV2())
            cli.err().println("WARNING: Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.");
    }

    /** A unified (v2-only) cgroup hierarchy: its root has cgroup.controllers. */
    static boolean cgroupV2() {
        return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    }

    /** Applies the parsed flags to {@code b}; a wrong value is a {@link UsageException} naming the flag. */
    public static void apply(Flags.Parsed p, ContainerSpec.Builder b) {
        apply(p, b, Set::of);
    }

    /** As above; {@code imageExposed}: the ExposedPorts of the image that runs, for {@code -P} (asked only then). */
    public static void apply(Flags.Parsed p, ContainerSpec.Builder b, java.util.function.Supplier<Set<String>> imageExposed) {
        each(p, "name", b::name);
        each(p, "hostname", b::hostname);
        each(p, "domainname", b::domainname);
        namespaces(p, b);
        NetworkFlags.apply(p, b, imageExposed);
        security(p, b);
        // docker: --env-file first, then -e (which wins)
        each(p, "env-file", v -> envFile(Path.of(v)).forEach(b::env));
        each(p, "env", b::env);
        each(p, "workdir", b::workingDir);
        each(p, "user", b::user);
        // docker: a number is a gid, anything else a name looked up in the container's /etc/group at start
        each(p, "group-add", v -> {
            if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) b.additionalGids(new Integer[]{number(v, Integer::parseInt)});
            else b.additionalGroups(v);
        });
        each(p, "sysctl", v -> {
            int eq = v.indexOf('=');
            if (eq <= 0) throw new io.jcontainer.InvalidSpecException("sysctl", "expected KEY=VALUE, got '" + v + "'");
            b.sysctl(v.substring(0, eq), v.substring(eq + 1));
        });
        each(p, "device", b::device);
        // docker's labels are the container's metadata: the OCI model's annotations (ps --filter label=, events);
        // --label-file first, then -l (which wins)
        each(p, "label-file", v -> labelFile(Path.of(v)).forEach(l -> label(b, l)));
        each(p, "label", v -> label(b, v));
        mounts(p, b);
        // docker's /sys/fs/cgroup: the container's own cgroups, so a JVM or nproc inside sees its limits
        b.cgroupView();
        // docker's /dev/shm of that size, mode 1777, noexec, nosuid, nodev: mounted over the default 64m one
        each(p, "shm-size", v -> {
            DataSize size = DataSize.parse(v);
            if (size.bytes() <= 0) throw new InvalidSpecException("shm-size", "must be greater than 0");
            b.mount(new Mount.Tmpfs("/dev/shm", size, 01777, false, true, 0));
        });
        each(p, "stop-timeout", v -> b.stopTimeout(java.time.Duration.ofSeconds(Math.max(0, number(v, Integer::parseInt)))));
        logging(p, b);
        health(p, b);
        if (p.bool("read-only")) b.readOnlyRoot(true);
        each(p, "ulimit", b::ulimit);
        if (p.bool("init")) b.init(true);
        each(p, "restart", v -> b.restart(io.jcontainer.RestartPolicy.parse(v)));
        each(p, "stop-signal", v -> b.stopSignal(io.jcontainer.Signal.parse(v)));
        resources(p, b);
    }

    /** The flags that override an image's config (User, Env, WorkingDir), set again after {@code b.image(...)}. */
    static void imageDefaultsOverridden(Flags.Parsed p, ContainerSpec.Builder b) {
        each(p, "env-file", v -> envFile(Path.of(v)).forEach(b::env));
        each(p, "env", b::env);
        each(p, "workdir", b::workingDir);
        each(p, "user", b::user);
    }

    private static void label(ContainerSpec.Builder b, String v) {
        int eq = v.indexOf('=');
        b.annotation(eq < 0 ? v : v.substring(0, eq), eq < 0 ? "" : v.substring(eq + 1));
    }

    /** {@code --log-driver} and {@code --log-opt}: what the container's monitor does with its output. */
    private static void logging(Flags.Parsed p, ContainerSpec.Builder b) {
        if (!p.has("log-driver") && !p.has("log-opt")) return;
        LogConfig c = LogConfig.DEFAULT;
        String driver = p.value("log-driver");
        if (driver != null) {
            try {
                c = new LogConfig(LogConfig.Driver.parse(driver), null, 0);
            } catch (InvalidSpecException e) {
                // docker: the daemon refuses a driver it has no plugin for, at create
                throw new CliException(Cli.EXIT_ERROR, "failed to create container: " + e.getMessage());
            }
        }
        for (String o : p.values("log-opt")) {
            try {
                c = c.withOption(o);
            } catch (InvalidSpecException e) {
                throw new UsageException("invalid argument \"" + o + "\" for \"--log-opt\" flag: " + e.getMessage());
            }
        }
        b.logConfig(c);
    }

    /** The {@code --health-*} flags; {@code --no-healthcheck} turns an image's check off. */
    private static void health(Flags.Parsed p, ContainerSpec.Builder b) {
        boolean any = p.has("health-cmd") || p.has("health-interval") || p.has("health-timeout") || p.has("health-retries")
                || p.has("health-start-period");
        if (p.bool("no-healthcheck")) {
            // docker: "--no-healthcheck conflicts with --health-* options"
            if (any) throw new UsageException("--no-healthcheck conflicts with --health-* options");
            b.healthcheck(null);
            return;
        }
        if (!p.has("health-cmd")) {
            if (any) throw new UsageException("--health-* options need --health-cmd (jcontainer's images carry no HEALTHCHECK to tune)");
            return;
        }
        HealthCheck h = HealthCheck.shell(p.value("health-cmd"));
        try {
            if (p.has("health-interval")) h = h.withInterval(duration("health-interval", p.value("health-interval")));
            if (p.has("health-timeout")) h = h.withTimeout(duration("health-timeout", p.value("health-timeout")));
            if (p.has("health-start-period")) h = h.withStartPeriod(duration("health-start-period", p.value("health-start-period")));
            if (p.has("health-retries")) {
                int n = number(p.value("health-retries"), Integer::parseInt);
                if (n < 0) throw new InvalidSpecException("health-retries", "--health-retries cannot be negative");
                h = h.withRetries(n);
            }
        } catch (InvalidSpecException e) {
            throw new UsageException("invalid argument for \"--" + e.setting() + "\" flag: " + e.getMessage());
        }
        b.healthcheck(h);
    }

    /**
     * Go's time.ParseDuration for the units docker users write: {@code 500ms}, {@code 2s},
     * {@code 1m30s}, {@code 1h}, {@code 1.5s}; a bare 0 is zero.
     */
    static java.time.Duration duration(String flag, String v) {
        if (v.equals("0")) return java.time.Duration.ZERO;
        var m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)").matcher(v);
        double nanos = 0;
        int at = 0;
        while (m.find() && m.start() == at) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        if (at == 0 || at != v.length())
            throw new InvalidSpecException(flag, "time: invalid duration \"" + v + "\" (e.g. 500ms, 2s, 1m30s)");
        return java.time.Duration.ofNanos((long) nanos);
    }

    private static void namespaces(Flags.Parsed p, ContainerSpec.Builder b) {
        each(p, "uts", v -> {
            // docker: host or the container's own; no container: for UTS
            switch (v) {
                case "host" -> b.removeNamespace(Namespace.UTS);
                case "" -> b.addNamespace(Namespace.UTS);
                default -> throw new InvalidSpecException("uts", "--uts: invalid UTS mode");
            }
        });
        each(p, "pid", v -> {
            switch (v) {
                case "host" -> b.removeNamespace(Namespace.PID);
                case "" -> b.addNamespace(Namespace.PID);
                default -> {
                    if (!v.startsWith("container:") || v.length() == "container:".length())
                        throw new InvalidSpecException("pid", "--pid: invalid PID mode");
                    if (p.bool("init")) throw new UsageException("conflicting options: --init and --pid " + v + " (an init must be PID 1 of its own namespace)");
                    b.joinNamespace(Namespace.PID, nsOf(v.substring("container:".length()), "pid"));
                }
            }
        });
        each(p, "ipc", v -> {
            // docker's modes: private and shareable are each a new namespace (jcontainer's are all
            // joinable by container:), none a new one without /dev/shm, host the host's
            switch (v) {
                case "host" -> b.removeNamespace(Namespace.IPC);
                case "", "private", "shareable", "none" -> b.addNamespace(Namespace.IPC);
                default -> {
                    if (!v.startsWith("container:") || v.length() == "container:".length())
                        throw new InvalidSpecException("ipc", "invalid IPC mode: " + v + " (private, shareable, host, none, container:NAME)");
                    // SysV IPC and POSIX message queues are the namespace's; docker also binds the other
                    // container's /dev/shm, which a mount from another mount namespace cannot do
                    // (EINVAL): this one keeps a /dev/shm of its own
                    b.joinNamespace(Namespace.IPC, nsOf(v.substring("container:".length()), "ipc"));
                }
            }
            if (v.equals("none") && p.has("shm-size")) throw new UsageException("conflicting options: --ipc none and --shm-size");
        });
        each(p, "cgroupns", v -> {
            switch (v) {
                case "host" -> b.removeNamespace(Namespace.CGROUP);
                case "", "private" -> b.addNamespace(Namespace.CGROUP);
                default -> throw new InvalidSpecException("cgroupns", "invalid cgroup namespace mode '" + v + "': use host or private");
            }
        });
        each(p, "userns", v -> {
            switch (v) {
                case "host" -> {
                    if (p.has("uidmap") || p.has("gidmap")) throw new UsageException("conflicting options: --userns host and --uidmap/--gidmap");
                    b.removeNamespace(Namespace.USER);
                }
                case "", "private" -> {
                    if (v.equals("private")) b.addNamespace(Namespace.USER);
                }
                // docker has host and the daemon's userns-remap (keep-id, auto are podman's)
                default -> throw new CliException(Cli.EXIT_ERROR, "--userns " + v + " is not supported (docker's modes: host, or empty for the default;"
                        + " jcontainer adds private; for a mapping use --uidmap/--gidmap)");
            }
        });
        List<IdMap> uid = new ArrayList<>(), gid = new ArrayList<>();
        each(p, "uidmap", v -> uid.add(IdMap.parse(v)));
        each(p, "gidmap", v -> gid.add(IdMap.parse(v)));
        if (!uid.isEmpty() || !gid.isEmpty()) {
            b.addNamespace(Namespace.USER);
            if (gid.isEmpty()) gid.addAll(uid); // podman's rule: the gid map defaults to the uid map
            b.uidMap(uid.toArray(IdMap[]::new)).gidMap(gid.toArray(IdMap[]::new));
        }
    }

    /** {@code /proc/PID/ns/TYPE} of a running container, named as docker names it (name or id). */
    private static String nsOf(String ref, String type) {
        return "/proc/" + runningPid(ref) + "/ns/" + type;
    }

    private static long runningPid(String ref) {
        io.jcontainer.lifecycle.ContainerInfo c;
        try {
            c = Store.containers().find(ref);
        } catch (RuntimeException e) {
            throw new CliException(Cli.EXIT_ERROR, "No such container: " + ref);
        }
        if (c.status() != io.jcontainer.lifecycle.ContainerInfo.Status.RUNNING && c.status() != io.jcontainer.lifecycle.ContainerInfo.Status.PAUSED || c.pid() <= 0)
            throw new CliException(Cli.EXIT_ERROR, "cannot join container " + ref + ": container " + c.id().substring(0, 12) + " is not running");
        return c.pid();
    }

    private static void security(Flags.Parsed p, ContainerSpec.Builder b) {
        boolean privileged = p.bool("privileged");
        if (privileged) b.privileged().capabilities(available());
        capabilities(p, b, privileged);
        each(p, "security-opt", v -> {
            int sep = indexOfAny(v, '=', ':');
            String key = sep < 0 ? v : v.substring(0, sep), val = sep < 0 ? null : v.substring(sep + 1);
            switch (key) {
                case "seccomp" -> {
                    if (val == null || val.isEmpty()) throw new UsageException("invalid --security-opt " + v + ": seccomp=FILE|unconfined");
                    b.seccomp(switch (val) {
                        case "unconfined" -> Seccomp.UNCONFINED;
                        case "builtin", "default" -> Seccomp.DEFAULT;
                        default -> Seccomp.fromFile(Path.of(val));
                    });
                }
                case "no-new-privileges" -> b.noNewPrivileges(val == null || switch (val) {
                    case "true", "1" -> true;
                    case "false", "0" -> false;
                    default -> throw new UsageException("invalid --security-opt " + v + ": no-new-privileges takes true or false");
                });
                case "systempaths" -> {
                    if (!"unconfined".equals(val)) throw new UsageException("invalid --security-opt " + v + ": only systempaths=unconfined");
                    b.maskedPaths(List.of()).readonlyPaths(List.of());
                }
                // jcontainer loads no LSM profile: asking for none is already true.
                case "apparmor", "label" -> {
                    if (!("apparmor".equals(key) && "unconfined".equals(val)) && !("label".equals(key) && "disable".equals(val)))
                        throw new CliException(Cli.EXIT_ERROR, "--security-opt " + v + " is not supported: jcontainer applies no AppArmor or SELinux profile");
                }
                default -> throw new UsageException("invalid --security-opt: " + v);
            }
        });
    }

    /**
     * Docker's rules: {@code --cap-add ALL} is every capability less the drops; {@code --cap-drop ALL}
     * is only the additions; otherwise the defaults (all of them when privileged) less the drops
     * plus the additions.
     */
    private static void capabilities(Flags.Parsed p, ContainerSpec.Builder b, boolean privileged) {
        List<String> adds = splitAll(p.values("cap-add")), drops = splitAll(p.values("cap-drop"));
        if (adds.isEmpty() && drops.isEmpty()) return;
        boolean addAll = adds.stream().anyMatch(s -> s.equalsIgnoreCase("ALL"));
        boolean dropAll = drops.stream().anyMatch(s -> s.equalsIgnoreCase("ALL"));
        Set<Capability> caps;
        if (addAll || privileged) caps = available();
        else if (dropAll) caps = EnumSet.noneOf(Capability.class);
        else caps = EnumSet.copyOf(Capability.dockerDefaults());
        if (!addAll && !privileged && !dropAll) {
            caps.removeAll(parseCaps(drops, "cap-drop"));
            caps.addAll(parseCaps(adds, "cap-add"));
        } else if (addAll || privileged) {
            caps.removeAll(parseCaps(drops, "cap-drop"));
        } else {
            caps.addAll(parseCaps(adds, "cap-add"));
        }
        b.capabilities(caps);
    }

    /**
     * "All" capabilities means all that this process's bounding set still has: a capability
     * outside it can never be raised again (capset fails with EPERM), and hosts — VMs, nested
     * containers — often lack some (e.g. CAP_SYS_RESOURCE).
     */
    static Set<Capability> available() {
        EnumSet<Capability> caps = EnumSet.allOf(Capability.class);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (!line.startsWith("CapBnd:")) continue;
                long bnd = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                caps.removeIf(c -> c.number() >= 64 || (bnd & (1L << c.number())) == 0);
            }
        } catch (IOException | NumberFormatException e) {
            // no /proc: ask for everything and let the runtime report what fails
        }
        return caps;
    }

    private static List<Capability> parseCaps(List<String> names, String flag) {
        List<Capability> l = new ArrayList<>();
        for (String n : names) {
            if (n.equalsIgnoreCase("ALL")) continue;
            try {
                l.add(Capability.parse(n));
            } catch (InvalidSpecException e) {
                throw new UsageException("invalid argument \"" + n + "\" for \"--" + flag + "\" flag: unknown capability");
            }
        }
        return l;
    }

    private static List<String> splitAll(List<String> values) {
        List<String> l = new ArrayList<>();
        for (String v : values) for (String s : v.split(",")) if (!s.isBlank()) l.add(s.trim());
        return l;
    }

    private static void mounts(Flags.Parsed p, ContainerSpec.Builder b) {
        List<Mount> mounts = new ArrayList<>();
        each(p, "volumes-from", v -> mounts.addAll(DockerVolumes.from(v)));
        each(p, "volume", v -> mounts.add(DockerVolumes.volume(v)));
        each(p, "mount", v -> mounts.add(v.matches("(.*,)?type=volume(,.*)?") ? DockerVolumes.mount(v) : Mount.parseMount(v)));
        each(p, "tmpfs", v -> mounts.add(tmpfs(v)));
        // As docker (and runc's users): parents before children, whatever the flag order.
        // (a lambda of our own, not Comparator.comparingInt, whose inner lambda is spun at run time)
        if (mounts.size() > 1) mounts.sort((x, y) -> Integer.compare(depth(x.target()), depth(y.target())));
        mounts.forEach(b::mount);
    }

    private static int depth(String path) {
        int n = 0;
        for (String s : path.split("/")) if (!s.isEmpty() && !s.equals(".")) n++;
        return n;
    }

    /** Docker's {@code --tmpfs DST[:OPTS]}: rw, noexec, nosuid and nodev unless told otherwise. */
    static Mount.Tmpfs tmpfs(String spec) {
        int colon = spec.indexOf(':');
        String target = colon < 0 ? spec : spec.substring(0, colon);
        DataSize size = null;
        int mode = 01777;
        boolean ro = false, noexec = true;
        long inodes = 0;
        if (colon >= 0) {
            for (String o : spec.substring(colon + 1).split(",")) {
                int eq = o.indexOf('=');
                String k = eq < 0 ? o : o.substring(0, eq), v = eq < 0 ? "" : o.substring(eq + 1);
                switch (k) {
                    case "size" -> size = DataSize.parse(v);
                    case "mode" -> {
                        try {
                            mode = Integer.parseInt(v, 8);
                        } catch (NumberFormatException e) {
                            throw new InvalidSpecException("tmpfs", "mode must be octal, got '" + v + "'");
                        }
                    }
                    case "nr_inodes" -> {
                        try {
                            inodes = Long.parseLong(v);
                        } catch (NumberFormatException e) {
                            throw new InvalidSpecException("tmpfs", "nr_inodes must be a number, got '" + v + "'");
                        }
                        if (inodes <= 0) throw new InvalidSpecException("tmpfs", "nr_inodes must be positive, got '" + v + "'");
                    }
                    case "ro" -> ro = true;
                    case "rw" -> ro = false;
                    case "exec" -> noexec = false;
                    case "noexec" -> noexec = true;
                    case "nosuid", "nodev", "" -> { /* always so */ }
                    default -> throw new InvalidSpecException("tmpfs", "unsupported option '" + k + "' (size, mode, nr_inodes, ro, rw, exec, noexec)");
                }
            }
        }
        return new Mount.Tmpfs(target, size, mode, ro, noexec, inodes);
    }

    private static void resources(Flags.Parsed p, ContainerSpec.Builder b) {
        each(p, "memory", v -> b.memoryLimit(DataSize.parse(v)));
        each(p, "memory-swap", v -> b.memorySwap(v.equals("-1") ? io.jcontainer.Resources.UNLIMITED_SWAP : DataSize.parse(v)));
        each(p, "memory-reservation", v -> b.memoryReservation(DataSize.parse(v)));
        each(p, "memory-swappiness", v -> {
            int n = number(v, Integer::parseInt);
            if (n == -1) return; // docker: -1 is the default (inherit)
            if (n < 0 || n > 100) throw new InvalidSpecException("memory-swappiness", "invalid value: " + n + ", valid memory swappiness range is 0-100");
            if (!cgroupV2()) b.memorySwappiness(n); // v2: discarded with docker's warning (warnings())
        });
        if ((p.has("cpu-period") || p.has("cpu-quota")) && p.has("cpus"))
            throw new UsageException("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        each(p, "cpu-period", v -> {
            long n = number(v, Long::parseLong);
            if (n != 0) b.cpuPeriod(n);
        });
        each(p, "cpu-quota", v -> {
            long n = number(v, Long::parseLong);
            if (n > 0) b.cpuQuota(n); // docker: 0 or -1 is no quota
            else if (n < -1) throw new InvalidSpecException("cpu-quota", "CPU cfs quota can not be less than 1ms (i.e. 1000)");
        });
        // more CPUs than the host has: refused at start with docker's words (CpuController)
        each(p, "cpus", v -> b.cpus(number(v, Double::parseDouble)));
        each(p, "cpuset-cpus", b::cpusetCpus);
        each(p, "cpuset-mems", b::cpusetMems);
        each(p, "cpu-shares", v -> {
            int n = number(v, Integer::parseInt);
            if (n != 0) b.cpuShares(n);
        });
        each(p, "pids-limit", v -> {
            long n = number(v, Long::parseLong);
            if (n > 0) b.pidsLimit(n); // docker: 0 or -1 is unlimited
        });
        each(p, "oom-score-adj", v -> b.oomScoreAdj(number(v, Integer::parseInt)));
        each(p, "blkio-weight", v -> {
            int n = number(v, Integer::parseInt);
            if (n != 0) b.blkioWeight(n);
        });
        each(p, "device-read-bps", v -> b.deviceLimit(Resources.DeviceLimit.parse(Resources.DeviceLimit.Kind.READ_BPS, v)));
        each(p, "device-write-bps", v -> b.deviceLimit(Resources.DeviceLimit.parse(Resources.DeviceLimit.Kind.WRITE_BPS, v)));
        each(p, "device-read-iops", v -> b.deviceLimit(Resources.DeviceLimit.parse(Resources.DeviceLimit.Kind.READ_IOPS, v)));
        each(p, "device-write-iops", v -> b.deviceLimit(Resources.DeviceLimit.parse(Resources.DeviceLimit.Kind.WRITE_IOPS, v)));
        each(p, "blkio-weight-device", v -> b.deviceLimit(Resources.DeviceLimit.parse(Resources.DeviceLimit.Kind.WEIGHT, v)));
    }

    private static <T> T number(String v, java.util.function.Function<String, T> parse) {
        try {
            return parse.apply(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("number", "not a number: '" + v + "'");
        }
    }

    /**
     * Docker's env file: one {@code K=V} or {@code K} per line, {@code #} comments and blank lines
     * skipped, no quoting (the value is the rest of the line, verbatim).
     */
    static List<String> envFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new InvalidSpecException("env-file", "cannot read " + file + ": " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).stripLeading();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq);
            if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace))
                throw new InvalidSpecException("env-file", file + " line " + (i + 1) + ": variable '" + key + "' contains whitespaces");
            out.add(line);
        }
        return out;
    }

    /** Docker's label file: one {@code K=V} or {@code K} per line; {@code #} comments and blank lines skipped. */
    static List<String> labelFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new InvalidSpecException("label-file", "cannot read " + file + ": " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            String line = l.strip();
            if (!line.isEmpty() && !line.startsWith("#")) out.add(line);
        }
        return out;
    }

    private interface Apply {
        void accept(String value);
    }

    /** Applies every value of a flag; a refused value becomes a usage error naming flag and value. */
    private static void each(Flags.Parsed p, String flag, Apply f) {
        for (String v : p.values(flag)) {
            try {
                f.accept(v);
            } catch (InvalidSpecException e) {
                throw new UsageException("invalid argument \"" + v + "\" for \"--" + flag + "\" flag: " + e.getMessage());
            }
        }
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == a || s.charAt(i) == b) return i;
        return -1;
    }
}
