package io.jcontainer.cli;

import io.jcontainer.docker.DockerCommit;
import io.jcontainer.image.CommitOptions;
import io.jcontainer.image.Images;
import io.jcontainer.image.build.DockerfileException;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;

import java.util.List;

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
        String pauseFlag = p.value("pause");
        boolean pause = pauseFlag == null || pauseFlag.isEmpty() || Boolean.parseBoolean(pauseFlag);
        CommitOptions options = CommitOptions.defaults().withMessage(p.value("message")).withAuthor(p.value("author"))
                .withTags(args.size() == 2 ? new String[]{args.get(1)} : new String[0]);
        String id;
        try (Images images = ImageCli.open()) {
            id = DockerCommit.commit(Store.containers(), images, c, p.values("change"), options, pause);
        } catch (DockerfileException e) {
            throw new CliException(1, "Error response from daemon: " + e.getMessage());
        } catch (DockerCommit.InvalidCommitException | Containers.NotSupportedYetException e) {
            throw Store.daemon(e);
        }
        io.out().println(id);
        return 0;
    }
}
