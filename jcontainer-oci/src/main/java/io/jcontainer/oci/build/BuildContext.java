package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerIgnore;
import io.jcontainer.image.build.BuildException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * What a build reads files from: a directory (used in place), or a tar stream — the Docker API's
 * form, gzip allowed — unpacked entry by entry into a private temporary directory that
 * {@link #close()} removes; or {@code -}: standard input holding either such a tar or a lone
 * Dockerfile (then the context is empty). Nothing is held in memory per file.
 *
 * <p>Every path a build asks for is resolved strictly inside the root: {@code ../x} and symlinks
 * whose target leaves the context are refused with a {@link BuildException}.
 */
public final class BuildContext implements AutoCloseable {
    private static final int MAX_SYMLINKS = 40;

    private final Path root;
    private final Path temp;
    private final String inlineDockerfile;
    /** An image's files: absolute symlinks mean the image's root, as inside a container. */
    private final boolean chroot;
    /** An image's files as overlay layer directories (topmost first) instead of one tree, or null. */
    private final java.util.List<Path> layers;
    /** What a name the merged layers lack resolves to: a path that cannot exist (under a device file). */
    private static final Path MISSING = Path.of("/dev/null/missing");

    private BuildContext(Path root, Path temp, String inlineDockerfile) {
        this(root, temp, inlineDockerfile, false);
    }

    private BuildContext(Path root, Path temp, String inlineDockerfile, boolean chroot) {
        this(root, temp, inlineDockerfile, chroot, null);
    }

    private BuildContext(Path root, Path temp, String inlineDockerfile, boolean chroot, java.util.List<Path> layers) {
        this.root = root;
        this.temp = temp;
        this.inlineDockerfile = inlineDockerfile;
        this.chroot = chroot;
        this.layers = layers;
    }

    /**
     * A stage's root seen through its layer directories (topmost first, overlayfs's whiteouts and
     * opaque directories obeyed) without flattening them: what COPY and WORKDIR look up (is the
     * destination a directory, which parents exist, /etc/passwd). A name resolves to the entry
     * of the topmost layer that has it; a missing one to a path that does not exist.
     */
    static BuildContext layeredRoot(java.util.List<Path> layersTopFirst) {
        if (layersTopFirst.isEmpty()) return new BuildContext(MISSING, null, null, true, java.util.List.of());
        return new BuildContext(layersTopFirst.getFirst(), null, null, true, java.util.List.copyOf(layersTopFirst));
    }

    private Path child(Path cur, String done, String seg) {
        if (layers == null) return cur.resolve(seg);
        try {
            Path p = LayerView.find(layers, "/" + done + seg);
            return p != null ? p : MISSING.resolve(seg);
        } catch (IOException e) {
            throw new BuildException("cannot look up /" + done + seg + " in the image's layers: " + e.getMessage(), e);
        }
    }

    /** A stage's or an image's root filesystem as a source of files (COPY --from). */
    static BuildContext imageRoot(Path dir) {
        return new BuildContext(dir.toAbsolutePath().normalize(), null, null, true);
    }

    /** A directory on this machine, used in place. */
    public static BuildContext directory(Path dir) {
        if (!Files.isDirectory(dir))
            throw new BuildException("build context " + dir + ": not a directory");
        return new BuildContext(dir.toAbsolutePath().normalize(), null, null);
    }

    /** A tar stream (plain or gzip), unpacked into a temporary directory. */
    public static BuildContext tar(InputStream in) {
        Path temp = newTemp();
        try {
            untar(new UnterminatedEnd(decompress(new BufferedInputStream(in, 1 << 16))), temp);
            return new BuildContext(temp, temp, null);
        } catch (IOException | RuntimeException e) {
            deleteTree(temp);
            if (e instanceof BuildException be) throw be;
            throw new BuildException("cannot read the build context tar: " + e.getMessage(), e);
        }
    }

    /** {@code -}: a tar (plain or gzip) or, when the bytes are not one, a Dockerfile with an empty context. */
    public static BuildContext stdin(InputStream in) {
        BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
        try {
            b.mark(1024);
            byte[] head = b.readNBytes(512);
            b.reset();
            boolean gzip = head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
            boolean tar = head.length >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar");
            if (gzip || tar) return tar(b);
            String dockerfile = new String(b.readAllBytes(), StandardCharsets.UTF_8);
            Path temp = newTemp();
            return new BuildContext(temp, temp, dockerfile);
        } catch (IOException e) {
            throw new BuildException("cannot read the build context from standard input: " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /**
     * The Dockerfile's text: the one given on standard input, else {@code name} (default
     * {@code Dockerfile}) inside the context — or, as docker allows for {@code -f}, an absolute
     * path outside a directory context.
     */
    public String dockerfile(String name) {
        if (inlineDockerfile != null) return inlineDockerfile;
        Path p = dockerfilePath(name);
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BuildException("cannot find the Dockerfile " + (name == null ? "Dockerfile" : name) + " in the build context " + root);
        } catch (IOException e) {
            throw new BuildException("cannot read the Dockerfile " + p + ": " + e.getMessage(), e);
        }
    }

    private Path dockerfilePath(String name) {
        if (name == null || name.isEmpty()) name = "Dockerfile";
        Path given = Path.of(name);
        if (given.isAbsolute() && temp == null) return given;
        return resolve(name, true);
    }

    /**
     * The ignore rules: {@code <Dockerfile>.dockerignore} next to the Dockerfile when present
     * (BuildKit's per-Dockerfile file), else {@code .dockerignore} at the context root.
     */
    public DockerIgnore ignore(String dockerfileName) {
        try {
            return DockerIgnore.read(root, inlineDockerfile == null ? dockerfilePath(dockerfileName) : null);
        } catch (IOException e) {
            throw new BuildException("cannot read .dockerignore: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BuildException(e.getMessage());
        }
    }

    /**
     * {@code rel} (as a COPY source names it) resolved inside the context: {@code ..} may not
     * leave it, and symlinks on the way (and at the end when {@code followLast}) are followed only
     * while their targets stay inside.
     */
    public Path resolve(String rel, boolean followLast) {
        String cleaned = DockerIgnore.clean(rel.startsWith("/") ? rel.substring(1) : rel);
        if (cleaned.equals("..") || cleaned.startsWith("../"))
            throw new BuildException("forbidden path outside the build context: " + rel);
        if (cleaned.equals(".")) return root;
        return resolveLogical(rel, cleaned, followLast, 0);
    }

    private Path resolveLogical(String original, String logical, boolean followLast, int depth) {
        String[] segs = logical.split("/");
        Path cur = root;
        StringBuilder done = new StringBuilder();
        for (int i = 0; i < segs.length; i++) {
            Path next = child(cur, done.toString(), segs[i]);
            boolean last = i == segs.length - 1;
            if ((!last || followLast) && Files.isSymbolicLink(next)) {
                if (depth >= MAX_SYMLINKS) throw new BuildException("too many levels of symbolic links resolving " + original);
                String target;
                try {
                    target = Files.readSymbolicLink(next).toString();
                } catch (IOException e) {
                    throw new BuildException("cannot read the symlink " + next + ": " + e.getMessage(), e);
                }
                if (target.startsWith("/") && chroot) {
                    StringBuilder rest = new StringBuilder(target.substring(1));
                    for (int j = i + 1; j < segs.length; j++) rest.append('/').append(segs[j]);
                    String resolved = DockerIgnore.clean(rest.toString());
                    if (resolved.equals(".") || resolved.equals("..") || resolved.startsWith("../")) return root;
                    return resolveLogical(original, resolved, followLast, depth + 1);
                }
                if (target.startsWith("/"))
                    throw new BuildException("forbidden path outside the build context: " + original + " (" + done + segs[i] + " is a symlink to " + target + ")");
                StringBuilder rest = new StringBuilder(done).append(target);
                for (int j = i + 1; j < segs.length; j++) rest.append('/').append(segs[j]);
                String resolved = DockerIgnore.clean(rest.toString());
                if (resolved.equals("..") || resolved.startsWith("../")) {
                    if (chroot) return root; // like /.. inside a container
                    throw new BuildException("forbidden path outside the build context: " + original + " (" + done + segs[i] + " is a symlink to " + target + ")");
                }
                if (resolved.equals(".")) return root;
                return resolveLogical(original, resolved, followLast, depth + 1);
            }
            done.append(segs[i]).append('/');
            cur = next;
        }
        return cur;
    }

    /** Removes the temporary directory of a tar or stdin context; a directory context is left alone. */
    @Override
    public void close() {
        if (temp != null) deleteTree(temp);
    }

    // ------------------------------------------------------------------ tar

    private static InputStream decompress(BufferedInputStream in) throws IOException {
        in.mark(2);
        int a = in.read(), b = in.read();
        in.reset();
        if (a == 0x1f && b == 0x8b) return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        return in;
    }

    /**
     * A tar stream that may stop right after its last entry's data, without the padding and the
     * end-of-archive blocks: what docker's CLI sends when the Dockerfile lives outside the context
     * (its {@code archive.ReplaceFileTarWrapper}, which adds the Dockerfile under a generated name,
     * closes its pipe before its tar writer can finish). Go's tar reader, dockerd's, takes that
     * end as the end of the archive; commons-compress calls it truncated. This serves the missing
     * zeros once the real bytes are over, and {@link #untar} refuses a file whose data needed any
     * of them: a stream cut inside a file is still truncated.
     */
    private static final class UnterminatedEnd extends java.io.FilterInputStream {
        private long real;
        private long zeros = -1; // how many zeros are left to serve once the real bytes are over

        UnterminatedEnd(InputStream in) {
            super(in);
        }

        boolean ended() {
            return zeros >= 0;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (zeros < 0) {
                int n = in.read(b, off, len);
                if (n > 0) {
                    real += n;
                    return n;
                }
                if (n == 0) return 0;
                zeros = (512 - real % 512) % 512 + 1024; // the last record's padding, then two zero blocks
            }
            if (zeros == 0) return -1;
            int n = (int) Math.min(len, zeros);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            zeros -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            if (n <= 0) return 0;
            return Math.max(0, read(new byte[(int) Math.min(n, 8192)], 0, (int) Math.min(n, 8192))); // through read(): the zeros count too
        }
    }

    private static void untar(UnterminatedEnd in, Path root) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = DockerIgnore.clean(e.getName());
                if (name.startsWith("/")) name = DockerIgnore.clean(name.substring(1));
                if (name.equals(".")) continue;
                if (name.equals("..") || name.startsWith("../"))
                    throw new BuildException("build context tar entry outside the context: " + e.getName());
                Path target = root.resolve(name);
                ensureParents(root, name);
                if (e.isDirectory()) {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(target);
                        Files.createDirectory(target);
                    }
                } else if (e.isSymbolicLink()) {
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                    continue;
                } else if (e.isLink()) {
                    String linked = DockerIgnore.clean(e.getLinkName());
                    if (linked.startsWith("/") || linked.equals("..") || linked.startsWith("../"))
                        throw new BuildException("build context tar hard link outside the context: " + e.getLinkName());
                    Path source = root.resolve(linked);
                    if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS))
                        throw new BuildException("build context tar hard link to a missing file: " + e.getLinkName());
                    Files.deleteIfExists(target);
                    Files.createLink(target, source);
                    continue;
                } else if (e.isFile()) {
                    Files.deleteIfExists(target);
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        tar.transferTo(out);
                    }
                    if (in.ended()) throw new IOException("Truncated TAR archive: " + e.getName() + " ends early");
                } else {
                    continue; // devices and fifos have no place in a build context
                }
                Files.setPosixFilePermissions(target, perms(e.getMode()));
                Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(e.getLastModifiedDate().toInstant()));
            }
        }
    }

    /** Makes the parent directories of {@code name}, refusing to go through a symlink an earlier entry made. */
    private static void ensureParents(Path root, String name) throws IOException {
        int slash = name.lastIndexOf('/');
        if (slash < 0) return;
        Path cur = root;
        for (String seg : name.substring(0, slash).split("/")) {
            cur = cur.resolve(seg);
            if (Files.isSymbolicLink(cur))
                throw new BuildException("build context tar entry " + name + " goes through a symlink");
            if (!Files.isDirectory(cur, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(cur);
        }
    }

    static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) if ((mode & (1 << i)) != 0) s.add(order[i]);
        return s;
    }

    private static Path newTemp() {
        try {
            return Files.createTempDirectory("jcontainer-context-");
        } catch (IOException e) {
            throw new BuildException("cannot make a temporary directory for the build context: " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    // a directory without write permission (chmod 555 in a context) could not be emptied
                    d.toFile().setWritable(true, true);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException exc) throws IOException {
                    // a directory that could not be listed: overlayfs leaves its work/work at mode 000,
                    // owned by the build's own user when the build is rootless
                    if (exc instanceof java.nio.file.AccessDeniedException && Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                        // (not with NOFOLLOW_LINKS: the JDK then opens the directory to chmod it, which mode 000 refuses)
                        try {
                            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                        } catch (java.nio.file.FileSystemException notOwner) {
                            // made by the root of a rootless step's user namespace (a subordinate id): empty,
                            // and removable from its parent, which is ours
                            Files.delete(f);
                            return FileVisitResult.CONTINUE;
                        }
                        deleteTree(f);
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isDirectory()) return visitFileFailed(f, new java.nio.file.AccessDeniedException(f.toString()));
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new BuildException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
