package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerIgnore;
import io.jcontainer.image.build.BuildException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * COPY/ADD's source rules over one tree (the context, a stage's or an image's files): sources
 * relative to the tree's root, wildcards matched per path segment (Go's filepath.Match), a
 * directory contributes its contents, several sources need a destination directory ending in
 * {@code /}, a file copied onto {@code dest/} keeps its name. Items stream out in a stable order;
 * only wildcard matches are listed in memory.
 */
final class CopySources {
    private CopySources() {
    }

    /** Where sources come from. */
    interface Tree {
        /** Resolves a source path strictly inside the tree (following symlinks that stay inside). */
        Path resolve(String rel, boolean followLast);

        Path root();

        /** The ignore rules applying to this tree ({@link DockerIgnore#NONE} for stages and images). */
        DockerIgnore ignore();

        /** What errors call the tree: "build context", "stage build". */
        String describe();
    }

    /** One file, directory or symlink to write at {@code dest} (absolute, clean) in the image. */
    record Item(String dest, Path path, TreeWalker.Attrs attrs) {
    }

    interface Sink {
        void accept(Item item) throws IOException;
    }

    /**
     * @param dest             as written (absolute, or relative to {@code workdir})
     * @param destIsExistingDir whether a path is a directory in the image being built (docker copies into it then)
     */
    static void forEach(Tree tree, List<String> sources, String dest, String workdir,
                        Predicate<String> destIsExistingDir, Sink sink) throws IOException {
        String absDest = absolute(dest, workdir);
        List<String> matches = new ArrayList<>();
        for (String src : sources) {
            List<String> m = expand(tree, src);
            if (m.isEmpty() && GoGlob.hasMeta(src))
                continue; // a wildcard matching nothing is not an error unless nothing at all matches
            if (m.isEmpty())
                throw new BuildException("failed to compute cache key: \"" + src + "\": not found in the " + tree.describe()
                        + " (or excluded by .dockerignore)");
            matches.addAll(m);
        }
        if (matches.isEmpty())
            throw new BuildException("no source files were specified: " + String.join(" ", sources) + " matched nothing in the " + tree.describe());
        boolean destDir = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".") || destIsExistingDir.test(absDest);
        if (matches.size() > 1 && !destDir)
            throw new BuildException("when using COPY with more than one source file, the destination must be a directory and end with a /");
        for (String rel : matches) {
            Path p = tree.resolve(rel, true);
            TreeWalker.Attrs a = TreeWalker.Attrs.of(p);
            if (a.isDir()) {
                String ctxRel = tree.root().relativize(p).toString();
                TreeWalker.walk(p, ctxRel, tree.ignore(), (inner, path, attrs) ->
                        sink.accept(new Item(inner.isEmpty() ? absDest : join(absDest, inner), path, attrs)));
            } else {
                String name = p.getFileName() == null ? rel : baseName(rel);
                sink.accept(new Item(destDir ? join(absDest, name) : absDest, p, a));
            }
        }
    }

    /** The paths a source names: itself, or its wildcard matches in name order, minus ignored ones. */
    private static List<String> expand(Tree tree, String src) throws IOException {
        String cleaned = DockerIgnore.clean(src.startsWith("/") ? src.substring(1) : src);
        if (cleaned.equals("..") || cleaned.startsWith("../"))
            throw new BuildException("forbidden path outside the " + tree.describe() + ": " + src);
        if (!GoGlob.hasMeta(cleaned)) {
            Path p = tree.resolve(cleaned, false);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return List.of();
            if (!cleaned.equals(".") && tree.ignore().excluded(cleaned)) return List.of();
            return List.of(cleaned);
        }
        List<String> current = new ArrayList<>(List.of(""));
        for (String seg : cleaned.split("/")) {
            List<String> next = new ArrayList<>();
            for (String base : current) {
                if (!GoGlob.hasMeta(seg)) {
                    String rel = base.isEmpty() ? seg : base + "/" + seg;
                    if (Files.exists(tree.resolve(rel, false), LinkOption.NOFOLLOW_LINKS)) next.add(rel);
                    continue;
                }
                Path dir = base.isEmpty() ? tree.root() : tree.resolve(base, true);
                if (!Files.isDirectory(dir)) continue;
                Pattern re;
                try {
                    re = GoGlob.compile(seg);
                } catch (IllegalArgumentException e) {
                    throw new BuildException(e.getMessage() + " (source " + src + ")");
                }
                List<String> names = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path c : ds) {
                        String n = c.getFileName().toString();
                        if (re.matcher(n).matches()) names.add(n);
                    }
                }
                Collections.sort(names);
                for (String n : names) next.add(base.isEmpty() ? n : base + "/" + n);
            }
            current = next;
        }
        current.removeIf(rel -> tree.ignore().excluded(rel));
        return current;
    }

    static String absolute(String dest, String workdir) {
        String d = dest.startsWith("/") ? dest : (workdir == null || workdir.isEmpty() ? "/" : workdir) + "/" + dest;
        return DockerIgnore.clean(d);
    }

    private static String join(String dir, String rel) {
        return dir.equals("/") ? "/" + rel : dir + "/" + rel;
    }

    private static String baseName(String rel) {
        int i = rel.lastIndexOf('/');
        return i < 0 ? rel : rel.substring(i + 1);
    }

    /** The build context as a tree. */
    static Tree context(BuildContext ctx, DockerIgnore ignore) {
        return new Tree() {
            public Path resolve(String rel, boolean followLast) {
                return ctx.resolve(rel, followLast);
            }

            public Path root() {
                return ctx.root();
            }

            public DockerIgnore ignore() {
                return ignore;
            }

            public String describe() {
                return "build context";
            }
        };
    }

    /** A directory holding a stage's or an image's files (COPY --from): no ignore rules apply. */
    static Tree directory(Path dir, String describe) {
        BuildContext asContext = BuildContext.imageRoot(dir);
        return new Tree() {
            public Path resolve(String rel, boolean followLast) {
                return asContext.resolve(rel, followLast);
            }

            public Path root() {
                return asContext.root();
            }

            public DockerIgnore ignore() {
                return DockerIgnore.NONE;
            }

            public String describe() {
                return describe;
            }
        };
    }
}
