package io.jcontainer.docker;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.Capability;
import io.jcontainer.ContainerSpec;
import io.jcontainer.NetworkMode;
import io.jcontainer.NetworkOptions;
import io.jcontainer.PortBinding;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Mount;
import io.jcontainer.RestartPolicy;
import io.jcontainer.Seccomp;
import io.jcontainer.Signal;
import io.jcontainer.Stdio;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * docker's {@code POST /containers/create} body (its {@code Config} with {@code HostConfig}
 * inside) as a {@link ContainerSpec}: every field jcontainer honours is mapped; every other field
 * that asks for something (a non-empty, non-zero, non-default value) is refused by name, so a
 * client never believes it got what it did not.
 */
public final class DockerCreate {
    private DockerCreate() {
    }

    /** What an image gives a container unless its create request says otherwise. */
    public record ImageDefaults(Path rootfs, List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user) {
        public ImageDefaults {
            entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
            env = env == null ? List.of() : List.copyOf(env);
        }
    }

    /** The spec, and what is not in a spec: docker's {@code --rm}. */
    public record Created(ContainerSpec spec, boolean autoRemove) {
    }

    private static final Set<String> CONFIG_FIELDS = Set.of("Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr",
            "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Entrypoint", "Image", "WorkingDir", "Labels", "StopSignal", "StopTimeout",
            "HostConfig", "NetworkingConfig", "ExposedPorts", "Volumes", "ArgsEscaped", "NetworkDisabled", "MacAddress", "OnBuild", "Shell",
            "Healthcheck");
    private static final Set<String> HOST_FIELDS = Set.of("Binds", "AutoRemove", "Memory", "MemorySwap", "MemoryReservation", "NanoCpus",
            "CpuShares", "CpusetCpus", "CpusetMems", "PidsLimit", "BlkioWeight", "OomScoreAdj", "CapAdd", "CapDrop", "Privileged",
            "ReadonlyRootfs", "SecurityOpt", "Tmpfs", "Ulimits", "Init", "RestartPolicy", "NetworkMode", "PidMode", "IpcMode", "UTSMode",
            "UsernsMode", "CgroupnsMode", "Sysctls", "Devices", "GroupAdd", "Mounts", "LogConfig", "ConsoleSize", "Runtime",
            // accepted at their zero values only (checked with the rest)
            "Isolation", "ShmSize", "MemorySwappiness", "OomKillDisable", "Cgroup", "CgroupParent", "ContainerIDFile", "CpuCount",
            "CpuPercent", "CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime", "KernelMemory", "KernelMemoryTCP",
            "IOMaximumBandwidth", "IOMaximumIOps", "MaskedPaths", "ReadonlyPaths", "DeviceCgroupRules", "DeviceRequests",
            "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps",
            "PortBindings", "PublishAllPorts", "Links", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "VolumesFrom", "VolumeDriver",
            "Annotations", "Capabilities");

    /**
     * @param body  the request body
     * @param name  docker's {@code ?name=}, or null
     * @param image the image's root and defaults
     */
    public static Created spec(JsonNode body, String name, ImageDefaults image) {
        return spec(body, name, image, null);
    }

    /**
     * As {@link #spec(JsonNode, String, ImageDefaults)}, with named and anonymous volumes
     * ({@code Binds} {@code NAME:/path}, {@code Mounts} of type volume, {@code VolumesFrom}) made
     * in {@code volumes}' store; null: host paths only.
     */
    public static Created spec(JsonNode body, String name, ImageDefaults image, io.jcontainer.lifecycle.Containers volumes) {
        return spec(body, name, image, volumes, null);
    }

