package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerIgnore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A depth-first, name-ordered walk of a directory tree that never follows symlinks and never
 * holds more than the names of the directories on the current path: a context of a million
 * files costs the memory of its largest directory listing, not of its file count. Entries the
 * ignore rules exclude are not visited; an excluded directory is not entered unless a {@code !}
 * rule may re-include something under it.
 */
final class TreeWalker {
    private TreeWalker() {
    }

    /** What the walk knows of one entry. {@code mode} is the full st_mode (type and permission bits). */
    record Attrs(int mode, int uid, int gid, long size, FileTime mtime, String linkTarget) {
        static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;

        boolean isDir() {
            return (mode & S_IFMT) == S_IFDIR;
        }

        boolean isFile() {
            return (mode & S_IFMT) == S_IFREG;
        }

        boolean isSymlink() {
            return (mode & S_IFMT) == S_IFLNK;
        }

        int perm() {
            return mode & 07777;
        }

        static Attrs of(Path p) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            String link = (mode & S_IFMT) == S_IFLNK ? Files.readSymbolicLink(p).toString() : null;
            return new Attrs(mode, (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("size"),
                    (FileTime) a.get("lastModifiedTime"), link);
        }
    }

    interface Visitor {
        /** {@code rel} is relative to the walk's start ({@code ""} for the start itself), {@code /}-separated. */
        void visit(String rel, Path path, Attrs attrs) throws IOException;
    }

    /**
     * Walks {@code start}; {@code ignorePrefix} is start's path relative to the context root
     * (what the ignore rules match against), or null when no rules apply (a stage's files).
     */
    static void walk(Path start, String ignorePrefix, DockerIgnore ignore, Visitor visitor) throws IOException {
        Attrs top = Attrs.of(start);
        visitor.visit("", start, top);
        if (!top.isDir()) return;
        record Frame(String rel, Path dir, Iterator<String> names) {
        }
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame("", start, sortedNames(start)));
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (!f.names.hasNext()) {
                stack.pop();
                continue;
            }
            String name = f.names.next();
            String rel = f.rel.isEmpty() ? name : f.rel + "/" + name;
            Path p = f.dir.resolve(name);
            Attrs a = Attrs.of(p);
            boolean excluded = false;
            if (ignore != null && !ignore.isEmpty()) {
                String ctxRel = ignorePrefix == null || ignorePrefix.isEmpty() || ignorePrefix.equals(".") ? rel : ignorePrefix + "/" + rel;
                excluded = ignore.excluded(ctxRel);
                if (excluded && !(a.isDir() && ignore.mayReinclude(ctxRel))) continue;
            }
            if (!excluded) visitor.visit(rel, p, a);
            if (a.isDir()) stack.push(new Frame(rel, p, sortedNames(p)));
        }
    }

    private static Iterator<String> sortedNames(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) names.add(p.getFileName().toString());
        }
        Collections.sort(names);
        return names.iterator();
    }
}
