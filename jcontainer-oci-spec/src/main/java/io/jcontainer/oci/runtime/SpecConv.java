package io.jcontainer.oci.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.Capability;
import io.jcontainer.CapabilitySets;
import io.jcontainer.ContainerSpec;
import io.jcontainer.DataSize;
import io.jcontainer.Device;
import io.jcontainer.Hooks;
import io.jcontainer.IdMap;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.LinuxNamespace;
import io.jcontainer.LinuxSpec;
import io.jcontainer.Mount;
import io.jcontainer.Namespace;
import io.jcontainer.NetworkMode;
import io.jcontainer.ProcessSpec;
import io.jcontainer.Propagation;
import io.jcontainer.Resources;
import io.jcontainer.RestartPolicy;
import io.jcontainer.Rlimit;
import io.jcontainer.Root;
import io.jcontainer.Seccomp;
import io.jcontainer.Signal;
import io.jcontainer.Stdio;
import io.jcontainer.UserSpec;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code config.json} ⇄ {@link ContainerSpec}, field by field (as runc's specconv): one place that
 * says what each field of runtime-spec 1.2 becomes. A field the model cannot carry is refused
 * with a {@link ConfigException.Unsupported} naming its JSON path; a field of the wrong shape
 * with a {@link ConfigException.Malformed}. Fields the spec does not define are ignored (the
 * spec says runtimes must) and kept in the tree.
 *
 * <p>Writing is lossless against a base document: {@link #toConfig} converts the base too, and
 * only where the spec differs from the base's own conversion does the base change — so the
 * base's spelling (a relative root path, a cpu period, unknown fields) survives.
 *
 * <p>What a config.json cannot say (a name, the default or an overlay root, stdio, detached,
 * init, restart policy, stop signal, a named network, docker's derived capability sets, the
 * runtime's default masked paths or seccomp profile, devices bound from the host, a user given
 * by name, an unprivileged root) goes to {@code extras}, jcontainer's own small JSON object beside it.
 */
public final class SpecConv {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** The mounts every jcontainer container has from its runtime, with runc's spelling and default options. */
    private static final List<StandardMount> STANDARD = List.of(
            new StandardMount("/proc", "proc", "proc", List.of()),
            new StandardMount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
            new StandardMount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
            new StandardMount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
            new StandardMount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
            new StandardMount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
    // /sys/fs/cgroup's "cgroup" mount is not among them: it is the opt-in Mount.cgroupView(), kept in the spec as given

    private record StandardMount(String destination, String type, String source, List<String> options) {
        /** Whether a config's mount is this one (options as runc writes them, or fewer; rootless binds of /sys too). */
        boolean matches(String dest, String t, String src, List<String> opts) {
            if (!dest.equals(destination)) return false;
            List<String> known = new ArrayList<>(options);
            known.addAll(List.of("rw", "relatime", "nodev", "noexec", "nosuid", "ro"));
            if (destination.equals("/sys") && (t.equals("none") || t.equals("bind")) && "/sys".equals(src)) {
                known.addAll(List.of("rbind", "bind"));
                return known.containsAll(opts);
            }
            if (destination.equals("/dev/pts")) known.add("gid=5");
            return t.equals(type) && known.containsAll(opts);
        }

        ObjectNode json() {
            ObjectNode o = F.objectNode().put("destination", destination).put("type", type).put("source", source);
            if (!options.isEmpty()) strings(o.putArray("options"), options);
            return o;
        }
    }

    /** A config.json read into the model, with what the conversion had to adapt (to log, never to hide). */
    public record Imported(ContainerSpec spec, List<String> notes) {
        public Imported {
            notes = List.copyOf(notes);
        }
    }

    /** A spec written as config.json plus jcontainer's {@code extras} (an empty object when it needs none). */
    public record Exported(OciConfig config, ObjectNode extras) {
        public boolean needsExtras() {
            return !extras.isEmpty();
        }
    }

    private SpecConv() {
    }

    // =====================================================================================
    // config.json -> ContainerSpec
    // =====================================================================================

    /** The spec a config.json describes; relative paths (the root) resolve against {@code bundle}. */
    public static ContainerSpec toSpec(OciConfig config, Path bundle) {
        return read(config, bundle, null).spec();
    }

    /** As {@link #toSpec}, with jcontainer's extras (may be null) and the notes of the conversion. */
    public static Imported read(OciConfig config, Path bundle, JsonNode extras) {
        if (bundle == null || !bundle.isAbsolute()) throw new IllegalArgumentException("bundle must be an absolute path: " + bundle);
        List<String> notes = new ArrayList<>();
        At root = At.root(config.tree());
        for (String other : List.of("windows", "solaris", "vm", "zos"))
            if (root.get(other).present()) throw root.get(other).unsupported("the '" + other + "' platform section (jcontainer runs Linux containers)");

        ProcessSpec process = process(root.get("process"), notes);
        Root rootfs = rootfs(root.get("root"), bundle, extras);
        List<Mount> mounts = mounts(root.get("mounts"), bundle, notes);
        String hostname = root.get("hostname").stringOr(null);
        String domainname = root.get("domainname").stringOr(null);
        if (hostname != null && hostname.isEmpty()) hostname = null;
        if (domainname != null && domainname.isEmpty()) domainname = null;
        At proc = root.get("process");
        Integer oom = proc.get("oomScoreAdj").present() ? proc.get("oomScoreAdj").i32() : null;
        LinuxSpec linux = linux(root.get("linux"), oom, notes);
        Hooks hooks = hooks(root.get("hooks"));
        Map<String, String> annotations = new LinkedHashMap<>();
        for (var e : root.get("annotations").fields()) annotations.put(e.getKey(), e.getValue().string());

        String name = null;
        NetworkMode network = null;
        Stdio in = Stdio.NULL, out = Stdio.PIPE, err = Stdio.PIPE;
        boolean detached = false, init = false;
        RestartPolicy restart = RestartPolicy.NO;
        Signal stop = Signal.TERM;
        Duration stopTimeout = null;
        io.jcontainer.LogConfig logConfig = null;
        io.jcontainer.HealthCheck healthcheck = null;
        boolean etcFiles = false;
        if (extras != null && !extras.isEmpty()) {
            At x = new At(extras, "extras").object();
            name = x.get("name").stringOr(null);
            if (x.get("network").present()) network = x.model(() -> NetworkMode.parse(x.get("network").string()));
            // a named network's per-container settings (aliases, published ports, address, DNS): jcontainer's own
            if (network instanceof NetworkMode.Named nn && x.get("networkOptions").present()) {
                JsonNode o = x.get("networkOptions").node();
                network = x.model(() -> {
                    try {
                        return new NetworkMode.Named(nn.name(), OciConfig.json().treeToValue(o, io.jcontainer.NetworkOptions.class));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new io.jcontainer.InvalidSpecException("network", "extras.networkOptions: " + e.getOriginalMessage());
                    }
                });
            }
            if (x.get("stdin").present()) in = stdio(x.get("stdin"));
            if (x.get("stdout").present()) out = stdio(x.get("stdout"));
            if (x.get("stderr").present()) err = stdio(x.get("stderr"));
            detached = x.get("detached").bool(false);
            init = x.get("init").bool(false);
            if (x.get("restart").present()) restart = x.get("restart").model(() -> RestartPolicy.parse(x.get("restart").string()));
            if (x.get("stopSignal").present()) stop = x.get("stopSignal").model(() -> Signal.parse(x.get("stopSignal").string()));
            if (x.get("user").present()) process = process.withUser(process.user().withName(x.get("user").string()));
            if (x.get("capabilities").present()) {
                if (!x.get("capabilities").string().equals("docker")) throw x.get("capabilities").bad("expected \"docker\"");
                process = process.withCapabilities(CapabilitySets.of(process.capabilities().bounding()));
            }
            if ("default".equals(x.get("seccomp").stringOr(null))) linux = linux.withSeccomp(Seccomp.DEFAULT);
            if (x.get("unprivilegedRoot").bool(false)) linux = linux.withUnprivilegedRoot(true);
            if ("default".equals(x.get("maskedPaths").stringOr(null))) linux = linux.withMaskedPaths(null);
            if ("default".equals(x.get("readonlyPaths").stringOr(null))) linux = linux.withReadonlyPaths(null);
            if (x.get("deviceLimits").present()) { // throttles of devices named by path (config.json numbers them)
                Resources r = linux.resources();
                List<Resources.DeviceLimit> limits = new ArrayList<>(r.deviceLimits());
                for (At d : x.get("deviceLimits").array()) {
                    String kind = d.get("kind").string();
                    if (java.util.Arrays.stream(Resources.DeviceLimit.Kind.values()).noneMatch(k -> k.name().equals(kind)))
                        throw d.get("kind").bad("expected one of " + java.util.Arrays.toString(Resources.DeviceLimit.Kind.values()));
                    limits.add(d.model(() -> new Resources.DeviceLimit(d.get("device").string(), Resources.DeviceLimit.Kind.valueOf(kind),
                            d.get("value").u64())));
                }
                linux = linux.withResources(withDeviceLimits(r, limits));
            }
            // the run flags config.json has no field for (docker keeps them in its own config too)
            if (x.get("stopTimeout").present()) stopTimeout = Duration.ofSeconds(x.get("stopTimeout").u64());
            if (x.get("log").present()) {
                At lg = x.get("log");
                logConfig = lg.model(() -> new io.jcontainer.LogConfig(io.jcontainer.LogConfig.Driver.parse(lg.get("driver").string()),
                        lg.get("maxSize").present() ? io.jcontainer.DataSize.bytes(lg.get("maxSize").u64()) : null,
                        (int) lg.get("maxFiles").range(0, 100)));
            }
            if (x.get("healthcheck").present()) {
                At hc = x.get("healthcheck");
                healthcheck = hc.model(() -> new io.jcontainer.HealthCheck(hc.get("test").strings(), Duration.ofNanos(hc.get("interval").u64()),
                        Duration.ofNanos(hc.get("timeout").u64()), Duration.ofNanos(hc.get("startPeriod").u64()), (int) hc.get("retries").u64()));
            }
            etcFiles = x.get("etcFiles").bool(false);
            if (x.get("additionalGroups").present())
                process = process.withUser(process.user().withAdditionalGroups(x.get("additionalGroups").strings()));
            if (x.get("memorySwappiness").present()) {
                Resources r = linux.resources();
                int sw = (int) x.get("memorySwappiness").range(0, 100);
                linux = linux.withResources(new Resources(r.memory(), r.memorySwap(), r.memoryReservation(), r.cpuQuota(), r.cpusetCpus(),
                        r.cpusetMems(), r.cpuShares(), r.pidsLimit(), r.blkioWeight(), r.deviceLimits(), r.oomScoreAdj(), r.cpuPeriod(), sw));
            }
            if (x.get("mounts").present()) mounts = typedMounts(x.get("mounts"), mounts);
            if (x.get("hostDevices").present()) {
                List<Device> devs = new ArrayList<>(linux.devices());
                for (At d : x.get("hostDevices").array())
                    devs.add(d.model(() -> new Device(d.get("path").string(), (char) 0, 0, 0, null, null, null,
                            d.get("hostPath").string(), d.get("permissions").stringOr("rwm"))));
                linux = linux.withDevices(devs);
            }
        }
        final ProcessSpec p = process;
        final LinuxSpec l = linux;
        final String h = hostname, dn = domainname, nm = name;
        final NetworkMode net = network;
        final Stdio i0 = in, o1 = out, e2 = err;
        final boolean det = detached, ini = init;
        final RestartPolicy rp = restart;
        final Signal ss = stop;
        final Duration st = stopTimeout;
        final io.jcontainer.LogConfig lc = logConfig;
        final io.jcontainer.HealthCheck hck = healthcheck;
        final boolean etc = etcFiles;
        try {
            return new Imported(new ContainerSpec(nm, p, rootfs, mounts, h, dn, l, hooks, annotations, net, i0, o1, e2, det, ini, rp, ss,
                    st, lc, hck, etc), notes);
        } catch (InvalidSpecException e) {
            throw new ConfigException.Malformed(modelPath(e.setting()), e.getMessage());
        }
    }

    private static Resources withDeviceLimits(Resources r, List<Resources.DeviceLimit> limits) {
        return new Resources(r.memory(), r.memorySwap(), r.memoryReservation(), r.cpuQuota(), r.cpusetCpus(), r.cpusetMems(), r.cpuShares(),
                r.pidsLimit(), r.blkioWeight(), limits, r.oomScoreAdj(), r.cpuPeriod(), r.memorySwappiness());
    }

    /** The config.json path of a model setting the spec's constructor refused. */
    private static String modelPath(String setting) {
        return switch (setting) {
            case "command" -> "process.args";
            case "namespaces", "network", "init" -> "linux.namespaces";
            case "idmap" -> "linux.uidMappings";
            case "hostname" -> "hostname";
            case "domainname" -> "domainname";
            default -> setting;
        };
    }

    private static Stdio stdio(At a) {
        if (a.node().isTextual()) {
            return switch (a.string()) {
                case "null" -> Stdio.NULL;
                case "pipe" -> Stdio.PIPE;
                case "inherit" -> Stdio.INHERIT;
                default -> throw a.bad("expected null, pipe, inherit or {\"file\":...}");
            };
        }
        if (a.node().has("console")) return new Stdio.Console(Path.of(a.get("console").string()));
        return new Stdio.File(Path.of(a.get("file").string()), a.get("append").bool(false));
    }

    private static ProcessSpec process(At p, List<String> notes) {
        if (!p.present()) throw p.bad("required: what to run");
        p.object();
        if (p.get("commandLine").present()) throw p.get("commandLine").unsupported("commandLine is for Windows; use args");
        for (String f : List.of("apparmorProfile", "selinuxLabel"))
            if (!p.get(f).stringOr("").isEmpty()) throw p.get(f).unsupported(f + " (no AppArmor or SELinux support)");
        for (String f : List.of("scheduler", "ioPriority", "execCPUAffinity"))
            if (p.get(f).present()) throw p.get(f).unsupported(f);
        At argsAt = p.get("args");
        if (!argsAt.present() || argsAt.array().isEmpty()) throw argsAt.bad("required: at least the program to run");
        List<String> args = argsAt.strings();
        Map<String, String> env = new LinkedHashMap<>();
        for (At e : p.get("env").array()) {
            String s = e.string();
            int eq = s.indexOf('=');
            if (eq <= 0) throw e.bad("expected KEY=VALUE, got '" + s + "'");
            env.put(s.substring(0, eq), s.substring(eq + 1));
        }
        At cwdAt = p.get("cwd");
        if (!cwdAt.present()) throw cwdAt.bad("required: the working directory (absolute)");
        String cwd = cwdAt.absolutePath();
        if (cwd.equals("/")) cwd = null; // the model's spelling of the default
        UserSpec user = user(p.get("user"));
        CapabilitySets caps = capabilities(p.get("capabilities"), notes);
        List<Rlimit> rlimits = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (At r : p.get("rlimits").array()) {
            r.object();
            String type = r.get("type").string();
            if (!type.startsWith("RLIMIT_") || Rlimit.resource(type.substring(7).toLowerCase(Locale.ROOT)) < 0)
                throw r.get("type").bad("unknown rlimit '" + type + "'");
            if (!seen.add(type)) throw r.get("type").bad(type + " is given twice");
            long soft = r.get("soft").u64(), hard = r.get("hard").u64();
            rlimits.add(r.model(() -> new Rlimit(type.substring(7), soft, hard)));
        }
        boolean terminal = p.get("terminal").bool(false);
        ProcessSpec.ConsoleSize size = null;
        At cs = p.get("consoleSize");
        if (cs.present()) {
            cs.object();
            long hh = cs.get("height").u32(), ww = cs.get("width").u32();
            size = cs.model(() -> new ProcessSpec.ConsoleSize((int) hh, (int) ww));
        }
        boolean nnp = p.get("noNewPrivileges").bool(false);
        final ProcessSpec.ConsoleSize sz = size;
        final String wd = cwd;
        return p.model(() -> new ProcessSpec(args, env, wd, user, caps, rlimits, nnp, terminal, sz));
    }

    private static UserSpec user(At u) {
        if (!u.present()) return UserSpec.ids(0, 0);
        u.object();
        if (!u.get("username").stringOr("").isEmpty()) throw u.get("username").unsupported("username is for Windows; give uid and gid");
        long uid = u.get("uid").present() ? u.get("uid").u32() : 0, gid = u.get("gid").present() ? u.get("gid").u32() : 0;
        List<Integer> groups = new ArrayList<>();
        for (At g : u.get("additionalGids").array()) groups.add((int) g.u32());
        At um = u.get("umask");
        Integer umask = um.present() ? (int) um.range(0, 0777) : null;
        String name = uid == 0 && gid == 0 ? null : uid + ":" + gid; // null: the model's spelling of root
        return u.model(() -> new UserSpec(name, groups, umask));
    }

    private static CapabilitySets capabilities(At c, List<String> notes) {
        if (!c.present()) return new CapabilitySets(Set.of(), Set.of(), Set.of(), Set.of(), Set.of());
        c.object();
        Set<Capability> b = caps(c.get("bounding")), e = caps(c.get("effective")), i = caps(c.get("inheritable")),
                p = caps(c.get("permitted")), a = caps(c.get("ambient"));
        // The kernel raises an ambient capability only if it is permitted and inheritable
        // (capabilities(7)); runc ignores the failure for the others (and `runc spec` lists
        // ambient ones without inheritable ones). Keep what the kernel would give, and say so.
        Set<Capability> raisable = EnumSet.noneOf(Capability.class);
        for (Capability x : a) if (p.contains(x) && i.contains(x)) raisable.add(x);
        if (raisable.size() != a.size()) {
            Set<Capability> dropped = a.isEmpty() ? Set.of() : EnumSet.copyOf(a);
            dropped.removeAll(raisable);
            notes.add(c.get("ambient").path() + ": " + dropped + " not raised: an ambient capability must also be permitted and inheritable (capabilities(7)), as runc");
        }
        return c.model(() -> new CapabilitySets(b, e, i, p, raisable));
    }

    private static Set<Capability> caps(At list) {
        Set<Capability> s = EnumSet.noneOf(Capability.class);
        for (At x : list.array()) {
            String n = x.string();
            if (!n.startsWith("CAP_")) throw x.bad("expected a CAP_* name, got '" + n + "'");
            try {
                s.add(Capability.valueOf(n.substring(4)));
            } catch (IllegalArgumentException ex) {
                throw x.unsupported("unknown capability '" + n + "'");
            }
        }
        return s;
    }

    private static Root rootfs(At r, Path bundle, JsonNode extras) {
        boolean ro = r.present() && r.object().get("readonly").bool(false);
        JsonNode xr = extras == null ? null : extras.get("root");
        if (xr != null && !xr.isNull()) {
            At x = new At(xr, "extras.root").object();
            boolean xro = x.get("readonly").bool(ro);
            return switch (x.get("kind").string()) {
                case "default" -> new Root.Default(xro);
                case "overlay" -> x.model(() -> new Root.Overlay(x.get("lowerDirs").strings().stream().map(Path::of).toList(),
                        x.get("upper").present() ? Path.of(x.get("upper").string()) : null,
                        x.get("work").present() ? Path.of(x.get("work").string()) : null, xro,
                        x.get("removeWithContainer").bool(false)));
                default -> throw x.get("kind").bad("expected default or overlay");
            };
        }
        if (!r.present()) throw r.bad("required: the container's root filesystem (root.path)");
        String path = r.get("path").string();
        if (path.isEmpty() || path.indexOf('\0') >= 0) throw r.get("path").bad("must name a directory");
        Path p = bundle.resolve(path).normalize();
        return r.get("path").model(() -> new Root.Directory(p, ro));
    }

    private static List<Mount> mounts(At list, Path bundle, List<String> notes) {
        List<Mount> out = new ArrayList<>();
        for (At m : list.array()) {
            m.object();
            String dest = m.get("destination").absolutePath();
            for (String f : List.of("uidMappings", "gidMappings"))
                if (!m.get(f).array().isEmpty()) throw m.get(f).unsupported("id-mapped mounts");
            String type = m.get("type").stringOr("none");
            String source = m.get("source").stringOr(null);
            List<String> options = m.get("options").strings();
            StandardMount std = null;
            for (StandardMount s : STANDARD) if (s.matches(dest, type, source, options)) std = s;
            if (std != null) continue; // the runtime mounts it itself
            final String t = type;
            // runc resolves a bind mount's relative source against the bundle (its working directory)
            boolean bind = type.equals("bind") || options.contains("bind") || options.contains("rbind");
            String src = bind && source != null && !source.isEmpty() && !source.startsWith("/") && bundle != null
                    ? bundle.resolve(source).normalize().toString() : source;
            out.add(m.model(() -> new Mount.Generic(dest, t, src, options)));
        }
        return out;
    }

    private static final Map<String, Namespace> NAMESPACES = Map.of("pid", Namespace.PID, "network", Namespace.NET,
            "mount", Namespace.MNT, "ipc", Namespace.IPC, "uts", Namespace.UTS, "user", Namespace.USER,
            "cgroup", Namespace.CGROUP, "time", Namespace.TIME);

    static String nsName(Namespace n) {
        for (var e : NAMESPACES.entrySet()) if (e.getValue() == n) return e.getKey();
        throw new IllegalStateException(n.name());
    }

    private static LinuxSpec linux(At l, Integer oomScoreAdj, List<String> notes) {
        if (l.present()) l.object();
        for (String f : List.of("intelRdt", "personality", "timeOffsets", "memoryPolicy", "netDevices"))
            if (meaningful(l.get(f))) throw l.get(f).unsupported(f);
        if (!l.get("mountLabel").stringOr("").isEmpty()) throw l.get("mountLabel").unsupported("mountLabel (no SELinux support)");
        List<LinuxNamespace> nss = new ArrayList<>();
        Set<Namespace> seen = EnumSet.noneOf(Namespace.class);
        for (At n : l.get("namespaces").array()) {
            n.object();
            String t = n.get("type").string();
            Namespace ns = NAMESPACES.get(t);
            if (ns == null) throw n.get("type").bad("unknown namespace type '" + t + "' (known: pid, network, mount, ipc, uts, user, cgroup, time)");
            if (!seen.add(ns)) throw n.get("type").bad("namespace '" + t + "' is given twice");
            String path = n.get("path").present() && !n.get("path").string().isEmpty() ? n.get("path").absolutePath() : null;
            nss.add(n.model(() -> new LinuxNamespace(ns, path)));
        }
        List<IdMap> uid = idMaps(l.get("uidMappings")), gid = idMaps(l.get("gidMappings"));
        List<Device> devices = new ArrayList<>();
        for (At d : l.get("devices").array()) {
            d.object();
            String path = d.get("path").absolutePath();
            String type = d.get("type").string();
            if (!type.matches("[cbup]")) throw d.get("type").bad("expected c, b, u or p, got '" + type + "'");
            long major = d.get("major").present() ? d.get("major").i64() : 0, minor = d.get("minor").present() ? d.get("minor").i64() : 0;
            if (!type.equals("p") && (!d.get("major").present() || !d.get("minor").present()))
                throw d.bad("major and minor are required for a " + type + " device");
            Integer mode = d.get("fileMode").present() ? (int) d.get("fileMode").range(0, 07777) : null;
            Integer u = d.get("uid").present() ? (int) d.get("uid").u32() : null, g = d.get("gid").present() ? (int) d.get("gid").u32() : null;
            devices.add(d.model(() -> new Device(path, type.charAt(0), major, minor, mode, u, g, null, "rwm")));
        }
        At res = l.get("resources");
        Resources resources = resources(res, oomScoreAdj, devices);
        String cgroupsPath = l.get("cgroupsPath").stringOr(null);
        if (cgroupsPath != null && cgroupsPath.isEmpty()) cgroupsPath = null;
        Map<String, String> sysctl = new LinkedHashMap<>();
        for (var e : l.get("sysctl").fields()) sysctl.put(e.getKey(), e.getValue().string());
        Seccomp seccomp = seccomp(l.get("seccomp"));
        List<String> masked = paths(l.get("maskedPaths")), readonly = paths(l.get("readonlyPaths"));
        Propagation prop = null;
        At rp = l.get("rootfsPropagation");
        if (rp.present() && !rp.string().isEmpty()) {
            prop = Propagation.fromOption(rp.string());
            if (prop == null) throw rp.bad("unknown propagation '" + rp.string() + "' (known: private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable)");
        }
        final Propagation pr = prop;
        final String cp = cgroupsPath;
        return l.model(() -> new LinuxSpec(nss, uid, gid, resources, cp, sysctl, seccomp, masked, readonly, devices, pr));
    }

    private static List<String> paths(At list) {
        List<String> out = new ArrayList<>();
        for (At a : list.array()) out.add(a.absolutePath());
        return out;
    }

    private static List<IdMap> idMaps(At list) {
        List<IdMap> out = new ArrayList<>();
        for (At m : list.array()) {
            m.object();
            long c = m.get("containerID").u32(), h = m.get("hostID").u32(), s = m.get("size").u32();
            out.add(m.model(() -> new IdMap(c, h, s)));
        }
        return out;
    }

    /** Whether a field says anything: present, not null, not an empty object or array. */
    private static boolean meaningful(At a) {
        if (!a.present()) return false;
        JsonNode n = a.node();
        if (n.isContainerNode()) {
            if (n.isEmpty()) return false;
            if (n.isObject()) {
                for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) if (meaningful(a.get(it.next()))) return true;
                return false;
            }
        }
        return true;
    }

    /**
     * A {@code linux.resources} object alone (runc's {@code update --resources}): the limits it
     * sets, refusing what the model cannot carry by path ({@code path} names the document, e.g.
     * {@code "resources"}). Device rules are not changed by an update and are refused.
     */
    public static Resources toResources(JsonNode resources, String path) {
        At r = new At(resources, path).object();
        if (r.get("devices").present() && !r.get("devices").array().isEmpty())
            throw r.get("devices").unsupported("changing device rules of a running container");
        return resources(r, null, new ArrayList<>());
    }

    private static Resources resources(At r, Integer oomScoreAdj, List<Device> devices) {
        if (r.present()) r.object();
        for (String f : List.of("hugepageLimits", "network", "rdma", "unified"))
            if (meaningful(r.get(f))) throw r.get(f).unsupported("resources." + f);
        At mem = r.get("memory");
        for (String f : List.of("kernel", "kernelTCP", "swappiness", "disableOOMKiller", "useHierarchy", "checkBeforeUpdate"))
            if (meaningful(mem.get(f)) && !(mem.get(f).node().isBoolean() && !mem.get(f).node().booleanValue()))
                throw mem.get(f).unsupported("memory." + f);
        DataSize memory = limit(mem.get("limit")), reservation = limit(mem.get("reservation"));
        DataSize swap = null;
        if (mem.get("swap").present()) {
            long s = mem.get("swap").i64();
            if (s == -1) swap = Resources.UNLIMITED_SWAP;
            else if (s > 0) swap = DataSize.bytes(s);
            else if (s != 0) throw mem.get("swap").bad("must be positive or -1 (unlimited)");
        }
        At cpu = r.get("cpu");
        for (String f : List.of("realtimeRuntime", "realtimePeriod", "idle", "burst"))
            if (meaningful(cpu.get(f)) && !(f.equals("idle") && cpu.get(f).i64() == 0)) throw cpu.get(f).unsupported("cpu." + f);
        long shares = cpu.get("shares").present() ? cpu.get("shares").u64() : 0;
        if (shares < 0 || shares > 262144) throw cpu.get("shares").unsupported("cpu.shares above 262144");
        double quota = 0;
        long cpuPeriod = 0;
        if (cpu.get("period").present()) {
            long period = cpu.get("period").u64();
            if (period <= 0) throw cpu.get("period").bad("must be positive");
            if (period != 100_000) cpuPeriod = period; // the kernel's default needs no setting
        }
        if (cpu.get("quota").present()) {
            long q = cpu.get("quota").i64();
            if (q > 0) quota = (double) q / (cpuPeriod == 0 ? 100_000 : cpuPeriod);
        }
        String cpus = emptyToNull(cpu.get("cpus").stringOr(null)), mems = emptyToNull(cpu.get("mems").stringOr(null));
        long pids = 0;
        if (r.get("pids").present()) {
            long p = r.get("pids").object().get("limit").present() ? r.get("pids").get("limit").i64() : 0;
            if (p > 0) pids = p;
        }
        At bio = r.get("blockIO");
        for (String f : List.of("leafWeight", "weightDevice"))
            if (meaningful(bio.get(f))) throw bio.get(f).unsupported("blockIO." + f);
        int weight = bio.get("weight").present() ? (int) bio.get("weight").range(0, 1000) : 0;
        List<Resources.DeviceLimit> limits = new ArrayList<>();
        throttle(bio.get("throttleReadBpsDevice"), Resources.DeviceLimit.Kind.READ_BPS, limits);
        throttle(bio.get("throttleWriteBpsDevice"), Resources.DeviceLimit.Kind.WRITE_BPS, limits);
        throttle(bio.get("throttleReadIOPSDevice"), Resources.DeviceLimit.Kind.READ_IOPS, limits);
        throttle(bio.get("throttleWriteIOPSDevice"), Resources.DeviceLimit.Kind.WRITE_IOPS, limits);
        deviceRules(r.get("devices"), devices);
        final double q = quota;
        final long pl = pids, sh = shares, cp = cpuPeriod;
        final DataSize sw = swap;
        return r.model(() -> new Resources(memory, sw, reservation, q, cpus, mems, (int) sh, pl, weight, limits, oomScoreAdj, cp, null));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static DataSize limit(At a) {
        if (!a.present()) return null;
        long v = a.i64();
        if (v == -1 || v == 0) return null;
        if (v < 0) throw a.bad("must be positive or -1 (unlimited)");
        return DataSize.bytes(v);
    }

    /** OCI names a throttled device by number; the model by path: {@code /dev/block/MAJOR:MINOR} is the kernel's own name for it. */
    private static void throttle(At list, Resources.DeviceLimit.Kind kind, List<Resources.DeviceLimit> out) {
        for (At d : list.array()) {
            d.object();
            long major = d.get("major").i64(), minor = d.get("minor").i64(), rate = d.get("rate").u64();
            if (rate == 0) continue; // 0 removes a limit: nothing to set on a new container
            out.add(d.model(() -> new Resources.DeviceLimit("/dev/block/" + major + ":" + minor, kind, rate)));
        }
    }

    /**
     * The device cgroup: jcontainer denies every device but its defaults and the container's
     * own {@code linux.devices}. A config may say exactly that (a leading deny-all, then allow
     * rules for its devices — whose access becomes the device's permissions); other rules
     * would need a device allow-list the model does not carry.
     */
    private static void deviceRules(At rules, List<Device> devices) {
        List<At> list = rules.array();
        for (int i = 0; i < list.size(); i++) {
            At r = list.get(i).object();
            boolean allow = r.get("allow").bool(false);
            if (!r.get("allow").present()) throw r.get("allow").bad("required");
            String type = r.get("type").stringOr("a");
            if (!type.matches("[acb]")) throw r.get("type").bad("expected a, c or b, got '" + type + "'");
            String access = r.get("access").stringOr("rwm");
            if (!access.matches("r?w?m?") || access.isEmpty()) throw r.get("access").bad("expected a subset of rwm, got '" + access + "'");
            boolean any = type.equals("a") && !r.get("major").present() && !r.get("minor").present();
            if (!allow && any && access.equals("rwm") && i == 0) continue; // deny all: jcontainer's default
            if (allow && !any) {
                long major = r.get("major").present() ? r.get("major").i64() : -1, minor = r.get("minor").present() ? r.get("minor").i64() : -1;
                // what jcontainer (as docker, podman and containerd) always allows: null, zero, full,
                // random, urandom, tty, ptmx and the ptys — said again by engines' configs
                if (type.equals("c") && (DEFAULT_ALLOWED.contains(major + ":" + minor) || (major == 136 && minor == -1))) continue;
                // containerd's default spec also allows /dev/console (5:1) and /dev/net/tun (10:200):
                // jcontainer's /dev has neither node, and its device cgroup keeps denying them — a
                // narrower grant than asked, taken so that containerd's configs run unchanged
                if (type.equals("c") && CONTAINERD_EXTRA.contains(major + ":" + minor)) continue;
                boolean matched = false;
                for (int k = 0; k < devices.size(); k++) {
                    Device d = devices.get(k);
                    char dt = d.type() == 'u' ? 'c' : d.type();
                    if (String.valueOf(dt).equals(type) && d.major() == major && d.minor() == minor) {
                        devices.set(k, new Device(d.path(), d.type(), d.major(), d.minor(), d.fileMode(), d.uid(), d.gid(), null, access));
                        matched = true;
                    }
                }
                if (matched) continue;
            }
            throw r.unsupported("device cgroup rules other than a leading deny-all, allow rules for jcontainer's default devices "
                    + "(null, zero, full, random, urandom, tty, ptmx, the ptys) and allow rules for linux.devices entries");
        }
    }

    private static final Set<String> DEFAULT_ALLOWED = Set.of("1:3", "1:5", "1:7", "1:8", "1:9", "5:0", "5:2");
    private static final Set<String> CONTAINERD_EXTRA = Set.of("5:1", "10:200");

    private static final Set<String> SECCOMP_ACTIONS = Set.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");
    private static final Set<String> SECCOMP_OPS = Set.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
            "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");

    private static Seccomp seccomp(At s) {
        if (!s.present()) return Seccomp.UNCONFINED;
        s.object();
        for (String f : List.of("listenerPath", "listenerMetadata"))
            if (!s.get(f).stringOr("").isEmpty()) throw s.get(f).unsupported("seccomp user notification (" + f + ")");
        seccompAction(s.get("defaultAction"), true);
        if (s.get("defaultErrnoRet").present()) s.get("defaultErrnoRet").u32();
        for (At a : s.get("architectures").array())
            if (!a.string().startsWith("SCMP_ARCH_")) throw a.bad("expected a SCMP_ARCH_* name, got '" + a.string() + "'");
        for (At f : s.get("flags").array())
            if (!f.string().startsWith("SECCOMP_FILTER_FLAG_")) throw f.bad("expected a SECCOMP_FILTER_FLAG_* name, got '" + f.string() + "'");
        for (At rule : s.get("syscalls").array()) {
            rule.object();
            if (rule.get("names").array().isEmpty()) throw rule.get("names").bad("required: at least one system call name");
            rule.get("names").strings();
            seccompAction(rule.get("action"), true);
            if (rule.get("errnoRet").present()) rule.get("errnoRet").u32();
            for (At arg : rule.get("args").array()) {
                arg.object();
                arg.get("index").range(0, 5);
                arg.get("value").u64();
                if (arg.get("valueTwo").present()) arg.get("valueTwo").u64();
                String op = arg.get("op").string();
                if (!SECCOMP_OPS.contains(op)) throw arg.get("op").bad("unknown comparison '" + op + "' (known: " + new java.util.TreeSet<>(SECCOMP_OPS) + ")");
            }
        }
        try {
            return Seccomp.json(OciConfig.json().writeValueAsString(s.node()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void seccompAction(At a, boolean required) {
        if (!a.present() && !required) return;
        String act = a.string();
        if (!SECCOMP_ACTIONS.contains(act)) throw a.bad("unknown seccomp action '" + act + "' (known: " + new java.util.TreeSet<>(SECCOMP_ACTIONS) + ")");
        if (act.equals("SCMP_ACT_NOTIFY")) throw a.unsupported("SCMP_ACT_NOTIFY (seccomp user notification)");
    }

    private static Hooks hooks(At h) {
        if (h.present()) h.object();
        Map<Hooks.Stage, List<Hooks.Hook>> m = new LinkedHashMap<>();
        for (Hooks.Stage s : Hooks.Stage.values()) {
            List<Hooks.Hook> l = new ArrayList<>();
            for (At x : h.get(stageName(s)).array()) {
                x.object();
                String path = x.get("path").absolutePath();
                List<String> args = x.get("args").strings(), env = x.get("env").strings();
                Duration timeout = x.get("timeout").present() ? Duration.ofSeconds(x.get("timeout").range(1, Integer.MAX_VALUE)) : null;
                l.add(x.model(() -> new Hooks.Hook(Path.of(path), args, env, timeout)));
            }
            m.put(s, l);
        }
        return new Hooks(m.get(Hooks.Stage.PRESTART), m.get(Hooks.Stage.CREATE_RUNTIME), m.get(Hooks.Stage.CREATE_CONTAINER),
                m.get(Hooks.Stage.START_CONTAINER), m.get(Hooks.Stage.POSTSTART), m.get(Hooks.Stage.POSTSTOP));
    }

    static String stageName(Hooks.Stage s) {
        return switch (s) {
            case PRESTART -> "prestart";
            case CREATE_RUNTIME -> "createRuntime";
            case CREATE_CONTAINER -> "createContainer";
            case START_CONTAINER -> "startContainer";
            case POSTSTART -> "poststart";
            case POSTSTOP -> "poststop";
        };
    }

    // =====================================================================================
    // ContainerSpec -> config.json
    // =====================================================================================

    /**
     * The spec as config.json (plus extras), changing {@code base} (may be null) only where the
     * spec differs from what {@code base} says. Paths under {@code bundle} are not made
     * relative unless the base had them so.
     */
    public static Exported toConfig(ContainerSpec spec, Path bundle, OciConfig base) {
        return toConfig(spec, bundle, base, null);
    }

    /** As {@link #toConfig(ContainerSpec, Path, OciConfig)}, where {@code base} came with these extras (may be null). */
    public static Exported toConfig(ContainerSpec spec, Path bundle, OciConfig base, JsonNode baseExtras) {
        ObjectNode extras = F.objectNode();
        ObjectNode canonical = canonical(spec, extras);
        if (base == null) return new Exported(OciConfig.of(canonical), extras);
        ObjectNode was = canonical(read(base, bundle, baseExtras).spec(), F.objectNode());
        ObjectNode out = base.tree();
        merge(out, was, canonical);
        out.put("ociVersion", base.ociVersion());
        return new Exported(OciConfig.of(out), extras);
    }

    /** Sets in {@code out} what changed from {@code was} to {@code now}, leaving what did not as {@code out} says it. */
    private static void merge(ObjectNode out, JsonNode was, JsonNode now) {
        Set<String> keys = new java.util.LinkedHashSet<>();
        was.fieldNames().forEachRemaining(keys::add);
        now.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            JsonNode w = was.get(k), n = now.get(k);
            if (n == null) {
                out.remove(k);
            } else if (w == null || !w.equals(n)) {
                if (w != null && w.isObject() && n.isObject() && out.get(k) instanceof ObjectNode o) merge(o, w, n);
                else out.set(k, n.deepCopy());
            }
        }
    }

    /** jcontainer's own spelling of a spec: every field the model carries, defaults left out. */
    private static ObjectNode canonical(ContainerSpec spec, ObjectNode extras) {
        ObjectNode o = F.objectNode();
        o.put("ociVersion", OciConfig.SPEC_VERSION);
        ProcessSpec p = spec.process();
        ObjectNode proc = o.putObject("process");
        if (p.terminal()) proc.put("terminal", true);
        if (p.consoleSize() != null) proc.putObject("consoleSize").put("height", p.consoleSize().height()).put("width", p.consoleSize().width());
        ObjectNode user = proc.putObject("user");
        String name = p.user().name() == null ? "0:0" : p.user().name();
        String[] ids = name.split(":");
        if (ids[0].matches("[0-9]+") && (ids.length == 1 || ids[1].matches("[0-9]+"))) {
            user.put("uid", Long.parseLong(ids[0])).put("gid", ids.length > 1 ? Long.parseLong(ids[1]) : 0);
            if (ids.length == 1) extras.put("user", name); // the gid comes from the root's /etc/passwd at start
        } else {
            user.put("uid", 0).put("gid", 0);
            extras.put("user", name); // resolved against the root's /etc/passwd at start
        }
        if (p.user().umask() != null) user.put("umask", p.user().umask());
        if (!p.user().additionalGids().isEmpty()) {
            ArrayNode g = user.putArray("additionalGids");
            p.user().additionalGids().forEach(g::add);
        }
        strings(proc.putArray("args"), p.args());
        if (!p.env().isEmpty()) {
            ArrayNode env = proc.putArray("env");
            p.env().forEach((k, v) -> env.add(k + "=" + v));
        }
        proc.put("cwd", p.cwd() == null ? "/" : p.cwd());
        CapabilitySets c = p.capabilities();
        ObjectNode caps = proc.putObject("capabilities");
        capList(caps, "bounding", c.bounding());
        if (!c.explicit()) {
            extras.put("capabilities", "docker");
        } else {
            capList(caps, "effective", c.effective());
            capList(caps, "inheritable", c.inheritable());
            capList(caps, "permitted", c.permitted());
            capList(caps, "ambient", c.ambient());
        }
        if (!p.rlimits().isEmpty()) {
            ArrayNode rl = proc.putArray("rlimits");
            for (Rlimit r : p.rlimits())
                {
                ObjectNode x = rl.addObject().put("type", "RLIMIT_" + r.name().toUpperCase(Locale.ROOT));
                x.set("hard", u64(r.hard()));
                x.set("soft", u64(r.soft()));
            }
        }
        if (p.noNewPrivileges()) proc.put("noNewPrivileges", true);
        Resources res = spec.resources();
        if (res.oomScoreAdj() != null) proc.put("oomScoreAdj", res.oomScoreAdj());

        switch (spec.root()) {
            case Root.Directory d -> o.putObject("root").put("path", d.path().toString()).put("readonly", d.readonly());
            case Root.Default d -> extras.putObject("root").put("kind", "default").put("readonly", d.readonly());
            case Root.Overlay ov -> {
                ObjectNode x = extras.putObject("root").put("kind", "overlay").put("readonly", ov.readonly());
                strings(x.putArray("lowerDirs"), ov.lowerDirs().stream().map(Path::toString).toList());
                if (ov.upper() != null) x.put("upper", ov.upper().toString()).put("work", ov.work().toString());
                if (ov.removeWithContainer()) x.put("removeWithContainer", true);
            }
        }
        if (spec.hostname() != null) o.put("hostname", spec.hostname());
        if (spec.domainname() != null) o.put("domainname", spec.domainname());

        ArrayNode mounts = o.putArray("mounts");
        for (StandardMount s : STANDARD)
            if (!s.destination().equals("/dev/mqueue") || spec.has(Namespace.IPC)) mounts.add(s.json());
        for (Mount m : spec.mounts()) {
            mounts.add(mountJson(m));
            ObjectNode typed = typedMountJson(m);
            if (typed != null) (extras.has("mounts") ? (ArrayNode) extras.get("mounts") : extras.putArray("mounts")).add(typed);
        }

        LinuxSpec l = spec.linux();
        ObjectNode linux = o.putObject("linux");
        if (!l.uidMappings().isEmpty()) idMaps(linux.putArray("uidMappings"), l.uidMappings());
        if (!l.gidMappings().isEmpty()) idMaps(linux.putArray("gidMappings"), l.gidMappings());
        if (!l.sysctl().isEmpty()) {
            ObjectNode s = linux.putObject("sysctl");
            l.sysctl().forEach(s::put);
        }
        ObjectNode r = linux.putObject("resources");
        resourcesJson(r, res, l.devices(), extras);
        if (l.cgroupsPath() != null) linux.put("cgroupsPath", l.cgroupsPath());
        ArrayNode nss = linux.putArray("namespaces");
        for (LinuxNamespace n : l.namespaces()) {
            ObjectNode x = nss.addObject().put("type", nsName(n.type()));
            if (n.path() != null) x.put("path", n.path());
        }
        switch (spec.network()) {
            case NetworkMode.Named n -> {
                extras.put("network", n.name());
                if (!n.options().equals(io.jcontainer.NetworkOptions.NONE)) extras.set("networkOptions", OciConfig.json().valueToTree(n.options()));
            }
            case NetworkMode.Container ct -> extras.put("network", "container:" + ct.idOrName());
            default -> { } // none, host and a namespace path are the NET namespace setting above
        }
        List<Device> created = l.devices().stream().filter(d -> d.hostPath() == null).toList();
        if (!created.isEmpty()) {
            ArrayNode devs = linux.putArray("devices");
            for (Device d : created) {
                ObjectNode x = devs.addObject().put("path", d.path()).put("type", String.valueOf(d.type())).put("major", d.major()).put("minor", d.minor());
                if (d.fileMode() != null) x.put("fileMode", d.fileMode());
                if (d.uid() != null) x.put("uid", d.uid());
                if (d.gid() != null) x.put("gid", d.gid());
            }
        }
        List<Device> bound = l.devices().stream().filter(d -> d.hostPath() != null).toList();
        if (!bound.isEmpty()) {
            ArrayNode hd = extras.putArray("hostDevices");
            for (Device d : bound) hd.addObject().put("path", d.path()).put("hostPath", d.hostPath()).put("permissions", d.permissions());
        }
        switch (l.seccomp()) {
            case Seccomp.Unconfined u -> { }
            case Seccomp.DefaultProfile d -> extras.put("seccomp", "default");
            case Seccomp.Json j -> {
                try {
                    linux.set("seccomp", OciConfig.json().readTree(j.json()));
                } catch (IOException e) {
                    throw new InvalidSpecException("seccomp", "the profile" + (j.origin() == null ? "" : " from " + j.origin()) + " is not JSON: " + e.getMessage());
                }
            }
        }
        if (l.rootfsPropagation() != null) linux.put("rootfsPropagation", l.rootfsPropagation().option());
        if (l.unprivilegedRoot()) extras.put("unprivilegedRoot", true); // jcontainer's, not OCI's
        if (l.maskedPaths() == null) extras.put("maskedPaths", "default");
        else if (!l.maskedPaths().isEmpty()) strings(linux.putArray("maskedPaths"), l.maskedPaths());
        if (l.readonlyPaths() == null) extras.put("readonlyPaths", "default");
        else if (!l.readonlyPaths().isEmpty()) strings(linux.putArray("readonlyPaths"), l.readonlyPaths());

        ObjectNode hooks = F.objectNode();
        for (Hooks.Stage s : Hooks.Stage.values()) {
            if (spec.hooks().get(s).isEmpty()) continue;
            ArrayNode a = hooks.putArray(stageName(s));
            for (Hooks.Hook h : spec.hooks().get(s)) {
                ObjectNode x = a.addObject().put("path", h.path().toString());
                if (!h.args().isEmpty()) strings(x.putArray("args"), h.args());
                if (!h.env().isEmpty()) strings(x.putArray("env"), h.env());
                if (h.timeout() != null) x.put("timeout", Math.max(1, h.timeout().toSeconds()));
            }
        }
        if (!hooks.isEmpty()) o.set("hooks", hooks);
        if (!spec.annotations().isEmpty()) {
            ObjectNode a = o.putObject("annotations");
            spec.annotations().forEach(a::put);
        }

        if (spec.name() != null) extras.put("name", spec.name());
        if (!(spec.stdin() instanceof Stdio.Null)) extras.set("stdin", stdioJson(spec.stdin()));
        if (!(spec.stdout() instanceof Stdio.Pipe)) extras.set("stdout", stdioJson(spec.stdout()));
        if (!(spec.stderr() instanceof Stdio.Pipe)) extras.set("stderr", stdioJson(spec.stderr()));
        if (spec.detached()) extras.put("detached", true);
        if (spec.init()) extras.put("init", true);
        if (!spec.restartPolicy().equals(RestartPolicy.NO)) extras.put("restart", spec.restartPolicy().toString());
        if (spec.stopSignal() != Signal.TERM) extras.put("stopSignal", spec.stopSignal().name());
        if (spec.stopTimeout() != null) extras.put("stopTimeout", spec.stopTimeout().toSeconds());
        if (!spec.logConfig().equals(io.jcontainer.LogConfig.DEFAULT)) {
            ObjectNode lg = extras.putObject("log").put("driver", spec.logConfig().driver().dockerName()).put("maxFiles", spec.logConfig().maxFiles());
            if (spec.logConfig().maxSize() != null) lg.put("maxSize", spec.logConfig().maxSize().bytes());
        }
        if (spec.healthcheck() != null) {
            io.jcontainer.HealthCheck hc = spec.healthcheck();
            ObjectNode hco = extras.putObject("healthcheck");
            ArrayNode t = hco.putArray("test");
            hc.test().forEach(t::add);
            hco.put("interval", hc.interval().toNanos()).put("timeout", hc.timeout().toNanos()).put("startPeriod", hc.startPeriod().toNanos())
                    .put("retries", hc.retries());
        }
        if (spec.etcFiles()) extras.put("etcFiles", true);
        if (!spec.process().user().additionalGroups().isEmpty()) {
            ArrayNode g = extras.putArray("additionalGroups");
            spec.process().user().additionalGroups().forEach(g::add);
        }
        if (spec.resources().memorySwappiness() != null) extras.put("memorySwappiness", spec.resources().memorySwappiness());
        return o;
    }

    private static JsonNode stdioJson(Stdio s) {
        return switch (s) {
            case Stdio.Null n -> F.textNode("null");
            case Stdio.Pipe p -> F.textNode("pipe");
            case Stdio.Inherit i -> F.textNode("inherit");
            case Stdio.File f -> F.objectNode().put("file", f.path().toString()).put("append", f.append());
            case Stdio.Console c -> F.objectNode().put("console", c.socket().toString());
        };
    }

    private static void resourcesJson(ObjectNode r, Resources res, List<Device> devices, ObjectNode extras) {
        ArrayNode rules = r.putArray("devices");
        rules.addObject().put("allow", false).put("access", "rwm");
        for (Device d : devices)
            if (d.hostPath() == null)
                rules.addObject().put("allow", true).put("type", d.type() == 'b' ? "b" : "c").put("major", d.major()).put("minor", d.minor()).put("access", d.permissions());
        if (res.memory() != null || res.memorySwap() != null || res.memoryReservation() != null) {
            ObjectNode m = r.putObject("memory");
            if (res.memory() != null) m.put("limit", res.memory().bytes());
            if (res.memoryReservation() != null) m.put("reservation", res.memoryReservation().bytes());
            if (res.memorySwap() != null) m.put("swap", res.memorySwap().equals(Resources.UNLIMITED_SWAP) ? -1 : res.memorySwap().bytes());
        }
        if (res.cpuQuota() > 0 || res.cpuPeriod() > 0 || res.cpuShares() > 0 || res.cpusetCpus() != null || res.cpusetMems() != null) {
            ObjectNode c = r.putObject("cpu");
            if (res.cpuShares() > 0) c.put("shares", res.cpuShares());
            if (res.cpuQuota() > 0) c.put("quota", Math.round(res.cpuQuota() * res.effectiveCpuPeriod())).put("period", res.effectiveCpuPeriod());
            else if (res.cpuPeriod() > 0) c.put("period", res.cpuPeriod());
            if (res.cpusetCpus() != null) c.put("cpus", res.cpusetCpus());
            if (res.cpusetMems() != null) c.put("mems", res.cpusetMems());
        }
        if (res.pidsLimit() > 0) r.putObject("pids").put("limit", res.pidsLimit());
        if (res.blkioWeight() > 0 || !res.deviceLimits().isEmpty()) {
            ObjectNode b = r.putObject("blockIO");
            if (res.blkioWeight() > 0) b.put("weight", res.blkioWeight());
            for (Resources.DeviceLimit d : res.deviceLimits()) {
                String key = switch (d.kind()) {
                    case READ_BPS -> "throttleReadBpsDevice";
                    case WRITE_BPS -> "throttleWriteBpsDevice";
                    case READ_IOPS -> "throttleReadIOPSDevice";
                    case WRITE_IOPS -> "throttleWriteIOPSDevice";
                    case WEIGHT -> "weightDevice";
                };
                var mm = java.util.regex.Pattern.compile("/dev/block/([0-9]+):([0-9]+)").matcher(d.device());
                if (!mm.matches() || d.kind() == Resources.DeviceLimit.Kind.WEIGHT) { // weights: jcontainer's extras, read back below
                    // a path the model names but config.json cannot: the number is read from the host node at start
                    ArrayNode x = extras.has("deviceLimits") ? (ArrayNode) extras.get("deviceLimits") : extras.putArray("deviceLimits");
                    x.addObject().put("device", d.device()).put("kind", d.kind().name()).put("value", d.value());
                    continue;
                }
                ArrayNode a = b.has(key) ? (ArrayNode) b.get(key) : b.putArray(key);
                a.addObject().put("major", Long.parseLong(mm.group(1))).put("minor", Long.parseLong(mm.group(2)))
                        .put(d.kind() == Resources.DeviceLimit.Kind.WEIGHT ? "weight" : "rate", d.value());
            }
            if (b.isEmpty()) r.remove("blockIO");
        }
    }

    /**
     * The model's own kind of a mount config.json spells as a generic one: a bind or a tmpfs the
     * builder made (docker's -v and --tmpfs), which the runtime treats as such — a tmpfs's inode
     * limit follows its size. Null for a generic mount.
     */
    private static ObjectNode typedMountJson(Mount m) {
        return switch (m) {
            case Mount.Bind b -> F.objectNode().put("kind", "bind").put("destination", b.target()).put("source", b.source().toString())
                    .put("readOnly", b.readOnly()).put("recursive", b.recursive());
            case Mount.Tmpfs t -> {
                ObjectNode o = F.objectNode().put("kind", "tmpfs").put("destination", t.target()).put("mode", t.mode())
                        .put("readOnly", t.readOnly()).put("noExec", t.noExec()).put("nrInodes", t.nrInodes());
                if (t.size() != null) o.put("size", t.size().bytes());
                yield o;
            }
            case Mount.Generic g -> null;
        };
    }

    /**
     * The mounts with each one the extras describe in the model's kind put back in place of the
     * generic mount config.json spells it as — only where config.json still says exactly that
     * (a mount a tool changed stays as config.json says).
     */
    private static List<Mount> typedMounts(At list, List<Mount> mounts) {
        List<Mount> out = new ArrayList<>(mounts);
        for (At d : list.array()) {
            d.object();
            String dest = d.get("destination").absolutePath(), kind = d.get("kind").string();
            Mount typed = switch (kind) {
                case "bind" -> d.model(() -> new Mount.Bind(Path.of(d.get("source").string()), dest, d.get("readOnly").bool(false),
                        d.get("recursive").bool(false)));
                case "tmpfs" -> {
                    DataSize size = d.get("size").present() ? DataSize.bytes(d.get("size").u64()) : null;
                    int mode = (int) d.get("mode").range(0, 07777);
                    long inodes = d.get("nrInodes").present() ? d.get("nrInodes").u64() : 0;
                    yield d.model(() -> new Mount.Tmpfs(dest, size, mode, d.get("readOnly").bool(false), d.get("noExec").bool(false), inodes));
                }
                default -> throw d.get("kind").bad("expected bind or tmpfs");
            };
            ObjectNode j = mountJson(typed);
            List<String> opts = new ArrayList<>();
            j.path("options").forEach(o -> opts.add(o.asText()));
            Mount.Generic spelled = new Mount.Generic(dest, j.get("type").asText(), j.path("source").asText(null), opts);
            int i = out.indexOf(spelled);
            if (i >= 0) out.set(i, typed);
        }
        return out;
    }

    private static ObjectNode mountJson(Mount m) {
        ObjectNode x = F.objectNode().put("destination", m.target());
        switch (m) {
            case Mount.Bind b -> {
                x.put("type", "bind").put("source", b.source().toString());
                strings(x.putArray("options"), List.of(b.recursive() ? "rbind" : "bind", b.readOnly() ? "ro" : "rw"));
            }
            case Mount.Tmpfs t -> {
                x.put("type", "tmpfs").put("source", "tmpfs");
                List<String> opts = new ArrayList<>(List.of("nosuid", "nodev"));
                if (t.readOnly()) opts.add("ro");
                if (t.noExec()) opts.add("noexec");
                opts.add("mode=" + Integer.toOctalString(t.mode()));
                if (t.size() != null) opts.add("size=" + t.size().bytes());
                if (t.nrInodes() > 0) opts.add("nr_inodes=" + t.nrInodes());
                strings(x.putArray("options"), opts);
            }
            case Mount.Generic g -> {
                x.put("type", g.type());
                if (g.source() != null) x.put("source", g.source());
                if (!g.options().isEmpty()) strings(x.putArray("options"), g.options());
            }
        }
        return x;
    }

    private static JsonNode u64(long v) {
        return v == Rlimit.UNLIMITED ? F.numberNode(At.U64_MAX) : F.numberNode(v);
    }

    private static void capList(ObjectNode caps, String key, Set<Capability> set) {
        ArrayNode a = caps.putArray(key);
        for (Capability c : set) a.add("CAP_" + c.name());
    }

    private static void idMaps(ArrayNode a, List<IdMap> maps) {
        for (IdMap m : maps) a.addObject().put("containerID", m.containerId()).put("hostID", m.hostId()).put("size", m.size());
    }

    private static void strings(ArrayNode a, List<String> l) {
        l.forEach(a::add);
    }

}