    /**
     * As {@link #spec(JsonNode, String, ImageDefaults, io.jcontainer.lifecycle.Containers)}, with
     * the network a container gets when the body names none ({@code HostConfig.NetworkMode}
     * empty or {@code default}): {@code defaultNetwork} ({@code bridge} as dockerd's; see
     * {@link DefaultNetwork}), or loopback only when null. Published ports always put such a
     * container on {@code bridge}.
     */
    public static Created spec(JsonNode body, String name, ImageDefaults image, io.jcontainer.lifecycle.Containers volumes,
                               String defaultNetwork) {
        refuseUnknown("", body, CONFIG_FIELDS);
        JsonNode host = body.path("HostConfig");
        if (host.isObject()) refuseUnknown("HostConfig.", host, HOST_FIELDS);
        refuseSet("Healthcheck", body.path("Healthcheck"), "health checks are not implemented");
        refuseSet("OnBuild", body.path("OnBuild"), "ONBUILD applies to builds, not containers");
        refuseSet("Volumes", body.path("Volumes"), "anonymous volumes are not implemented: bind a host directory (-v HOST:CONTAINER)");

        ContainerSpec.Builder b = io.jcontainer.Container.builder().etcFiles(true); // docker's three /etc files, as the CLI's
        if (name != null && !name.isEmpty()) b.name(name);
        if (image.rootfs() != null) b.rootfs(image.rootfs());

        List<String> entrypoint = body.has("Entrypoint") && !body.path("Entrypoint").isNull() ? strings(body.path("Entrypoint")) : image.entrypoint();
        if (entrypoint.equals(List.of(""))) entrypoint = List.of(); // docker's --entrypoint '': the image's is cleared
        List<String> cmd = body.has("Cmd") && !body.path("Cmd").isNull() ? strings(body.path("Cmd"))
                : body.has("Entrypoint") && !body.path("Entrypoint").isNull() ? List.of() : image.cmd();
        List<String> argv = new ArrayList<>(entrypoint);
        argv.addAll(cmd);
        if (argv.isEmpty()) throw new InvalidSpecException("Cmd", "no command specified");
        b.command(argv);
        for (String e : image.env()) b.env(e);
        for (String e : strings(body.path("Env"))) b.env(e);
        String wd = text(body, "WorkingDir", image.workingDir());
        if (wd != null && !wd.isEmpty()) b.workingDir(wd);
        String user = text(body, "User", image.user());
        if (user != null && !user.isEmpty()) b.user(user);
        String hostname = text(body, "Hostname", null);
        if (hostname != null && !hostname.isEmpty()) b.hostname(hostname);
        String domain = text(body, "Domainname", null);
        if (domain != null && !domain.isEmpty()) b.domainname(domain);
        body.path("Labels").properties().forEach(l -> b.annotation(l.getKey(), l.getValue().asText()));
        String stop = text(body, "StopSignal", null);
        if (stop != null && !stop.isEmpty()) b.stopSignal(Signal.parse(stop));
        if (body.path("StopTimeout").isNumber()) b.stopTimeout(java.time.Duration.ofSeconds(body.path("StopTimeout").asLong()));

        // Every container of the API is recorded and watched by its monitor: output logged, stdin held when asked.
        boolean tty = body.path("Tty").asBoolean(false);
        b.detached(true).tty(tty).stdin(body.path("OpenStdin").asBoolean(false) ? Stdio.PIPE : Stdio.NULL).stdout(Stdio.PIPE).stderr(Stdio.PIPE);
        JsonNode console = host.path("ConsoleSize");
        if (tty && console.isArray() && console.size() == 2 && console.get(0).asInt() > 0)
            b.consoleSize(console.get(0).asInt(), console.get(1).asInt());

        boolean autoRemove = host.path("AutoRemove").asBoolean(false);
        if (host.isObject()) hostConfig(b, host, volumes);
        b.cgroupView(); // docker's /sys/fs/cgroup: the container's own cgroups
        network(b, body, host, defaultNetwork);
        return new Created(b.build(), autoRemove);
    }

