package io.jcontainer.cli;

import io.jcontainer.image.ImageInfo;
import io.jcontainer.image.ImageReference;
import io.jcontainer.image.Images;
import io.jcontainer.image.ProgressListener;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What the image verbs share: the store, docker's progress lines, sizes and ages as docker prints them. */
final class ImageCli {
    private ImageCli() {
    }

    /** The store at its default place ($JCONTAINER_STORAGE, /var/lib/jcontainer, ~/.local/share/jcontainer). */
    static Images open() {
        return Images.open();
    }

    /**
     * docker's pull/push lines, one per event: plain lines that read well in a log. On a terminal
     * the download lines are rewritten in place (carriage return), at most every 200 ms per layer.
     */
    static ProgressListener progress(PrintStream out, boolean quiet, String doneWord) {
        if (quiet) return ProgressListener.NONE;
        boolean tty = System.console() != null && System.console().isTerminal();
        Map<String, Long> lastPrint = new ConcurrentHashMap<>();
        return new ProgressListener() {
            @Override
            public void layerStarted(String digest, long size) {
                synchronized (out) {
                    out.println(shortDigest(digest) + ": " + (doneWord.equals("Pushed") ? "Preparing" : "Pulling fs layer"));
                }
            }

            @Override
            public void layerProgress(String digest, long done, long size) {
                if (!tty) return;
                long now = System.nanoTime();
                Long last = lastPrint.get(digest);
                if (last != null && now - last < 200_000_000L && done < size) return;
                lastPrint.put(digest, now);
                synchronized (out) {
                    out.print("\r" + shortDigest(digest) + ": " + (doneWord.equals("Pushed") ? "Pushing" : "Downloading")
                            + "  " + size(done) + "/" + size(size) + "\033[K");
                    out.flush();
                }
            }

            @Override
            public void layerDone(String digest, boolean alreadyPresent) {
                synchronized (out) {
                    if (tty && lastPrint.containsKey(digest)) out.print("\r\033[K");
                    out.println(shortDigest(digest) + ": " + (alreadyPresent ? (doneWord.equals("Pushed") ? "Layer already exists" : "Already exists")
                            : doneWord.equals("Pushed") ? "Pushed" : "Pull complete"));
                }
            }
        };
    }

    /** Whether the default store holds {@code image}; false for anything that does not parse. */
    static boolean stored(String image) {
        // a question must not create the store as a side effect (run nosuchcommand)
        if (!java.nio.file.Files.exists(io.jcontainer.image.ImagesOptions.defaultStorageRoot().resolve("index.json"))) return false;
        try (Images images = open()) {
            return images.exists(image);
        } catch (io.jcontainer.image.ImageException e) {
            return false;
        }
    }

    static io.jcontainer.image.ImageConfig configOf(String image) {
        try (Images images = open()) {
            return images.inspect(image).config();
        }
    }

    static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return digest.substring(colon + 1, Math.min(digest.length(), colon + 13));
    }

    static String shortId(String id, boolean noTrunc) {
        return noTrunc ? id : shortDigest(id);
    }

    /** docker's human sizes: 1000-based, three significant digits (go-units HumanSize). */
    static String size(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        String n = String.format(Locale.ROOT, "%.3g", v);
        if (n.contains(".")) n = n.replaceAll("0+$", "").replaceAll("\\.$", "");
        return n + units[u];
    }

    /** docker's "3 weeks ago". */
    static String ago(Instant when) {
        if (when == null) return "N/A";
        Duration d = Duration.between(when, Instant.now());
        long s = Math.max(d.getSeconds(), 0);
        if (s < 60) return "Less than a minute ago";
        if (s < 3600) return plural(s / 60, "minute");
        if (s < 48 * 3600) return plural(s / 3600, "hour");
        if (s < 14 * 86400) return plural(s / 86400, "day");
        if (s < 60 * 86400) return plural(s / (7 * 86400), "week");
        if (s < 2 * 365 * 86400) return plural(s / (30 * 86400), "month");
        return plural(s / (365 * 86400), "year");
    }

    private static String plural(long n, String unit) {
        return (n == 1 ? (unit.equals("hour") ? "An" : "A") : String.valueOf(n)) + " " + unit + (n == 1 ? "" : "s") + " ago";
    }

    /** REPOSITORY and TAG columns: docker's familiar name, {@code <none>} for dangling. */
    static String[] repoAndTag(String refName) {
        if (refName == null) return new String[]{"<none>", "<none>"};
        ImageReference r = ImageReference.parse(refName);
        return new String[]{r.familiarName(), r.tag() == null ? "<none>" : r.tag()};
    }

    static String digestOf(ImageInfo info, String repository) {
        for (String rd : info.repoDigests()) {
            ImageReference r = ImageReference.parse(rd);
            if (r.familiarName().equals(repository)) return r.digest();
        }
        return "<none>";
    }
}
