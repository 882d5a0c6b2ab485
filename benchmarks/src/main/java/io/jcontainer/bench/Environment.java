package io.jcontainer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine and the versions a report is about. */
final class Environment {
    private Environment() {
    }

    static Map<String, Object> describe(String mode) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("date", Instant.now().toString());
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("memory", memTotal());
        m.put("kernel", read("/proc/sys/kernel/osrelease"));
        m.put("cgroups", cgroupMode());
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("jcontainerCommit", System.getProperty("jc.bench.commit", "unknown"));
        m.put("user", System.getProperty("user.name"));
        m.put("loadAverageAtStart", loadAverage());
        Map<String, String> peers = new LinkedHashMap<>();
        for (Peer p : Peer.values()) peers.put(p.binary, p.version());
        m.put("peers", peers);
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 + " MB").findFirst().orElse("unknown");
        } catch (IOException | NumberFormatException e) {
            return "unknown";
        }
    }

    /** 1, 5 and 15 minute load averages: other work on a shared machine shows here. */
    static String loadAverage() {
        String[] f = read("/proc/loadavg").split(" ");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "unknown";
    }

    static String cgroupMode() {
        if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) return "v2 (unified)";
        if (Files.isDirectory(Path.of("/sys/fs/cgroup/unified"))) {
            String c = read("/sys/fs/cgroup/unified/cgroup.controllers");
            return "v1 hybrid (controllers under /sys/fs/cgroup/<ctrl>; cgroup2 at /sys/fs/cgroup/unified"
                    + (c.isBlank() ? ", no controllers)" : " listing: " + c + ")");
        }
        return "v1";
    }

    private static String read(String p) {
        try {
            return Files.readString(Path.of(p)).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
