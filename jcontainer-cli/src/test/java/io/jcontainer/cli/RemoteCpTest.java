package io.jcontainer.cli;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code cp CONTAINER:SRC DEST} does on this host with the daemon's tar: docker's renaming of
 * the top entry, and nothing written outside DEST or through a link the archive made (the
 * daemon's archive is input like any other).
 */
class RemoteCpTest {
    @TempDir
    Path dir;

    @Test
    void theTopEntryIsRenamedAndModesAndLinksKept() throws IOException {
        byte[] tar = tar(t -> {
            dir(t, "src/");
            file(t, "src/a.txt", "a", 0640);
            link(t, "src/l", "a.txt");
        });
        Path dest = Files.createDirectories(dir.resolve("dest"));
        RemoteCp.extract(new ByteArrayInputStream(tar), dest, "src", "renamed", false);
        assertThat(dest.resolve("renamed/a.txt")).hasContent("a");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve("renamed/a.txt")))).isEqualTo("rw-r-----");
        assertThat(Files.readSymbolicLink(dest.resolve("renamed/l"))).isEqualTo(Path.of("a.txt"));
        // contents only ("SRC/."): the top directory's entries land in DEST itself
        Path contents = Files.createDirectories(dir.resolve("contents"));
        RemoteCp.extract(new ByteArrayInputStream(tar), contents, "src", null, false);
        assertThat(contents.resolve("a.txt")).hasContent("a");
    }

    @Test
    void anEntryOutsideTheDestinationIsRefused() throws IOException {
        byte[] tar = tar(t -> file(t, "src/../../escaped", "x", 0644));
        Path dest = Files.createDirectories(dir.resolve("d1"));
        assertThatThrownBy(() -> RemoteCp.extract(new ByteArrayInputStream(tar), dest, "src", "src", false))
                .isInstanceOf(CliException.class).hasMessageContaining("outside");
        assertThat(dir.resolve("escaped")).doesNotExist();
    }

    @Test
    void nothingIsWrittenThroughALinkTheArchiveMade() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        byte[] tar = tar(t -> {
            dir(t, "src/");
            link(t, "src/hop", outside.toString());
            file(t, "src/hop/planted", "x", 0644);
        });
        Path dest = Files.createDirectories(dir.resolve("d2"));
        assertThatThrownBy(() -> RemoteCp.extract(new ByteArrayInputStream(tar), dest, "src", "src", false))
                .isInstanceOf(CliException.class).hasMessageContaining("symbolic link");
        assertThat(outside.resolve("planted")).doesNotExist();
    }

    @Test
    void aFileOverALinkReplacesTheLinkNotItsTarget() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "keep");
        Path dest = Files.createDirectories(dir.resolve("d3"));
        Files.createSymbolicLink(dest.resolve("f"), target);
        RemoteCp.extract(new ByteArrayInputStream(tar(t -> file(t, "f", "new", 0644))), dest, "f", "f", false);
        assertThat(target).hasContent("keep");
        assertThat(Files.isSymbolicLink(dest.resolve("f"))).isFalse();
        assertThat(dest.resolve("f")).hasContent("new");
    }

    @Test
    void aTreeIsWrittenWithTheGivenTopName() throws IOException {
        Path src = Files.createDirectories(dir.resolve("tree/sub"));
        Files.writeString(src.resolve("x"), "x");
        var out = new ByteArrayOutputStream();
        RemoteCp.writeTar(dir.resolve("tree"), "named", false, out);
        Path dest = Files.createDirectories(dir.resolve("d4"));
        RemoteCp.extract(new ByteArrayInputStream(out.toByteArray()), dest, "named", "again", false);
        assertThat(dest.resolve("again/sub/x")).hasContent("x");
    }

    interface Writer {
        void write(TarArchiveOutputStream t) throws IOException;
    }

    private static byte[] tar(Writer w) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var t = new TarArchiveOutputStream(out)) {
            w.write(t);
        }
        return out.toByteArray();
    }

    private static void dir(TarArchiveOutputStream t, String name) throws IOException {
        t.putArchiveEntry(new TarArchiveEntry(name));
        t.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream t, String name, String content, int mode) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(b.length);
        e.setMode(0100000 | mode);
        t.putArchiveEntry(e);
        t.write(b);
        t.closeArchiveEntry();
    }

    private static void link(TarArchiveOutputStream t, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }
}
