package io.jcontainer.server.handlers;

import io.jcontainer.server.ApiServer;
import io.jcontainer.server.http.ApiVersion;
import io.jcontainer.server.http.Exchange;
import io.jcontainer.server.http.Json;
import io.jcontainer.server.http.Request;
import io.jcontainer.server.http.Router;

import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.ListQuery;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code /_ping}, {@code /version}, {@code /info}: what a client asks first. */
final class SystemHandler {
    private final Routes.Backends backends;
    private final PendingContainers pending;
    private final ContainerHandler containers;

    SystemHandler(Routes.Backends backends, PendingContainers pending, ContainerHandler containers) {
        this.backends = backends;
        this.pending = pending;
        this.containers = containers;
    }

    void install(Router r) {
        r.get("/_ping", this::ping);
        r.head("/_ping", this::ping);
        r.get("/version", this::version);
        r.get("/info", this::info);
        r.get("/system/df", this::df);
    }

    /**
     * The client negotiates its version from this answer's {@code Api-Version} header (on every
     * response); the no-cache headers are docker's.
     */
    private void ping(Request req, Exchange ex) {
        ex.send(200, "text/plain; charset=utf-8", "OK".getBytes(), Map.of(
                "Cache-Control", "no-cache, no-store, must-revalidate",
                "Pragma", "no-cache",
                // the classic builder (POST /build), not BuildKit's gRPC session
                "Builder-Version", "1"));
    }

    private void version(Request req, Exchange ex) {
        String v = ApiServer.version();
        String java = "java " + Runtime.version();
        Map<String, Object> details = Json.obj(
                "ApiVersion", ApiVersion.MAX.toString(), "Arch", HostFacts.goArch(), "BuildTime", "",
                "Experimental", "false", "GitCommit", "", "GoVersion", java, "KernelVersion", HostFacts.kernel(),
                "MinAPIVersion", ApiVersion.MIN.toString(), "Os", "linux");
        ex.json(200, Json.obj(
                "Platform", Json.obj("Name", "jcontainer"),
                "Components", List.of(Json.obj("Name", "Engine", "Version", v, "Details", details)),
                "Version", v, "ApiVersion", ApiVersion.MAX.toString(), "MinAPIVersion", ApiVersion.MIN.toString(),
                "GitCommit", "", "GoVersion", java, "Os", "linux", "Arch", HostFacts.goArch(),
                "KernelVersion", HostFacts.kernel(), "BuildTime", ""));
    }

    /**
     * {@code GET /system/df}: what {@code docker system df} tabulates. Images with the number of
     * containers made from each (matched by tag or id, as {@code jcontainer system df} does) and
     * their compressed sizes ({@code LayersSize} their sum: the store does not share layer sizes
     * out); containers with their sizes ({@code SizeRw}: what each wrote; {@code SizeRootFs}); volumes with their reference counts.
     */
    private void df(Request req, Exchange ex) {
        List<ContainerInfo> all = backends.containers().list(ListQuery.ALL);
        List<Object> rows = new java.util.ArrayList<>();
        java.util.Map<String, Integer> byImage = new java.util.HashMap<>();
        for (ContainerInfo c : all) {
            rows.add(containers.withSizes(containers.summary(c), c));
            // by the image the client named (an image container's own image() is the root it runs on)
            String image = containers.image(c);
            if (image != null) byImage.merge(image, 1, Integer::sum);
        }
        List<Object> images = new java.util.ArrayList<>();
        long layers = 0;
        for (io.jcontainer.image.ImageInfo i : backends.images().list()) {
            int used = byImage.getOrDefault(i.id(), 0);
            for (String t : i.repoTags()) {
                used += byImage.getOrDefault(t, 0);
                String familiar = t.replaceFirst("^docker\\.io/library/", "");
                if (!familiar.equals(t)) used += byImage.getOrDefault(familiar, 0);
            }
            var n = io.jcontainer.docker.ImageJson.summary(i);
            n.put("Containers", used);
            images.add(n);
            layers += i.size();
        }
        List<Object> volumes = new java.util.ArrayList<>();
        for (var v : backends.containers().volumes().list(Map.of())) volumes.add(VolumesHandler.json(v));
        ex.json(200, Json.obj("LayersSize", layers, "Images", images, "Containers", rows, "Volumes", volumes, "BuildCache", List.of()));
    }

