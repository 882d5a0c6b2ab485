package io.jcontainer.docker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.DataSize;
import io.jcontainer.PortBinding;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The other direction of {@link DockerCreate}: {@code docker run}/{@code create}'s flags as the
 * Engine API's {@code POST /containers/create} body, for the CLI as a client of a remote service
 * ({@code -H}, {@code DOCKER_HOST}). Flags are given by their long name, as the CLI parsed them;
 * a flag that asks for something this mapping does not carry is refused by name
 * ({@link IllegalArgumentException}), so a remote container is never made without it silently.
 */
public final class CreateBody {
    /** Flags the client itself acts on (not part of the body): attach, stdin, detach keys. */
    public static final Set<String> CLIENT_FLAGS = Set.of("rm", "interactive", "tty", "detach", "detach-keys", "sig-proxy", "pull", "platform");

    private static final Set<String> MAPPED = Set.of("name", "hostname", "domainname", "env", "workdir", "user", "volume", "tmpfs",
            "read-only", "privileged", "cap-add", "cap-drop", "security-opt", "init", "memory", "memory-swap", "memory-reservation", "cpus",
            "cpuset-cpus", "cpuset-mems", "cpu-shares", "pids-limit", "oom-score-adj", "entrypoint", "label", "restart", "shm-size",
            "sysctl", "stop-signal", "stop-timeout", "network", "network-alias", "publish", "publish-all", "expose", "group-add",
            "pid", "ipc", "uts", "cgroupns", "ulimit", "log-driver");

    private CreateBody() {
    }

