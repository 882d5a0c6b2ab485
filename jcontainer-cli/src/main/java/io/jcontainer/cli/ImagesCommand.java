package io.jcontainer.cli;

import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Images;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code jcontainer images}: the local store, as {@code docker images} lists it. */
public final class ImagesCommand implements Command {
    private final String name;

    public ImagesCommand() {
        this("images");
    }

    ImagesCommand(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return "List images";
    }

    @Override
    public String usage() {
        return name + " [OPTIONS] [REPOSITORY[:TAG]]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .bool("all", 'a', "Show all images (default hides intermediate images)")
                .bool("digests", (char) 0, "Show digests")
                .bool("no-trunc", (char) 0, "Don't truncate output")
                .bool("quiet", 'q', "Only show image IDs");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        if (p.positionals().size() > 1) throw new UsageException("\"" + name + "\" requires at most 1 argument.");
        String filter = p.positionals().isEmpty() ? null : p.positionals().getFirst();
        boolean noTrunc = p.bool("no-trunc");
        boolean digests = p.bool("digests");
        List<ImageInfo> all;
        try (Images images = ImageCli.open()) {
            all = new ArrayList<>(images.list());
        }
        all.sort(Comparator.comparing((ImageInfo i) -> i.created() == null ? java.time.Instant.EPOCH : i.created()).reversed());
        if (p.bool("quiet")) {
            Set<String> ids = new LinkedHashSet<>();
            for (ImageInfo i : all) if (matches(i, filter)) ids.add(ImageCli.shortId(i.id(), noTrunc));
            ids.forEach(io.out()::println);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("REPOSITORY", "TAG"));
        if (digests) header.add("DIGEST");
        header.addAll(List.of("IMAGE ID", "CREATED", "SIZE"));
        rows.add(header);
        for (ImageInfo i : all) {
            if (!matches(i, filter)) continue;
            List<String> names = i.repoTags().isEmpty() ? java.util.Collections.singletonList(null) : i.repoTags();
            for (String t : names) {
                String[] rt = ImageCli.repoAndTag(t);
                List<String> row = new ArrayList<>(List.of(rt[0], rt[1]));
                if (digests) row.add(t == null && !i.repoDigests().isEmpty()
                        ? ImageReference.parse(i.repoDigests().getFirst()).digest() : ImageCli.digestOf(i, rt[0]));
                row.addAll(List.of(ImageCli.shortId(i.id(), noTrunc), ImageCli.ago(i.created()), ImageCli.size(i.size())));
                rows.add(row);
            }
        }
        Table.print(rows, io.out());
        return 0;
    }

    private static boolean matches(ImageInfo i, String filter) {
        if (filter == null) return true;
        ImageReference f = ImageReference.parse(filter.contains(":") && !filter.contains("/") || filter.contains("@") ? filter : filter + ":__any__");
        for (String t : i.repoTags()) {
            ImageReference r = ImageReference.parse(t);
            if (r.name().equals(f.name()) && ("__any__".equals(f.tag()) || java.util.Objects.equals(r.tag(), f.tag()))) return true;
        }
        return false;
    }
}
