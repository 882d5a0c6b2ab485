package io.jcontainer.server.handlers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What {@code /version} and {@code /info} say about this host, read from /proc and /sys. */
final class HostFacts {
    private HostFacts() {
    }

    static String kernel() {
        return read("/proc/sys/kernel/osrelease", System.getProperty("os.version"));
    }

    static String hostname() {
        return read("/proc/sys/kernel/hostname", "localhost");
    }

    static boolean cgroupV2() {
        return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    }

    static long memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo")))
                if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException | NumberFormatException e) {
            // below
        }
        return Runtime.getRuntime().maxMemory();
    }

    static String operatingSystem() {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/os-release")))
                if (l.startsWith("PRETTY_NAME=")) return l.substring(12).replace("\"", "");
        } catch (IOException e) {
            // below
        }
        return "Linux";
    }

    /** docker's architecture names (Go's GOARCH for the version, uname -m for info). */
    static String goArch() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    static String machine() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            default -> System.getProperty("os.arch");
        };
    }

    static boolean root() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** A stable id for this host (docker's ID): the machine id when there is one. */
    static String id() {
        for (String p : List.of("/etc/machine-id", "/var/lib/dbus/machine-id")) {
            String s = read(p, "");
            if (!s.isEmpty()) return s;
        }
        return hostname();
    }

    private static String read(String path, String dflt) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException e) {
            return dflt;
        }
    }
}
