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
                .bool("quiet", 'q', "Only show image IDs")
                .value("format", (char) 0, "string", FormatOption.FLAG_HELP);
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
        if (p.value("format") != null) {
            var f = FormatOption.parse(p.value("format"), digests ? TABLE_DIGESTS : TABLE);
            List<Object> rows = new ArrayList<>();
            for (ImageInfo i : all) {
                if (!matches(i, filter)) continue;
                List<String> names = i.repoTags().isEmpty() ? java.util.Collections.singletonList(null) : i.repoTags();
                for (String t : names) rows.add(fields(i, t, noTrunc));
            }
            FormatOption.print(f, rows, HEADERS, io);
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

    /** images --format's default tables and titles, as docker's. */
    static final String TABLE = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    static final String TABLE_DIGESTS = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    static final java.util.Map<String, String> HEADERS = java.util.Map.of("ID", "IMAGE ID", "CreatedSince", "CREATED", "CreatedAt", "CREATED AT");

    /** One row's fields, docker's names: what {@code {{json .}}} prints. */
    static java.util.Map<String, Object> fields(ImageInfo i, String tag, boolean noTrunc) {
        String[] rt = ImageCli.repoAndTag(tag);
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("Containers", "N/A");
        m.put("CreatedAt", i.created() == null ? "" : java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z z", java.util.Locale.ROOT)
                .format(i.created().atZone(java.time.ZoneId.of("UTC"))));
        m.put("CreatedSince", ImageCli.ago(i.created()));
        m.put("Digest", tag == null && !i.repoDigests().isEmpty() ? ImageReference.parse(i.repoDigests().getFirst()).digest() : ImageCli.digestOf(i, rt[0]));
        m.put("ID", ImageCli.shortId(i.id(), noTrunc));
        m.put("Repository", rt[0]);
        m.put("SharedSize", "N/A");
        m.put("Size", ImageCli.size(i.size()));
        m.put("Tag", rt[1]);
        m.put("UniqueSize", "N/A");
        m.put("VirtualSize", ImageCli.size(i.size()));
        return m;
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
