package io.jcontainer.linux.hooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerStartException;

import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.ProgramRun;
import io.jcontainer.linux.sys.SyscallException;
import io.jcontainer.linux.sys.Syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Runs one {@link OciHook}: its program with exactly its argv and environment, the state JSON
 * on stdin, stdout and stderr collected together (the first {@value #OUTPUT_KEPT} bytes kept for
 * the error). A hook past its timeout is killed with everything it started; a hook that fails
 * throws a {@link ContainerStartException} naming the phase, the program, how it ended and what
 * it printed. Nothing of it is left running.
 */
public final class OciHookRunner {
    static final int OUTPUT_KEPT = 16 * 1024;
    /** In a holder: an ObjectMapper costs a CLI verb tens of ms the first time, and this class is
     * loaded on paths (ps, inspect, the start) that do not all print or parse JSON with it. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private OciHookRunner() {
    }

    /** The OCI state (runtime-spec runtime.md "State") a hook reads on stdin. */
    public static byte[] state(String id, String status, int pid, String bundle, Map<String, String> annotations) {
        ObjectNode s = Json.JSON.createObjectNode();
        s.put("ociVersion", "1.2.0");
        s.put("id", id);
        s.put("status", status);
        if (pid > 0) s.put("pid", pid);
        s.put("bundle", bundle == null ? "" : bundle);
        if (annotations != null && !annotations.isEmpty()) s.putPOJO("annotations", annotations);
        try {
            return Json.JSON.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void run(OciHook hook, String phase, byte[] state) {
        run(NativeSyscalls.INSTANCE, hook, phase, state);
    }

    /** Through the seam ({@link ProgramRun}): the hook, and whatever it left in its process group, ends with the call. */
    static void run(Syscalls sys, OciHook hook, String phase, byte[] state) {
        List<String> argv = hook.argv();
        String what = "OCI " + phase + " hook " + hook.path() + (argv.size() > 1 ? " " + String.join(" ", argv.subList(1, argv.size())) : "");
        ProgramRun.Result r;
        try {
            r = ProgramRun.run(sys, hook.path().toString(), argv, hook.env(), state, hook.timeout(), OUTPUT_KEPT);
        } catch (SyscallException e) {
            throw new ContainerStartException(what + " could not be run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerStartException(what + " was interrupted", e);
        }
        if (r.timedOut())
            throw new ContainerStartException(what + " did not finish within " + hook.timeout().toMillis() + " ms and was killed" + output(r), null);
        if (!r.exited()) throw new ContainerStartException(what + " was killed by signal " + r.status() + output(r), null);
        if (r.status() != 0) throw new ContainerStartException(what + " exited with " + r.status() + output(r), null);
    }

    private static String output(ProgramRun.Result r) {
        String s = r.output().strip();
        return s.isEmpty() ? " (no output)" : ": " + s;
    }
}
