package io.jcontainer.linux.hooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerStartException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link OciHook}: its program with exactly its argv and environment, the state JSON
 * on stdin, stdout and stderr collected together (the first {@value #OUTPUT_KEPT} bytes kept for
 * the error). A hook past its timeout is killed with everything it started; a hook that fails
 * throws a {@link ContainerStartException} naming the phase, the program, how it ended and what
 * it printed. Nothing of it is left running.
 */
public final class OciHookRunner {
    static final int OUTPUT_KEPT = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciHookRunner() {
    }

    /** The OCI state (runtime-spec runtime.md "State") a hook reads on stdin. */
    public static byte[] state(String id, String status, int pid, String bundle, Map<String, String> annotations) {
        ObjectNode s = JSON.createObjectNode();
        s.put("ociVersion", "1.2.0");
        s.put("id", id);
        s.put("status", status);
        if (pid > 0) s.put("pid", pid);
        s.put("bundle", bundle == null ? "" : bundle);
        if (annotations != null && !annotations.isEmpty()) s.putPOJO("annotations", annotations);
        try {
            return JSON.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void run(OciHook hook, String phase, byte[] state) {
        List<String> argv = hook.argv();
        String what = "OCI " + phase + " hook " + hook.path() + (argv.size() > 1 ? " " + String.join(" ", argv.subList(1, argv.size())) : "");
        ProcessBuilder pb = new ProcessBuilder(hook.path().toString()).redirectErrorStream(true);
        pb.command().addAll(argv.subList(1, argv.size()));
        pb.environment().clear();
        for (String e : hook.env()) pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ContainerStartException(what + " could not be run: " + e.getMessage(), e);
        }
        // argv[0] as OCI's args say: ProcessBuilder sets it to the path, which most hooks accept
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> drain(p.getInputStream(), out));
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(state);
            } catch (IOException ignored) {
                // the hook did not read its stdin: its business
            }
            boolean done = hook.timeout() == null ? p.waitFor(Long.MAX_VALUE, TimeUnit.DAYS)
                    : p.waitFor(hook.timeout().toNanos(), TimeUnit.NANOSECONDS);
            if (!done) {
                kill(p);
                reader.join(1000);
                throw new ContainerStartException(what + " did not finish within " + hook.timeout().toMillis() + " ms and was killed"
                        + output(out), null);
            }
            reader.join(5000);
            if (p.exitValue() != 0) throw new ContainerStartException(what + " exited with " + p.exitValue() + output(out), null);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ContainerStartException(what + " was interrupted", e);
        } finally {
            // what the hook started and left: nothing of it may outlive the start
            p.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static void kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
    }

    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[8192];
        try (in) {
            for (int n; (n = in.read(b)) >= 0; ) {
                synchronized (out) {
                    int keep = Math.min(n, OUTPUT_KEPT - out.size());
                    if (keep > 0) out.write(b, 0, keep);
                }
            }
        } catch (IOException ignored) {
            // the hook is gone
        }
    }

    private static String output(ByteArrayOutputStream out) {
        String s;
        synchronized (out) {
            s = out.toString(StandardCharsets.UTF_8).strip();
        }
        return s.isEmpty() ? " (no output)" : ": " + s;
    }
}
