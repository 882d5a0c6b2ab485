package io.jcontainer.cli;

import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.Images;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.ListQuery;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jcontainer system df}: docker's table of disk use. Images: the whole image store on disk
 * (blobs, unpacked layers, flattened roots; each counted once), active = used by a container,
 * reclaimable = the compressed size of the images no container uses. Containers: what each
 * wrote (docker's SizeRw, {@code Containers.size}), reclaimable = that of the ones not running.
 * Volumes: count only (their size is not walked). Build cache: what {@code jcontainer build}
 * keeps is part of the store. {@code -v}: docker's verbose tables ({@link DiskUsage}).
 */
final class SystemDf {
    private SystemDf() {
    }

    /** {@code -v}/{@code --verbose}, the one flag {@code system df} takes here. */
    static boolean verbose(List<String> args) {
        boolean verbose = false;
        for (String a : args) {
            if (a.equals("-v") || a.equals("--verbose")) verbose = true;
            else throw new UsageException("\"system df\" accepts only -v (--verbose), not " + a + ".");
        }
        return verbose;
    }

    static int run(Io io, boolean verbose) {
        List<ImageInfo> images;
        try (Images store = ImageCli.open()) {
            images = store.list();
        }
        List<ContainerInfo> containers = new ArrayList<>();
        int volumes = 0;
        try {
            containers = Store.containers().list(ListQuery.ALL);
            volumes = Store.containers().volumes().list(Map.of()).size();
        } catch (RuntimeException e) {
            // no container state yet: none
        }
        Set<String> used = new HashSet<>();
        for (ContainerInfo c : containers) if (c.image() != null) used.add(c.image());
        int active = 0;
        long reclaimable = 0;
        for (ImageInfo i : images) {
            boolean inUse = i.repoTags().stream().anyMatch(t -> used.contains(t) || used.contains(t.replaceFirst("^docker\\.io/library/", "")))
                    || used.contains(i.id());
            if (inUse) active++;
            else reclaimable += i.size();
        }
        Path root = ImagesOptions.defaultStorageRoot();
        long store = du(root);
        long uppers = du(root.resolve("containers"));
        long running = containers.stream().filter(ContainerInfo::running).count();
        long written = 0, reclaimWritten = 0;
        Map<String, io.jcontainer.lifecycle.Containers.RootSize> sizes = new java.util.HashMap<>();
        for (ContainerInfo c : containers) {
            io.jcontainer.lifecycle.Containers.RootSize s = size(c);
            sizes.put(c.id(), s);
            written += s.rw();
            if (!c.running()) reclaimWritten += s.rw();
        }
        if (verbose) {
            DiskUsage.verbose(verboseJson(images, containers, sizes, used), io);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"));
        rows.add(List.of("Images", String.valueOf(images.size()), String.valueOf(active), ImageCli.size(store - uppers),
                ImageCli.size(reclaimable)));
        rows.add(List.of("Containers", String.valueOf(containers.size()), String.valueOf(running), ImageCli.size(written), ImageCli.size(reclaimWritten)));
        rows.add(List.of("Local Volumes", String.valueOf(volumes), "0", "0B", "0B"));
        rows.add(List.of("Build Cache", "0", "0", "0B", "0B"));
        Table.print(rows, io.out());
        return 0;
    }

    private static io.jcontainer.lifecycle.Containers.RootSize size(ContainerInfo c) {
        try {
            return Store.containers().size(c.id());
        } catch (io.jcontainer.lifecycle.Containers.NoSuchContainerException gone) {
            return new io.jcontainer.lifecycle.Containers.RootSize(0, 0);
        }
    }

    /** What the API's {@code GET /system/df} would answer for this host's stores: the input of {@link DiskUsage}. */
    private static com.fasterxml.jackson.databind.JsonNode verboseJson(List<ImageInfo> images, List<ContainerInfo> containers,
                                                                       Map<String, io.jcontainer.lifecycle.Containers.RootSize> sizes, Set<String> used) {
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        var df = f.objectNode();
        var is = df.putArray("Images");
        for (ImageInfo i : images) {
            var n = io.jcontainer.docker.ImageJson.summary(i);
            int count = 0;
            for (ContainerInfo c : containers)
                if (c.image() != null && (c.image().equals(i.id()) || i.repoTags().contains(c.image())
                        || i.repoTags().stream().anyMatch(t -> t.replaceFirst("^docker\\.io/library/", "").equals(c.image())))) count++;
            n.put("Containers", count);
            is.add(n);
        }
        List<io.jcontainer.lifecycle.VolumeInfo> volumes = List.of();
        try {
            volumes = Store.containers().volumes().list(Map.of());
        } catch (RuntimeException none) {
            // no container state yet: no volumes
        }
        var cs = df.putArray("Containers");
        for (ContainerInfo c : containers) {
            var n = cs.addObject();
            n.put("Id", c.id());
            n.putArray("Names").add("/" + (c.name() == null ? "" : c.name()));
            n.put("Image", c.image() == null ? "" : c.image());
            n.put("Command", String.join(" ", c.command()));
            n.put("Created", c.created() == null ? 0 : c.created().getEpochSecond());
            n.put("State", c.status().docker());
            n.put("Status", io.jcontainer.docker.PsColumns.status(c));
            n.put("SizeRw", sizes.get(c.id()).rw());
            n.put("SizeRootFs", sizes.get(c.id()).rootFs());
            var mounts = n.putArray("Mounts");
            for (var v : volumes) if (v.usedBy().contains(c.id())) mounts.addObject().put("Type", "volume").put("Name", v.name());
        }
        var vs = df.putArray("Volumes");
        for (var v : volumes) vs.addObject().put("Name", v.name()).putObject("UsageData").put("RefCount", v.usedBy().size()).put("Size", -1);
        df.putArray("BuildCache");
        return df;
    }

    /** Bytes allocated under {@code dir}, hard links counted once; 0 when it is missing. */
    static long du(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        long[] total = {0};
        Set<Object> seen = new HashSet<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && (attrs.fileKey() == null || seen.add(attrs.fileKey()))) total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // partial: what could be read
        }
        return total[0];
    }
}
