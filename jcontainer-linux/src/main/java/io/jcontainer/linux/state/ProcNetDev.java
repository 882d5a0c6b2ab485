package io.jcontainer.linux.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A container's network counters: {@code /proc/PID/net/dev} shows the interfaces of the network
 * namespace PID is in, so with the container's process (verified by the caller) it reads the
 * container's own. Loopback is left out, as docker's stats count only the container's networks.
 */
public final class ProcNetDev {
    private ProcNetDev() {
    }

    /**
     * Received and sent bytes over the non-loopback interfaces of {@code pid}'s network
     * namespace; null when it shares this process's namespace (the host's: nothing of its own to
     * count) or cannot be read.
     */
    public static long[] ownNamespaceBytes(long pid) {
        try {
            Path ns = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net"));
            if (ns.equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) return null;
            return parse(Files.readString(Path.of("/proc/" + pid + "/net/dev")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** "  eth0: RXBYTES packets ... (8 receive fields) TXBYTES ..." after two header lines. */
    static long[] parse(String text) {
        long rx = 0, tx = 0;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String name = line.substring(0, colon).strip();
            if (name.equals("lo")) continue;
            String[] f = line.substring(colon + 1).strip().split("\\s+");
            if (f.length < 9) continue;
            rx += Long.parseLong(f[0]);
            tx += Long.parseLong(f[8]);
        }
        return new long[]{rx, tx};
    }
}
