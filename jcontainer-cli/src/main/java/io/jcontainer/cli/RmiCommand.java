package io.jcontainer.cli;

import io.jcontainer.image.ImageException;
import io.jcontainer.image.Images;

/** {@code jcontainer rmi}: untag and remove images; unreferenced blobs and layers are collected. */
public final class RmiCommand implements Command {
    @Override
    public String name() {
        return "rmi";
    }

    @Override
    public String summary() {
        return "Remove one or more images";
    }

    @Override
    public String usage() {
        return "rmi [OPTIONS] IMAGE [IMAGE...]";
    }

    @Override
    public Flags flags() {
        return new Flags().bool("force", 'f', "Force removal of the image");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        if (p.positionals().isEmpty()) throw new UsageException("\"rmi\" requires at least 1 argument.");
        int status = 0;
        try (Images images = ImageCli.open()) {
            for (String image : p.positionals()) {
                try {
                    images.remove(image, p.bool("force")).forEach(io.out()::println);
                } catch (ImageException e) {
                    io.err().println("Error response from daemon: " + e.getMessage());
                    status = 1;
                }
            }
        }
        return status;
    }
}