    /**
     * @param flags       the parsed flags, by long name, every value in command-line order
     *                    (booleans as {@code "true"}/{@code "false"})
     * @param image       the IMAGE argument
     * @param command     the arguments after it (empty: the image's Cmd)
     * @param environment where {@code -e NAME} (no {@code =}) copies a value from, as docker's client does
     */
    public static ObjectNode of(Map<String, List<String>> flags, String image, List<String> command, Function<String, String> environment) {
        for (String f : flags.keySet())
            if (!MAPPED.contains(f) && !CLIENT_FLAGS.contains(f))
                throw new IllegalArgumentException("--" + f + " is not supported against a remote daemon (-H/DOCKER_HOST) yet");
        boolean detach = bool(flags, "detach"), stdin = bool(flags, "interactive");
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("Image", image);
        if (!command.isEmpty()) strings(b.putArray("Cmd"), command);
        String entrypoint = last(flags, "entrypoint");
        if (entrypoint != null) b.putArray("Entrypoint").add(entrypoint); // docker: '' clears it ([""])
        put(b, "Hostname", last(flags, "hostname"));
        put(b, "Domainname", last(flags, "domainname"));
        put(b, "WorkingDir", last(flags, "workdir"));
        put(b, "User", last(flags, "user"));
        put(b, "StopSignal", last(flags, "stop-signal"));
        if (last(flags, "stop-timeout") != null) b.put("StopTimeout", integer("stop-timeout", last(flags, "stop-timeout")));
        List<String> env = new ArrayList<>();
        for (String e : values(flags, "env")) {
            if (e.contains("=")) env.add(e);
            else if (environment.apply(e) != null) env.add(e + "=" + environment.apply(e));
        }
        if (!env.isEmpty()) strings(b.putArray("Env"), env);
        if (flags.containsKey("label")) {
            ObjectNode labels = b.putObject("Labels");
            for (String l : values(flags, "label")) {
                int eq = l.indexOf('=');
                labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
            }
        }
        boolean tty = bool(flags, "tty");
        b.put("Tty", tty).put("OpenStdin", stdin).put("StdinOnce", stdin && !detach)
                .put("AttachStdin", stdin && !detach).put("AttachStdout", !detach).put("AttachStderr", !detach);

        ObjectNode h = b.putObject("HostConfig");
        ObjectNode volumes = null;
        List<String> binds = new ArrayList<>();
        for (String v : values(flags, "volume")) {
            if (v.startsWith("/") && !v.contains(":")) {
                if (volumes == null) volumes = b.putObject("Volumes");
                volumes.putObject(v); // anonymous: docker's client puts it in Config.Volumes
            } else binds.add(v);
        }
        if (!binds.isEmpty()) strings(h.putArray("Binds"), binds);
        if (flags.containsKey("tmpfs")) {
            ObjectNode t = h.putObject("Tmpfs");
            for (String v : values(flags, "tmpfs")) {
                int colon = v.indexOf(':');
                t.put(colon < 0 ? v : v.substring(0, colon), colon < 0 ? "" : v.substring(colon + 1));
            }
        }
        if (bool(flags, "rm")) h.put("AutoRemove", true);
        if (bool(flags, "read-only")) h.put("ReadonlyRootfs", true);
        if (bool(flags, "privileged")) h.put("Privileged", true);
        if (bool(flags, "init")) h.put("Init", true);
        if (flags.containsKey("cap-add")) strings(h.putArray("CapAdd"), values(flags, "cap-add"));
        if (flags.containsKey("cap-drop")) strings(h.putArray("CapDrop"), values(flags, "cap-drop"));
        if (flags.containsKey("security-opt")) strings(h.putArray("SecurityOpt"), values(flags, "security-opt"));
        if (flags.containsKey("group-add")) strings(h.putArray("GroupAdd"), values(flags, "group-add"));
        bytes(h, "Memory", flags, "memory");
        String swap = last(flags, "memory-swap");
        if (swap != null) h.put("MemorySwap", swap.equals("-1") ? -1 : DataSize.parse(swap).bytes());
        bytes(h, "MemoryReservation", flags, "memory-reservation");
        bytes(h, "ShmSize", flags, "shm-size");
        String cpus = last(flags, "cpus");
        if (cpus != null) {
            try {
                h.put("NanoCpus", Math.round(Double.parseDouble(cpus) * 1e9));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid argument \"" + cpus + "\" for \"--cpus\" flag: not a number");
            }
        }
        put(h, "CpusetCpus", last(flags, "cpuset-cpus"));
        put(h, "CpusetMems", last(flags, "cpuset-mems"));
        if (last(flags, "cpu-shares") != null) h.put("CpuShares", integer("cpu-shares", last(flags, "cpu-shares")));
        if (last(flags, "pids-limit") != null) h.put("PidsLimit", integer("pids-limit", last(flags, "pids-limit")));
        if (last(flags, "oom-score-adj") != null) h.put("OomScoreAdj", integer("oom-score-adj", last(flags, "oom-score-adj")));
        put(h, "PidMode", last(flags, "pid"));
        put(h, "IpcMode", last(flags, "ipc"));
        put(h, "UTSMode", last(flags, "uts"));
        put(h, "CgroupnsMode", last(flags, "cgroupns"));
        if (last(flags, "log-driver") != null) h.putObject("LogConfig").put("Type", last(flags, "log-driver"));
        if (flags.containsKey("sysctl")) {
            ObjectNode s = h.putObject("Sysctls");
            for (String v : values(flags, "sysctl")) {
                int eq = v.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("invalid argument \"" + v + "\" for \"--sysctl\" flag: not K=V");
                s.put(v.substring(0, eq), v.substring(eq + 1));
            }
        }
        if (flags.containsKey("ulimit")) {
            ArrayNode u = h.putArray("Ulimits");
            for (String v : values(flags, "ulimit")) {
                int eq = v.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("invalid argument \"" + v + "\" for \"--ulimit\" flag: not NAME=SOFT[:HARD]");
                String[] sh = v.substring(eq + 1).split(":", 2);
                u.addObject().put("Name", v.substring(0, eq)).put("Soft", Long.parseLong(sh[0])).put("Hard", Long.parseLong(sh[sh.length - 1]));
            }
        }
        String restart = last(flags, "restart");
        if (restart != null) {
            int colon = restart.indexOf(':');
            ObjectNode rp = h.putObject("RestartPolicy").put("Name", colon < 0 ? restart : restart.substring(0, colon));
            if (colon > 0) rp.put("MaximumRetryCount", integer("restart", restart.substring(colon + 1)));
        }
        ports(b, h, flags);
        String network = last(flags, "network");
        if (network != null) {
            h.put("NetworkMode", network);
            if (flags.containsKey("network-alias"))
                strings(b.putObject("NetworkingConfig").putObject("EndpointsConfig").putObject(network).putArray("Aliases"), values(flags, "network-alias"));
        } else if (flags.containsKey("network-alias")) {
            throw new IllegalArgumentException("--network-alias needs --network NAME (a user-defined network)");
        }
        return b;
    }

    /** -p, -P and --expose as ExposedPorts and PortBindings, through docker's port syntax ({@link DockerPorts}). */
    private static void ports(ObjectNode b, ObjectNode h, Map<String, List<String>> flags) {
        ObjectNode exposed = null, bindings = null;
        for (String spec : values(flags, "publish")) {
            for (PortBinding p : DockerPorts.parse(spec)) {
                String key = p.containerPort() + "/" + p.protocol();
                if (exposed == null) exposed = b.putObject("ExposedPorts");
                exposed.putObject(key);
                if (bindings == null) bindings = h.putObject("PortBindings");
                ArrayNode list = bindings.has(key) ? (ArrayNode) bindings.get(key) : bindings.putArray(key);
                list.addObject().put("HostIp", p.hostIp() == null ? "" : p.hostIp())
                        .put("HostPort", p.hostPort() == 0 ? "" : Integer.toString(p.hostPort()));
            }
        }
        for (String spec : values(flags, "expose")) {
            for (String key : DockerPorts.exposed(spec)) {
                if (exposed == null) exposed = b.putObject("ExposedPorts");
                exposed.putObject(key);
            }
        }
        if (bool(flags, "publish-all")) h.put("PublishAllPorts", true);
    }

    private static void bytes(ObjectNode n, String field, Map<String, List<String>> flags, String flag) {
        String v = last(flags, flag);
        if (v == null) return;
        try {
            n.put(field, DataSize.parse(v).bytes());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid argument \"" + v + "\" for \"--" + flag + "\" flag: " + e.getMessage());
        }
    }

    private static long integer(String flag, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid argument \"" + v + "\" for \"--" + flag + "\" flag: not a number");
        }
    }

    private static void put(ObjectNode n, String field, String v) {
        if (v != null) n.put(field, v);
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    private static boolean bool(Map<String, List<String>> flags, String name) {
        List<String> v = flags.get(name);
        return v != null && "true".equals(v.getLast());
    }

    private static String last(Map<String, List<String>> flags, String name) {
        List<String> v = flags.get(name);
        return v == null || v.isEmpty() ? null : v.getLast();
    }

    private static List<String> values(Map<String, List<String>> flags, String name) {
        return flags.getOrDefault(name, List.of());
    }
}
