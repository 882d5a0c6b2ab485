package io.jcontainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.ImageException;
import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.Images;

import java.util.List;

/**
 * {@code jcontainer image SUBCOMMAND}: docker's management command for images — {@code inspect},
 * {@code history}, {@code prune}, and the short verbs under their long names ({@code ls},
 * {@code pull}, {@code push}, {@code rm}, {@code tag}, {@code save}, {@code load}).
 */
public final class ImageCommand implements GroupCommand {
    private static final List<Command> SUBCOMMANDS = List.of(
            new Inspect(), new Prune(), new ImagesCommand("ls"), new HistoryCommand(), new PullCommand(),
            new PushCommand(), new Alias("rm", new RmiCommand()), new TagCommand(), new SaveCommand(), new LoadCommand(), new ImportCommand());

    @Override
    public String name() {
        return "image";
    }

    @Override
    public String summary() {
        return "Manage images (inspect, history, prune, ls, pull, push, rm, tag, save, load)";
    }

    @Override
    public String usage() {
        return "image COMMAND";
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"image\" requires a subcommand: " + names());
        String verb = p.positionals().getFirst();
        for (Command c : SUBCOMMANDS) {
            if (!c.name().equals(verb)) continue;
            Flags.Parsed sub = c.flags().parse(p.positionals().subList(1, p.positionals().size()), c.interspersed());
            if (sub.bool("help")) {
                io.out().print(Cli.help(c));
                return 0;
            }
            return c.run(sub, io);
        }
        throw new UsageException("'image " + verb + "' is not a jcontainer command (" + names() + ")");
    }

    private static String names() {
        return String.join(", ", SUBCOMMANDS.stream().map(Command::name).toList());
    }

    /** A verb under another name ({@code image rm} = {@code rmi}). */
    record Alias(String name, Command of) implements Command {
        public String summary() {
            return of.summary();
        }

        public String usage() {
            return of.usage().replaceFirst("^\\S+", "image " + name);
        }

        public Flags flags() {
            return of.flags();
        }

        public int run(Flags.Parsed p, Io io) throws Exception {
            return of.run(p, io);
        }
    }

    /** {@code image inspect}: docker's JSON (Id, RepoTags, RepoDigests, Created, Config, RootFS…). */
    static final class Inspect implements Command {
        public String name() {
            return "inspect";
        }

        public String summary() {
            return "Display detailed information on one or more images";
        }

        public String usage() {
            return "image inspect IMAGE [IMAGE...]";
        }

        public Flags flags() {
            return new Flags();
        }

        public int run(Flags.Parsed p, Io io) throws Exception {
            if (p.positionals().isEmpty()) throw new UsageException("\"image inspect\" requires at least 1 argument.");
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode out = json.createArrayNode();
            int status = 0;
            try (Images images = ImageCli.open()) {
                for (String image : p.positionals()) {
                    try {
                        out.add(toJson(json, images.inspect(image)));
                    } catch (ImageException e) {
                        io.err().println("Error: " + e.getMessage());
                        status = 1;
                    }
                }
            }
            io.out().println(json.writeValueAsString(out));
            return status;
        }

        static ObjectNode toJson(ObjectMapper json, ImageInfo i) {
            return io.jcontainer.docker.ImageJson.inspect(i);
        }
    }

    /** {@code image prune}: dangling images (or, with -a, every image without a tag). */
    static final class Prune implements Command {
        public String name() {
            return "prune";
        }

        public String summary() {
            return "Remove unused images";
        }

        public String usage() {
            return "image prune [OPTIONS]";
        }

        public Flags flags() {
            return new Flags().bool("all", 'a', "Remove all images, not just dangling ones")
                    .bool("force", 'f', "Do not prompt for confirmation");
        }

        public int run(Flags.Parsed p, Io io) {
            try (Images images = ImageCli.open()) {
                long before = images.list().stream().mapToLong(ImageInfo::size).sum();
                List<String> deleted = images.prune(p.bool("all"));
                long after = images.list().stream().mapToLong(ImageInfo::size).sum();
                if (!deleted.isEmpty()) {
                    io.out().println("Deleted Images:");
                    deleted.forEach(d -> io.out().println(d.replace("Deleted: ", "deleted: ")));
                    io.out().println();
                }
                io.out().println("Total reclaimed space: " + ImageCli.size(Math.max(before - after, 0)));
            }
            return 0;
        }
    }
}
