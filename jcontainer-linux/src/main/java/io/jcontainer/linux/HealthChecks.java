package io.jcontainer.linux;

import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ExecSpec;
import io.jcontainer.HealthCheck;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Signal;
import io.jcontainer.Stdio;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.linux.state.HealthRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The health checker of one container, docker's rules: every {@code interval} the test runs in the
 * container (an exec with the container's own security settings); exit 0 is healthy; a check that
 * exits otherwise, cannot run or outlives {@code timeout} is a failure; {@code retries} failures
 * in a row make it unhealthy; failures before {@code startPeriod} has passed do not count. The last
 * 5 checks are kept with at most 4 KiB of output each ({@link HealthRecord}).
 *
 * <p>One checker per container: it holds {@code health.lock} in the state directory while it runs;
 * another one returns at once. It ends when the container has stopped for good (a restarting
 * container is waited for; a paused one is not checked).
 */
final class HealthChecks {
    static final int MAX_LOG = 5, MAX_OUTPUT = 4096;

    private HealthChecks() {
    }

    static void run(Containers containers, String ref, Path stateDir, BiConsumer<String, Map<String, String>> event)
            throws InterruptedException {
        ContainerInfo info = containers.find(ref);
        ContainerSpec spec = info.spec();
        if (spec == null || spec.healthcheck() == null) return;
        HealthCheck check = spec.healthcheck();
        try (FileChannel lock = FileChannel.open(stateDir.resolve(HealthRecord.LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = lock.tryLock()) {
            if (held == null) return; // another process checks it
            Instant started = info.started() == null ? Instant.now() : info.started();
            ContainerInfo.Health h = HealthRecord.read(stateDir);
            while (true) {
                Thread.sleep(check.interval().toMillis());
                ContainerInfo now;
                try {
                    now = containers.find(info.id());
                } catch (RuntimeException removed) {
                    return;
                }
                switch (now.status()) {
                    case RUNNING -> { }
                    case PAUSED, RESTARTING -> { continue; }
                    default -> { return; }
                }
                if (now.started() != null && now.started().isAfter(started)) {
                    // started again (restart policy, start): docker starts its health over
                    started = now.started();
                    h = new ContainerInfo.Health(ContainerInfo.HealthStatus.STARTING, 0, List.of());
                }
                ContainerInfo.Health.Probe probe = probe(containers, info.id(), check);
                ContainerInfo.Health next = next(h, probe, check, started);
                HealthRecord.write(stateDir, next);
                if (next.status() != h.status() && next.status() != ContainerInfo.HealthStatus.STARTING)
                    event.accept(info.id(), Map.of("healthStatus", next.status().docker()));
                h = next;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot lock " + stateDir.resolve(HealthRecord.LOCK), e);
        }
    }

    /** The health after one more check (pure: unit-tested). */
    static ContainerInfo.Health next(ContainerInfo.Health h, ContainerInfo.Health.Probe probe, HealthCheck check, Instant started) {
        List<ContainerInfo.Health.Probe> log = new ArrayList<>(h.log());
        log.add(probe);
        while (log.size() > MAX_LOG) log.removeFirst();
        if (probe.exitCode() == 0) return new ContainerInfo.Health(ContainerInfo.HealthStatus.HEALTHY, 0, log);
        boolean inStartPeriod = probe.start().isBefore(started.plus(check.startPeriod()));
        if (inStartPeriod && h.status() == ContainerInfo.HealthStatus.STARTING)
            return new ContainerInfo.Health(h.status(), h.failingStreak(), log); // does not count yet
        int streak = h.failingStreak() + 1;
        return new ContainerInfo.Health(streak >= check.retries() ? ContainerInfo.HealthStatus.UNHEALTHY : h.status(), streak, log);
    }

    private static ContainerInfo.Health.Probe probe(Containers containers, String id, HealthCheck check) throws InterruptedException {
        Instant start = Instant.now();
        ExecSpec exec = new ExecSpec(check.argv(), Map.of(), null, null, Stdio.NULL, Stdio.PIPE, Stdio.PIPE, false);
        ContainerProcess p;
        try {
            p = containers.exec(id, exec);
        } catch (RuntimeException e) {
            return new ContainerInfo.Health.Probe(start, Instant.now(), -1, "cannot run the health check: " + e.getMessage());
        }
        try (p) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread a = drain(p.stdout(), out), b = drain(p.stderr(), out);
            ContainerExit exit;
            try {
                exit = p.onExit().get(check.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException t) {
                p.signal(Signal.KILL);
                return new ContainerInfo.Health.Probe(start, Instant.now(), -1,
                        "Health check exceeded timeout (" + check.timeout().toMillis() / 1000.0 + "s)");
            } catch (java.util.concurrent.ExecutionException e) {
                return new ContainerInfo.Health.Probe(start, Instant.now(), -1, "health check failed: " + e.getCause());
            }
            a.join(1000);
            b.join(1000);
            String output;
            synchronized (out) {
                byte[] bytes = out.toByteArray();
                output = new String(bytes, 0, Math.min(bytes.length, MAX_OUTPUT), StandardCharsets.UTF_8);
            }
            return new ContainerInfo.Health.Probe(start, Instant.now(), exit.code(), output);
        }
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to) {
        return Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[4096];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (to) {
                        if (to.size() < MAX_OUTPUT) to.write(buf, 0, Math.min(n, MAX_OUTPUT - to.size()));
                    }
                }
            } catch (IOException ignored) {
                // the check ended
            }
        });
    }
}
