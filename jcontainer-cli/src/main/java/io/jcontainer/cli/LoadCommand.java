package io.jcontainer.cli;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Images;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code jcontainer load}: a docker-archive or OCI archive (recognised by content) into the store. */
public final class LoadCommand implements Command {
    @Override
    public String name() {
        return "load";
    }

    @Override
    public String summary() {
        return "Load an image from a tar archive or STDIN";
    }

    @Override
    public String usage() {
        return "load [OPTIONS]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("input", 'i', "string", "Read from tar archive file, instead of STDIN")
                .bool("quiet", 'q', "Suppress the load output");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        Command.exactly(p, name(), 0);
        String in = p.value("input");
        Path tmp = null;
        try (Images images = ImageCli.open()) {
            Path archive;
            if (in != null) {
                archive = Path.of(in);
            } else {
                tmp = Files.createTempFile("jcontainer-load", ".tar");
                Files.copy(io.in(), tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                archive = tmp;
            }
            for (String loaded : images.load(archive)) {
                if (loaded.startsWith("sha256:")) io.out().println("Loaded image ID: " + loaded);
                else io.out().println("Loaded image: " + ImageReference.parse(loaded).familiarName()
                        + ":" + ImageReference.parse(loaded).tag());
            }
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
        return 0;
    }
}
