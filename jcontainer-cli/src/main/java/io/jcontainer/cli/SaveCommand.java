package io.jcontainer.cli;

import io.jcontainer.image.ArchiveFormat;
import io.jcontainer.image.Images;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code jcontainer save}: images into a docker-archive (default) or OCI archive tar. */
public final class SaveCommand implements Command {
    @Override
    public String name() {
        return "save";
    }

    @Override
    public String summary() {
        return "Save one or more images to a tar archive";
    }

    @Override
    public String usage() {
        return "save [OPTIONS] IMAGE [IMAGE...]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("output", 'o', "string", "Write to a file, instead of STDOUT")
                .value("format", (char) 0, "string", "docker-archive (default, what docker load reads) or oci-archive");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"save\" requires at least 1 argument.");
        ArchiveFormat format = switch (p.value("format") == null ? "docker-archive" : p.lower("format")) {
            case "docker-archive", "docker" -> ArchiveFormat.DOCKER_ARCHIVE;
            case "oci-archive", "oci" -> ArchiveFormat.OCI_ARCHIVE;
            default -> throw new UsageException("invalid --format \"" + p.value("format") + "\": docker-archive or oci-archive");
        };
        String out = p.value("output");
        try (Images images = ImageCli.open()) {
            if (out != null) {
                images.save(p.positionals(), Path.of(out), format);
                return 0;
            }
            if (System.console() != null && System.console().isTerminal())
                throw new CliException(Cli.EXIT_ERROR, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
            Path tmp = Files.createTempFile("jcontainer-save", ".tar");
            try {
                images.save(p.positionals(), tmp, format);
                Files.copy(tmp, io.out());
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return 0;
    }
}