    private static void hostConfig(ContainerSpec.Builder b, JsonNode h, io.jcontainer.lifecycle.Containers volumes) {
        for (String bind : strings(h.path("Binds"))) {
            if (volumes == null) b.volume(bind);
            else b.mount(DockerVolumes.volume(volumes, bind));
        }
        if (volumes != null) for (String from : strings(h.path("VolumesFrom")))
            DockerVolumes.from(volumes, from).forEach(b::mount);
        for (JsonNode m : h.path("Mounts")) {
            String type = m.path("Type").asText("bind");
            String target = m.path("Target").asText();
            boolean ro = m.path("ReadOnly").asBoolean(false);
            switch (type) {
                case "bind" -> b.mount(new Mount.Bind(Path.of(m.path("Source").asText()), target, ro, true));
                case "volume" -> {
                    if (volumes == null) throw new InvalidSpecException("HostConfig.Mounts", "volumes are not available here");
                    String src = m.path("Source").asText("");
                    b.mount(DockerVolumes.mount(volumes, "type=volume," + (src.isEmpty() ? "" : "source=" + src + ",") + "target=" + target
                            + (ro ? ",readonly" : "")));
                }
                case "tmpfs" -> {
                    List<String> o = new ArrayList<>();
                    if (ro) o.add("ro");
                    long size = m.path("TmpfsOptions").path("SizeBytes").asLong(0);
                    if (size > 0) o.add("size=" + size);
                    int mode = m.path("TmpfsOptions").path("Mode").asInt(0);
                    if (mode > 0) o.add("mode=" + Integer.toOctalString(mode));
                    b.mount("tmpfs", "tmpfs", target, o.toArray(String[]::new));
                }
                default -> throw new InvalidSpecException("HostConfig.Mounts", "mount type " + type + " is not supported (bind, volume, tmpfs)");
            }
        }
        h.path("Tmpfs").properties().forEach(t -> b.mount("tmpfs", "tmpfs", t.getKey(),
                t.getValue().asText().isEmpty() ? new String[0] : t.getValue().asText().split(",")));
        long mem = h.path("Memory").asLong(0);
        if (mem > 0) b.memoryLimit(mem);
        long swap = h.path("MemorySwap").asLong(0);
        if (swap != 0) b.memorySwap(swap < 0 ? io.jcontainer.Resources.UNLIMITED_SWAP : io.jcontainer.DataSize.bytes(swap));
        long res = h.path("MemoryReservation").asLong(0);
        if (res > 0) b.memoryReservation(io.jcontainer.DataSize.bytes(res));
        long nano = h.path("NanoCpus").asLong(0);
        if (nano > 0) b.cpus(nano / 1e9);
        int shares = h.path("CpuShares").asInt(0);
        if (shares > 0) b.cpuShares(shares);
        String cpuset = h.path("CpusetCpus").asText("");
        if (!cpuset.isEmpty()) b.cpusetCpus(cpuset);
        String mems = h.path("CpusetMems").asText("");
        if (!mems.isEmpty()) b.cpusetMems(mems);
        long pids = h.path("PidsLimit").asLong(0);
        if (pids != 0) b.pidsLimit(pids);
        int blkio = h.path("BlkioWeight").asInt(0);
        if (blkio > 0) b.blkioWeight(blkio);
        int oom = h.path("OomScoreAdj").asInt(0);
        if (oom != 0) b.oomScoreAdj(oom);
        if (h.path("Privileged").asBoolean(false)) b.privileged();
        List<String> add = strings(h.path("CapAdd")), drop = strings(h.path("CapDrop"));
        if (drop.stream().anyMatch(c -> c.equalsIgnoreCase("ALL"))) b.dropAllCapabilities();
        else if (!drop.isEmpty()) b.capDrop(drop.stream().map(Capability::parse).toArray(Capability[]::new));
        if (add.stream().anyMatch(c -> c.equalsIgnoreCase("ALL"))) b.capabilities(EnumSet.allOf(Capability.class));
        else if (!add.isEmpty()) b.capAdd(add.stream().map(Capability::parse).toArray(Capability[]::new));
        if (h.path("ReadonlyRootfs").asBoolean(false)) b.readOnlyRoot(true);
        for (String opt : strings(h.path("SecurityOpt"))) {
            if (opt.equals("no-new-privileges") || opt.equals("no-new-privileges:true") || opt.equals("no-new-privileges=true")) b.noNewPrivileges(true);
            else if (opt.equals("seccomp=unconfined") || opt.equals("seccomp:unconfined")) b.seccomp(Seccomp.UNCONFINED);
            else if (opt.startsWith("seccomp=") || opt.startsWith("seccomp:")) b.seccomp(Seccomp.json(opt.substring(8)));
            else if (opt.equals("label=disable") || opt.equals("apparmor=unconfined")) {
                // no SELinux or AppArmor confinement to turn off
            } else throw new InvalidSpecException("HostConfig.SecurityOpt", "security option " + opt + " is not supported");
        }
        for (JsonNode u : h.path("Ulimits")) b.ulimit(u.path("Name").asText() + "=" + u.path("Soft").asLong() + ":" + u.path("Hard").asLong());
        if (h.path("Init").asBoolean(false)) b.init(true);
        JsonNode rp = h.path("RestartPolicy");
        String policy = rp.path("Name").asText("");
        if (!policy.isEmpty() && !policy.equals("no")) {
            if (policy.equals("unless-stopped")) throw new InvalidSpecException("HostConfig.RestartPolicy", "unless-stopped is not supported (no, always, on-failure)");
            int max = rp.path("MaximumRetryCount").asInt(0);
            b.restart(RestartPolicy.parse(policy + (max > 0 ? ":" + max : "")));
        }
        namespaceMode(b, h, "PidMode", io.jcontainer.Namespace.PID);
        namespaceMode(b, h, "IpcMode", io.jcontainer.Namespace.IPC);
        namespaceMode(b, h, "UTSMode", io.jcontainer.Namespace.UTS);
        String cgns = h.path("CgroupnsMode").asText("");
        if (cgns.equals("host")) b.removeNamespace(io.jcontainer.Namespace.CGROUP);
        else if (!cgns.isEmpty() && !cgns.equals("private")) throw new InvalidSpecException("HostConfig.CgroupnsMode", "cgroupns " + cgns + " is not supported");
        String userns = h.path("UsernsMode").asText("");
        if (!userns.isEmpty() && !userns.equals("host")) throw new InvalidSpecException("HostConfig.UsernsMode", "userns " + userns + " is not supported");
        h.path("Sysctls").properties().forEach(s -> b.sysctl(s.getKey(), s.getValue().asText()));
        for (JsonNode d : h.path("Devices"))
            b.device(d.path("PathOnHost").asText() + ":" + d.path("PathInContainer").asText(d.path("PathOnHost").asText()) + ":"
                    + d.path("CgroupPermissions").asText("rwm"));
        List<String> groups = strings(h.path("GroupAdd"));
        if (!groups.isEmpty()) {
            try {
                b.additionalGids(groups.stream().map(Integer::valueOf).toArray(Integer[]::new));
            } catch (NumberFormatException e) {
                throw new InvalidSpecException("HostConfig.GroupAdd", "only numeric groups are supported: " + groups);
            }
        }
        String log = h.path("LogConfig").path("Type").asText("");
        if (!log.isEmpty() && !log.equals("json-file") && !log.equals("local"))
            throw new InvalidSpecException("HostConfig.LogConfig", "log driver " + log + " is not supported (json-file)");
        String runtime = h.path("Runtime").asText("");
        if (!runtime.isEmpty() && !runtime.equals("jcontainer") && !runtime.equals("runc"))
            throw new InvalidSpecException("HostConfig.Runtime", "runtime " + runtime + " is not supported (jcontainer)");
        refuseSet("HostConfig.Links", h.path("Links"), "legacy links are not supported: use a user-defined network (names resolve there)");
        if (volumes == null) refuseSet("HostConfig.VolumesFrom", h.path("VolumesFrom"), "volumes are not available here");
        for (String zero : List.of("ShmSize", "OomKillDisable", "CgroupParent", "Cgroup", "CpuCount", "CpuPercent", "CpuPeriod", "CpuQuota",
                "CpuRealtimePeriod", "CpuRealtimeRuntime", "KernelMemory", "KernelMemoryTCP", "IOMaximumBandwidth", "IOMaximumIOps",
                "DeviceCgroupRules", "DeviceRequests", "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
                "BlkioDeviceWriteIOps", "VolumeDriver", "Annotations", "Capabilities", "ContainerIDFile", "MaskedPaths", "ReadonlyPaths"))
            refuseSet("HostConfig." + zero, h.path(zero), "jcontainer does not support it");
        JsonNode swappiness = h.path("MemorySwappiness");
        if (!swappiness.isMissingNode() && !swappiness.isNull() && swappiness.asInt(-1) != -1)
            throw new InvalidSpecException("HostConfig.MemorySwappiness", "memory swappiness is not supported");
        String isolation = h.path("Isolation").asText("");
        if (!isolation.isEmpty() && !isolation.equals("default"))
            throw new InvalidSpecException("HostConfig.Isolation", "isolation " + isolation + " is not supported");
    }

