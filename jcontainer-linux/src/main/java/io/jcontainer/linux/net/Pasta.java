package io.jcontainer.linux.net;

import io.jcontainer.HostUnsupportedException;
import io.jcontainer.linux.sys.Proc;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Rootless networking through {@code pasta} (Debian {@code passt}): an ordinary user's container
 * keeps its own network namespace (in its user namespace) and pasta, started by the JVM at the
 * {@code CREATE_RUNTIME} stop with the container's first process as target, joins both, gives the
 * namespace a tap interface with the host's addresses and routes copied, and forwards outbound
 * traffic through ordinary sockets of the user — and each {@code -p} from a socket it binds on
 * the host side. Its front process exits once the namespace is configured (the container then
 * goes on); the daemon it leaves is recorded in {@code <networks>/pasta/ID.pid} and ended when
 * the container is released ({@link #stop}).
 */
public final class Pasta {
    private static final long TIMEOUT_MILLIS = 10_000;
    private static final List<String> DIRS = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin");

    private Pasta() {
    }

    /** The pasta binary, or null. */
    public static Path find() {
        for (String d : DIRS) {
            Path p = Path.of(d, "pasta");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** What {@code info} says of rootless networking on this host. */
    public static String describe() {
        Path p = find(), s = Slirp4netns.find();
        return p != null ? "pasta (" + p + ")" : s != null ? "slirp4netns (" + s + ")"
                : "none (install passt or slirp4netns for networking as an ordinary user)";
    }

    /** Refuses a rootless start on a network before anything is made when pasta is missing. */
    public static Path require(String what) {
        Path p = find();
        if (p == null) throw new HostUnsupportedException(what + " as an ordinary user needs pasta, which is not installed",
                "apt-get install passt (or run with --network none)");
        return p;
    }

    /** The helper joins the namespaces of pid: they must be the container's own by now, never this JVM's. */
    static void checkOwnNamespaces(Syscalls sys, int pid, String helper) {
        Proc proc = new Proc(sys);
        for (String ns : List.of("net", "user")) {
            String theirs = proc.link("/proc/" + pid + "/ns/" + ns), ours = proc.link("/proc/self/ns/" + ns);
            if (theirs == null || theirs.equals(ours))
                throw new NetworkException("the container's " + ns + " namespace (/proc/" + pid + "/ns/" + ns + " = " + theirs
                        + ") is not its own yet: refusing to let " + helper + " configure it");
        }
    }

    /**
     * The helper for an ordinary user's start on {@code network}: {@code pasta} or
     * {@code slirp4netns} when named, else (docker's {@code bridge}) pasta where installed and
     * slirp4netns where only it is. Refused before anything is made when the one needed is
     * missing, naming what to install.
     */
    public static String choose(String network, String what) {
        boolean pasta = find() != null, slirp = Slirp4netns.find() != null;
        if (network.equals("pasta")) {
            require(what);
            return "pasta";
        }
        if (network.equals("slirp4netns")) {
            if (!slirp) throw new HostUnsupportedException(what + " as an ordinary user needs slirp4netns, which is not installed",
                    "apt-get install slirp4netns (or use pasta: apt-get install passt)");
            return "slirp4netns";
        }
        if (pasta) return "pasta";
        if (slirp) return "slirp4netns";
        throw new HostUnsupportedException(what + " as an ordinary user needs pasta or slirp4netns, and neither is installed",
                "apt-get install passt (pasta) or apt-get install slirp4netns (or run with --network none)");
    }

    /** The command line for the container whose first process is {@code pid}. */
    static List<String> command(Path pasta, int pid, List<PortMapping> ports, Path pidFile) {
        return command(pasta, pid, ports, pidFile, null);
    }

    /** @param ifname the namespace interface's name ({@code -I}), or null: the host's outbound interface's */
    static List<String> command(Path pasta, int pid, List<PortMapping> ports, Path pidFile, String ifname) {
        List<String> cmd = new ArrayList<>(List.of(pasta.toString(), "--config-net", "--quiet", "--pid", pidFile.toString()));
        if (ifname != null) cmd.addAll(List.of("-I", ifname));
        for (PortMapping p : ports) {
            cmd.add(p.protocol().equals("udp") ? "-u" : "-t");
            cmd.add((p.hostIp() == null ? "" : p.hostIp() + "/") + p.hostPort() + ":" + p.containerPort());
        }
        cmd.add(Integer.toString(pid));
        return cmd;
    }

    /**
     * Connects the network namespace of {@code pid} (and joins its user namespace): returns when
     * pasta has configured it, or throws what pasta said. Host ports must be chosen already.
     */
    public static void attach(Syscalls sys, Path networksRoot, String containerId, int pid, List<PortMapping> ports) {
        attach(sys, networksRoot, containerId, pid, ports, null);
    }

    /**
     * As above, with pasta's interface named {@code ifname} (a container on an ordinary user's
     * network has {@code eth0} on the bridge already).
     */
    public static void attach(Syscalls sys, Path networksRoot, String containerId, int pid, List<PortMapping> ports, String ifname) {
        Path pasta = require("a network");
        checkOwnNamespaces(sys, pid, "pasta");
        Path dir = networksRoot.resolve("pasta");
        Path pidFile = dir.resolve(containerId + ".pid"), log = dir.resolve(containerId + ".log");
        List<String> cmd = command(pasta, pid, ports, pidFile, ifname);
        String command = String.join(" ", cmd);
        int devNull = -1, out = -1, child;
        try {
            Files.createDirectories(dir);
            devNull = sys.open("/dev/null", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
            // a file, not a pipe: the daemon pasta leaves behind would hold a pipe open
            out = sys.open(log.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC | Syscalls.O_CLOEXEC, 0600);
            child = sys.spawn(pasta.toString(), new int[]{devNull, out, out}, cmd, List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        } catch (IOException | SyscallException e) {
            throw new NetworkException("starting " + command + ": " + e.getMessage(), e);
        } finally {
            sys.closeQuietly(devNull);
            sys.closeQuietly(out);
        }
        Syscalls.WaitStatus st = awaitExit(sys, child);
        String said = read(log);
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a log of a few lines; the release removes the directory's files
        }
        if (st == null) throw new NetworkException(command + " did not configure the container's network within " + TIMEOUT_MILLIS / 1000 + " s");
        if (st.code() != Syscalls.WaitStatus.CLD_EXITED || st.status() != 0)
            throw new NetworkException(command + " failed (" + (st.code() == Syscalls.WaitStatus.CLD_EXITED ? "exit " : "signal ") + st.status() + ")"
                    + (said.isEmpty() ? "" : ": " + said));
        try {
            HelperPorts.record(dir, containerId, ports); // port and inspect read them (no rule holds them)
        } catch (IOException e) {
            throw new NetworkException("recording the ports pasta publishes for container " + containerId + ": " + e.getMessage(), e);
        }
    }

    /** Ends the pasta of {@code containerId}, if one was recorded and it is still that program. */
    public static void stop(Syscalls sys, Path networksRoot, String containerId) {
        Path pidFile = networksRoot.resolve("pasta").resolve(containerId + ".pid");
        if (!Files.exists(pidFile)) return;
        try {
            int pid = Integer.parseInt(Files.readString(pidFile).strip());
            // still the pasta started for this container (its command line names this pid file), not a recycled pid
            String cmdline = new Proc(sys).read("/proc/" + pid + "/cmdline");
            if (cmdline != null && cmdline.contains(pidFile.toString())) sys.kill(pid, 15);
            HelperPorts.forget(pidFile.getParent(), containerId);
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException | SyscallException e) {
            throw new NetworkException("stopping the pasta of container " + containerId + " (" + pidFile + "): " + e.getMessage(), e);
        }
    }

    private static String read(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            // old versions complain of a missing syslog on every line: noise, not the reason
            return String.join("\n", s.lines().filter(l -> !l.startsWith("Failed to send ")).toList()).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static Syscalls.WaitStatus awaitExit(Syscalls sys, int child) {
        long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000;
        for (long sleep = 1; ; sleep = Math.min(sleep * 2, 20)) {
            Syscalls.WaitStatus st = sys.waitPid(child, true);
            if (st != null) return st;
            if (System.nanoTime() > deadline) {
                sys.kill(child, 9);
                sys.waitPid(child, false);
                return null;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sys.kill(child, 9);
                sys.waitPid(child, false);
                throw new NetworkException("interrupted while pasta configured the container's network");
            }
        }
    }
}
