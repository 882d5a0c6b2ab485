package io.jcontainer.linux.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.Capability;
import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.DataSize;
import io.jcontainer.IdMap;
import io.jcontainer.Mount;
import io.jcontainer.Namespace;
import io.jcontainer.Resources;
import io.jcontainer.RestartPolicy;
import io.jcontainer.Rlimit;
import io.jcontainer.Seccomp;
import io.jcontainer.Signal;
import io.jcontainer.Stdio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A recorded container's full configuration, {@code spec.json} in its state directory, so that
 * {@code start} of a stopped container, {@code exec} (its security settings) and {@code inspect}
 * need nothing but the record — not the argv of the CLI that ran it.
 *
 * <p>Interim format, one class on purpose: once the spec maps to OCI {@code config.json} this
 * becomes {@code config.json} plus jcontainer's extras, and readers of {@code "format":
 * "jcontainer-spec/1"} convert. Records of the format before (a CLI's {@code run-args.json}, no
 * {@code spec.json}) are read without a spec: they can be inspected, stopped and removed; start
 * and exec refuse them saying so.
 */
public final class StoredSpec {
    public static final String FILE = "spec.json", FORMAT = "jcontainer-spec/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredSpec() {
    }

    public static void write(Path dir, ContainerSpec s) {
        try {
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(s)));
            Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("recording the spec of container in " + dir + ": " + e, e);
        }
    }

    /** The stored spec, or null when the record has none (written by an earlier jcontainer). */
    public static ContainerSpec read(Path dir) {
        Path f = dir.resolve(FILE);
        JsonNode n;
        try {
            n = JSON.readTree(f.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new ContainerException(f + ": unreadable (" + e.getMessage() + ")", e);
        }
        if (!FORMAT.equals(n.path("format").asText()))
            throw new ContainerException(f + ": format \"" + n.path("format").asText() + "\" is not " + FORMAT
                    + " (written by another jcontainer version): remove the container and create it again");
        try {
            return fromJson(n);
        } catch (RuntimeException e) {
            throw new ContainerException(f + ": " + e.getMessage(), e);
        }
    }

    static ObjectNode toJson(ContainerSpec s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("name", s.name());
        ArrayNode ns = o.putArray("namespaces");
        s.namespaces().forEach(x -> ns.add(x.name()));
        o.put("rootfs", s.rootfs() == null ? null : s.rootfs().toString());
        o.put("readOnlyRoot", s.readOnlyRoot());
        strings(o.putArray("command"), s.command());
        ObjectNode env = o.putObject("env");
        s.env().forEach(env::put);
        o.put("workingDir", s.workingDir());
        o.put("user", s.user());
        o.put("hostname", s.hostname());
        o.put("domainname", s.domainname());
        ArrayNode mounts = o.putArray("mounts");
        for (Mount m : s.mounts()) {
            ObjectNode j = mounts.addObject();
            switch (m) {
                case Mount.Bind b -> j.put("type", "bind").put("source", b.source().toString()).put("target", b.target())
                        .put("readOnly", b.readOnly()).put("recursive", b.recursive());
                case Mount.Tmpfs t -> j.put("type", "tmpfs").put("target", t.target()).put("size", t.size() == null ? null : t.size().bytes())
                        .put("mode", t.mode()).put("readOnly", t.readOnly()).put("noExec", t.noExec());
            }
        }
        idMaps(o.putArray("uidMap"), s.uidMap());
        idMaps(o.putArray("gidMap"), s.gidMap());
        o.put("stdin", stdio(s.stdin()));
        o.put("stdout", stdio(s.stdout()));
        o.put("stderr", stdio(s.stderr()));
        Resources r = s.resources();
        ObjectNode res = o.putObject("resources");
        res.put("memory", bytes(r.memory())).put("memorySwap", bytes(r.memorySwap())).put("memoryReservation", bytes(r.memoryReservation()))
                .put("cpuQuota", r.cpuQuota()).put("cpusetCpus", r.cpusetCpus()).put("cpusetMems", r.cpusetMems())
                .put("cpuShares", r.cpuShares()).put("pidsLimit", r.pidsLimit()).put("blkioWeight", r.blkioWeight())
                .put("oomScoreAdj", r.oomScoreAdj());
        ArrayNode dl = res.putArray("deviceLimits");
        for (Resources.DeviceLimit d : r.deviceLimits()) dl.addObject().put("device", d.device()).put("kind", d.kind().name()).put("value", d.value());
        ArrayNode caps = o.putArray("capabilities");
        s.capabilities().forEach(c -> caps.add(c.name()));
        o.put("noNewPrivileges", s.noNewPrivileges());
        ObjectNode sc = o.putObject("seccomp");
        switch (s.seccomp()) {
            case Seccomp.Unconfined u -> sc.put("kind", "unconfined");
            case Seccomp.DefaultProfile d -> sc.put("kind", "default");
            case Seccomp.Json j -> sc.put("kind", "json").put("json", j.json()).put("origin", j.origin());
        }
        if (s.maskedPaths() != null) strings(o.putArray("maskedPaths"), s.maskedPaths());
        if (s.readonlyPaths() != null) strings(o.putArray("readonlyPaths"), s.readonlyPaths());
        ArrayNode rl = o.putArray("rlimits");
        for (Rlimit l : s.rlimits()) rl.addObject().put("name", l.name()).put("soft", l.soft()).put("hard", l.hard());
        o.put("init", s.init());
        o.put("detached", s.detached());
        o.put("stopSignal", s.stopSignal().name());
        o.put("tty", s.tty());
        o.put("restartPolicy", s.restartPolicy().toString());
        return o;
    }

    static ContainerSpec fromJson(JsonNode o) {
        ContainerSpec.Builder b = Container.builder();
        if (!o.path("name").isNull() && o.has("name")) b.name(o.get("name").asText());
        Set<Namespace> ns = EnumSet.noneOf(Namespace.class);
        for (JsonNode x : o.path("namespaces")) ns.add(Namespace.valueOf(x.asText()));
        b.namespaces(ns);
        if (text(o, "rootfs") != null) b.rootfs(Path.of(text(o, "rootfs")));
        b.readOnlyRoot(o.path("readOnlyRoot").asBoolean());
        b.command(strings(o.path("command")));
        o.path("env").properties().forEach(e -> b.env(e.getKey(), e.getValue().asText()));
        if (text(o, "workingDir") != null) b.workingDir(text(o, "workingDir"));
        if (text(o, "user") != null) b.user(text(o, "user"));
        if (text(o, "hostname") != null) b.hostname(text(o, "hostname"));
        if (text(o, "domainname") != null) b.domainname(text(o, "domainname"));
        for (JsonNode m : o.path("mounts")) {
            switch (m.path("type").asText()) {
                case "bind" -> b.mount(new Mount.Bind(Path.of(m.get("source").asText()), m.get("target").asText(),
                        m.path("readOnly").asBoolean(), m.path("recursive").asBoolean()));
                case "tmpfs" -> b.mount(new Mount.Tmpfs(m.get("target").asText(),
                        m.path("size").isNull() || !m.has("size") ? null : DataSize.bytes(m.get("size").asLong()),
                        m.path("mode").asInt(), m.path("readOnly").asBoolean(), m.path("noExec").asBoolean()));
                default -> throw new IllegalArgumentException("mounts: unknown type " + m.path("type"));
            }
        }
        b.uidMap(idMaps(o.path("uidMap")).toArray(IdMap[]::new));
        b.gidMap(idMaps(o.path("gidMap")).toArray(IdMap[]::new));
        b.stdin(stdio(o.path("stdin"))).stdout(stdio(o.path("stdout"))).stderr(stdio(o.path("stderr")));
        JsonNode r = o.path("resources");
        List<Resources.DeviceLimit> dl = new ArrayList<>();
        for (JsonNode d : r.path("deviceLimits"))
            dl.add(new Resources.DeviceLimit(d.get("device").asText(), Resources.DeviceLimit.Kind.valueOf(d.get("kind").asText()), d.get("value").asLong()));
        b.resources(new Resources(size(r, "memory"), size(r, "memorySwap"), size(r, "memoryReservation"), r.path("cpuQuota").asDouble(),
                text(r, "cpusetCpus"), text(r, "cpusetMems"), r.path("cpuShares").asInt(), r.path("pidsLimit").asLong(),
                r.path("blkioWeight").asInt(), dl, r.path("oomScoreAdj").isNumber() ? r.get("oomScoreAdj").asInt() : null));
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        for (JsonNode c : o.path("capabilities")) caps.add(Capability.valueOf(c.asText()));
        b.capabilities(caps);
        b.noNewPrivileges(o.path("noNewPrivileges").asBoolean());
        JsonNode sc = o.path("seccomp");
        b.seccomp(switch (sc.path("kind").asText()) {
            case "unconfined" -> Seccomp.UNCONFINED;
            case "default" -> Seccomp.DEFAULT;
            case "json" -> new Seccomp.Json(sc.get("json").asText(), text(sc, "origin"));
            default -> throw new IllegalArgumentException("seccomp: unknown kind " + sc.path("kind"));
        });
        if (o.has("maskedPaths")) b.maskedPaths(strings(o.get("maskedPaths")));
        if (o.has("readonlyPaths")) b.readonlyPaths(strings(o.get("readonlyPaths")));
        for (JsonNode l : o.path("rlimits")) b.rlimit(new Rlimit(l.get("name").asText(), l.get("soft").asLong(), l.get("hard").asLong()));
        b.init(o.path("init").asBoolean());
        b.detached(o.path("detached").asBoolean());
        b.stopSignal(Signal.valueOf(o.path("stopSignal").asText("TERM")));
        b.tty(o.path("tty").asBoolean());
        b.restart(RestartPolicy.parse(o.path("restartPolicy").asText("no")));
        return b.build();
    }

    private static String text(JsonNode o, String f) {
        JsonNode n = o.get(f);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static DataSize size(JsonNode o, String f) {
        JsonNode n = o.get(f);
        return n == null || n.isNull() ? null : DataSize.bytes(n.asLong());
    }

    private static Long bytes(DataSize d) {
        return d == null ? null : d.bytes();
    }

    private static void strings(ArrayNode a, List<String> l) {
        l.forEach(a::add);
    }

    private static List<String> strings(JsonNode a) {
        List<String> l = new ArrayList<>();
        for (JsonNode x : a) l.add(x.asText());
        return l;
    }

    private static void idMaps(ArrayNode a, List<IdMap> maps) {
        for (IdMap m : maps) a.addObject().put("containerId", m.containerId()).put("hostId", m.hostId()).put("size", m.size());
    }

    private static List<IdMap> idMaps(JsonNode a) {
        List<IdMap> l = new ArrayList<>();
        for (JsonNode m : a) l.add(new IdMap(m.get("containerId").asLong(), m.get("hostId").asLong(), m.get("size").asLong()));
        return l;
    }

    private static String stdio(Stdio s) {
        return switch (s) {
            case Stdio.Pipe p -> "pipe";
            case Stdio.Inherit i -> "inherit";
            case Stdio.Null n -> "null";
            case Stdio.File f -> (f.append() ? "append:" : "file:") + f.path();
        };
    }

    private static Stdio stdio(JsonNode n) {
        String s = n.asText("null");
        if (s.startsWith("file:")) return new Stdio.File(Path.of(s.substring(5)), false);
        if (s.startsWith("append:")) return new Stdio.File(Path.of(s.substring(7)), true);
        return switch (s) {
            case "pipe" -> Stdio.PIPE;
            case "inherit" -> Stdio.INHERIT;
            default -> Stdio.NULL;
        };
    }
}
