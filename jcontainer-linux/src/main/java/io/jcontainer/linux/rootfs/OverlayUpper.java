package io.jcontainer.linux.rootfs;

import io.jcontainer.Root;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Removes the upper and work directories of an overlay root the runtime owns
 * ({@link Root.Overlay#removeWithContainer()}): when an attached container's handle closes, when
 * a recorded one is removed, when a first start fails. Plain file work on a tree nobody uses any
 * more (the container's mount namespace is gone or going), so java.nio, never following links.
 */
public final class OverlayUpper {
    private OverlayUpper() {
    }

    /**
     * Makes an owned upper and work directory when they are missing (an image root as
     * {@code Images.overlayRoot(image)} describes it): at the start, so that a spec never started
     * leaves nothing behind. The upper's root is the container's "/": 0755, as an image root.
     */
    public static void prepare(Root root) {
        if (!(root instanceof Root.Overlay o) || !o.removeWithContainer()) return;
        try {
            if (!Files.isDirectory(o.upper(), LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(o.upper());
                Files.setAttribute(o.upper(), "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
            }
            if (!Files.isDirectory(o.work(), LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(o.work());
                Files.setAttribute(o.work(), "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new io.jcontainer.ContainerStartException("cannot make the overlay upper " + o.upper() + " and work " + o.work() + ": " + e, e);
        }
    }

    public static void removeIfOwned(Root root) {
        if (!(root instanceof Root.Overlay o) || !o.removeWithContainer()) return;
        try {
            delete(o.upper());
            delete(o.work());
            Path parent = o.upper().getParent();
            if (parent != null && parent.equals(o.work().getParent())) {
                try (var left = Files.list(parent)) {
                    if (left.findAny().isEmpty()) Files.deleteIfExists(parent);
                }
            }
        } catch (IOException e) {
            // the container is gone either way: say what was left behind
            LoggerFactory.getLogger(OverlayUpper.class).warn("jcontainer: could not remove the overlay upper {}: {}", o.upper(), e.toString());
        }
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                try {
                    // overlayfs leaves work/work at mode 0; an ordinary user must open it first
                    Files.setAttribute(dir, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException | UnsupportedOperationException ignored) {
                    // the deletion below reports the real problem
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (!(exc instanceof NoSuchFileException)) Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
