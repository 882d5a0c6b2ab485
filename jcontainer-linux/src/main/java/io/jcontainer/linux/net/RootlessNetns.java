package io.jcontainer.linux.net;

import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * An ordinary user's rootless network namespace (podman's rootless-netns): a user namespace in
 * which the user is root and a network namespace owned by it, kept by a holder process — the
 * launcher binary run as {@code --netns-holder} (launcher's {@code holder.c}) — where the
 * bridges of the user's networks live. The JVM may not enter either namespace (an ordinary
 * user's process cannot setns into a network namespace, and a multithreaded one into no user
 * namespace at all), so the holder hands it what only a process inside can make: route sockets
 * opened there or in a container's network namespace, and its user namespace's descriptor, which
 * the launcher joins before clone so that the container's namespaces are owned by it. Every
 * netlink request is then this JVM's, on those sockets.
 *
 * <p>Started on demand by the first container on a network (under the networks' lock), ended
 * ({@link #quit}) when no endpoint remains; a holder that died leaves only its socket file, and
 * the next start makes a new one (its namespaces, and with them every bridge and veth, went with
 * it). Files: {@code <networks>/rootless/holder.sock} (0600, in the user's own directory).
 */
public final class RootlessNetns {
    private static final long START_TIMEOUT_MILLIS = 10_000;
    private final Syscalls sys;
    private final Path dir;
    private final Supplier<String> launcher;

    /** @param launcher the launcher binary's path (the runtime's sealed memfd), asked only when a holder must start */
    public RootlessNetns(Syscalls sys, Path networksRoot, Supplier<String> launcher) {
        this.sys = sys;
        this.dir = networksRoot.resolve("rootless");
        this.launcher = launcher;
    }

    Path socket() {
        return dir.resolve("holder.sock");
    }

    /** Whether a holder answers now (one round trip). */
    public boolean running() {
        try {
            int[] r = sys.unixRequest(socket().toString(), new byte[]{'P'}, -1);
            sys.closeQuietly(r[1]);
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }

    /** Starts a holder unless one answers. Called under the networks' lock: two JVMs never start two. */
    void ensure() {
        if (running()) return;
        String path = launcher.get();
        Path log = dir.resolve("holder.log");
        int devNull = -1, out = -1, child;
        List<String> argv = List.of(path, "--netns-holder", socket().toString(), Integer.toString(sys.geteuid()), Integer.toString(sys.getegid()));
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(socket()); // a holder killed by SIGKILL left it
            devNull = sys.open("/dev/null", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
            out = sys.open(log.toString(), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_TRUNC | Syscalls.O_CLOEXEC, 0600);
            child = sys.spawn(path, new int[]{devNull, out, out}, argv, List.of());
        } catch (IOException | SyscallException e) {
            throw new NetworkException("starting the rootless network namespace's holder (" + String.join(" ", argv) + "): " + e.getMessage(), e);
        } finally {
            sys.closeQuietly(devNull);
            sys.closeQuietly(out);
        }
        // its first process exits once the holder listens (0), or with the reason in the log (1)
        Syscalls.WaitStatus st = null;
        long deadline = System.nanoTime() + START_TIMEOUT_MILLIS * 1_000_000;
        for (long sleep = 1; st == null; sleep = Math.min(sleep * 2, 20)) {
            st = sys.waitPid(child, true);
            if (st != null) break;
            if (System.nanoTime() > deadline) {
                sys.kill(child, 9);
                sys.waitPid(child, false);
                throw new NetworkException("the rootless network namespace's holder did not start within " + START_TIMEOUT_MILLIS / 1000 + " s");
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String said;
        try {
            said = Files.readString(log, StandardCharsets.UTF_8).strip();
            Files.deleteIfExists(log);
        } catch (IOException e) {
            said = "";
        }
        if (st.code() != Syscalls.WaitStatus.CLD_EXITED || st.status() != 0)
            throw new NetworkException("the rootless network namespace's holder failed to start"
                    + (said.isEmpty() ? " (status " + st.status() + ")" : ": " + said)
                    + " — user namespaces must be allowed to ordinary users (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone)");
    }

    /** A route socket in the holder's network namespace (where the bridges are). */
    Rtnetlink routeSocket() {
        return Rtnetlink.adopt(sys, request('R', -1, "a route socket in the rootless network namespace"));
    }

    /** A route socket in the network namespace {@code netnsFd} (a container's, owned by the holder's user namespace). */
    Rtnetlink routeSocketIn(int netnsFd) {
        return Rtnetlink.adopt(sys, request('J', netnsFd, "a route socket in the container's network namespace"));
    }

    /** The descriptor of the holder's user namespace (the caller closes it). */
    int userNamespace() {
        return request('U', -1, "the rootless network namespace's user namespace");
    }

    /** Ends the holder, if one runs: its namespaces go when nothing else holds them. */
    void quit() {
        try {
            int[] r = sys.unixRequest(socket().toString(), new byte[]{'Q'}, -1);
            sys.closeQuietly(r[1]);
        } catch (SyscallException notRunning) {
            // gone already
        }
        try {
            Files.deleteIfExists(socket());
        } catch (IOException ignored) {
            // the next start removes it
        }
    }

    private int request(char what, int fd, String asked) {
        int[] r;
        try {
            r = sys.unixRequest(socket().toString(), new byte[]{(byte) what}, fd);
        } catch (SyscallException e) {
            throw new NetworkException("asking the rootless network namespace's holder (" + socket() + ") for " + asked + ": " + e.getMessage(), e);
        }
        if (r[0] != 0 || r[1] < 0) {
            sys.closeQuietly(r[1]);
            throw new NetworkException("the rootless network namespace's holder could not make " + asked + ": errno " + -r[0]);
        }
        return r[1];
    }
}
