package io.jcontainer.docker;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.image.CommitOptions;
import io.jcontainer.image.Images;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.FileChange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * docker's {@code commit} of a container, shared by the CLI verb and the API's {@code POST /commit}:
 * the parent is the image the container was made from, the new image's Cmd is the container's
 * command (the part after the image's Entrypoint) unless a change sets it, a running container
 * is paused meanwhile, and the changes stream from the container into the store.
 */
public final class DockerCommit {
    private DockerCommit() {
    }

    /** A container that cannot be committed (not made from an image, or its image is gone): docker's 400. */
    public static final class InvalidCommitException extends ContainerException {
        public InvalidCommitException(String message) {
            super(message);
        }
    }

    /**
     * Commits {@code c}: {@code changes} (Dockerfile lines) apply after the container's own Cmd;
     * {@code options}' changes are replaced by them. Returns the new image's id.
     */
    public static String commit(Containers containers, Images images, ContainerInfo c, List<String> changes,
                                CommitOptions options, boolean pause) throws IOException {
        String parent = c.spec() == null ? null : c.spec().annotations().get(ContainerSpec.Builder.IMAGE_ID_ANNOTATION);
        if (parent == null)
            throw new InvalidCommitException("commit needs a container made from an image: " + c.name() + " runs on "
                    + c.image() + ", which is not one");
        if (!images.exists(parent))
            throw new InvalidCommitException("the image " + c.image() + " (" + parent + ") the container "
                    + c.name() + " was made from is no longer stored");
        List<String> all = new ArrayList<>();
        // docker: the image runs what the container ran, unless a change says otherwise
        if (!c.command().isEmpty()) all.add("CMD " + jsonArray(cmdOf(c.command(), images.inspect(parent).config().entrypoint())));
        all.addAll(changes);
        options = options.withChanges(all).withCreatedBy(String.join(" ", c.command()));
        boolean paused = false;
        if (pause && c.running() && c.status() != ContainerInfo.Status.PAUSED) {
            containers.pause(c.id());
            paused = true;
        }
        try {
            return streamed(containers, c.id(), images, parent, options);
        } finally {
            if (paused) containers.unpause(c.id());
        }
    }

    /** The container's changes piped straight into the store: no copy of the layer on the side. */
    private static String streamed(Containers containers, String container, Images images, String parent, CommitOptions options)
            throws IOException {
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream o = out) {
                containers.writeChanges(container, o);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        String id;
        try (InputStream i = in) {
            id = images.commit(parent, i, options);
        } catch (RuntimeException e) {
            writer.cancel(true);
            throw writer.isCompletedExceptionally() ? unwrap(writer, e) : e;
        }
        RuntimeException failed = unwrap(writer, null);
        if (failed != null) throw failed;
        return id;
    }

    private static RuntimeException unwrap(CompletableFuture<Void> writer, RuntimeException otherwise) {
        try {
            writer.join();
            return otherwise;
        } catch (CompletionException e) {
            return e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
        } catch (CancellationException e) {
            return otherwise;
        }
    }

    /** The Cmd a container's command makes: what follows the image's Entrypoint, or all of it. */
    public static List<String> cmdOf(List<String> command, List<String> entrypoint) {
        if (!entrypoint.isEmpty() && command.size() >= entrypoint.size() && command.subList(0, entrypoint.size()).equals(entrypoint))
            return command.subList(entrypoint.size(), command.size());
        return command;
    }

    /**
     * The Dockerfile lines that docker's commit body (a container Config: {@code Cmd},
     * {@code Entrypoint}, {@code Env}, {@code ExposedPorts}, {@code Labels}, {@code User},
     * {@code WorkingDir}, {@code Volumes}, {@code StopSignal}, {@code OnBuild}) amounts to: docker
     * takes that config over the container's, then applies the {@code changes}, so these come
     * before them. Fields the image config has no place for (Hostname, Tty…) are ignored, as docker
     * drops them from an image.
     */
    public static List<String> configChanges(JsonNode config) {
        List<String> out = new ArrayList<>();
        if (config == null || !config.isObject()) return out;
        JsonNode entrypoint = config.path("Entrypoint");
        if (entrypoint.isArray()) out.add("ENTRYPOINT " + jsonArray(strings(entrypoint)));
        else if (entrypoint.isTextual()) out.add("ENTRYPOINT " + jsonArray(List.of("/bin/sh", "-c", entrypoint.asText())));
        JsonNode cmd = config.path("Cmd");
        if (cmd.isArray()) out.add("CMD " + jsonArray(strings(cmd)));
        else if (cmd.isTextual()) out.add("CMD " + jsonArray(List.of("/bin/sh", "-c", cmd.asText())));
        for (String e : strings(config.path("Env"))) {
            int eq = e.indexOf('=');
            // ENV's value quoted: spaces and $ stay as given (the body's Env is already expanded)
            if (eq > 0) out.add("ENV " + e.substring(0, eq) + "=" + quoted(e.substring(eq + 1)));
        }
        config.path("ExposedPorts").fieldNames().forEachRemaining(p -> out.add("EXPOSE " + p));
        for (Map.Entry<String, JsonNode> l : config.path("Labels").properties())
            out.add("LABEL " + quoted(l.getKey()) + "=" + quoted(l.getValue().asText()));
        config.path("Volumes").fieldNames().forEachRemaining(v -> out.add("VOLUME " + jsonArray(List.of(v))));
        if (!config.path("User").asText("").isEmpty()) out.add("USER " + config.path("User").asText());
        if (!config.path("WorkingDir").asText("").isEmpty()) out.add("WORKDIR " + config.path("WorkingDir").asText());
        if (!config.path("StopSignal").asText("").isEmpty()) out.add("STOPSIGNAL " + config.path("StopSignal").asText());
        for (String o : strings(config.path("OnBuild"))) out.add("ONBUILD " + o);
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A Dockerfile double-quoted word: backslashes, quotes and {@code $} escaped. */
    private static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + '"';
    }

    /** docker's {@code diff} kinds in its API: 0 modified, 1 added, 2 deleted. */
    public static int kind(FileChange.Kind k) {
        return switch (k) {
            case CHANGED -> 0;
            case ADDED -> 1;
            case DELETED -> 2;
        };
    }

    /** A JSON string array, the exec form of a Dockerfile CMD or ENTRYPOINT. */
    public static String jsonArray(List<String> words) {
        StringBuilder b = new StringBuilder("[");
        for (String w : words) {
            if (b.length() > 1) b.append(", ");
            b.append('"');
            for (char ch : w.toCharArray()) {
                switch (ch) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                        else b.append(ch);
                    }
                }
            }
            b.append('"');
        }
        return b.append(']').toString();
    }
}
