package io.jcontainer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run inside an already running container ({@link Container#exec(ExecSpec)}, docker's
 * {@code exec}). It joins every namespace and the cgroup of the container and runs with the same
 * security (capabilities, seccomp, no_new_privs) as its first process. Environment, working
 * directory and user default to the container's; {@link #env()} is added on top of its environment.
 * {@link #consoleSize()} is its terminal's initial size (OCI {@code process.consoleSize} of runc's
 * {@code exec --process}), or null for the container's; without a terminal it says nothing.
 */
public record ExecSpec(List<String> command, Map<String, String> env, String workingDir, String user,
                       Stdio stdin, Stdio stdout, Stdio stderr, boolean tty, ProcessSpec.ConsoleSize consoleSize) {
    public ExecSpec {
        command = List.copyOf(command);
        if (command.isEmpty()) throw new InvalidSpecException("command", "exec needs a command");
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        if (workingDir != null && !workingDir.startsWith("/"))
            throw new InvalidSpecException("workingDir", "the working directory must be absolute: " + workingDir);
    }

    public ExecSpec(List<String> command, Map<String, String> env, String workingDir, String user, Stdio stdin, Stdio stdout, Stdio stderr,
                    boolean tty) {
        this(command, env, workingDir, user, stdin, stdout, stderr, tty, null);
    }

    public ExecSpec(List<String> command, Map<String, String> env, String workingDir, String user, Stdio stdin, Stdio stdout, Stdio stderr) {
        this(command, env, workingDir, user, stdin, stdout, stderr, false);
    }

    /** {@code command} with the container's env, directory and user; stdin /dev/null, stdout and stderr piped. */
    public static ExecSpec of(String... command) {
        return new ExecSpec(List.of(command), Map.of(), null, null, Stdio.NULL, Stdio.PIPE, Stdio.PIPE);
    }

    public ExecSpec withEnv(String key, String value) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put(key, value);
        return new ExecSpec(command, e, workingDir, user, stdin, stdout, stderr, tty, consoleSize);
    }

    public ExecSpec withWorkingDir(String dir) {
        return new ExecSpec(command, env, dir, user, stdin, stdout, stderr, tty, consoleSize);
    }

    /** {@code uid[:gid]} or {@code name[:group]}, resolved against the container's /etc/passwd. */
    public ExecSpec withUser(String user) {
        return new ExecSpec(command, env, workingDir, user, stdin, stdout, stderr, tty, consoleSize);
    }

    /** A pseudo-terminal as its stdin/stdout/stderr (docker exec -t): its stdin()/stdout() are the master side. */
    public ExecSpec withTty(boolean on) {
        return new ExecSpec(command, env, workingDir, user, stdin, stdout, stderr, on, consoleSize);
    }

    /** The terminal's initial size (with {@link #withTty(boolean)}); null: the container's. */
    public ExecSpec withConsoleSize(ProcessSpec.ConsoleSize size) {
        return new ExecSpec(command, env, workingDir, user, stdin, stdout, stderr, tty, size);
    }

    public ExecSpec withStdio(Stdio in, Stdio out, Stdio err) {
        return new ExecSpec(command, env, workingDir, user, in, out, err, tty, consoleSize);
    }
}
