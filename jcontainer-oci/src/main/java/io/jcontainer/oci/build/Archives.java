package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerIgnore;
import io.jcontainer.image.build.BuildException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/** ADD's local archive extraction: tar, tar.gz, tar.bz2 recognised by content, as docker does. */
final class Archives {
    private Archives() {
    }

    static boolean isArchive(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) return true;
        if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') return true;
        return head.length >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar");
    }

    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(3);
        int a = in.read(), b = in.read(), c = in.read();
        in.reset();
        if (a == 0x1f && b == 0x8b) return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        if (a == 'B' && b == 'Z' && c == 'h') return new BZip2CompressorInputStream(in);
        return in;
    }

    /** Writes the archive's entries under {@code destDir} into the layer; names may not leave it. */
    static void extractInto(Path archive, String destDir, LayerWriter out, int[] owner, Set<String> parentsDone,
                            BuildContext image) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(open(archive))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String rel = DockerIgnore.clean(e.getName());
                if (rel.startsWith("/")) rel = DockerIgnore.clean(rel.substring(1));
                if (rel.equals(".")) continue;
                if (rel.equals("..") || rel.startsWith("../"))
                    throw new BuildException("ADD " + archive.getFileName() + ": archive entry " + e.getName() + " leaves the destination");
                String abs = destDir.equals("/") ? "/" + rel : destDir + "/" + rel;
                int uid = owner != null ? owner[0] : (int) e.getLongUserId();
                int gid = owner != null ? owner[1] : (int) e.getLongGroupId();
                FileTime mtime = FileTime.from(e.getLastModifiedDate().toInstant());
                if (e.isDirectory()) out.directory(abs, e.getMode() & 07777, uid, gid, mtime);
                else if (e.isSymbolicLink()) out.symlink(abs, e.getLinkName(), uid, gid, mtime);
                else if (e.isLink()) {
                    String target = DockerIgnore.clean(e.getLinkName());
                    if (target.startsWith("/") || target.equals("..") || target.startsWith("../"))
                        throw new BuildException("ADD " + archive.getFileName() + ": hard link " + e.getName() + " leaves the destination");
                    out.hardlink(abs, destDir.equals("/") ? "/" + target : destDir + "/" + target, e.getMode() & 07777, uid, gid, mtime);
                } else if (e.isFile()) out.file(abs, e.getMode() & 07777, uid, gid, mtime, e.getSize(), tar);
            }
        }
    }
}
