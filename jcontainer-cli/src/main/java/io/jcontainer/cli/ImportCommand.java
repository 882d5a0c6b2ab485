package io.jcontainer.cli;

import io.jcontainer.image.CommitOptions;
import io.jcontainer.image.Images;
import io.jcontainer.image.build.DockerfileException;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jcontainer import [-c CHANGE] [-m MSG] FILE|- [REPOSITORY[:TAG]]}: a tar of a whole
 * filesystem (plain or gzip) as a one-layer image; prints its id.
 */
public final class ImportCommand implements Command {
    @Override
    public String name() {
        return "import";
    }

    @Override
    public String summary() {
        return "Import the contents from a tarball to create a filesystem image";
    }

    @Override
    public String usage() {
        return "import [OPTIONS] file|- [REPOSITORY[:TAG]]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("change", 'c', "list", "Apply Dockerfile instruction to the created image")
                .value("message", 'm', "string", "Set commit message for imported image")
                .value("platform", (char) 0, "string", "Set platform if server is multi-platform capable");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        List<String> args = p.positionals();
        if (args.isEmpty() || args.size() > 2)
            throw new UsageException("\"import\" requires at least 1 and at most 2 arguments.");
        String source = args.getFirst();
        if (source.startsWith("http://") || source.startsWith("https://"))
            throw new CliException(Cli.EXIT_ERROR, "import from a URL is not supported: download it, then import the file");
        String platform = p.value("platform");
        if (platform != null && !platform.isEmpty() && !platform.startsWith("linux/"))
            throw new CliException(Cli.EXIT_ERROR, "import: only linux images are made here, not " + platform);
        CommitOptions options = CommitOptions.defaults().withChanges(p.values("change")).withMessage(p.value("message"))
                .withTags(args.size() == 2 ? new String[]{args.get(1)} : new String[0]);
        try (Images images = ImageCli.open();
             InputStream in = source.equals("-") ? new java.io.FilterInputStream(io.in()) {
                 @Override
                 public void close() {
                     // standard input stays open: it is not ours
                 }
             } : Files.newInputStream(Path.of(source))) {
            io.out().println(images.importImage(in, options));
        } catch (NoSuchFileException e) {
            throw new CliException(Cli.EXIT_ERROR, "open " + source + ": no such file or directory");
        } catch (DockerfileException e) {
            throw new CliException(1, "Error response from daemon: " + e.getMessage());
        }
        return 0;
    }
}
