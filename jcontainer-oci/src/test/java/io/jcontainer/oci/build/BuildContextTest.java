package io.jcontainer.oci.build;

import io.jcontainer.image.build.BuildException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuildContextTest {
    @TempDir
    Path dir;

    static byte[] tar(boolean gzip, String... nameAndContent) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var out = new TarArchiveOutputStream(gzip ? new GZIPOutputStream(bytes) : bytes)) {
            for (int i = 0; i < nameAndContent.length; i += 2) {
                String name = nameAndContent[i];
                String content = nameAndContent[i + 1];
                TarArchiveEntry e;
                if (content.startsWith("->")) {
                    e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(content.substring(2));
                    out.putArchiveEntry(e);
                } else {
                    e = new TarArchiveEntry(name);
                    byte[] b = content.getBytes(StandardCharsets.UTF_8);
                    e.setSize(b.length);
                    e.setMode(0100644);
                    out.putArchiveEntry(e);
                    out.write(b);
                }
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void directoryContextReadsTheDockerfileAndPerDockerfileIgnoreWins() throws IOException {
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/app.Dockerfile"), "FROM scratch\nCOPY . /\n");
        Files.writeString(dir.resolve(".dockerignore"), "general\n");
        Files.writeString(dir.resolve("sub/app.Dockerfile.dockerignore"), "specific\n");
        try (BuildContext ctx = BuildContext.directory(dir)) {
            assertThat(ctx.dockerfile(null)).isEqualTo("FROM scratch\n");
            assertThat(ctx.ignore(null).patterns()).containsExactly("general");
            assertThat(ctx.ignore("sub/app.Dockerfile").patterns()).containsExactly("specific");
            assertThatThrownBy(() -> ctx.dockerfile("missing/Dockerfile")).isInstanceOf(BuildException.class)
                    .hasMessageContaining("cannot find the Dockerfile missing/Dockerfile");
        }
    }

    @Test
    void tarAndGzipStreamsAreUnpackedAndRemovedOnClose() throws IOException {
        for (boolean gz : new boolean[]{false, true}) {
            Path root;
            try (BuildContext ctx = BuildContext.tar(new ByteArrayInputStream(tar(gz, "Dockerfile", "FROM scratch\n", "a/b/c.txt", "hello")))) {
                root = ctx.root();
                assertThat(ctx.dockerfile(null)).isEqualTo("FROM scratch\n");
                assertThat(Files.readString(ctx.resolve("a/b/c.txt", true))).isEqualTo("hello");
            }
            assertThat(root).doesNotExist();
        }
    }

    /**
     * docker's CLI with {@code -f} outside the context sends the tar without the last entry's
     * padding and without the two zero blocks (its ReplaceFileTarWrapper closes the pipe before
     * the tar writer): Go's reader, dockerd's, takes that as the end; so do we. A stream cut
     * inside a file's data stays an error.
     */
    @Test
    void aTarEndingRightAfterTheLastFilesDataIsWholeButOneCutInsideAFileIsNot() throws IOException {
        byte[] whole = tar(false, "Dockerfile", "FROM scratch\n", ".dockerfile.0123456789abcdef0123", "FROM outside\n");
        int dataEnd = 512 + 512 + 512 + "FROM outside\n".length(); // header, data, header, data: no padding, no trailer
        byte[] goStyle = java.util.Arrays.copyOf(whole, dataEnd);
        try (BuildContext ctx = BuildContext.tar(new ByteArrayInputStream(goStyle))) {
            assertThat(ctx.dockerfile(".dockerfile.0123456789abcdef0123")).isEqualTo("FROM outside\n");
            assertThat(ctx.dockerfile(null)).isEqualTo("FROM scratch\n");
        }
        byte[] cut = java.util.Arrays.copyOf(whole, dataEnd - 3);
        assertThatThrownBy(() -> BuildContext.tar(new ByteArrayInputStream(cut))).isInstanceOf(BuildException.class)
                .hasMessageContaining("Truncated");
    }

    @Test
    void stdinIsATarOrALoneDockerfile() throws IOException {
        try (BuildContext ctx = BuildContext.stdin(new ByteArrayInputStream(tar(false, "Dockerfile", "FROM a\n")))) {
            assertThat(ctx.dockerfile(null)).isEqualTo("FROM a\n");
        }
        try (BuildContext ctx = BuildContext.stdin(new ByteArrayInputStream("FROM b\nRUN true\n".getBytes()))) {
            assertThat(ctx.dockerfile("ignored")).isEqualTo("FROM b\nRUN true\n");
            try (var s = Files.list(ctx.root())) {
                assertThat(s.count()).isZero();
            }
        }
    }

    @Test
    void hostileTarsAreRefusedAndLeaveNothing() throws IOException {
        List<Path> before = tempContexts();
        assertThatThrownBy(() -> BuildContext.tar(new ByteArrayInputStream(tar(false, "../escape", "x"))))
                .isInstanceOf(BuildException.class).hasMessageContaining("outside the context");
        assertThatThrownBy(() -> BuildContext.tar(new ByteArrayInputStream(tar(false, "link", "->/etc", "link/passwd", "x"))))
                .isInstanceOf(BuildException.class).hasMessageContaining("goes through a symlink");
        assertThat(tempContexts()).isEqualTo(before);
    }

    private static List<Path> tempContexts() throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            s.filter(p -> p.getFileName().toString().startsWith("jcontainer-context-")).sorted().forEach(out::add);
        }
        return out;
    }

    @Test
    void sourcesOutsideTheContextAreRefused() throws IOException {
        Path ctxDir = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(dir.resolve("outside.txt"), "secret");
        Files.writeString(ctxDir.resolve("inside.txt"), "ok");
        Files.createSymbolicLink(ctxDir.resolve("abs"), Path.of("/etc"));
        Files.createSymbolicLink(ctxDir.resolve("up"), Path.of("../outside.txt"));
        Files.createSymbolicLink(ctxDir.resolve("fine"), Path.of("inside.txt"));
        Files.createDirectories(ctxDir.resolve("d"));
        Files.createSymbolicLink(ctxDir.resolve("d/loop"), Path.of("../d/loop"));
        try (BuildContext ctx = BuildContext.directory(ctxDir)) {
            assertThatThrownBy(() -> ctx.resolve("../outside.txt", true)).isInstanceOf(BuildException.class)
                    .hasMessageContaining("forbidden path outside the build context: ../outside.txt");
            assertThatThrownBy(() -> ctx.resolve("abs/passwd", true)).isInstanceOf(BuildException.class)
                    .hasMessageContaining("abs is a symlink to /etc");
            assertThatThrownBy(() -> ctx.resolve("up", true)).isInstanceOf(BuildException.class)
                    .hasMessageContaining("up is a symlink to ../outside.txt");
            assertThatThrownBy(() -> ctx.resolve("d/loop", true)).isInstanceOf(BuildException.class)
                    .hasMessageContaining("too many levels");
            assertThat(Files.readString(ctx.resolve("fine", true))).isEqualTo("ok");
            assertThat(ctx.resolve("/inside.txt", true)).isEqualTo(ctxDir.resolve("inside.txt"));
            // the symlink itself (not followed) is a legitimate thing to copy
            assertThat(Files.isSymbolicLink(ctx.resolve("abs", false))).isTrue();
        }
    }
}
