package io.jcontainer.oci.build;

import io.jcontainer.oci.unpack.OverlayMarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

/**
 * A path looked up in a stack of overlay layer directories (topmost first) with overlayfs's
 * rules, without mounting them: a 0/0 character device or a {@code .wh.NAME} file deletes the
 * name, an opaque directory (xattr or {@code .wh..wh..opq}) hides the layers below it, a
 * non-directory hides everything under its name. Links are not followed. What a RUN step needs
 * before its overlay is mounted: whether its working directory is there.
 */
final class LayerView {
    private static final String WH = ".wh.", OPAQUE = ".wh..wh..opq";
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private LayerView() {
    }

    /** The entry visible at {@code abs} (an absolute path), or null when the merged tree has none. */
    static Path find(List<Path> layers, String abs) throws IOException {
        String[] segs = abs.replaceAll("^/+|/+$", "").split("/+");
        if (segs.length == 1 && segs[0].isEmpty()) return layers.isEmpty() ? null : layers.getFirst();
        for (Path layer : layers) {
            Path cur = layer;
            boolean hidesBelow = false;
            for (int i = 0; i < segs.length; i++) {
                if (Files.exists(cur.resolve(WH + segs[i]), NOFOLLOW)) return null;
                Path next = cur.resolve(segs[i]);
                if (!Files.exists(next, NOFOLLOW)) break;
                Map<String, Object> a = Files.readAttributes(next, "unix:mode,rdev", NOFOLLOW);
                int type = (Integer) a.get("mode") & 0170000;
                if (type == 0020000 && ((Number) a.get("rdev")).longValue() == 0) return null;   // whiteout
                if (i == segs.length - 1) return next;
                if (type != 0040000) return null;          // a file where a parent directory should be
                if (opaque(next)) hidesBelow = true;
                cur = next;
            }
            if (hidesBelow) return null;
        }
        return null;
    }

    static boolean opaque(Path dir) {
        return Files.exists(dir.resolve(OPAQUE), NOFOLLOW) || OverlayMarks.isOpaque(dir);
    }

    /**
     * Makes directory {@code abs} and its missing parents in {@code upper} as overlayfs's copy-up
     * would: a parent the lowers have gets its mode, owner and time; a missing one is made as
     * root 0755 (docker makes a RUN's missing working directory so). Stops quietly at a
     * non-directory: the step then fails on it as docker's does.
     */
    static void makeDirectory(Path upper, List<Path> lowers, String abs) throws IOException {
        String cur = "";
        for (String seg : abs.split("/+")) {
            if (seg.isEmpty()) continue;
            cur += "/" + seg;
            Path mine = upper.resolve(cur.substring(1));
            if (Files.exists(mine, NOFOLLOW)) {
                if (!Files.isDirectory(mine, NOFOLLOW)) return;
                continue;
            }
            Path below = find(lowers, cur);
            if (below != null && !Files.isDirectory(below, NOFOLLOW)) return;
            Files.createDirectory(mine);
            if (below != null) {
                Map<String, Object> a = Files.readAttributes(below, "unix:mode,uid,gid,lastModifiedTime", NOFOLLOW);
                Files.setAttribute(mine, "unix:mode", (Integer) a.get("mode") & 07777, NOFOLLOW);
                Files.setAttribute(mine, "unix:uid", a.get("uid"), NOFOLLOW);
                Files.setAttribute(mine, "unix:gid", a.get("gid"), NOFOLLOW);
                Files.setLastModifiedTime(mine, (FileTime) a.get("lastModifiedTime"));
            } else {
                Files.setAttribute(mine, "unix:mode", 0755, NOFOLLOW);
            }
        }
    }
}
