package io.jcontainer.linux.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ports an ordinary user's network helper (pasta, slirp4netns) publishes for a container,
 * recorded beside the helper's pid file ({@code <networks>/pasta/ID.ports}): no bridge rule or
 * endpoint holds them, yet {@code port}, {@code ps} and inspect show them as docker does. One line
 * per port, {@code HOST_IP|HOST_PORT|CONTAINER_PORT|PROTO} (no host address: empty). Removed when
 * the helper is stopped.
 */
public final class HelperPorts {
    private static final List<String> HELPERS = List.of("pasta", "slirp4netns");

    private HelperPorts() {
    }

    static void record(Path helperDir, String containerId, List<PortMapping> ports) throws IOException {
        Path f = helperDir.resolve(containerId + ".ports");
        if (ports.isEmpty()) {
            Files.deleteIfExists(f);
            return;
        }
        StringBuilder s = new StringBuilder();
        for (PortMapping p : ports)
            s.append(p.hostIp() == null ? "" : p.hostIp()).append('|').append(p.hostPort()).append('|').append(p.containerPort())
                    .append('|').append(p.protocol()).append('\n');
        Files.writeString(f, s);
    }

    static void forget(Path helperDir, String containerId) throws IOException {
        Files.deleteIfExists(helperDir.resolve(containerId + ".ports"));
    }

    /** What the container's helper publishes (host ports as chosen); empty without a helper or ports. */
    public static List<PortMapping> of(Path networksRoot, String containerId) {
        List<PortMapping> out = new ArrayList<>();
        for (String helper : HELPERS) {
            List<String> lines;
            try {
                lines = Files.readAllLines(networksRoot.resolve(helper).resolve(containerId + ".ports"));
            } catch (NoSuchFileException none) {
                continue;
            } catch (IOException e) {
                throw new NetworkException("reading the published ports of container " + containerId + ": " + e.getMessage(), e);
            }
            for (String l : lines) {
                String[] f = l.split("\\|", -1);
                if (f.length != 4) continue; // a line cut by a crash mid-write
                out.add(new PortMapping(f[0].isEmpty() ? null : f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3]));
            }
        }
        return out;
    }
}
