package io.jcontainer.oci.testing;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** Builds (hostile) layer tars in memory, entry by entry, exactly as written. */
public final class Tars {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    public Tars() {
        tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    public Tars dir(String name, int mode) {
        var e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true);
        e.setMode(mode);
        return put(e, null);
    }

    public Tars file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
    }

    public Tars file(String name, byte[] content, int mode, int uid, int gid) {
        var e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
        e.setMode(mode);
        e.setSize(content.length);
        e.setUserId(uid);
        e.setGroupId(gid);
        return put(e, content);
    }

    public Tars fileWithXattr(String name, String content, String xattr, String value) {
        var e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        e.setMode(0644);
        e.setSize(b.length);
        e.addPaxHeader("SCHILY.xattr." + xattr, value);
        return put(e, b);
    }

    public Tars symlink(String name, String target) {
        var e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        e.setLinkName(target);
        e.setMode(0777);
        return put(e, null);
    }

    public Tars hardlink(String name, String target) {
        var e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
        e.setLinkName(target);
        return put(e, null);
    }

    public Tars device(String name, byte type, int major, int minor) {
        var e = new TarArchiveEntry(name, type, true);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        e.setMode(0666);
        return put(e, null);
    }

    private Tars put(TarArchiveEntry e, byte[] content) {
        try {
            tar.putArchiveEntry(e);
            if (content != null) tar.write(content);
            tar.closeArchiveEntry();
            return this;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public byte[] tar() {
        try {
            tar.finish();
            return bytes.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public static byte[] gzip(byte[] raw) {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
