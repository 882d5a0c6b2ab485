package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerIgnore;
import io.jcontainer.image.build.BuildException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.zip.GZIPInputStream;

/**
 * Applies a layer tar to a root filesystem the builder owns (a stage's working root): whiteouts
 * delete, opaque markers empty a directory, every other entry is created or replaced. Paths are
 * resolved like inside a container — symlinks followed but never out of the root — so a layer
 * cannot write outside it. Ownership is applied when running as root.
 */
final class LayerApplier {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private LayerApplier() {
    }

    static void apply(InputStream layer, Path root) throws IOException {
        BufferedInputStream in = new BufferedInputStream(layer, 1 << 16);
        in.mark(2);
        int a = in.read(), b = in.read();
        in.reset();
        InputStream src = a == 0x1f && b == 0x8b ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
        BuildContext inside = BuildContext.imageRoot(root);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(src)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = DockerIgnore.clean("/" + e.getName());
                if (name.equals("/")) continue;
                int slash = name.lastIndexOf('/');
                String parentRel = slash <= 0 ? "" : name.substring(1, slash);
                String base = name.substring(slash + 1);
                Path parent = parentRel.isEmpty() ? root : inside.resolve(parentRel, true);
                if (!parent.startsWith(root)) throw new BuildException("layer entry " + e.getName() + " resolves outside the root");
                Files.createDirectories(parent);
                if (base.equals(".wh..wh..opq")) {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
                        for (Path c : ds) BuildContext.deleteTree(c);
                    }
                    continue;
                }
                if (base.startsWith(".wh.")) {
                    BuildContext.deleteTree(parent.resolve(base.substring(4)));
                    continue;
                }
                Path target = parent.resolve(base);
                boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
                if (e.isDirectory()) {
                    if (exists && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(target);
                        exists = false;
                    }
                    if (!exists) Files.createDirectory(target);
                } else {
                    if (exists) BuildContext.deleteTree(target);
                    if (e.isSymbolicLink()) {
                        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                        owner(target, e);
                        continue;
                    } else if (e.isLink()) {
                        Path linked = inside.resolve(DockerIgnore.clean(e.getLinkName()).replaceFirst("^/", ""), false);
                        Files.createLink(target, linked);
                        continue;
                    } else if (e.isFile()) {
                        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                            tar.transferTo(out);
                        }
                    } else {
                        continue; // devices and fifos: a build's layers have none
                    }
                }
                owner(target, e);
                Files.setAttribute(target, "unix:mode", e.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
                Files.setLastModifiedTime(target, FileTime.from(e.getLastModifiedDate().toInstant()));
            }
        }
    }

    private static void owner(Path p, TarArchiveEntry e) throws IOException {
        if (!ROOT) return;
        Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
    }
}
