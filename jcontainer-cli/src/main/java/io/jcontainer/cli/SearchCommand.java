package io.jcontainer.cli;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Images;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code jcontainer search [REGISTRY/]TERM}: the repositories of a registry whose name contains
 * TERM, from its {@code /v2/_catalog} (the distribution API has no search endpoint; Docker Hub's
 * search API is not a registry's, and this machine does not reach it). A TERM without a
 * registry part asks Docker Hub's name (docker.io), i.e. its configured mirror.
 */
public final class SearchCommand implements Command {
    @Override
    public String name() {
        return "search";
    }

    @Override
    public String summary() {
        return "Search a registry's catalog for repositories";
    }

    @Override
    public String usage() {
        return "search [OPTIONS] [REGISTRY/]TERM";
    }

    @Override
    public String description() {
        return """
                Lists the repositories of REGISTRY (host[:port], as in an image reference) whose name
                contains TERM, from the registry's catalog (/v2/_catalog). STARS and OFFICIAL are docker's
                columns, which a plain registry does not have: 0 and empty.""";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("limit", (char) 0, "int", "Max number of search results (default 25)")
                .bool("no-trunc", (char) 0, "Don't truncate output")
                .value("format", (char) 0, "string", "Print only the names ({{.Name}}), one per line");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        String arg = Command.exactly(p, name(), 1).getFirst();
        String registry = "docker.io";
        String term = arg;
        int slash = arg.indexOf('/');
        if (slash > 0) {
            String first = arg.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                term = arg.substring(slash + 1);
            }
        }
        int limit = p.value("limit") == null ? 25 : Integer.parseInt(p.value("limit"));
        if (limit < 1 || limit > 100) throw new UsageException("--limit must be between 1 and 100");
        List<String> hits = new ArrayList<>();
        try (Images images = ImageCli.open()) {
            for (String repo : images.catalog(registry)) {
                if (repo.toLowerCase(Locale.ROOT).contains(term.toLowerCase(Locale.ROOT))) hits.add(repo);
                if (hits.size() == limit) break;
            }
        }
        String host = ImageReference.parse(registry + "/x").registry();
        String prefix = host.equals("docker.io") ? "" : host + "/";
        if (p.value("format") != null) {
            for (String h : hits) io.out().println(p.value("format").replace("{{.Name}}", prefix + h));
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "DESCRIPTION", "STARS", "OFFICIAL"));
        for (String h : hits) rows.add(List.of(prefix + h, "", "0", ""));
        Table.print(rows, io.out());
        return 0;
    }
}
