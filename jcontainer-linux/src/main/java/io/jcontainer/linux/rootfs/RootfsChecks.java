package io.jcontainer.linux.rootfs;

import io.jcontainer.ContainerSpec;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks an image's root before anything starts, so that a hostile or broken image fails with a
 * clear message instead of a surprising mount. (The launcher resolves every target with
 * RESOLVE_IN_ROOT anyway, so a missed case still cannot reach the host — this is about errors
 * that say what is wrong.)
 * <ul>
 *   <li>{@code /proc}, {@code /dev}, {@code /sys} must not be symlinks at all (runc refuses them
 *       too: CVE-2019-16884 / CVE-2019-19921 class);</li>
 *   <li>a mount target may traverse symlinks only while they stay inside the root: an absolute
 *       link is taken relative to the root (as the launcher resolves it), a relative one must
 *       not climb above it.</li>
 * </ul>
 * Nothing here follows a link on the host: link targets are read and resolved as text.
 */
public final class RootfsChecks {
    private static final int MAX_LINKS = 40;

    private RootfsChecks() {
    }

    public static void check(ContainerSpec spec) {
        Path root = spec.rootfs();
        if (root == null) return;
        for (String special : List.of("/proc", "/dev", "/sys")) {
            Path p = root.resolve(special.substring(1));
            if (Files.isSymbolicLink(p))
                throw new InvalidSpecException("rootfs", special + " in " + root + " is a symlink (to " + linkText(p)
                        + "); refusing to mount over it");
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                throw new InvalidSpecException("rootfs", special + " in " + root + " is not a directory");
        }
        List<String> targets = new ArrayList<>();
        for (Mount m : spec.mounts()) targets.add(m.target());
        if (spec.workingDir() != null) targets.add(spec.workingDir());
        for (String t : targets) {
            String escape = escapes(root, t);
            if (escape != null)
                throw new InvalidSpecException("mount", "target " + t + " leads out of the root through a symlink: " + escape);
        }
    }

    /**
     * Walks {@code path} component by component from {@code root}, expanding symlinks as text the
     * way a lookup confined to the root would (absolute targets start again at the root); returns
     * a description of the first link that climbs above the root, or null.
     */
    static String escapes(Path root, String path) {
        List<String> todo = new ArrayList<>(List.of(path.split("/")));
        List<String> done = new ArrayList<>(); // components below root, resolved so far
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (done.isEmpty()) return "'..' above the root in " + path;
                done.removeLast();
                continue;
            }
            Path here = root.resolve(String.join("/", done)).resolve(c);
            if (!Files.isSymbolicLink(here)) {
                done.add(c);
                if (!Files.exists(here, LinkOption.NOFOLLOW_LINKS)) {
                    // the rest will be created by the launcher, inside the root
                    done.addAll(todo);
                    return null;
                }
                continue;
            }
            if (++links > MAX_LINKS) return "too many symlinks in " + path;
            String target = linkText(here);
            if (target.startsWith("/")) {
                // an absolute link means the root's own path (/var/run -> /run in Debian trees):
                // the launcher resolves it there too (openat2 RESOLVE_IN_ROOT), never on the host
                done.clear();
                List<String> rest = new ArrayList<>(List.of(target.split("/")));
                rest.addAll(todo);
                todo = rest;
                continue;
            }
            // relative: resolve from the link's directory, failing if '..' climbs above the root
            List<String> rest = new ArrayList<>(List.of(target.split("/")));
            List<String> probe = new ArrayList<>(done);
            for (String r : rest) {
                if (r.equals("..")) {
                    if (probe.isEmpty())
                        return "/" + String.join("/", done) + (done.isEmpty() ? "" : "/") + c + " -> " + target + " climbs above the root";
                    probe.removeLast();
                } else if (!r.isEmpty() && !r.equals(".")) {
                    probe.add(r);
                }
            }
            rest.addAll(todo);
            todo = rest;
        }
        return null;
    }

    private static String linkText(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            return "?";
        }
    }
}
