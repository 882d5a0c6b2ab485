package io.jcontainer;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What runs: OCI's {@code process}. Immutable; the builder's setters replace it with the
 * {@code with...} copies.
 *
 * @param args            argv; args[0] is looked up in the payload's PATH when it has no '/'
 * @param env             variables beside the runtime's PATH, HOSTNAME and HOME (which these override)
 * @param cwd             the working directory inside the container, or null for {@code /}
 * @param user            uid/gid, supplementary groups, umask
 * @param capabilities    the five capability sets
 * @param rlimits         resource limits (setrlimit(2)), one per name
 * @param noNewPrivileges PR_SET_NO_NEW_PRIVS
 * @param terminal        stdin, stdout and stderr are one pseudo-terminal (docker {@code -t})
 * @param consoleSize     the terminal's initial size, or null
 */
public record ProcessSpec(List<String> args, Map<String, String> env, String cwd, UserSpec user, CapabilitySets capabilities,
                          List<Rlimit> rlimits, boolean noNewPrivileges, boolean terminal, ConsoleSize consoleSize) {

    /**
     * What execve(2) accepts: one argument or variable at most MAX_ARG_STRLEN (32 pages), all of
     * them together within the kernel's ARG_MAX share of the stack (a quarter of 8 MiB by
     * default); the launcher's plan (4 MiB) holds them comfortably below that.
     */
    public static final int MAX_STRING_BYTES = 32 * 4096, MAX_TOTAL_BYTES = 2 * 1024 * 1024 - 64 * 1024;

    private static final Pattern ENV_NAME = Pattern.compile("[^=\\x00]+");

    public static final ProcessSpec DEFAULT = new ProcessSpec(List.of(), Map.of(), null, UserSpec.ROOT,
            CapabilitySets.dockerDefaults(), List.of(), false, false, null);

    /** A terminal's size in characters. */
    public record ConsoleSize(int height, int width) {
        public ConsoleSize {
            if (height <= 0 || width <= 0 || height > 0xffff || width > 0xffff)
                throw new InvalidSpecException("consoleSize", "must be between 1 and 65535, got " + height + "x" + width);
        }
    }

    public ProcessSpec {
        args = Checks.list("command", args);
        for (String a : args) Checks.noNul("command", a);
        env = Checks.map("env", env);
        env.forEach((k, v) -> {
            if (!ENV_NAME.matcher(k).matches()) throw new InvalidSpecException("env", "invalid variable name '" + k.replace('\0', '?') + "'");
            if (v.indexOf('\0') >= 0) throw new InvalidSpecException("env", k + ": value contains a NUL byte");
        });
        if (cwd != null) Checks.absolute("workingDir", cwd);
        if (user == null) throw new InvalidSpecException("user", "null; use UserSpec.ROOT");
        if (capabilities == null) throw new InvalidSpecException("capabilities", "null");
        rlimits = Checks.list("rlimits", rlimits);
        checkSizes(args, env);
    }

    /** Refuses, before any start, an argv or environment execve(2) would refuse (E2BIG). */
    private static void checkSizes(List<String> args, Map<String, String> env) {
        long total = 0;
        for (String a : args) {
            int n = Checks.utf8(a) + 1;
            if (n > MAX_STRING_BYTES)
                throw new InvalidSpecException("command", "an argument of " + n + " bytes exceeds the kernel's " + MAX_STRING_BYTES + "-byte limit per argument");
            total += n + 8;
        }
        for (var e : env.entrySet()) {
            int n = Checks.utf8(e.getKey()) + Checks.utf8(e.getValue()) + 2;
            if (n > MAX_STRING_BYTES)
                throw new InvalidSpecException("env", e.getKey() + ": " + n + " bytes exceeds the kernel's " + MAX_STRING_BYTES + "-byte limit per variable");
            total += n + 8;
        }
        if (total > MAX_TOTAL_BYTES)
            throw new InvalidSpecException("env", "the command and environment take " + total + " bytes; execve accepts at most "
                    + MAX_TOTAL_BYTES + " (pass large data in a file or on stdin)");
    }

    public ProcessSpec withArgs(List<String> v) { return new ProcessSpec(v, env, cwd, user, capabilities, rlimits, noNewPrivileges, terminal, consoleSize); }
    public ProcessSpec withEnv(Map<String, String> v) { return new ProcessSpec(args, v, cwd, user, capabilities, rlimits, noNewPrivileges, terminal, consoleSize); }
    public ProcessSpec withCwd(String v) { return new ProcessSpec(args, env, v, user, capabilities, rlimits, noNewPrivileges, terminal, consoleSize); }
    public ProcessSpec withUser(UserSpec v) { return new ProcessSpec(args, env, cwd, v, capabilities, rlimits, noNewPrivileges, terminal, consoleSize); }
    public ProcessSpec withCapabilities(CapabilitySets v) { return new ProcessSpec(args, env, cwd, user, v, rlimits, noNewPrivileges, terminal, consoleSize); }
    public ProcessSpec withRlimits(List<Rlimit> v) { return new ProcessSpec(args, env, cwd, user, capabilities, v, noNewPrivileges, terminal, consoleSize); }
    public ProcessSpec withNoNewPrivileges(boolean v) { return new ProcessSpec(args, env, cwd, user, capabilities, rlimits, v, terminal, consoleSize); }
    public ProcessSpec withTerminal(boolean v) { return new ProcessSpec(args, env, cwd, user, capabilities, rlimits, noNewPrivileges, v, consoleSize); }
    public ProcessSpec withConsoleSize(ConsoleSize v) { return new ProcessSpec(args, env, cwd, user, capabilities, rlimits, noNewPrivileges, terminal, v); }
}
