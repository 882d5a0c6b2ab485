package io.jcontainer.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Docker's {@code --cidfile FILE}: the new container's id written to FILE. An existing FILE is
 * refused before anything is created (it may belong to a container still running); the file is
 * created exclusively, so two runs racing for one name cannot both write it.
 */
final class Cidfile {
    private static final Cidfile NONE = new Cidfile(null);
    private final Path file;

    private Cidfile(Path file) {
        this.file = file;
    }

    static Cidfile of(Flags.Parsed p) {
        String v = p.value("cidfile");
        if (v == null || v.isEmpty()) return NONE;
        Path f = Path.of(v);
        if (Files.exists(f))
            throw new CliException(Cli.EXIT_ERROR, "Container ID file found, make sure the other container isn't running or delete " + v);
        return new Cidfile(f);
    }

    void write(String id) {
        if (file == null) return;
        try {
            Files.writeString(file, id, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(Cli.EXIT_ERROR, "Container ID file found, make sure the other container isn't running or delete " + file);
        } catch (IOException e) {
            throw new CliException(Cli.EXIT_ERROR, "failed to create the container ID file: " + file + ": " + e.getMessage());
        }
    }
}
