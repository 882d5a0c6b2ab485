package io.jcontainer.cli;

import io.jcontainer.ContainerSpec;
import io.jcontainer.image.CommitOptions;
import io.jcontainer.image.Images;
import io.jcontainer.image.build.DockerfileException;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code jcontainer commit [-c CHANGE] [-m MSG] [-a AUTHOR] [-p] CONTAINER [REPO[:TAG]]}: a new image,
 * the container's image with the container's changes as one more layer. As docker: the new
 * image's Cmd is the container's command (unless a change sets it), and a running container is
 * paused meanwhile unless {@code --pause=false}.
 */
public final class CommitCommand implements Command {
    @Override
    public String name() {
        return "commit";
    }

    @Override
    public String summary() {
        return "Create a new image from a container's changes";
    }

    @Override
    public String usage() {
        return "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("author", 'a', "string", "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")")
                .value("change", 'c', "list", "Apply Dockerfile instruction to the created image")
                .value("message", 'm', "string", "Commit message")
                .value("pause", 'p', "bool", "Pause container during commit (default true)");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        List<String> args = p.positionals();
        if (args.isEmpty() || args.size() > 2)
            throw new UsageException("\"commit\" requires at least 1 and at most 2 arguments.");
        ContainerInfo c = Store.find(args.getFirst());
        Containers containers = Store.containers();
        String parent = c.spec() == null ? null : c.spec().annotations().get(ContainerSpec.Builder.IMAGE_ID_ANNOTATION);
        if (parent == null)
            throw new CliException(1, "Error response from daemon: commit needs a container made from an image: "
                    + c.name() + " runs on " + c.image() + ", which is not one");
        String pauseFlag = p.value("pause");
        boolean pause = pauseFlag == null || pauseFlag.isEmpty() || Boolean.parseBoolean(pauseFlag);
        List<String> changes = new ArrayList<>();
        // docker: the image runs what the container ran, unless a change says otherwise
        if (!c.command().isEmpty()) changes.add("CMD " + json(cmdOf(c)));
        changes.addAll(p.values("change"));
        CommitOptions options = CommitOptions.defaults().withChanges(changes).withMessage(p.value("message"))
                .withAuthor(p.value("author")).withCreatedBy(String.join(" ", c.command()))
                .withTags(args.size() == 2 ? new String[]{args.get(1)} : new String[0]);
        boolean paused = false;
        if (pause && c.running() && c.status() != ContainerInfo.Status.PAUSED) {
            containers.pause(c.id());
            paused = true;
        }
        String id;
        try (Images images = ImageCli.open()) {
            if (!images.exists(parent))
                throw new CliException(1, "Error response from daemon: the image " + c.image() + " (" + parent
                        + ") the container was made from is no longer stored");
            id = commit(containers, c.id(), images, parent, options);
        } catch (DockerfileException e) {
            throw new CliException(1, "Error response from daemon: " + e.getMessage());
        } catch (Containers.NotSupportedYetException e) {
            throw Store.daemon(e);
        } finally {
            if (paused) containers.unpause(c.id());
        }
        io.out().println(id);
        return 0;
    }

    /** The container's changes streamed straight into the store: no copy of the layer on the side. */
    private static String commit(Containers containers, String container, Images images, String parent, CommitOptions options)
            throws IOException {
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream o = out) {
                containers.writeChanges(container, o);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
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
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            return otherwise;
        }
    }

    /** The Cmd the container's command makes: what follows the image's Entrypoint, or all of it. */
    private static List<String> cmdOf(ContainerInfo c) {
        List<String> cmd = c.command();
        List<String> entrypoint;
        try {
            entrypoint = ImageCli.configOf(c.spec().annotations().get(ContainerSpec.Builder.IMAGE_ID_ANNOTATION)).entrypoint();
        } catch (RuntimeException gone) {
            return cmd;
        }
        if (!entrypoint.isEmpty() && cmd.size() >= entrypoint.size() && cmd.subList(0, entrypoint.size()).equals(entrypoint))
            return cmd.subList(entrypoint.size(), cmd.size());
        return cmd;
    }

    static String json(List<String> words) {
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
