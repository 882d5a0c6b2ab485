package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.linux.testing.TestRootfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Test helpers: run a command in a container and collect what it printed. */
public final class TestRuns {
    private TestRuns() {
    }

    /** What a finished container printed, and how it ended. */
    public record Result(String stdout, String stderr, ContainerExit exit) {
        public int code() {
            return exit.code();
        }
    }

    /** A builder with the busybox test rootfs and every namespace but USER (tests run as root). */
    public static ContainerSpec.Builder busybox() {
        return Container.builder().rootfs(TestRootfs.busybox());
    }

    public static Result sh(String script) {
        return run(busybox().command("/bin/sh", "-c", script));
    }

    /** Starts, drains stdout/stderr (stderr on a second thread), waits at most 60 s. */
    public static Result run(ContainerSpec.Builder b) {
        try (Container c = b.start()) {
            var err = new java.util.concurrent.CompletableFuture<String>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    err.complete(new String(c.stderr().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    err.completeExceptionally(e);
                }
            });
            String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8);
            ContainerExit exit = c.waitFor(Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("container still running after 60 s"));
            t.join(10_000);
            return new Result(out, err.getNow("<stderr not drained>"), exit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
