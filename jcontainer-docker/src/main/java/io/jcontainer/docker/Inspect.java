package io.jcontainer.docker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Mount;
import io.jcontainer.Namespace;
import io.jcontainer.NetworkMode;
import io.jcontainer.PortBinding;
import io.jcontainer.lifecycle.NetworkInfo;
import io.jcontainer.Resources;
import io.jcontainer.lifecycle.ContainerInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * {@code docker inspect}'s object for a container (the Engine API's
 * {@code GET /containers/{id}/json}), from what the lifecycle API returns: the record, its state
 * now and its stored configuration. Keys are docker's; jcontainer's own ({@code MonitorPid},
 * {@code CgroupPaths}, {@code Config.Detached}, {@code Config.PidNamespace}) are added beside them.
 */
public final class Inspect {
    private Inspect() {
    }

    public static String json(ContainerInfo c) {
        return json(c, List.of());
    }

    /** With its places on networks now ({@code Networks.endpoints}): docker's NetworkSettings. */
    public static String json(ContainerInfo c, List<NetworkInfo.Endpoint> endpoints) {
        try {
            return Trees.pretty(node(c, endpoints));
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** A node of {@link #node} (fields added to it, e.g. {@code inspect -s}'s sizes) as docker prints it. */
    public static String json(ObjectNode n) {
        try {
            return Trees.pretty(n);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    public static ObjectNode node(ContainerInfo c) {
        return node(c, List.of());
    }

    public static ObjectNode node(ContainerInfo c, List<NetworkInfo.Endpoint> endpoints) {
        ObjectNode root = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        ContainerSpec spec = c.spec();
        root.put("Id", c.id());
        root.put("Name", "/" + (c.name() == null ? "" : c.name()));
        root.put("Created", c.created() == null ? null : c.created().toString());
        root.put("Path", c.command().isEmpty() ? "" : c.command().getFirst());
        var args = root.putArray("Args");
        c.command().stream().skip(1).forEach(args::add);
        var st = root.putObject("State");
        st.put("Status", c.status().docker());
        st.put("Running", c.running());
        st.put("Paused", c.paused());
        st.put("Restarting", c.status() == ContainerInfo.Status.RESTARTING);
        st.put("OOMKilled", c.exit() != null && c.exit().oomKilled());
        st.put("Dead", c.status() == ContainerInfo.Status.DEAD);
        st.put("Pid", c.running() ? c.pid() : 0);
        st.put("ExitCode", c.exit() == null ? 0 : c.exit().code());
        st.put("StartedAt", c.started() == null ? null : c.started().toString());
        st.put("FinishedAt", c.finished() == null ? null : c.finished().toString());
        st.put("MonitorPid", c.monitorPid());
        if (c.health() != null) {
            var h = st.putObject("Health");
            h.put("Status", c.health().status().docker()).put("FailingStreak", c.health().failingStreak());
            var log = h.putArray("Log");
            for (var p : c.health().log())
                log.addObject().put("Start", p.start().toString()).put("End", p.end().toString()).put("ExitCode", p.exitCode()).put("Output", p.output());
        }
        if (!st.has("Health")) st.putNull("Health"); // no health check (docker omits it then; scripts read null)
        root.put("LogPath", c.logPath());
        var cfg = root.putObject("Config");
        ContainerInfo.Streams io = c.streams();
        if (spec != null) {
            cfg.put("Hostname", spec.hostname() == null ? c.shortId() : spec.hostname());
            cfg.put("Domainname", spec.domainname() == null ? "" : spec.domainname());
            cfg.put("User", spec.user() == null ? "" : spec.user());
        }
        cfg.put("AttachStdin", io.attachStdin());
        cfg.put("AttachStdout", io.attachStdout());
        cfg.put("AttachStderr", io.attachStderr());
        cfg.put("Tty", io.tty());
        cfg.put("OpenStdin", io.openStdin());
        if (spec != null) {
            var env = cfg.putArray("Env");
            spec.env().forEach((k, v) -> env.add(k + "=" + v));
        }
        var cmd = cfg.putArray("Cmd");
        c.command().forEach(cmd::add);
        cfg.put("Image", c.image());
        if (spec != null) cfg.put("WorkingDir", spec.workingDir() == null ? "" : spec.workingDir());
        var labels = cfg.putObject("Labels");
        // the image's name and id jcontainer records among the annotations are not the user's labels
        c.labels().forEach((k, v) -> {
            if (!k.equals(ContainerSpec.Builder.IMAGE_ANNOTATION) && !k.equals(ContainerSpec.Builder.IMAGE_ID_ANNOTATION))
                labels.put(k, v);
        });
        if (spec != null) {
            cfg.put("StopSignal", "SIG" + spec.stopSignal().name());
            if (spec.stopTimeout() != null) cfg.put("StopTimeout", spec.stopTimeout().toSeconds());
            if (spec.healthcheck() != null) {
                var hc = cfg.putObject("Healthcheck");
                var test = hc.putArray("Test");
                spec.healthcheck().test().forEach(test::add);
                hc.put("Interval", spec.healthcheck().interval().toNanos()).put("Timeout", spec.healthcheck().timeout().toNanos())
                        .put("StartPeriod", spec.healthcheck().startPeriod().toNanos()).put("Retries", spec.healthcheck().retries());
            }
            cfg.put("Init", spec.init());
            cfg.put("Detached", spec.detached());
            cfg.put("PidNamespace", spec.has(Namespace.PID));
        }
        // docker's RestartCount: how often the restart policy restarted it (the monitor counts)
        root.put("RestartCount", c.restartCount());
        var host = root.putObject("HostConfig");
        String policy = c.restartPolicy() == null ? "no" : c.restartPolicy();
        int colon = policy.indexOf(':');
        host.putObject("RestartPolicy").put("Name", colon < 0 ? policy : policy.substring(0, colon))
                .put("MaximumRetryCount", colon < 0 ? 0 : Integer.parseInt(policy.substring(colon + 1)));
        host.put("AutoRemove", c.autoRemove());
        if (spec != null) hostConfig(spec, host);
        dockerDefaults(host);
        if (spec != null) mounts(spec, root.putArray("Mounts"));
        networkSettings(c, endpoints, root.putObject("NetworkSettings"));
        if (spec != null && spec.network() instanceof NetworkMode.Named n) {
            // what the container asked for on its network, as docker's Config and HostConfig show it
            var exposed = cfg.putObject("ExposedPorts");
            for (PortBinding b : n.options().ports()) exposed.putObject(b.containerPort() + "/" + b.protocol());
            if (n.options().macAddress() != null) cfg.put("MacAddress", n.options().macAddress());
            var bindings = host.putObject("PortBindings");
            for (PortBinding b : n.options().ports())
                ((com.fasterxml.jackson.databind.node.ArrayNode) (bindings.has(b.containerPort() + "/" + b.protocol())
                        ? bindings.get(b.containerPort() + "/" + b.protocol()) : bindings.putArray(b.containerPort() + "/" + b.protocol())))
                        .addObject().put("HostIp", b.hostIp() == null ? "" : b.hostIp()).put("HostPort", b.hostPort() == 0 ? "" : String.valueOf(b.hostPort()));
            strings(host.putArray("Dns"), n.options().dns());
            strings(host.putArray("DnsSearch"), n.options().dnsSearch());
            strings(host.putArray("DnsOptions"), n.options().dnsOptions());
            strings(host.putArray("ExtraHosts"), n.options().extraHosts());
        }
        var cg = root.putArray("CgroupPaths");
        c.cgroupDirs().forEach(cg::add);
        return root;
    }

    private static void strings(com.fasterxml.jackson.databind.node.ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    /**
     * docker's NetworkSettings: {@code Networks} (one object per network the container is on
     * now), {@code Ports} (published ones, host ports as chosen), and — for docker's default
     * {@code bridge} — its address, gateway and MAC at the top level too.
     */
    private static void networkSettings(ContainerInfo c, List<NetworkInfo.Endpoint> endpoints, ObjectNode ns) {
        ns.put("Bridge", "");
        ns.put("SandboxID", "");
        ns.put("SandboxKey", c.running() && c.pid() > 0 ? "/proc/" + c.pid() + "/ns/net" : "");
        var ports = ns.putObject("Ports");
        NetworkInfo.Endpoint primary = null;
        for (NetworkInfo.Endpoint e : endpoints) {
            if (e.network().equals("bridge")) primary = e;
            for (PortBinding b : e.ports()) {
                String key = b.containerPort() + "/" + b.protocol();
                var list = ports.has(key) ? (com.fasterxml.jackson.databind.node.ArrayNode) ports.get(key) : ports.putArray(key);
                list.addObject().put("HostIp", b.hostIp() == null ? "0.0.0.0" : b.hostIp()).put("HostPort", String.valueOf(b.hostPort()));
            }
        }
        ns.put("Gateway", primary == null ? "" : primary.gateway());
        ns.put("IPAddress", primary == null ? "" : primary.ip());
        ns.put("IPPrefixLen", primary == null ? 0 : primary.prefixLength());
        ns.put("MacAddress", primary == null ? "" : primary.macAddress());
        ns.set("Networks", networks(c, endpoints));
    }

    /**
     * docker's {@code NetworkSettings.Networks} (the inspect object's and the container list's):
     * one object per network the container is on now; a container with no place on a bridge now
     * (stopped, on {@code none} or {@code host}, or an ordinary user's container on the default
     * network through pasta) shows the network its mode names, with no address, as dockerd does.
     */
    public static ObjectNode networks(ContainerInfo c, List<NetworkInfo.Endpoint> endpoints) {
        ObjectNode nets = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (NetworkInfo.Endpoint e : endpoints) endpoint(nets.putObject(e.network()), e.network(), e);
        if (endpoints.isEmpty() && c.spec() != null) {
            String mode = switch (c.spec().network()) {
                case NetworkMode.None n -> "none";
                case NetworkMode.Host h -> "host";
                case NetworkMode.Named n -> n.name();
                case NetworkMode.Container x -> null; // docker shows none: it has the other's
                case NetworkMode.NamespacePath p -> null;
            };
            if (mode != null) endpoint(nets.putObject(mode), mode, null);
        }
        return nets;
    }

    /** docker's EndpointSettings; {@code e} null: the network the container is configured for, without an address now. */
    private static void endpoint(ObjectNode o, String network, NetworkInfo.Endpoint e) {
        o.putNull("IPAMConfig");
        o.putNull("Links");
        var aliases = o.putArray("Aliases");
        if (e != null) e.aliases().forEach(aliases::add);
        o.put("MacAddress", e == null ? "" : e.macAddress());
        o.put("NetworkID", e == null ? "" : e.networkId());
        o.put("EndpointID", "");
        o.put("Gateway", e == null ? "" : e.gateway());
        o.put("IPAddress", e == null ? "" : e.ip());
        o.put("IPPrefixLen", e == null ? 0 : e.prefixLength());
        o.put("IPv6Gateway", e == null || e.gateway6() == null ? "" : e.gateway6());
        o.put("GlobalIPv6Address", e == null || e.ip6() == null ? "" : e.ip6());
        o.put("GlobalIPv6PrefixLen", e == null ? 0 : e.prefixLength6());
        var names = o.putArray("DNSNames");
        if (e != null) {
            e.aliases().forEach(names::add);
            names.add(e.containerId().substring(0, Math.min(12, e.containerId().length())));
        }
    }

    /** docker's {@code HostConfig.NetworkMode} for a spec's network mode. */
    public static String networkMode(ContainerSpec spec) {
        return switch (spec.network()) {
            case NetworkMode.None n -> "none";
            case NetworkMode.Host h -> "host";
            case NetworkMode.Named n -> n.name();
            case NetworkMode.Container c -> "container:" + c.idOrName();
            case NetworkMode.NamespacePath p -> "ns:" + p.path();
        };
    }

    /** docker's top-level {@code Mounts}: one object per mount, bind and tmpfs as docker shows them, others by type. */
    private static void mounts(ContainerSpec spec, com.fasterxml.jackson.databind.node.ArrayNode out) {
        for (Mount m : spec.mounts()) {
            if (Mount.isCgroupView(m)) continue; // the runtime's /sys/fs/cgroup, which docker does not list
            ObjectNode o = out.addObject();
            switch (m) {
                case Mount.Bind b -> o.put("Type", "bind").put("Source", b.source().toString()).put("Destination", b.target())
                        .put("Mode", b.readOnly() ? "ro" : "").put("RW", !b.readOnly()).put("Propagation", "rprivate");
                case Mount.Tmpfs t -> o.put("Type", "tmpfs").put("Source", "").put("Destination", t.target())
                        .put("Mode", "").put("RW", !t.readOnly()).put("Propagation", "");
                case Mount.Generic g -> {
                    boolean ro = g.options().contains("ro");
                    o.put("Type", g.isBind() ? "bind" : g.type()).put("Source", g.source() == null ? "" : g.source())
                            .put("Destination", g.target()).put("Mode", String.join(",", g.options())).put("RW", !ro)
                            .put("Propagation", g.options().stream().filter(x -> x.matches("r?(shared|slave|private|unbindable)")).findFirst()
                                    .orElse(g.isBind() ? "rprivate" : ""));
                }
            }
        }
    }

    /**
     * docker's HostConfig fields the spec has nothing for, with docker's types and its values
     * for a container that does not use them (what a script reading them expects), where not set.
     */
    private static void dockerDefaults(ObjectNode host) {
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("ContainerIDFile", "");
        d.put("PortBindings", Map.of());
        d.put("VolumeDriver", "");
        d.put("VolumesFrom", null);
        d.put("ConsoleSize", List.of(0, 0));
        d.put("CapDrop", List.of());
        d.put("CgroupParent", "");
        d.put("Cgroup", "");
        d.put("Dns", List.of());
        d.put("DnsOptions", List.of());
        d.put("DnsSearch", List.of());
        d.put("ExtraHosts", null);
        d.put("GroupAdd", null);
        d.put("Links", null);
        d.put("OomScoreAdj", 0);
        d.put("Privileged", false);
        d.put("PublishAllPorts", false);
        d.put("ShmSize", 67108864);
        d.put("Runtime", "jcontainer");
        d.put("Isolation", "");
        d.put("CpuPeriod", 0);
        d.put("CpuQuota", 0);
        d.put("CpuRealtimePeriod", 0);
        d.put("CpuRealtimeRuntime", 0);
        d.put("BlkioWeightDevice", List.of());
        d.put("BlkioDeviceReadBps", List.of());
        d.put("BlkioDeviceWriteBps", List.of());
        d.put("BlkioDeviceReadIOps", List.of());
        d.put("BlkioDeviceWriteIOps", List.of());
        d.put("Devices", List.of());
        d.put("DeviceCgroupRules", null);
        d.put("DeviceRequests", null);
        d.put("MemorySwappiness", null);
        d.put("OomKillDisable", false);
        d.put("Sysctls", Map.of());
        d.put("LogConfig", Map.of("Type", "local", "Config", Map.of()));
        for (var e : d.entrySet()) if (!host.has(e.getKey())) host.set(e.getKey(), Trees.tree(e.getValue()));
    }

    /** The part of docker's HostConfig the spec says. */
    private static void hostConfig(ContainerSpec spec, ObjectNode host) {
        var binds = host.putArray("Binds");
        var tmpfs = host.putObject("Tmpfs");
        for (Mount m : spec.mounts()) {
            switch (m) {
                case Mount.Bind b -> binds.add(b.source() + ":" + b.target() + (b.readOnly() ? ":ro" : ""));
                case Mount.Tmpfs t -> tmpfs.put(t.target(), (t.readOnly() ? "ro" : "rw") + (t.noExec() ? ",noexec" : "")
                        + (t.size() == null ? "" : ",size=" + t.size().bytes()) + ",mode=" + Integer.toOctalString(t.mode()));
                case Mount.Generic g when g.isBind() -> binds.add(g.source() + ":" + g.target()
                        + (g.options().isEmpty() ? "" : ":" + String.join(",", g.options())));
                case Mount.Generic g when g.type().equals("tmpfs") -> tmpfs.put(g.target(), String.join(",", g.options()));
                case Mount.Generic g -> { } // only in the top-level Mounts (docker's HostConfig has no field for it)
            }
        }
        host.put("NetworkMode", networkMode(spec));
        String pidPath = spec.linux().namespacePath(Namespace.PID), ipcPath = spec.linux().namespacePath(Namespace.IPC);
        host.put("PidMode", pidPath != null ? "ns:" + pidPath : spec.has(Namespace.PID) ? "" : "host");
        host.put("IpcMode", ipcPath != null ? "ns:" + ipcPath : spec.has(Namespace.IPC) ? "private" : "host");
        host.put("UTSMode", spec.has(Namespace.UTS) ? "" : "host");
        host.put("UsernsMode", spec.has(Namespace.USER) ? "private" : "");
        host.put("CgroupnsMode", spec.has(Namespace.CGROUP) ? "private" : "host");
        host.put("ReadonlyRootfs", spec.readOnlyRoot());
        host.put("Init", spec.init());
        // As docker: what was added to and dropped from its default set, by name without CAP_
        // (clients such as docker-java parse these names), null when nothing was.
        var defaults = io.jcontainer.Capability.dockerDefaults();
        var added = spec.capabilities().stream().filter(c -> !defaults.contains(c)).map(Enum::name).sorted().toList();
        var dropped = defaults.stream().filter(c -> !spec.capabilities().contains(c)).map(Enum::name).sorted().toList();
        if (added.isEmpty()) host.putNull("CapAdd");
        else added.forEach(host.putArray("CapAdd")::add);
        if (dropped.isEmpty()) host.putNull("CapDrop");
        else dropped.forEach(host.putArray("CapDrop")::add);
        var sec = host.putArray("SecurityOpt");
        if (spec.noNewPrivileges()) sec.add("no-new-privileges");
        Resources r = spec.resources();
        host.put("Memory", r.memory() == null ? 0 : r.memory().bytes());
        host.put("MemorySwap", r.memorySwap() == null ? 0 : r.memorySwap().bytes());
        host.put("MemoryReservation", r.memoryReservation() == null ? 0 : r.memoryReservation().bytes());
        // --cpu-period/--cpu-quota show as such (docker keeps them apart from --cpus' NanoCpus)
        host.put("NanoCpus", r.cpuPeriod() == 0 ? (long) (r.cpuQuota() * 1e9) : 0);
        host.put("CpuPeriod", r.cpuPeriod());
        host.put("CpuQuota", r.cpuPeriod() == 0 || r.cpuQuota() == 0 ? 0 : Math.round(r.cpuQuota() * r.cpuPeriod()));
        if (r.memorySwappiness() != null) host.put("MemorySwappiness", r.memorySwappiness());
        else host.putNull("MemorySwappiness");
        var log = host.putObject("LogConfig");
        log.put("Type", spec.logConfig().driver().dockerName());
        var logOpts = log.putObject("Config");
        if (spec.logConfig().maxSize() != null) logOpts.put("max-size", String.valueOf(spec.logConfig().maxSize().bytes()));
        if (spec.logConfig().maxFiles() != 0) logOpts.put("max-file", String.valueOf(spec.logConfig().maxFiles()));
        var groups = host.putArray("GroupAdd");
        spec.process().user().additionalGids().forEach(g -> groups.add(String.valueOf(g)));
        spec.process().user().additionalGroups().forEach(groups::add);
        host.put("CpuShares", r.cpuShares());
        host.put("CpusetCpus", r.cpusetCpus() == null ? "" : r.cpusetCpus());
        host.put("CpusetMems", r.cpusetMems() == null ? "" : r.cpusetMems());
        host.put("PidsLimit", r.pidsLimit());
        host.put("BlkioWeight", r.blkioWeight());
        if (r.oomScoreAdj() != null) host.put("OomScoreAdj", r.oomScoreAdj());
        var ulimits = host.putArray("Ulimits");
        spec.rlimits().forEach(l -> ulimits.addObject().put("Name", l.name()).put("Soft", l.soft()).put("Hard", l.hard()));
    }
}
