package io.jcontainer.linux;

import io.jcontainer.ContainerStartException;
import io.jcontainer.IdMap;
import io.jcontainer.linux.launch.ControlChannel;
import io.jcontainer.linux.plan.Op;
import io.jcontainer.linux.plan.Plan;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.userns.SubordinateIds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JVM's side of {@code OP_WAIT_JVM}: while the sandbox's first process waits, run the setuid
 * helpers newuidmap/newgidmap (the one privileged host binary jcontainer may use) with its pid,
 * then let the launcher continue — or abort it and report the helper's own words.
 */
final class IdMapHelper {
    private static final long TIMEOUT_SECONDS = 10;

    private IdMapHelper() {
    }

    /** Handles MSG_CHILD; returns the launcher's next frame (STARTED or FAILED). */
    static ControlChannel.Frame run(Plan plan, ControlChannel control, int pid) {
        Op.WaitJvm op = plan.parent().stream().filter(Op.WaitJvm.class::isInstance).map(Op.WaitJvm.class::cast).findFirst()
                .orElse(null);
        String error = op == null ? "the launcher waited for the JVM, but the plan has nothing for it to do" : null;
        if (error == null) error = helper("newuidmap", pid, op.uidMap());
        if (error == null) error = helper("newgidmap", pid, op.gidMap());
        if (error == null) {
            control.sendCommand(ControlChannel.CMD_CONTINUE, 0);
            return control.read();
        }
        control.sendCommand(ControlChannel.CMD_ABORT, Errno.EPERM);
        control.read(); // the launcher's FAILED frame: it killed and reaped the child
        throw new ContainerStartException("mapping the ids of the sandbox's user namespace: " + error, null);
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
