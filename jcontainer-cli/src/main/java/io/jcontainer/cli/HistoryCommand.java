package io.jcontainer.cli;

import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.Images;

import java.util.ArrayList;
import java.util.List;

/** {@code jcontainer history}: the steps recorded in an image's config, newest first. */
public final class HistoryCommand implements Command {
    @Override
    public String name() {
        return "history";
    }

    @Override
    public String summary() {
        return "Show the history of an image";
    }

    @Override
    public String usage() {
        return "history [OPTIONS] IMAGE";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .bool("no-trunc", (char) 0, "Don't truncate output")
                .bool("quiet", 'q', "Only show image IDs");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        String image = Command.exactly(p, name(), 1).getFirst();
        ImageInfo info;
        try (Images images = ImageCli.open()) {
            info = images.inspect(image);
        }
        boolean noTrunc = p.bool("no-trunc");
        List<ImageInfo.History> steps = new ArrayList<>(info.history());
        java.util.Collections.reverse(steps);
        if (p.bool("quiet")) {
            io.out().println(ImageCli.shortId(info.id(), noTrunc));
            for (int i = 1; i < steps.size(); i++) io.out().println("<missing>");
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"));
        for (int i = 0; i < steps.size(); i++) {
            var h = steps.get(i);
            String by = h.createdBy();
            if (!noTrunc && by.length() > 45) by = by.substring(0, 44) + "…";
            rows.add(List.of(i == 0 ? ImageCli.shortId(info.id(), noTrunc) : "<missing>", ImageCli.ago(h.created()), by,
                    h.emptyLayer() ? "0B" : "-", h.comment()));
        }
        Table.print(rows, io.out());
        return 0;
    }
}
