package io.jcontainer.linux.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's memory (/proc/meminfo MemTotal): docker's stats show it as the limit of a container without one. */
public final class HostMemory {
    private HostMemory() {
    }

    /** MemTotal in bytes, or Long.MAX_VALUE when /proc/meminfo cannot be read. */
    public static long total() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (!line.startsWith("MemTotal:")) continue;
                String[] f = line.substring(9).strip().split("\\s+");
                return Long.parseLong(f[0]) * 1024; // kB
            }
        } catch (IOException | RuntimeException e) {
            // below
        }
        return Long.MAX_VALUE;
    }
}
