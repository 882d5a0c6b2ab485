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
 * reclaimable = the compressed size of the images no container uses. Containers: their writable
 * overlay uppers in the store ({@code containers/}). Volumes: count only (their size is not
 * walked). Build cache: what {@code jcontainer build} keeps is part of the store.
 */
final class SystemDf {
    private SystemDf() {
    }

    static int run(Io io) {
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
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"));
        rows.add(List.of("Images", String.valueOf(images.size()), String.valueOf(active), ImageCli.size(store - uppers),
                ImageCli.size(reclaimable)));
        rows.add(List.of("Containers", String.valueOf(containers.size()), String.valueOf(running), ImageCli.size(uppers), "0B"));
        rows.add(List.of("Local Volumes", String.valueOf(volumes), "0", "0B", "0B"));
        rows.add(List.of("Build Cache", "0", "0", "0B", "0B"));
        Table.print(rows, io.out());
        return 0;
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
