package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerIgnore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Writes one uncompressed layer tar (OCI {@code application/vnd.oci.image.layer.v1.tar}) to a
 * file, computing its sha256 — which, uncompressed, is both the blob digest and the diff id —
 * while writing. Entry names are relative ({@code usr/bin/x}, directories end in {@code /});
 * deletions are {@code .wh.} whiteouts, a replaced directory {@code .wh..wh..opq}.
 */
final class LayerWriter implements AutoCloseable {
    private final Path file;
    private final MessageDigest sha;
    private final CountingStream counter;
    private final TarArchiveOutputStream tar;
    private final Set<String> written = new LinkedHashSet<>();
    private long entries;
    private boolean closed;

    LayerWriter(Path file) throws IOException {
        this.file = file;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16);
        counter = new CountingStream(new DigestOutputStream(out, sha));
        tar = new TarArchiveOutputStream(counter);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** The finished layer: its digest ({@code sha256:…}), size and entry count. */
    record Result(String digest, long size, long entries) {
    }

    static String entryName(String absPath, boolean dir) {
        String n = absPath.startsWith("/") ? absPath.substring(1) : absPath;
        return dir && !n.endsWith("/") ? n + "/" : n;
    }

    boolean contains(String absPath) {
        return written.contains(DockerIgnore.clean(absPath));
    }

    void directory(String absPath, int perm, int uid, int gid, FileTime mtime) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(entryName(absPath, true), TarConstants.LF_DIR);
        fill(e, perm, uid, gid, mtime);
        put(absPath, e, null);
    }

    void file(String absPath, int perm, int uid, int gid, FileTime mtime, long size, InputStream content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(entryName(absPath, false), TarConstants.LF_NORMAL);
        fill(e, perm, uid, gid, mtime);
        e.setSize(size);
        put(absPath, e, content);
    }

    void symlink(String absPath, String target, int uid, int gid, FileTime mtime) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(entryName(absPath, false), TarConstants.LF_SYMLINK);
        fill(e, 0777, uid, gid, mtime);
        e.setLinkName(target);
        put(absPath, e, null);
    }

    void hardlink(String absPath, String targetAbsPath, int perm, int uid, int gid, FileTime mtime) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(entryName(absPath, false), TarConstants.LF_LINK);
        fill(e, perm, uid, gid, mtime);
        e.setLinkName(entryName(targetAbsPath, false));
        put(absPath, e, null);
    }

    /** {@code absPath} deleted: an empty {@code .wh.<name>} next to it. */
    void whiteout(String absPath) throws IOException {
        String clean = DockerIgnore.clean(absPath);
        int slash = clean.lastIndexOf('/');
        String wh = clean.substring(0, slash + 1) + ".wh." + clean.substring(slash + 1);
        TarArchiveEntry e = new TarArchiveEntry(entryName(wh, false), TarConstants.LF_NORMAL);
        fill(e, 0, 0, 0, FileTime.fromMillis(0));
        put(wh, e, null);
    }

    /** The lower layers' contents of directory {@code absPath} are hidden. */
    void opaque(String absPath) throws IOException {
        String wh = DockerIgnore.clean(absPath + "/.wh..wh..opq");
        TarArchiveEntry e = new TarArchiveEntry(entryName(wh, false), TarConstants.LF_NORMAL);
        fill(e, 0, 0, 0, FileTime.fromMillis(0));
        put(wh, e, null);
    }

    long entries() {
        return entries;
    }

    private static void fill(TarArchiveEntry e, int perm, int uid, int gid, FileTime mtime) {
        e.setMode((e.isDirectory() ? 0040000 : e.isSymbolicLink() ? 0120000 : 0100000) | (perm & 07777));
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(mtime == null ? FileTime.fromMillis(0) : mtime);
    }

    private void put(String absPath, TarArchiveEntry e, InputStream content) throws IOException {
        tar.putArchiveEntry(e);
        if (content != null) content.transferTo(tar);
        tar.closeArchiveEntry();
        written.add(DockerIgnore.clean(absPath.startsWith("/") ? absPath : "/" + absPath));
        entries++;
    }

    /** Ends the tar and returns what was written. */
    Result finish() throws IOException {
        tar.finish();
        tar.close();
        closed = true;
        return new Result("sha256:" + HexFormat.of().formatHex(sha.digest()), counter.count, entries);
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            tar.close();
        }
    }

    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
