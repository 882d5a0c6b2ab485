package io.jcontainer.linux.rootfs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The bytes of a container's files as docker's daemon counts them for {@code SizeRw} and
 * {@code SizeRootFs} ({@code pkg/directory.Size}): every entry that is not a directory — files,
 * symlinks (their target's length), an overlay's whiteouts (0) — by its size, each inode once
 * (hard links), symlinks never followed. What cannot be read (a directory a rootless container's
 * other user made private) is left out rather than failing the listing it is shown in.
 */
public final class FileSizes {
    private FileSizes() {
    }

    /** The total over {@code dirs} (an overlay's layers: an inode shared by two counts once); a missing one counts 0. */
    public static long total(List<Path> dirs) {
        long[] total = {0};
        Set<Object> seen = new HashSet<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) continue;
            try {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                        if (!a.isDirectory() && (a.fileKey() == null || seen.add(a.fileKey()))) total[0] += a.size();
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                // what could be read is counted
            }
        }
        return total[0];
    }
}
