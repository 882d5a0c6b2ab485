package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.Proc;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Rootless networking through {@code slirp4netns}, where pasta is missing (or asked for by
 * {@code --network slirp4netns}): started by the JVM at the same stop as pasta, with the
 * container's first process as target (it joins that process's user and network namespaces),
 * it gives the namespace {@code tap0} at 10.0.2.100/24, the default route through 10.0.2.2 and
 * {@code lo} up. Unlike pasta it stays in the foreground: it writes "1" to its ready descriptor
 * once the namespace is configured, then each {@code -p} is an {@code add_hostfwd} request on
 * its API socket. It is recorded in {@code <networks>/slirp4netns/ID.pid} (its pid, then the
 * container's) and ended when the container is released ({@link #stop}), or by the sweep when the
 * container is gone. The host's loopback is not reachable from the container
 * ({@code --disable-host-loopback}, as podman does).
 */
public final class Slirp4netns {
    private static final long TIMEOUT_MILLIS = 10_000;
    private static final List<String> DIRS = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin");
    /** The container's address on slirp4netns's network (its default, network address + 100). */
    public static final String GUEST_ADDRESS = "10.0.2.100";

    private Slirp4netns() {
    }

    /** The slirp4netns binary, or null. */
    public static Path find() {
        for (String d : DIRS) {
            Path p = Path.of(d, "slirp4netns");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** The command line for the container whose first process is {@code pid}; "1" is written to fd 1 when it is ready. */
    static List<String> command(Path slirp, int pid, Path apiSocket) {
        return List.of(slirp.toString(), "--configure", "--mtu=65520", "--disable-host-loopback", "--ready-fd=1",
                "--api-socket", apiSocket.toString(), Integer.toString(pid), "tap0");
    }

    /** {@code add_hostfwd} for one published port (slirp4netns's API takes one request per connection). */
    static String hostfwd(PortMapping p) {
        return "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"" + p.protocol() + "\", \"host_addr\": \""
                + (p.hostIp() == null ? "0.0.0.0" : p.hostIp()) + "\", \"host_port\": " + p.hostPort()
                + ", \"guest_addr\": \"" + GUEST_ADDRESS + "\", \"guest_port\": " + p.containerPort() + "}}";
    }

    /**
     * Connects the network namespace of {@code pid}: returns when slirp4netns has configured it
     * and forwards every port, or throws what it said (and ends it). Host ports must be chosen already.
     */
    public static void attach(Syscalls sys, Path networksRoot, String containerId, int pid, List<PortMapping> ports) {
        Path slirp = find();
        if (slirp == null) throw new NetworkException("slirp4netns is not installed (apt-get install slirp4netns)");
        Pasta.checkOwnNamespaces(sys, pid, "slirp4netns");
        Path dir = networksRoot.resolve("slirp4netns");
        Path pidFile = dir.resolve(containerId + ".pid"), log = dir.resolve(containerId + ".log"), api = apiSocket(dir, containerId);
        List<String> cmd = command(slirp, pid, api);
        String command = String.join(" ", cmd);
        int devNull = -1, out = -1, child = -1, epoll = -1;
        int[] ready = null;
        boolean ok = false;
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(api);
            devNull = sys.open("/dev/null", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
            out = sys.open(log.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC | Syscalls.O_CLOEXEC, 0600);
            ready = sys.pipe();
            child = sys.spawn(slirp.toString(), new int[]{devNull, ready[1], out}, cmd, List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
            sys.closeQuietly(ready[1]);
            ready[1] = -1;
            // recorded at once: whatever fails from here on, stop() finds it
            Files.writeString(pidFile, child + " " + pid + "\n");
            epoll = sys.epollCreate();
            sys.epollAdd(epoll, ready[0], 0);
            long[] events = new long[1];
            byte[] b = new byte[1];
            if (sys.epollWait(epoll, events, (int) TIMEOUT_MILLIS) == 0)
                throw new NetworkException(command + " did not configure the container's network within " + TIMEOUT_MILLIS / 1000 + " s");
            if (sys.read(ready[0], b, 0, 1) != 1 || b[0] != '1') {
                Syscalls.WaitStatus st = sys.waitPid(child, false);
                child = -1;
                throw new NetworkException(command + " failed (" + (st.exited() ? "exit " : "signal ") + st.status() + ")"
                        + (read(log).isEmpty() ? "" : ": " + read(log)));
            }
            for (PortMapping p : ports) {
                String answer = request(api, hostfwd(p));
                if (!answer.contains("\"return\""))
                    throw new NetworkException("slirp4netns could not publish " + p + " (" + api + "): " + answer.strip());
            }
            HelperPorts.record(dir, containerId, ports); // port and inspect read them (no rule holds them)
            ok = true;
        } catch (IOException | SyscallException e) {
            throw new NetworkException("starting " + command + ": " + e.getMessage(), e);
        } finally {
            sys.closeQuietly(devNull);
            sys.closeQuietly(out);
            sys.closeQuietly(epoll);
            if (ready != null) {
                sys.closeQuietly(ready[0]);
                sys.closeQuietly(ready[1]);
            }
            if (!ok) stop(sys, networksRoot, containerId);
        }
    }

    /** The API socket: named by the id's first 12 digits, as sun_path holds at most 107 bytes. */
    static Path apiSocket(Path dir, String containerId) {
        return dir.resolve(containerId.substring(0, Math.min(12, containerId.length())) + ".sock");
    }

    /** One request on the API socket, and its answer (the server closes after answering). */
    private static String request(Path api, String json) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(api));
            ch.write(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (in.hasRemaining() && ch.read(in) > 0) {
                // until the server closes
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Ends the slirp4netns of {@code containerId}, if one was recorded and it is still that
     * program (its command line names this container's API socket); reaps it when it is our child.
     */
    public static void stop(Syscalls sys, Path networksRoot, String containerId) {
        Path dir = networksRoot.resolve("slirp4netns");
        Path pidFile = dir.resolve(containerId + ".pid");
        if (!Files.exists(pidFile)) return;
        try {
            int slirp = Integer.parseInt(Files.readString(pidFile).strip().split(" ")[0]);
            Proc proc = new Proc(sys);
            String cmdline = proc.read("/proc/" + slirp + "/cmdline");
            if (cmdline != null && cmdline.contains(apiSocket(dir, containerId).toString())) {
                sys.kill(slirp, 15);
                String stat = proc.read("/proc/" + slirp + "/stat");
                // our child (this JVM started it): reaped here, not left a zombie
                if (stat != null && stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1].equals(Long.toString(ProcessHandle.current().pid())))
                    sys.waitPid(slirp, false);
            }
            HelperPorts.forget(dir, containerId);
            Files.deleteIfExists(pidFile);
            Files.deleteIfExists(apiSocket(dir, containerId));
            Files.deleteIfExists(dir.resolve(containerId + ".log"));
        } catch (IOException | NumberFormatException | SyscallException e) {
            throw new NetworkException("stopping the slirp4netns of container " + containerId + " (" + pidFile + "): " + e.getMessage(), e);
        }
    }

    /**
     * Ends every slirp4netns whose container's first process is gone (a JVM that ended before
     * releasing it: slirp4netns does not end by itself while it holds the namespace's tap).
     */
    public static void sweep(Syscalls sys, Path networksRoot) {
        Path dir = networksRoot.resolve("slirp4netns");
        if (!Files.isDirectory(dir)) return;
        try (var ls = Files.newDirectoryStream(dir, "*.pid")) {
            for (Path f : ls) {
                String[] pids = Files.readString(f).strip().split(" ");
                if (pids.length == 2 && !Files.exists(Path.of("/proc", pids[1]))) {
                    String name = f.getFileName().toString();
                    stop(sys, networksRoot, name.substring(0, name.length() - ".pid".length()));
                }
            }
        } catch (IOException e) {
            throw new NetworkException("sweeping " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
