package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One start-to-exit of {@code /bin/true} per contender; the JMH classes only call these, so the
 * smoke test exercises the very same code.
 */
public final class Contenders {
    private final Path bundle;
    private final ContainerSpec namespacesOnly;
    private final ContainerSpec headline;
    private final ContainerSpec limits;

    private Contenders(Path bundle, ContainerSpec namespacesOnly, ContainerSpec headline) {
        this.bundle = bundle;
        this.namespacesOnly = namespacesOnly;
        this.headline = headline;
        this.limits = Configs.limitsOnly(namespacesOnly, headline);
    }

    private static Contenders instance;

    /** Per JVM (each JMH fork): the bundle and the configurations, resolved once. */
    public static synchronized Contenders get() {
        if (instance == null) {
            Path bundle = Fixture.ensureBundle();
            Path root = bundle.resolve("rootfs");
            instance = new Contenders(bundle, Configs.namespacesOnly(root).build(), Configs.resolveHeadline(root).spec());
        }
        return instance;
    }

    /** The baseline: {@code ProcessBuilder("/bin/true").start().waitFor()}. */
    public static int processBuilderTrue() throws InterruptedException {
        try {
            return new ProcessBuilder("/bin/true").start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A peer from Java; a non-zero exit is an error (it would make the figure meaningless). */
    public int peer(Peer peer) throws InterruptedException {
        String missing = peer.missingReason();
        if (missing != null) throw new IllegalStateException("skipped: " + missing);
        List<String> cmd = peer.command(bundle);
        try {
            Process p = new ProcessBuilder(cmd).start();
            int code = p.waitFor();
            if (code != 0) {
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                throw new IllegalStateException(String.join(" ", cmd) + " exited with " + code + ": " + err);
            }
            return code;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int namespacesOnly() throws InterruptedException {
        return run(namespacesOnly);
    }

    /** (a) plus the headline's memory, cpu and pids limits and nothing else: what the limits add (issue 3). */
    public int limits() throws InterruptedException {
        return run(limits);
    }

    public int headline() throws InterruptedException {
        return run(headline);
    }

    /** From the Java call to the observed exit, then close (which frees the container's host resources). */
    static int run(ContainerSpec spec) throws InterruptedException {
        try (Container c = spec.start()) {
            int code = c.waitFor().code();
            if (code != 0) throw new IllegalStateException("/bin/true in the container exited with " + code);
            return code;
        }
    }

    public ContainerSpec headlineSpec() {
        return headline;
    }
}
