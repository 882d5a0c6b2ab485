package io.jcontainer.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** ./jcontainer as a subprocess (after `package`), with its own state directory: for the *IT tests. */
final class CliProcess {
    private CliProcess() {
    }

    record Result(int code, String out, String err) {
    }

    static Result run(Path stateDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of("..", "jcontainer").toAbsolutePath().normalize().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        pb.environment().put("JCONTAINER_STATE_DIR", stateDir.toString());
        // loopback only unless a test asks: a default bridge would be made in the namespace the test runs in
        pb.environment().put("JCONTAINER_DEFAULT_NETWORK", "none");
        return collect(pb, "jcontainer " + String.join(" ", args));
    }

    /** Runs {@code pb} with stdin from /dev/null; its exit status and both outputs, within 60 s. */
    static Result collect(ProcessBuilder pb, String what) throws Exception {
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var err = new CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                err.complete(e.toString());
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }

    /** rm -f of everything the state directory records. */
    static void removeAll(Path stateDir) throws Exception {
        for (String id : run(stateDir, "ps", "-a", "-q", "--no-trunc").out().split("\n")) if (!id.isBlank()) run(stateDir, "rm", "-f", id);
    }
}
