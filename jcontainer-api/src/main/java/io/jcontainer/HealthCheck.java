package io.jcontainer;

import java.time.Duration;
import java.util.List;

/**
 * A command run in the container now and then to tell whether it works (docker's
 * {@code --health-cmd} and friends, a Dockerfile's {@code HEALTHCHECK}). Exit 0 is healthy;
 * {@code retries} failures in a row make the container unhealthy; failures within
 * {@code startPeriod} do not count. Checked only for detached containers.
 *
 * @param test        the command: {@code ["CMD", argv...]} or {@code ["CMD-SHELL", "script"]} (docker's forms)
 * @param interval    time between checks (docker's default 30 s)
 * @param timeout     a check running longer fails (default 30 s)
 * @param startPeriod the start-up time in which failures do not count (default 0)
 * @param retries     consecutive failures that make it unhealthy (default 3)
 */
public record HealthCheck(List<String> test, Duration interval, Duration timeout, Duration startPeriod, int retries) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30), DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public HealthCheck {
        test = Checks.list("health-cmd", test);
        if (test.size() < 2 || !(test.getFirst().equals("CMD") || test.getFirst().equals("CMD-SHELL")))
            throw new InvalidSpecException("health-cmd", "the test must be [\"CMD\", argv...] or [\"CMD-SHELL\", script], got " + test);
        if (interval == null) interval = DEFAULT_INTERVAL;
        if (timeout == null) timeout = DEFAULT_TIMEOUT;
        if (startPeriod == null) startPeriod = Duration.ZERO;
        // docker's minimum for each duration it accepts (1 ms), and its retries rule
        if (interval.toMillis() < 1) throw new InvalidSpecException("health-interval", "must be at least 1ms, got " + interval);
        if (timeout.toMillis() < 1) throw new InvalidSpecException("health-timeout", "must be at least 1ms, got " + timeout);
        if (startPeriod.isNegative()) throw new InvalidSpecException("health-start-period", "must not be negative, got " + startPeriod);
        if (retries < 0) throw new InvalidSpecException("health-retries", "must not be negative, got " + retries);
        if (retries == 0) retries = 3;
    }

    /** {@code --health-cmd "script"}: docker runs it with {@code /bin/sh -c}. */
    public static HealthCheck shell(String script) {
        return new HealthCheck(List.of("CMD-SHELL", script), null, null, null, 0);
    }

    /** The argv that runs the test in the container. */
    public List<String> argv() {
        return test.getFirst().equals("CMD-SHELL") ? List.of("/bin/sh", "-c", test.get(1)) : test.subList(1, test.size());
    }

    public HealthCheck withInterval(Duration d) {
        return new HealthCheck(test, d, timeout, startPeriod, retries);
    }

    public HealthCheck withTimeout(Duration d) {
        return new HealthCheck(test, interval, d, startPeriod, retries);
    }

    public HealthCheck withStartPeriod(Duration d) {
        return new HealthCheck(test, interval, timeout, d, retries);
    }

    public HealthCheck withRetries(int n) {
        return new HealthCheck(test, interval, timeout, startPeriod, n);
    }
}