    private void info(Request req, Exchange ex) {
        List<ContainerInfo> all = backends.containers().list(ListQuery.ALL);
        long running = all.stream().filter(c -> c.status() == ContainerInfo.Status.RUNNING).count();
        long paused = all.stream().filter(ContainerInfo::paused).count();
        int created = pending.all().size();
        boolean v2 = HostFacts.cgroupV2();
        boolean root = HostFacts.root();
        List<String> security = root ? List.of("name=seccomp,profile=builtin") : List.of("name=seccomp,profile=builtin", "name=rootless");
        ex.json(200, Json.obj(
                "ID", HostFacts.id(),
                "Containers", all.size() + created, "ContainersRunning", running, "ContainersPaused", paused,
                "ContainersStopped", all.size() - running - paused + created,
                "Images", 0,
                "Driver", "jcontainer",
                "DriverStatus", List.of(),
                "Plugins", Json.obj("Volume", List.of("local"), "Network", List.of("bridge", "host", "none"),
                        "Authorization", null, "Log", List.of("json-file")),
                "MemoryLimit", true, "SwapLimit", true, "KernelMemory", false, "KernelMemoryTCP", false,
                "CpuCfsPeriod", true, "CpuCfsQuota", true, "CPUShares", true, "CPUSet", true, "PidsLimit", true,
                "OomKillDisable", false, "IPv4Forwarding", true, "BridgeNfIptables", false, "BridgeNfIp6tables", false,
                "Debug", false, "NFd", 0, "NGoroutines", Thread.activeCount(), "SystemTime", Instant.now().toString(),
                "LoggingDriver", "json-file",
                "CgroupDriver", "cgroupfs", "CgroupVersion", v2 ? "2" : "1",
                "NEventsListener", 0,
                "KernelVersion", HostFacts.kernel(), "OperatingSystem", HostFacts.operatingSystem(), "OSVersion", "",
                "OSType", "linux", "Architecture", HostFacts.machine(),
                "IndexServerAddress", "https://index.docker.io/v1/",
                "RegistryConfig", Json.obj("AllowNondistributableArtifactsCIDRs", List.of(), "AllowNondistributableArtifactsHostnames", List.of(),
                        "InsecureRegistryCIDRs", List.of("127.0.0.0/8"), "IndexConfigs", Map.of(), "Mirrors", List.of()),
                "NCPU", Runtime.getRuntime().availableProcessors(), "MemTotal", HostFacts.memTotal(),
                "GenericResources", null,
                "DockerRootDir", root ? "/var/lib/jcontainer" : System.getProperty("user.home") + "/.local/share/jcontainer",
                "HttpProxy", "", "HttpsProxy", "", "NoProxy", "",
                "Name", HostFacts.hostname(), "Labels", List.of(),
                "ExperimentalBuild", false, "ServerVersion", ApiServer.version(),
                "Runtimes", Json.obj("jcontainer", Json.obj("path", "jcontainer")), "DefaultRuntime", "jcontainer",
                "Swarm", Json.obj("NodeID", "", "NodeAddr", "", "LocalNodeState", "inactive", "ControlAvailable", false,
                        "Error", "", "RemoteManagers", null),
                "LiveRestoreEnabled", true, "Isolation", "",
                "InitBinary", "", "ContainerdCommit", Json.obj("ID", "", "Expected", ""),
                "RuncCommit", Json.obj("ID", "", "Expected", ""), "InitCommit", Json.obj("ID", "", "Expected", ""),
                "SecurityOptions", security, "Warnings", List.of()));
    }
}
