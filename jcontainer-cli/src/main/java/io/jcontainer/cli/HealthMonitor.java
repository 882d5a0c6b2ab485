package io.jcontainer.cli;

import io.jcontainer.ContainerSpec;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who runs a detached container's health checks after the CLI that started it has exited: a
 * small JVM of its own, started with the container ({@code run -d}, {@code start}, {@code restart}),
 * which runs {@link io.jcontainer.lifecycle.Containers#runHealthChecks} — each check an exec into
 * the container, each result recorded in its state directory for {@code ps} and {@code inspect} —
 * and ends when the container stops for good. One per container (the lifecycle API's lock: a
 * second one ends at once); it ignores SIGHUP, so closing the terminal does not end it.
 *
 * <p>Why not the container's monitor (C): a check is an exec, which needs the container's stored
 * spec compiled into an exec plan by the JVM; the monitor would have to carry a plan per check
 * and re-target it after each restart. A separate process keeps the monitor as small as it is,
 * and costs only the containers that ask for a check (one JVM with a 32 MB heap; ~70 MB RSS measured).
 */
public final class HealthMonitor {
    private HealthMonitor() {
    }

    public static void main(String[] args) throws Exception {
        ignoreHangup();
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Store.containers().runHealthChecks(args[0]);
    }

    @SuppressWarnings("removal")
    private static void ignoreHangup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGHUP here: nothing to ignore
        }
    }

    /** Starts the checker of container {@code id} when its spec has a health check. */
    static void spawn(String id, ContainerSpec spec) {
        if (spec == null || spec.healthcheck() == null) return;
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xms8m", "-Xmx32m", "-Xss512k", "-XX:-UsePerfData",
                "-cp", System.getProperty("java.class.path"), HealthMonitor.class.getName(), id));
        try {
            new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new CliException(Cli.EXIT_ERROR, "cannot start the health checker of container " + id.substring(0, 12) + ": " + e.getMessage());
        }
    }
}
