package io.jcontainer.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker client (package docker.io; only its client: no dockerd is ever started), run
 * against a jcontainer API server. Its config directory is a fresh one, so nothing of the user's
 * (contexts, credentials) takes part.
 */
final class DockerCli {
    /** Debian's client, not another docker that may come first on PATH. */
    static final Path DOCKER = Path.of("/usr/bin/docker");

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private final Map<String, String> env;

    DockerCli(Map<String, String> env) {
        this.env = env;
    }

    static DockerCli unix(Path socket, Path configDir) {
        return new DockerCli(Map.of("DOCKER_HOST", "unix://" + socket, "DOCKER_CONFIG", configDir.toString()));
    }

    static boolean available() {
        return Files.isExecutable(DOCKER);
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(null, args);
    }

    /** {@code sh -c SCRIPT} with this client's environment: pipes between docker commands ({@code save | load}). */
    Result shell(String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("docker-out", ".txt"), err = Files.createTempFile("docker-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("sh -c " + script + " did not finish within 120 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A docker command left running (attach, logs -f, events), its stderr merged into its stdout. */
    Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(DOCKER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * docker with {@code args}; {@code "@script", "ARGS"} runs {@code docker ARGS} under {@code script}
     * (util-linux), on a terminal of its own (what -t needs); {@code script -e} passes its exit code on.
     */
    Result run(byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (args.length == 2 && args[0].equals("@script")) {
            cmd.addAll(List.of("script", "-qec", DOCKER + " " + args[1], "/dev/null"));
        } else {
            cmd.add(DOCKER.toString());
            cmd.addAll(List.of(args));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("docker-out", ".txt"), err = Files.createTempFile("docker-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (stdin != null) try (var o = p.getOutputStream()) {
                o.write(stdin);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("docker " + String.join(" ", args) + " did not finish within 60 s; stderr: " + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
