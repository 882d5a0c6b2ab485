package io.jcontainer.samples;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Profile;
import io.jcontainer.Stdio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Runs shell scripts you do not trust: each job in a fresh container with the
 * {@link Profile#UNTRUSTED} preset (every namespace, no capabilities, no network, a read-only
 * root, memory/pids/file limits), a deadline after which it is killed, and its output collected
 * up to a bound so a job cannot fill the JVM's heap.
 *
 * <pre>{@code
 * JobRunner runner = new JobRunner(null);               // null: the embedded default root
 * JobResult r = runner.run("echo $((6 * 7))", Duration.ofSeconds(5));
 * r.stdout();                                            // "42\n"
 * }</pre>
 *
 * Run it: {@code samples/run job-runner 'uname -a; id'} (as root, or rootless where user
 * namespaces are allowed).
 */
public final class JobRunner {
    /** What a job may print on each stream; the rest is read and dropped ({@link JobResult#truncated()}). */
    public static final int OUTPUT_LIMIT = 1 << 20;

    /** How a job ended. {@code exitCode} is 128 + signal when it was killed (deadline, OOM). */
    public record JobResult(int exitCode, boolean timedOut, boolean oomKilled, String stdout, String stderr,
                            boolean truncated, Duration took) {
    }

    private final ContainerSpec spec;

    /** @param rootfs the jobs' root filesystem, or null for the embedded default root (the host's /usr, read-only) */
    public JobRunner(Path rootfs) {
        ContainerSpec.Builder b = Container.builder()
                .profile(Profile.UNTRUSTED)
                // The script comes on stdin, so its size is not bounded by the argument list
                // and it never shows in the host's `ps`.
                .command("/bin/sh", "-s")
                .stdin(Stdio.PIPE)
                .init(true);                           // a reaping PID 1: a job's orphans do not linger
        if (rootfs != null) b.rootfs(rootfs);
        this.spec = b.build();                         // validated once; started once per job
    }

    /** Runs one job; throws a {@link ContainerException} only when the container could not start. */
    public JobResult run(String script, Duration deadline) throws InterruptedException {
        long t0 = System.nanoTime();
        try (Container c = spec.start()) {
            Future<byte[]> out = drain(c.stdout());
            Future<byte[]> err = drain(c.stderr());
            try (OutputStream in = c.stdin()) {
                in.write(script.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The job may exit before reading its whole script (`exit 3` on line one): not an error.
            }
            Optional<ContainerExit> exit = c.waitFor(deadline);
            boolean timedOut = exit.isEmpty();
            ContainerExit end = exit.orElseGet(() -> {
                c.kill();
                try {
                    return c.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ContainerExit.killed(9);
                }
            });
            byte[] o = get(out), e = get(err);
            return new JobResult(end.code(), timedOut, end.oomKilled(), text(o), text(e),
                    o.length > OUTPUT_LIMIT || e.length > OUTPUT_LIMIT, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /**
     * Reads a stream to its end on a thread of its own, keeping at most OUTPUT_LIMIT + 1 bytes. A
     * platform thread, not a virtual one: the read blocks in a native call, which would pin a
     * virtual thread's carrier for the job's whole life (two jobs' streams could then starve
     * every other virtual thread of the JVM).
     */
    private static Future<byte[]> drain(InputStream s) {
        FutureTask<byte[]> task = new FutureTask<>(() -> {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            for (int n; (n = s.read(buf)) > 0; ) {
                int room = OUTPUT_LIMIT + 1 - kept.size();
                if (room > 0) kept.write(buf, 0, Math.min(room, n));
            }
            return kept.toByteArray();
        });
        Thread.ofPlatform().daemon().name("job-output").start(task);
        return task;
    }

    private static byte[] get(Future<byte[]> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            return new byte[0];                        // the stream broke: the job's exit says what happened
        }
    }

    private static String text(byte[] b) {
        return new String(b, 0, Math.min(b.length, OUTPUT_LIMIT), StandardCharsets.UTF_8);
    }

    /** {@code samples/run job-runner SCRIPT [SECONDS]}: runs SCRIPT and prints how it ended. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: samples/run job-runner SCRIPT [DEADLINE_SECONDS]");
            System.exit(2);
        }
        Duration deadline = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
        JobResult r = new JobRunner(null).run(args[0], deadline);
        System.out.print(r.stdout());
        System.err.print(r.stderr());
        System.err.printf("[job] exit %d%s%s in %d ms%n", r.exitCode(), r.timedOut() ? ", killed at its deadline" : "",
                r.oomKilled() ? ", killed by the OOM killer" : "", r.took().toMillis());
        System.exit(r.timedOut() ? 124 : r.exitCode());
    }
}
