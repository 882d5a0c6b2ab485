package io.jcontainer.linux;

import io.jcontainer.ContainerStartException;
import io.jcontainer.IdMap;
import io.jcontainer.linux.userns.SubordinateIds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Id maps through the setuid helpers newuidmap/newgidmap (the one privileged host binary
 * jcontainer may use): the JVM's work at the {@link io.jcontainer.linux.plan.HookPoint#CREATE_RUNTIME}
 * stop of a non-root JVM's start, while the container's first process waits. A failure names the
 * helper and carries its own words.
 */
final class IdMapHelper {
    private static final long TIMEOUT_SECONDS = 10;

    private IdMapHelper() {
    }

    /** Writes the maps of the process {@code pid}'s user namespace, or throws what the helper said. */
    static void map(int pid, List<IdMap> uidMap, List<IdMap> gidMap) {
        String error = helper("newuidmap", pid, uidMap);
        if (error == null) error = helper("newgidmap", pid, gidMap);
        if (error != null) throw new ContainerStartException("mapping the ids of the container's user namespace: " + error, null);
    }

    /** Runs one helper; null on success, else what went wrong (with the helper's stderr). */
    private static String helper(String name, int pid, List<IdMap> maps) {
        List<String> cmd = new ArrayList<>();
        java.nio.file.Path path = SubordinateIds.helper(name);
        cmd.add(path == null ? name : path.toString());
        cmd.add(Integer.toString(pid));
        cmd.addAll(SubordinateIds.args(maps));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return String.join(" ", cmd) + " did not finish within " + TIMEOUT_SECONDS + " s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) return String.join(" ", cmd) + " exited with " + p.exitValue() + (out.isEmpty() ? "" : ": " + out);
            return null;
        } catch (IOException e) {
            return "cannot run " + String.join(" ", cmd) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while running " + name;
        }
    }
}
