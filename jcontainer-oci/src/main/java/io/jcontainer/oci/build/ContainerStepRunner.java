package io.jcontainer.oci.build;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Namespace;
import io.jcontainer.Stdio;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * RUN steps in jcontainer containers: docker's defaults (namespaces, capabilities, seccomp), the
 * step's root read-write, hostname {@code buildkitsandbox} as BuildKit's, stdin from /dev/null,
 * stdout and stderr read line by line into the build's output.
 */
public final class ContainerStepRunner implements StepRunner {

    @Override
    public int run(Step step, Output output) throws InterruptedException {
        ContainerSpec.Builder b = Container.builder()
                .root(step.root())
                .command(step.argv())
                .hostname("buildkitsandbox")
                .stdin(Stdio.NULL)
                .stdout(Stdio.PIPE)
                .stderr(Stdio.PIPE);
        for (String e : step.env()) b.env(e);
        if (!step.workdir().isEmpty()) b.workingDir(step.workdir());
        if (!step.user().isEmpty()) b.user(step.user());
        switch (step.network()) {
            case "none" -> { }  // the builder's default: a network namespace of its own, loopback only
            case "host" -> b.removeNamespace(Namespace.NET);
            default -> b.network(step.network()); // bridge (pasta for an ordinary user) or a network's name
        }
        if (!step.uidMap().isEmpty()) b.uidMap(step.uidMap().toArray(io.jcontainer.IdMap[]::new));
        if (!step.gidMap().isEmpty()) b.gidMap(step.gidMap().toArray(io.jcontainer.IdMap[]::new));
        for (Bind m : step.binds()) {
            if (m.readOnly()) b.bindReadOnly(m.source(), m.target());
            else b.bind(m.source(), m.target());
        }
        for (String t : step.tmpfs()) b.tmpfs(t);
        try (Container c = b.start()) {
            Object lock = new Object();
            Thread err = Thread.ofVirtual().start(() -> pump(c.stderr(), output, true, lock));
            pump(c.stdout(), output, false, lock);
            err.join();
            return c.waitFor().code();
        }
    }

    @Override
    public void prepare() {
        io.jcontainer.spi.ContainerRuntime.get().prepare();
    }

    @Override
    public boolean overlays() {
        return true;
    }

    @Override
    public void writeChanges(io.jcontainer.Root.Overlay root, java.util.Set<String> mountPoints, java.util.List<io.jcontainer.IdMap> uidMap,
                             java.util.List<io.jcontainer.IdMap> gidMap, java.io.OutputStream out) throws IOException {
        io.jcontainer.spi.ContainerRuntime.get().writeOverlayChanges(root, mountPoints, uidMap, gidMap, out);
    }

    private static void pump(InputStream in, Output output, boolean stderr, Object lock) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lock) {
                    output.line(line, stderr);
                }
            }
        } catch (IOException e) {
            // the container's end closed the pipe: nothing more to read
        }
    }
}
