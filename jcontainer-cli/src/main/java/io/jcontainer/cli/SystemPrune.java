package io.jcontainer.cli;

import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.Images;

import java.util.List;
import java.util.Locale;

/**
 * {@code jcontainer system prune [-a] [--volumes] [-f]}: docker's, on this host — stopped
 * containers, networks no container uses, dangling images (every unused one with -a), with
 * {@code --volumes} anonymous volumes no container uses; the sections the prune verbs print.
 */
final class SystemPrune {
    private SystemPrune() {
    }

    static Flags flags() {
        return new Flags().bool("force", 'f', "Do not prompt for confirmation").bool("all", 'a', "Remove all unused images not just dangling ones")
                .bool("volumes", (char) 0, "Prune anonymous volumes").value("filter", (char) 0, "list", "Provide filter values (with -H only)");
    }

    static int run(List<String> rest, Io io) throws Exception {
        Flags.Parsed p = flags().parse(rest, true);
        if (p.bool("help")) {
            io.out().print("Usage:  jcontainer system prune [OPTIONS]\n\nRemove unused data\n\nOptions:\n" + flags().help());
            return 0;
        }
        if (!p.positionals().isEmpty()) throw new UsageException("\"system prune\" accepts no arguments.");
        if (!p.values("filter").isEmpty()) throw new CliException(Cli.EXIT_ERROR, "system prune --filter is not supported on this host yet (it is against a daemon, -H)");
        if (!p.bool("force")) {
            io.out().print("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n"
                    + (p.bool("volumes") ? "  - all anonymous volumes not used by at least one container\n" : "")
                    + (p.bool("all") ? "  - all images without at least one container associated to them\n" : "  - all dangling images\n")
                    + "  - unused build cache\n\nAre you sure you want to continue? [y/N] ");
            io.out().flush();
            StringBuilder answer = new StringBuilder();
            for (int c; (c = io.in().read()) >= 0 && c != '\n'; ) answer.append((char) c);
            String a = answer.toString().trim().toLowerCase(Locale.ROOT);
            if (!a.equals("y") && !a.equals("yes")) return 0;
        }
        section(io, "Deleted Containers:", Store.containers().prune());
        section(io, "Deleted Networks:", Store.containers().networks().prune());
        if (p.bool("volumes")) section(io, "Deleted Volumes:", Store.containers().volumes().prune(false));
        long reclaimed;
        try (Images images = ImageCli.open()) {
            long before = images.list().stream().mapToLong(ImageInfo::size).sum();
            List<String> deleted = images.prune(p.bool("all"));
            reclaimed = Math.max(0, before - images.list().stream().mapToLong(ImageInfo::size).sum());
            section(io, "Deleted Images:", deleted.stream().map(d -> d.replace("Deleted: ", "deleted: ").replace("Untagged: ", "untagged: ")).toList());
        }
        io.out().println("Total reclaimed space: " + ImageCli.size(reclaimed));
        return 0;
    }

    private static void section(Io io, String title, List<String> lines) {
        if (lines.isEmpty()) return;
        io.out().println(title);
        lines.forEach(io.out()::println);
        io.out().println();
    }
}
