package io.jcontainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.docker.PsColumns;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code system df -v}: docker's verbose disk use — images, containers (with what each wrote:
 * {@code SizeRw}), local volumes and the build
 * cache — from the shape of the API's {@code GET /system/df}, which the client mode receives and
 * the local verb builds from this host's stores.
 */
final class DiskUsage {
    private DiskUsage() {
    }

    static void verbose(JsonNode df, Io io) {
        io.out().println("Images space usage:");
        io.out().println();
        List<List<String>> images = new ArrayList<>();
        images.add(List.of("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"));
        for (JsonNode i : df.path("Images")) {
            String id = i.path("Id").asText().replaceFirst("^sha256:", "");
            String shortId = id.substring(0, Math.min(12, id.length()));
            List<String> tags = new ArrayList<>();
            for (JsonNode t : i.path("RepoTags")) tags.add(t.asText());
            if (tags.isEmpty()) tags.add("<none>:<none>");
            for (String t : tags) {
                int colon = t.lastIndexOf(':');
                boolean tagged = colon > 0 && !t.substring(colon).contains("/");
                long size = Math.max(0, i.path("Size").asLong(0)), shared = Math.max(0, i.path("SharedSize").asLong(0));
                images.add(List.of(tagged ? t.substring(0, colon) : t, tagged ? t.substring(colon + 1) : "<none>", shortId,
                        PsColumns.ago(Instant.ofEpochSecond(i.path("Created").asLong(0))), ImageCli.size(size), ImageCli.size(shared),
                        ImageCli.size(Math.max(0, size - shared)), String.valueOf(Math.max(0, i.path("Containers").asInt(0)))));
            }
        }
        Table.print(images, io.out());
        io.out().println();
        io.out().println("Containers space usage:");
        io.out().println();
        List<List<String>> containers = new ArrayList<>();
        containers.add(List.of("CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"));
        for (JsonNode c : df.path("Containers")) {
            String id = c.path("Id").asText();
            String cmd = c.path("Command").asText();
            if (cmd.length() > 20) cmd = cmd.substring(0, 19) + "…";
            int volumes = 0;
            for (JsonNode m : c.path("Mounts")) if (m.path("Type").asText().equals("volume")) volumes++;
            List<String> names = new ArrayList<>();
            for (JsonNode n : c.path("Names")) names.add(n.asText().replaceFirst("^/", ""));
            containers.add(List.of(id.substring(0, Math.min(12, id.length())), c.path("Image").asText(), "\"" + cmd + "\"",
                    String.valueOf(volumes), ImageCli.size(Math.max(0, c.path("SizeRw").asLong(0))), // docker's df: what it wrote only
                    PsColumns.ago(Instant.ofEpochSecond(c.path("Created").asLong(0))), c.path("Status").asText(), String.join(",", names)));
        }
        Table.print(containers, io.out());
        io.out().println();
        io.out().println("Local Volumes space usage:");
        io.out().println();
        List<List<String>> volumes = new ArrayList<>();
        volumes.add(List.of("VOLUME NAME", "LINKS", "SIZE"));
        for (JsonNode v : df.path("Volumes")) {
            long size = v.path("UsageData").path("Size").asLong(-1);
            volumes.add(List.of(v.path("Name").asText(), String.valueOf(Math.max(0, v.path("UsageData").path("RefCount").asInt(0))),
                    size < 0 ? "N/A" : ImageCli.size(size)));
        }
        Table.print(volumes, io.out());
        io.out().println();
        long cache = 0;
        for (JsonNode b : df.path("BuildCache")) cache += Math.max(0, b.path("Size").asLong(0));
        io.out().println("Build cache usage: " + ImageCli.size(cache));
        io.out().println();
        Table.print(List.of(List.of("CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED")), io.out());
    }
}
