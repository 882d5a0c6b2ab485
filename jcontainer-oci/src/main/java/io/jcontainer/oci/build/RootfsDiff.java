package io.jcontainer.oci.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a RUN step changed in a stage's root: a snapshot of every entry's metadata before
 * (mode, owner, size, mtime, ctime, inode, link target), compared with the tree after. Any
 * write, chmod, chown or replacement moves ctime or the inode, so a changed entry cannot look
 * unchanged. Added and changed entries go into the layer, deleted ones become whiteouts (only
 * the topmost deleted directory), a directory replaced by a new one becomes opaque. Paths the
 * runtime mounts over ({@code /proc}, {@code /dev}, mount targets) are left out.
 */
final class RootfsDiff {
    record Meta(int mode, int uid, int gid, long size, long mtime, long ctime, long ino, int nlink, String link) {
        static Meta of(Path p) throws IOException {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,ctime,ino,nlink", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            String link = (mode & 0170000) == 0120000 ? Files.readSymbolicLink(p).toString() : null;
            return new Meta(mode, (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("size"),
                    nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")), (Long) a.get("ino"),
                    (Integer) a.get("nlink"), link);
        }

        boolean isDir() {
            return (mode & 0170000) == 0040000;
        }

        private static long nanos(FileTime t) {
            return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private final Path root;
    private final Map<String, Meta> before;

    private RootfsDiff(Path root, Map<String, Meta> before) {
        this.root = root;
        this.before = before;
    }

    static RootfsDiff snapshot(Path root) throws IOException {
        Map<String, Meta> m = new HashMap<>();
        TreeWalker.walk(root, null, null, (rel, p, a) -> {
            if (!rel.isEmpty()) m.put(rel, Meta.of(p));
        });
        return new RootfsDiff(root, m);
    }

    /**
     * Writes the changes since the snapshot to {@code out}; {@code runtimePaths} (absolute) are the
     * mount points the step had, ignored when they only appeared as empty mount targets.
     */
    void write(LayerWriter out, Set<String> runtimePaths) throws IOException {
        Map<String, Meta> gone = new HashMap<>(before);
        Map<Long, String> links = new HashMap<>();
        List<String> skipUnder = new ArrayList<>();
        TreeWalker.walk(root, null, null, (rel, p, attrs) -> {
            if (rel.isEmpty()) return;
            String abs = "/" + rel;
            for (String s : skipUnder) if (abs.startsWith(s + "/")) {
                gone.remove(rel);
                return;
            }
            Meta now = Meta.of(p);
            Meta was = gone.remove(rel);
            if (runtimePaths.contains(abs) || abs.equals("/proc") || abs.equals("/sys") || abs.equals("/dev")) {
                skipUnder.add(abs);
                // a mount point the runtime made: not part of the layer unless it held something before
                if (was == null && (now.isDir() || now.size() == 0)) return;
                if (was != null) return;
            }
            if (was != null && unchanged(was, now)) return;
            if (now.isDir()) {
                out.directory(abs, now.mode & 07777, now.uid, now.gid, FileTime.from(now.mtime, java.util.concurrent.TimeUnit.NANOSECONDS));
                if (was != null && was.isDir() && was.ino != now.ino) out.opaque(abs);
            } else if (now.link != null) {
                out.symlink(abs, now.link, now.uid, now.gid, FileTime.from(now.mtime, java.util.concurrent.TimeUnit.NANOSECONDS));
            } else if ((now.mode & 0170000) == 0100000) {
                String first = now.nlink > 1 ? links.putIfAbsent(now.ino, abs) : null;
                if (first != null) {
                    out.hardlink(abs, first, now.mode & 07777, now.uid, now.gid, FileTime.from(now.mtime, java.util.concurrent.TimeUnit.NANOSECONDS));
                } else {
                    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                        out.file(abs, now.mode & 07777, now.uid, now.gid, FileTime.from(now.mtime, java.util.concurrent.TimeUnit.NANOSECONDS), Files.size(p), in);
                    }
                }
            }
            // sockets, fifos and devices made by a step are not carried into the image
        });
        // whiteouts for what disappeared: only the topmost deleted path of a deleted tree
        List<String> deleted = new ArrayList<>(gone.keySet());
        deleted.sort(null);
        for (String rel : deleted) {
            boolean parentGone = false;
            for (int i = rel.indexOf('/'); i >= 0 && !parentGone; i = rel.indexOf('/', i + 1))
                parentGone = gone.containsKey(rel.substring(0, i));
            if (parentGone) continue;
            String abs = "/" + rel;
            boolean underRuntime = false;
            for (String s : skipUnder) if (abs.equals(s) || abs.startsWith(s + "/")) underRuntime = true;
            if (underRuntime) continue;
            out.whiteout(abs);
        }
    }

    private static boolean unchanged(Meta a, Meta b) {
        return a.mode == b.mode && a.uid == b.uid && a.gid == b.gid && a.size == b.size && a.mtime == b.mtime
                && a.ctime == b.ctime && a.ino == b.ino && java.util.Objects.equals(a.link, b.link);
    }
}
