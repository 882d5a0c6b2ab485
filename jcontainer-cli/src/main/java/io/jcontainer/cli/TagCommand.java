package io.jcontainer.cli;

import io.jcontainer.image.Images;

/** {@code jcontainer tag}: another name for a stored image. */
public final class TagCommand implements Command {
    @Override
    public String name() {
        return "tag";
    }

    @Override
    public String summary() {
        return "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE";
    }

    @Override
    public String usage() {
        return "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        var args = Command.exactly(p, name(), 2);
        try (Images images = ImageCli.open()) {
            images.tag(args.get(0), args.get(1));
        }
        return 0;
    }
}