    private static void namespaceMode(ContainerSpec.Builder b, JsonNode h, String field, io.jcontainer.Namespace ns) {
        String mode = h.path(field).asText("");
        switch (mode) {
            case "", "private" -> {
            }
            case "host" -> b.removeNamespace(ns);
            default -> {
                if (ns == io.jcontainer.Namespace.IPC && mode.equals("shareable")) return;
                throw new InvalidSpecException("HostConfig." + field, field + " " + mode + " is not supported (host, or private)");
            }
        }
    }

    /** Refuses a field that asks for something: anything but null, false, 0, "" and empty lists or objects. */
    /**
     * HostConfig.NetworkMode and what goes with it — PortBindings, PublishAllPorts over
     * ExposedPorts, Dns*, ExtraHosts, MacAddress, and NetworkingConfig's endpoint (aliases,
     * IPAMConfig.IPv4Address) — as {@link NetworkMode.Named}. No mode (or docker's
     * {@code default}): {@code defaultNetwork}, or {@code none} when null — unless ports are
     * published, which puts the container on {@code bridge}.
     */
    private static void network(ContainerSpec.Builder b, JsonNode body, JsonNode h, String defaultNetwork) {
        String net = h.path("NetworkMode").asText("");
        List<PortBinding> ports = new ArrayList<>();
        h.path("PortBindings").properties().forEach(e -> {
            List<String> key = DockerPorts.exposed(e.getKey());
            if (key.size() != 1) throw new InvalidSpecException("HostConfig.PortBindings", "'" + e.getKey() + "': one PORT/PROTO per key");
            String[] pp = key.getFirst().split("/");
            JsonNode list = e.getValue();
            if (list == null || list.isNull() || list.isEmpty()) {
                ports.add(new PortBinding(null, 0, Integer.parseInt(pp[0]), pp[1]));
                return;
            }
            for (JsonNode hb : list) {
                String ip = hb.path("HostIp").asText("");
                String hp = hb.path("HostPort").asText("");
                int hostPort;
                try {
                    hostPort = hp.isEmpty() ? 0 : Integer.parseInt(hp);
                } catch (NumberFormatException x) {
                    throw new InvalidSpecException("HostConfig.PortBindings", "host port '" + hp + "' of " + e.getKey() + " (ranges are not supported here)");
                }
                ports.add(new PortBinding(ip.isEmpty() || ip.equals("0.0.0.0") ? null : ip, hostPort, Integer.parseInt(pp[0]), pp[1]));
            }
        });
        List<PortBinding> published = ports;
        if (h.path("PublishAllPorts").asBoolean(false)) {
            java.util.Set<String> exposed = new java.util.LinkedHashSet<>();
            body.path("ExposedPorts").properties().forEach(e -> exposed.addAll(DockerPorts.exposed(e.getKey())));
            published = DockerPorts.publishAll(ports, exposed);
        }
        List<String> aliases = new ArrayList<>();
        String ip = null, ip6 = null, mac = text(body, "MacAddress", null);
        var endpoints = body.path("NetworkingConfig").path("EndpointsConfig");
        if (endpoints.size() > 1) throw new InvalidSpecException("NetworkingConfig.EndpointsConfig", "one network at create (connect the others later)");
        for (var e : endpoints.properties()) {
            if (net.isEmpty() || net.equals("default")) net = e.getKey();
            else if (!net.equals(e.getKey()))
                throw new InvalidSpecException("NetworkingConfig.EndpointsConfig", "network " + e.getKey() + " is not HostConfig.NetworkMode " + net);
            aliases.addAll(strings(e.getValue().path("Aliases")));
            String v4 = e.getValue().path("IPAMConfig").path("IPv4Address").asText("");
            if (!v4.isEmpty()) ip = v4;
            String v6 = e.getValue().path("IPAMConfig").path("IPv6Address").asText("");
            if (!v6.isEmpty()) ip6 = v6;
            String m = e.getValue().path("MacAddress").asText("");
            if (!m.isEmpty()) mac = m;
        }
        if (mac != null && mac.isEmpty()) mac = null;
        if (net.isEmpty() || net.equals("default")) net = !published.isEmpty() ? "bridge" : defaultNetwork == null ? "" : defaultNetwork;
        NetworkOptions options = new NetworkOptions(aliases, published, ip, mac, strings(h.path("Dns")), strings(h.path("DnsSearch")),
                strings(h.path("DnsOptions")), strings(h.path("ExtraHosts")), ip6);
        switch (net) {
            case "", "default", "none" -> {
                if (!options.equals(NetworkOptions.NONE))
                    throw new InvalidSpecException("HostConfig.NetworkMode", "network " + (net.isEmpty() ? "none" : net)
                            + " has no place for published ports, aliases, addresses, DNS or extra hosts: use bridge or a user-defined network");
                b.network("none");
            }
            case "host" -> {
                if (!options.equals(NetworkOptions.NONE))
                    throw new InvalidSpecException("HostConfig.NetworkMode", "the host's network has no place for published ports, aliases, addresses, DNS or extra hosts");
                b.network("host");
            }
            default -> {
                NetworkMode mode = NetworkMode.parse(net);
                if (mode instanceof NetworkMode.Named n) b.networkMode(new NetworkMode.Named(n.name(), options));
                else if (!options.equals(NetworkOptions.NONE))
                    throw new InvalidSpecException("HostConfig.NetworkMode", "network " + net + " has no place for published ports, aliases, addresses, DNS or extra hosts");
                else b.networkMode(mode);
            }
        }
    }

    static void refuseSet(String field, JsonNode v, String why) {
        if (isSet(v)) throw new InvalidSpecException(field, field + " is not supported: " + why);
    }

    static boolean isSet(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) return false;
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNumber()) return v.asDouble() != 0;
        if (v.isTextual()) return !v.asText().isEmpty();
        if (v.isContainerNode()) {
            for (JsonNode c : v) if (isSet(c) || v.isObject()) return true;
            return false;
        }
        return true;
    }

    private static void refuseUnknown(String prefix, JsonNode obj, Set<String> known) {
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!known.contains(e.getKey()) && isSet(e.getValue()))
                throw new InvalidSpecException(prefix + e.getKey(), prefix + e.getKey() + " is not supported by jcontainer");
        }
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) n.forEach(x -> out.add(x.asText()));
        else if (n.isTextual() && !n.asText().isEmpty()) out.add(n.asText());
        return out;
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() || v.asText().isEmpty() ? dflt : v.asText();
    }
}
