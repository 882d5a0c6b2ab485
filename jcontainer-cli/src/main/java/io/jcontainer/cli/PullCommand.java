package io.jcontainer.cli;

import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Images;
import io.jcontainer.image.Platform;

/** {@code jcontainer pull}: an image from a registry into the local store. */
public final class PullCommand implements Command {
    @Override
    public String name() {
        return "pull";
    }

    @Override
    public String summary() {
        return "Download an image from a registry";
    }

    @Override
    public String usage() {
        return "pull [OPTIONS] NAME[:TAG|@DIGEST]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("platform", (char) 0, "string", "Set platform if server is multi-platform capable (os/arch[/variant])")
                .bool("quiet", 'q', "Suppress verbose output");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        String image = Command.exactly(p, name(), 1).getFirst();
        ImageReference ref = ImageReference.parse(image);
        boolean quiet = p.bool("quiet");
        if (!quiet) io.out().println((ref.tag() != null ? ref.tag() : ref.digest()) + ": Pulling from " + ref.repository());
        try (Images images = ImageCli.open()) {
            boolean had = images.exists(image);
            String before = had ? images.inspect(image).id() : "";
            var listener = ImageCli.progress(io.out(), quiet, "Pull complete");
            ImageInfo info = p.value("platform") != null
                    ? images.pull(image, Platform.parse(p.value("platform")), listener)
                    : images.pull(image, listener);
            if (!quiet) {
                String digest = info.repoDigests().stream().filter(d -> d.startsWith(ref.name() + "@"))
                        .map(d -> d.substring(d.indexOf('@') + 1)).findFirst().orElse(info.manifestDigest());
                io.out().println("Digest: " + digest);
                io.out().println("Status: " + (had && before.equals(info.id()) ? "Image is up to date for " : "Downloaded newer image for ")
                        + ref.familiarName() + (ref.tag() != null ? ":" + ref.tag() : "@" + ref.digest()));
            }
            io.out().println(ref);
        }
        return 0;
    }
}
