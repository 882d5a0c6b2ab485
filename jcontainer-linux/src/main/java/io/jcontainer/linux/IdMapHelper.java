package io.jcontainer.linux;

import io.jcontainer.ContainerStartException;
import io.jcontainer.IdMap;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;
import io.jcontainer.linux.userns.SubordinateIds;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Id maps through the setuid helpers newuidmap/newgidmap (the one privileged host binary
 * jcontainer may use): the JVM's work at the {@link io.jcontainer.linux.plan.HookPoint#CREATE_RUNTIME}
 * stop of a non-root JVM's start, while the container's first process waits. A failure names the
 * helper and carries its own words.
 *
 * <p>Spawned through the seam ({@link Syscalls#spawn}, as the launcher is — not ProcessBuilder,
 * whose fork/exec helper and reaper thread the JVM would add for a 1 ms program): stdin
 * /dev/null, stdout and stderr one pipe, reaped with waitid.
 */
final class IdMapHelper {
    private static final long TIMEOUT_MILLIS = 10_000;
    private static final int SIGKILL = 9;

    private IdMapHelper() {
    }

    /** Writes the maps of the process {@code pid}'s user namespace, or throws what the helper said. */
    static void map(Syscalls sys, int pid, List<IdMap> uidMap, List<IdMap> gidMap) {
        String error = helper(sys, "newuidmap", pid, uidMap);
        if (error == null) error = helper(sys, "newgidmap", pid, gidMap);
        if (error != null) throw new ContainerStartException("mapping the ids of the container's user namespace: " + error, null);
    }

    /** Runs one helper; null on success, else what went wrong (with the helper's output). */
    static String helper(Syscalls sys, String name, int pid, List<IdMap> maps) {
        java.nio.file.Path path = SubordinateIds.helper(name);
        if (path == null) return name + " is not installed (apt-get install uidmap)";
        List<String> cmd = new ArrayList<>();
        cmd.add(path.toString());
        cmd.add(Integer.toString(pid));
        cmd.addAll(SubordinateIds.args(maps));
        String command = String.join(" ", cmd);
        int devNull = -1, child;
        int[] out = null;
        try {
            devNull = sys.open("/dev/null", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC, 0);
            out = sys.pipe();
            child = sys.spawn(path.toString(), new int[]{devNull, out[1], out[1]}, cmd, List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        } catch (SyscallException e) {
            sys.closeQuietly(devNull);
            if (out != null) {
                sys.closeQuietly(out[0]);
                sys.closeQuietly(out[1]);
            }
            return "cannot run " + command + ": " + e.getMessage();
        }
        sys.closeQuietly(devNull);
        sys.closeQuietly(out[1]);
        try {
            Syscalls.WaitStatus st = awaitExit(sys, child);
            if (st == null) return command + " did not finish within " + TIMEOUT_MILLIS / 1000 + " s";
            String said = drain(sys, out[0]);
            if (st.code() != Syscalls.WaitStatus.CLD_EXITED)
                return command + " was killed by signal " + st.status() + (said.isEmpty() ? "" : ": " + said);
            if (st.status() != 0) return command + " exited with " + st.status() + (said.isEmpty() ? "" : ": " + said);
            return null;
        } finally {
            sys.closeQuietly(out[0]);
        }
    }

    /** The helper's exit, or null when it ran past the timeout (then killed and reaped). */
    private static Syscalls.WaitStatus awaitExit(Syscalls sys, int child) {
        long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000;
        boolean interrupted = false;
        try {
            for (long sleep = 1; ; sleep = Math.min(sleep * 2, 50)) {
                Syscalls.WaitStatus st = sys.waitPid(child, true);
                if (st != null) return st;
                if (System.nanoTime() > deadline) {
                    sys.kill(child, SIGKILL);
                    sys.waitPid(child, false);
                    return null;
                }
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    interrupted = true; // the helper is quick; finish it rather than leave it unreaped
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** What the helper wrote (it has exited: the pipe's write end is closed everywhere). */
    private static String drain(Syscalls sys, int fd) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; b.size() < 65536 && (n = sys.read(fd, buf, 0, buf.length)) > 0; ) b.write(buf, 0, n);
        } catch (SyscallException e) {
            // what was read is what it said
        }
        return b.toString(StandardCharsets.UTF_8).strip();
    }
}
