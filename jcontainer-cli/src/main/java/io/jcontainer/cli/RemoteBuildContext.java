package io.jcontainer.cli;

import io.jcontainer.image.build.DockerIgnore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * What {@code build} sends to a remote daemon as the body of {@code POST /build}: the context
 * directory as an uncompressed tar (regular files, directories and symlinks, modes kept) minus
 * what its ignore rules exclude, as docker's CLI sends it — a file kept out of builds never
 * leaves this host, and an excluded directory is not even walked unless a {@code !} rule may
 * take something under it back.
 *
 * <p>A Dockerfile outside the context ({@code -f ../elsewhere/Dockerfile}) travels as docker's
 * CLI sends it: inside the tar under a generated name ({@code .dockerfile.} and 20 hex digits,
 * mode 0600), which the request's {@code dockerfile=} names, with that name appended to the
 * tar's {@code .dockerignore} (made, holding {@code .dockerignore}, when the context has none) so
 * that {@code COPY .} does not copy it.
 *
 * <p>The tar is written as it is sent ({@link #stream()}): the context is never held in memory.
 */
final class RemoteBuildContext {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final String dockerfile;
    /** The Dockerfile's bytes when it lives outside the context, else null. */
    private final byte[] outside;
    private final DockerIgnore ignore;
    private final Set<String> alwaysSent;

    private RemoteBuildContext(Path dir, String dockerfile, byte[] outside, DockerIgnore ignore) {
        this.dir = dir;
        this.dockerfile = dockerfile;
        this.outside = outside;
        this.ignore = ignore;
        String rel = DockerIgnore.clean(dockerfile);
        this.alwaysSent = Set.of(rel, rel + ".dockerignore", ".dockerignore");
    }

    /**
     * The context {@code dir} with the Dockerfile {@code file} as {@code -f} gave it (relative to
     * the working directory, as docker's CLI takes it), or null for the context's
     * {@code Dockerfile}.
     *
     * @throws CliException             the Dockerfile outside the context cannot be read
     * @throws IllegalArgumentException an ignore pattern that does not compile
     */
    static RemoteBuildContext of(Path dir, String file) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        if (file == null) return new RemoteBuildContext(root, "Dockerfile", null, DockerIgnore.read(root, root.resolve("Dockerfile")));
        Path f = Path.of("").toAbsolutePath().resolve(file).normalize();
        if (f.startsWith(root) && !f.equals(root))
            return new RemoteBuildContext(root, root.relativize(f).toString().replace('\\', '/'), null, DockerIgnore.read(root, f));
        byte[] text;
        try {
            text = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            throw new CliException(1, "unable to open Dockerfile: open " + f + ": no such file or directory");
        } catch (IOException e) {
            throw new CliException(1, "unable to open Dockerfile: " + f + ": " + e.getMessage());
        }
        String name = ".dockerfile." + HexFormat.of().formatHex(bytes(10));
        return new RemoteBuildContext(root, name, text, DockerIgnore.read(root, f));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** The Dockerfile's name inside the tar: the request's {@code dockerfile=}. */
    String dockerfile() {
        return dockerfile;
    }

    /** The tar as one array (tests). */
    byte[] bytes() throws IOException {
        var out = new ByteArrayOutputStream();
        write(out);
        return out.toByteArray();
    }

    /**
     * The tar as a stream written by a thread of its own while it is read. A failure of the
     * writer (a file that vanished, an unreadable one) makes the reader fail too — the daemon is
     * never handed a context cut short as if it were whole — and is thrown by {@link #check()}.
     */
    InputStream stream() throws IOException {
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        Thread.ofPlatform().daemon().name("jcontainer-build-context").start(() -> {
            try {
                write(out);
                out.close();
            } catch (IOException | RuntimeException e) {
                failure.set(e);
                // the pipe is left unclosed: its reader fails ("Write end dead") rather than seeing a clean end
            }
        });
        return in;
    }

    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /** Throws what stopped the writer of {@link #stream()}, if anything did. */
    void check() {
        Exception e = failure.get();
        if (e != null) throw new CliException(1, "unable to prepare context: " + e.getMessage());
    }

    void write(OutputStream bytes) throws IOException {
        try (var tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            boolean ignoreWritten = walk(tar, dir, "");
            if (outside != null) {
                FileTime now = FileTime.from(Instant.now());
                if (!ignoreWritten) put(tar, ".dockerignore", 0600, now, ignoreFileWithDockerfile(null));
                put(tar, dockerfile, 0600, now, outside);
            }
            tar.finish();
        }
    }

    /** Writes {@code d}'s entries in name order; true when the root's {@code .dockerignore} was among them. */
    private boolean walk(TarArchiveOutputStream tar, Path d, String prefix) throws IOException {
        List<Path> children;
        try (Stream<Path> s = Files.list(d)) {
            children = s.sorted().toList();
        }
        boolean ignoreWritten = false;
        for (Path f : children) {
            String name = prefix + f.getFileName();
            boolean excluded = ignore.excluded(name) && !alwaysSent.contains(name);
            boolean dir = Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS);
            if (excluded && !(dir && ignore.mayReinclude(name))) continue;
            int mode = mode(f);
            FileTime mtime = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS);
            if (Files.isSymbolicLink(f)) {
                TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                e.setLinkName(Files.readSymbolicLink(f).toString());
                e.setMode(mode);
                e.setModTime(mtime);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            } else if (dir) {
                if (!excluded) {
                    TarArchiveEntry e = new TarArchiveEntry(name + "/");
                    e.setMode(mode);
                    e.setModTime(mtime);
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                }
                walk(tar, f, name + "/");
            } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                if (outside != null && name.equals(".dockerignore")) {
                    put(tar, name, mode, mtime, ignoreFileWithDockerfile(f));
                    ignoreWritten = true;
                    continue;
                }
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(Files.size(f));
                e.setMode(mode);
                e.setModTime(mtime);
                tar.putArchiveEntry(e);
                try (var in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
                    in.transferTo(tar);
                }
                tar.closeArchiveEntry();
            }
            // sockets, FIFOs, devices: not build input
        }
        return ignoreWritten;
    }

    /** docker's CLI: the context's ignore file (or one naming itself) plus the generated Dockerfile's name. */
    private byte[] ignoreFileWithDockerfile(Path existing) throws IOException {
        String text = existing == null ? ".dockerignore" : Files.readString(existing, StandardCharsets.UTF_8);
        return (text + "\n" + dockerfile + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void put(TarArchiveOutputStream tar, String name, int mode, FileTime mtime, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setMode(mode);
        e.setModTime(mtime);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static int mode(Path f) throws IOException {
        try {
            return (Integer) Files.getAttribute(f, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        } catch (UnsupportedOperationException e) {
            return Files.isDirectory(f) ? 0755 : 0644;
        }
    }
}
