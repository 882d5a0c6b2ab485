package io.jcontainer.cli;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Images;

/** {@code jcontainer push}: a stored image to the registry its name points at. */
public final class PushCommand implements Command {
    @Override
    public String name() {
        return "push";
    }

    @Override
    public String summary() {
        return "Upload an image to a registry";
    }

    @Override
    public String usage() {
        return "push [OPTIONS] NAME[:TAG]";
    }

    @Override
    public Flags flags() {
        return new Flags().bool("quiet", 'q', "Suppress verbose output");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        String image = Command.exactly(p, name(), 1).getFirst();
        ImageReference ref = ImageReference.parse(image);
        boolean quiet = p.bool("quiet");
        if (!quiet) io.out().println("The push refers to repository [" + ref.name() + "]");
        try (Images images = ImageCli.open()) {
            long size = images.inspect(image).size();
            String digest = images.push(image, ImageCli.progress(io.out(), quiet, "Pushed"));
            if (!quiet) io.out().println((ref.tag() != null ? ref.tag() : "") + ": digest: " + digest + " size: " + size);
            else io.out().println(ref);
        }
        return 0;
    }
}
