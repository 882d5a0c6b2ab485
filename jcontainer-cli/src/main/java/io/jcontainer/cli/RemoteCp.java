package io.jcontainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static io.jcontainer.cli.EngineClient.path;
import static io.jcontainer.cli.EngineClient.query;

/**
 * {@code cp} against a daemon, as docker's CLI does it: the container side is the archive
 * endpoint ({@code HEAD} for the stat header, {@code GET} a tar of the path, {@code PUT} a tar
 * into a directory), the host side is a tar made or unpacked here. docker's rules for where
 * things land: into an existing directory; as the destination's name when it does not exist;
 * a source ending in {@code /.} copies a directory's contents. Unpacking on this host never
 * writes outside the destination (no {@code ..}, no absolute names, never through a symlink the
 * archive made); {@code -a} keeps owners (uid/gid), otherwise the files are the caller's (out) or
 * the container's root's (in).
 */
final class RemoteCp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MODE_DIR = 1L << 31, MODE_SYMLINK = 1L << 27;

    private final EngineClient client;
    private final Io io;

    RemoteCp(EngineClient client, Io io) {
        this.client = client;
        this.io = io;
    }

    int run(Flags.Parsed p) throws Exception {
        RemoteVerbs.only(p, "cp", Set.of("archive", "follow-link"));
        var args = Command.exactly(p, "cp", 2);
        String a = args.get(0), b = args.get(1);
        boolean out = container(a), in = container(b);
        if (a.equals(b) && a.equals("-")) throw new UsageException("must specify at least one container source");
        if (out == in) throw new UsageException("copying between containers or between local paths is not supported: one of the paths must be CONTAINER:PATH");
        String spec = out ? a : b;
        String id = spec.substring(0, spec.indexOf(':'));
        String inside = spec.substring(spec.indexOf(':') + 1);
        if (!inside.startsWith("/")) inside = "/" + inside;
        if (out) copyOut(id, inside, b, p.bool("archive"), p.bool("follow-link"));
        else copyIn(a, id, inside, p.bool("archive"), p.bool("follow-link"));
        return 0;
    }

    private static boolean container(String arg) {
        return !arg.equals("-") && arg.indexOf(':') > 0 && !arg.startsWith("/") && !arg.startsWith(".");
    }

    /** The archive endpoint's stat of a path in the container, or null when it is not there. */
    private JsonNode stat(String id, String inside) throws IOException {
        String url = "/containers/" + path(id) + "/archive" + query("path", inside);
        try (var r = client.call("HEAD", url, null)) {
            r.body().readAllBytes();
            String h = r.headers().get("X-Docker-Container-Path-Stat");
            if (r.status() == 200 && h != null) return JSON.readTree(Base64.getDecoder().decode(h));
            if (r.status() == 404) return null;
        }
        // a HEAD answer carries no message: the GET's does (a refusal, or a daemon that answers HEAD differently)
        try (var g = client.call("GET", url, null)) {
            if (g.status() == 404) {
                g.body().close();
                return null;
            }
            if (g.status() >= 400) throw g.error();
            String h = g.headers().get("X-Docker-Container-Path-Stat");
            g.body().close();
            if (h == null) throw new CliException(1, "Error response from daemon: no stat of " + inside + " in the answer");
            return JSON.readTree(Base64.getDecoder().decode(h));
        }
    }

    // ---- container → host ----

    private void copyOut(String id, String inside, String dest, boolean archive, boolean followLink) throws IOException {
        boolean contents = inside.endsWith("/.");
        // the directory itself is fetched; its contents are what lands
        if (contents) inside = inside.length() > 2 ? inside.substring(0, inside.length() - 2) : "/";
        JsonNode st = stat(id, inside);
        if (st == null) throw new CliException(1, "Error response from daemon: Could not find the file " + inside + " in container " + id);
        if (followLink && (st.path("mode").asLong() & MODE_SYMLINK) != 0) {
            String target = st.path("linkTarget").asText();
            inside = target.startsWith("/") ? target : parent(inside) + "/" + target;
            st = stat(id, inside);
            if (st == null) throw new CliException(1, "Error response from daemon: Could not find the file " + inside + " in container " + id);
        }
        try (var r = client.call("GET", "/containers/" + path(id) + "/archive" + query("path", inside), null).ok()) {
            if (dest.equals("-")) { // the tar itself
                r.body().transferTo(io.out());
                io.out().flush();
                return;
            }
            boolean srcDir = (st.path("mode").asLong() & MODE_DIR) != 0;
            String top = st.path("name").asText(baseName(inside));
            Path target = Path.of(dest).toAbsolutePath();
            boolean exists = Files.exists(target);
            if (!exists && dest.endsWith("/"))
                throw new CliException(1, "Error response from daemon: destination directory " + dest + " must exist");
            if (exists && Files.isDirectory(target)) {
                extract(r.body(), target, top, contents ? null : top, archive);
            } else if (exists && srcDir) {
                throw new CliException(1, "Error response from daemon: cannot copy a directory to a file: " + dest);
            } else {
                Path parent = target.getParent();
                if (!Files.isDirectory(parent)) throw new CliException(1, "Error response from daemon: no such directory: " + parent);
                extract(r.body(), parent, top, target.getFileName().toString(), archive);
            }
        }
    }

    /**
     * Unpacks {@code tar} under {@code into}; the archive's top name {@code top} becomes
     * {@code as} (null: its contents land in {@code into} itself).
     */
    static void extract(InputStream tar, Path into, String top, String as, boolean archive) throws IOException {
        Path root = into.toRealPath();
        List<TarArchiveEntry> dirs = new ArrayList<>();
        List<Path> dirPaths = new ArrayList<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(tar)) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                String name = rename(e.getName(), top, as);
                if (name == null) continue;
                Path p = inside(root, name);
                if (p.equals(root)) continue; // the copied directory itself, when its contents are asked for
                noLinkBetween(root, p.getParent());
                Files.createDirectories(p.getParent());
                if (e.isDirectory()) {
                    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(p);
                        Files.createDirectory(p);
                    }
                    dirs.add(e);
                    dirPaths.add(p);
                    continue;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    throw new CliException(1, "cannot overwrite directory " + p + " with non-directory " + e.getName());
                Files.deleteIfExists(p); // a file or link there is replaced, never written through
                if (e.isSymbolicLink()) {
                    Files.createSymbolicLink(p, Path.of(e.getLinkName()));
                    if (archive) owner(p, e);
                    continue;
                }
                if (e.isLink()) {
                    String linked = rename(e.getLinkName(), top, as);
                    Path from = linked == null ? null : inside(root, linked);
                    if (from == null || !Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS))
                        throw new CliException(1, "hard link " + e.getName() + " → " + e.getLinkName() + ": its target is not in the archive");
                    Files.createLink(p, from);
                    continue;
                }
                if (!e.isFile()) continue; // devices and FIFOs are not made on the host
                try (OutputStream o = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    t.transferTo(o);
                }
                finish(p, e, archive);
            }
        }
        for (int i = dirs.size() - 1; i >= 0; i--) finish(dirPaths.get(i), dirs.get(i), archive); // after their entries: times stay
    }

    /** The entry's name with the top component renamed, or null when it is not under {@code top}. */
    private static String rename(String name, String top, String as) {
        String n = name.startsWith("./") ? name.substring(2) : name;
        while (n.endsWith("/")) n = n.substring(0, n.length() - 1);
        if (n.equals(top)) return as == null ? "" : as;
        if (!n.startsWith(top + "/")) return null;
        String rest = n.substring(top.length() + 1);
        return as == null ? rest : as + "/" + rest;
    }

    private static Path inside(Path root, String name) {
        if (name.startsWith("/")) throw new CliException(1, "archive entry " + name + " is absolute: refused");
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root)) throw new CliException(1, "archive entry " + name + " lands outside " + root + ": refused");
        return p;
    }

    /** No component between {@code root} and {@code dir} may be a symlink: unpacking never writes through one. */
    private static void noLinkBetween(Path root, Path dir) {
        for (Path p = dir; p != null && !p.equals(root) && p.startsWith(root); p = p.getParent())
            if (Files.isSymbolicLink(p)) throw new CliException(1, "archive path " + p + " goes through a symbolic link: refused");
    }

    private static void finish(Path p, TarArchiveEntry e, boolean archive) throws IOException {
        if (archive) owner(p, e);
        Files.setPosixFilePermissions(p, permissions(e.getMode()));
        Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(e.getLastModifiedTime().toInstant()), null, null);
    }

    private static void owner(Path p, TarArchiveEntry e) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE, high bit first
        for (int i = 0; i < 9; i++) if ((mode & (0400 >> i)) != 0) s.add(all[i]);
        return s;
    }

    // ---- host → container ----

    private void copyIn(String src, String id, String inside, boolean archive, boolean followLink) throws Exception {
        if (src.equals("-")) { // a tar on stdin, unpacked into the directory
            upload(id, inside, io.in());
            return;
        }
        Path source = Path.of(src).toAbsolutePath();
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) throw new CliException(1, "lstat " + src + ": no such file or directory");
        if (followLink) source = source.toRealPath();
        boolean srcDir = Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS);
        boolean contents = src.endsWith("/.");
        if (contents && !srcDir) throw new CliException(1, "source " + src + " is not a directory");
        JsonNode st = stat(id, inside);
        String into, as;
        if (st != null && (st.path("mode").asLong() & MODE_DIR) != 0) {
            into = inside;
            as = contents ? null : source.getFileName().toString();
        } else if (st != null && srcDir) {
            throw new CliException(1, "Error response from daemon: cannot copy a directory to a file: " + inside);
        } else {
            if (st == null && inside.endsWith("/"))
                throw new CliException(1, "Error response from daemon: destination directory " + inside + " must exist");
            into = parent(inside);
            as = baseName(inside);
        }
        Path from = source;
        PipedInputStream pipe = new PipedInputStream(1 << 16);
        PipedOutputStream sink = new PipedOutputStream(pipe);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (sink) {
                writeTar(from, as, archive, sink);
            } catch (IOException e) {
                throw EngineClient.unchecked(e);
            }
        }, r -> Thread.ofPlatform().daemon().name("jcontainer-cp-tar").start(r));
        try {
            upload(id, into, pipe);
        } finally {
            pipe.close();
        }
        try {
            writer.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException u && !u.getCause().getMessage().contains("Pipe closed"))
                throw new CliException(1, "reading " + src + ": " + u.getCause().getMessage());
        }
    }

    private void upload(String id, String dir, InputStream tar) throws IOException {
        try (var r = client.upload("PUT", "/containers/" + path(id) + "/archive" + query("path", dir), tar, "application/x-tar", Map.of()).ok()) {
            r.body().readAllBytes();
        }
    }

    /**
     * {@code source} as a tar: named {@code as} (null: its contents at the top), modes and times
     * kept, symbolic links as links; owners with {@code archive}, else root's (docker's default).
     */
    static void writeTar(Path source, String as, boolean archive, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        try (var walk = Files.walk(source)) {
            for (Path f : (Iterable<Path>) walk::iterator) {
                String rel = source.relativize(f).toString();
                String name = as == null ? rel : rel.isEmpty() ? as : as + "/" + rel;
                if (name.isEmpty()) continue; // the directory whose contents are copied
                TarArchiveEntry e;
                boolean regular = false;
                if (Files.isSymbolicLink(f)) {
                    e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(f).toString());
                } else if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                    e = new TarArchiveEntry(name + "/");
                } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    e = new TarArchiveEntry(name);
                    e.setSize(Files.size(f));
                    regular = true;
                } else continue; // sockets, FIFOs, devices are not copied
                Map<String, Object> attrs = Files.readAttributes(f, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                e.setMode((Integer) attrs.get("mode") & 07777 | (regular ? 0100000 : e.isSymbolicLink() ? 0120000 : 040000));
                e.setModTime((FileTime) attrs.get("lastModifiedTime"));
                e.setUserId(archive ? (Integer) attrs.get("uid") : 0);
                e.setGroupId(archive ? (Integer) attrs.get("gid") : 0);
                tar.putArchiveEntry(e);
                if (regular) try (InputStream in = Files.newInputStream(f)) {
                    in.transferTo(tar);
                }
                tar.closeArchiveEntry();
            }
        }
        tar.finish();
        tar.flush();
    }

    private static String parent(String p) {
        String s = p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
        int slash = s.lastIndexOf('/');
        return slash <= 0 ? "/" : s.substring(0, slash);
    }

    private static String baseName(String p) {
        String s = p;
        while (s.endsWith("/") && s.length() > 1) s = s.substring(0, s.length() - 1);
        if (s.endsWith("/.")) s = s.substring(0, s.length() - 2);
        return s.substring(s.lastIndexOf('/') + 1);
    }
}
