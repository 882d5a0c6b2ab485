package io.jcontainer;

/**
 * docker's {@code --restart}: whether a detached container's monitor starts its command again
 * when it exits. A manual stop (or kill, or removal) disables the policy, as docker's does.
 *
 * @param mode       when to restart
 * @param maxRetries for {@link Mode#ON_FAILURE}: at most this many restarts (0: no limit)
 */
public record RestartPolicy(Mode mode, int maxRetries) {
    public enum Mode { NO, ON_FAILURE, ALWAYS }

    public static final RestartPolicy NO = new RestartPolicy(Mode.NO, 0);
    public static final RestartPolicy ALWAYS = new RestartPolicy(Mode.ALWAYS, 0);

    public RestartPolicy {
        if (mode == null) throw new InvalidSpecException("restart", "mode is null");
        if (maxRetries < 0) throw new InvalidSpecException("restart", "maximum retry count cannot be negative");
        if (maxRetries > 0 && mode != Mode.ON_FAILURE)
            throw new InvalidSpecException("restart", "maximum retry count cannot be used with restart policy '" + name(mode) + "'");
    }

    public static RestartPolicy onFailure(int maxRetries) {
        return new RestartPolicy(Mode.ON_FAILURE, maxRetries);
    }

    /** {@code no}, {@code always}, {@code on-failure}, {@code on-failure:N}. */
    public static RestartPolicy parse(String s) {
        String[] p = s.split(":", 2);
        Mode m = switch (p[0]) {
            case "no" -> Mode.NO;
            case "always" -> Mode.ALWAYS;
            case "on-failure" -> Mode.ON_FAILURE;
            default -> throw new InvalidSpecException("restart", "invalid restart policy '" + s + "' (no, always, on-failure[:N])");
        };
        int max = 0;
        if (p.length == 2) {
            try {
                max = Integer.parseInt(p[1]);
            } catch (NumberFormatException e) {
                throw new InvalidSpecException("restart", "maximum retry count must be an integer: " + s);
            }
        }
        return new RestartPolicy(m, max);
    }

    private static String name(Mode m) {
        return m.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public String toString() {
        return name(mode) + (maxRetries > 0 ? ":" + maxRetries : "");
    }
}
