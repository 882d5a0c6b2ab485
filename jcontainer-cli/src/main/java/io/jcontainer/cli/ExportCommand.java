package io.jcontainer.cli;

import io.jcontainer.lifecycle.Containers;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** {@code jcontainer export [-o FILE] CONTAINER}: the container's whole filesystem as a tar (stdout by default). */
public final class ExportCommand implements Command {
    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "Export a container's filesystem as a tar archive";
    }

    @Override
    public String usage() {
        return "export [OPTIONS] CONTAINER";
    }

    @Override
    public Flags flags() {
        return new Flags().value("output", 'o', "string", "Write to a file, instead of STDOUT");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        var c = Store.find(Command.exactly(p, name(), 1).getFirst());
        String file = p.value("output");
        try {
            if (file == null || file.equals("-")) {
                if (io.inherited() && file == null && System.console() != null && System.console().isTerminal())
                    throw new CliException(Cli.EXIT_ERROR, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
                OutputStream out = new BufferedOutputStream(io.out(), 1 << 16);
                Store.containers().export(c.id(), out);
                out.flush();
                return 0;
            }
            // written beside the target and renamed: a failed export leaves no half archive under its name
            Path target = Path.of(file).toAbsolutePath();
            Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            try {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    Store.containers().export(c.id(), out);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return 0;
        } catch (Containers.NotSupportedYetException e) {
            throw Store.daemon(e);
        }
    }
}
