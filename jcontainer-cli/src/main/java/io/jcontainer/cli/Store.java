package io.jcontainer.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.spi.ContainerRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle verbs' view of the host's sandboxes: the runtime's {@link ContainerStore}
 * (/run/jcontainer/containers for root). Docker's wording for errors about them, exit 1.
 */
final class Store {
    static final String RUN_ARGS = "run-args.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Store() {
    }

    static LinuxContainerRuntime runtime() {
        if (ContainerRuntime.get() instanceof LinuxContainerRuntime r) return r;
        throw new CliException(Cli.EXIT_ERROR, "the lifecycle commands need the Linux runtime");
    }

    /**
     * The store, after removing the auto-removed sandboxes (docker's --rm; {@code run -t} after a
     * detach) that have exited since: without a daemon, whoever looks next does it.
     */
    static ContainerStore store() {
        ContainerStore s = runtime().store();
        try {
            s.removeAutoRemoved();
        } catch (RuntimeException e) {
            // an unusable store: the verb itself says why
        }
        return s;
    }

    /** The sandbox a reference names (full id, name, unique id prefix), or exit 1 with docker's message. */
    static ContainerStore.Entry find(String ref) {
        try {
            return store().find(ref);
        } catch (ContainerStore.NoSuchContainerException e) {
            throw new CliException(1, "Error response from daemon: " + e.getMessage());
        }
    }

    /** A detached sandbox's run command line, so exec can rebuild its spec (security settings included). */
    /** What a verb does to one of the containers it was given. */
    interface EachContainer {
        void apply(String ref, ContainerStore.Entry e) throws Exception;
    }

    /**
     * docker's way with verbs that take several containers (stop, kill, rm, pause, unpause):
     * each reference is printed as given once done; a failure is one line on stderr and the
     * others still run; the status is 1 if any failed.
     */
    static int forEach(java.util.List<String> refs, Io io, EachContainer action) throws Exception {
        int rc = 0;
        for (String ref : refs) {
            try {
                action.apply(ref, find(ref));
                io.out().println(ref);
            } catch (CliException e) {
                io.err().println(e.getMessage());
                rc = 1;
            }
        }
        return rc;
    }

    static void saveRunArgs(String id, Flags.Parsed p) throws IOException {
        Files.write(runtime().store().dir(id).resolve(RUN_ARGS), JSON.writeValueAsBytes(Map.of("values", p.values(), "positionals", p.positionals())));
    }

    static Flags.Parsed runArgs(String id) {
        Path f = runtime().store().dir(id).resolve(RUN_ARGS);
        try {
            Map<String, Object> m = JSON.readValue(f.toFile(), new TypeReference<>() {
            });
            @SuppressWarnings("unchecked") Map<String, List<String>> values = (Map<String, List<String>>) m.get("values");
            @SuppressWarnings("unchecked") List<String> pos = (List<String>) m.get("positionals");
            return new Flags.Parsed(values, pos);
        } catch (IOException e) {
            throw new CliException(1, "Error response from daemon: container " + id + " was not started by 'jcontainer run' (no " + RUN_ARGS + ")");
        }
    }

    /** docker's "5 seconds ago" / "About a minute ago" / "2 hours ago". */
    static String ago(Instant t) {
        return human(Duration.between(t, Instant.now())) + " ago";
    }

    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) return "Less than a second";
        if (s < 60) return s + " second" + (s == 1 ? "" : "s");
        long m = s / 60;
        if (m == 1) return "About a minute";
        if (m < 60) return m + " minutes";
        long h = m / 60;
        if (h == 1) return "About an hour";
        if (h < 48) return h + " hours";
        return h / 24 + " days";
    }

    /** docker ps's STATUS column. */
    static String status(ContainerStore.Entry e) {
        return switch (e.status()) {
            case RUNNING -> "Up " + human(Duration.between(Instant.parse(e.state().started()), Instant.now())) + (e.paused() ? " (Paused)" : "");
            case EXITED -> "Exited (" + e.exit().code() + ") " + (e.finished() == null ? "" : ago(e.finished()));
            case RESTARTING -> "Restarting (" + (e.exit() == null ? 0 : e.exit().code()) + ") " + (e.finished() == null ? "" : ago(e.finished()));
            case CREATED -> "Created";
            case DEAD -> "Dead";
        };
    }
}
