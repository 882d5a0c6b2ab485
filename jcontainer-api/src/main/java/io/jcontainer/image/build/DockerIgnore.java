package io.jcontainer.image.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code .dockerignore} as docker reads it (moby's patternmatcher): one pattern a line, {@code #}
 * comments, surrounding whitespace trimmed, each pattern cleaned like Go's {@code filepath.Clean}
 * (so {@code ./a} is {@code a}) and a leading {@code /} dropped; {@code *} and {@code ?} stay in
 * one path segment, {@code **} spans any number of them, {@code !} re-includes. The last
 * matching pattern wins, and a pattern that matches a parent directory matches what is under it.
 */
public final class DockerIgnore {
    public static final DockerIgnore NONE = new DockerIgnore(List.of());

    private record Rule(String pattern, boolean exclusion, Pattern regex, String literalPrefix) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static DockerIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (line.startsWith("#")) continue;
            String p = line.strip();
            if (p.isEmpty()) continue;
            boolean invert = false;
            if (p.startsWith("!")) {
                invert = true;
                p = p.substring(1).strip();
            }
            if (!p.isEmpty()) {
                p = clean(p);
                if (p.length() > 1 && p.startsWith("/")) p = p.substring(1);
            }
            rules.add(new Rule(p, invert, compile(p), literalPrefix(p)));
        }
        return new DockerIgnore(rules);
    }

    /**
     * The rules a build of the context {@code root} follows: {@code <Dockerfile>.dockerignore}
     * next to the Dockerfile when there is one (BuildKit's per-Dockerfile file; {@code dockerfile}
     * null when the Dockerfile is not a file of the context), else {@code .dockerignore} at the
     * root, else none. A client reads the same rules before it sends a context to a daemon.
     *
     * @throws IllegalArgumentException for a pattern that does not compile
     */
    public static DockerIgnore read(Path root, Path dockerfile) throws IOException {
        if (dockerfile != null) {
            Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
            if (Files.isRegularFile(specific)) return parse(Files.readString(specific));
        }
        Path general = root.resolve(".dockerignore");
        if (Files.isRegularFile(general, LinkOption.NOFOLLOW_LINKS)) return parse(Files.readString(general));
        return NONE;
    }

    /** The patterns in order, {@code !} kept: what the cache key records. */
    public List<String> patterns() {
        List<String> out = new ArrayList<>();
        for (Rule r : rules) out.add((r.exclusion ? "!" : "") + r.pattern);
        return out;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** True when {@code path} (relative to the context root, {@code /}-separated) is excluded. */
    public boolean excluded(String path) {
        if (rules.isEmpty()) return false;
        path = clean(path);
        String[] parents = parentDirs(path);
        boolean matched = false;
        for (Rule r : rules) {
            // an inclusion only matters while not excluded yet, an exception only once excluded
            if (r.exclusion != matched) continue;
            boolean m = r.regex.matcher(path).matches();
            for (int i = 0; !m && i < parents.length; i++) m = r.regex.matcher(parents[i]).matches();
            if (m) matched = !r.exclusion;
        }
        return matched;
    }

    /**
     * Whether something under the excluded directory {@code dir} might be re-included by a
     * {@code !} pattern, so the walk must still go in (otherwise the whole subtree is skipped).
     */
    public boolean mayReinclude(String dir) {
        dir = clean(dir);
        for (Rule r : rules) {
            if (!r.exclusion) continue;
            String lit = r.literalPrefix;
            if (lit.length() < r.pattern.length()) {
                // a wildcard follows the literal part: anything sharing the literal prefix may match
                if (dir.startsWith(lit) || lit.startsWith(dir + "/") || lit.isEmpty()) return true;
            } else if (lit.startsWith(dir + "/")) {
                return true;
            }
        }
        return false;
    }

    private static String[] parentDirs(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) return new String[0];
        String[] parts = path.substring(0, slash).split("/");
        String[] out = new String[parts.length];
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) sb.append('/');
            sb.append(parts[i]);
            out[i] = sb.toString();
        }
        return out;
    }

    private static String literalPrefix(String p) {
        int i = 0;
        while (i < p.length() && "*?[\\".indexOf(p.charAt(i)) < 0) i++;
        return p.substring(0, i);
    }

    /** moby's pattern compiler: a whole-path regex. */
    private static Pattern compile(String p) {
        StringBuilder re = new StringBuilder("^");
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '*') {
                if (i + 1 < p.length() && p.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < p.length() && p.charAt(i + 1) == '/') i++; // **/ is **
                    if (i + 1 >= p.length()) re.append(".*");
                    else re.append("(.*/)?");
                } else {
                    re.append("[^/]*");
                }
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '\\') {
                if (i + 1 < p.length()) re.append(Pattern.quote(String.valueOf(p.charAt(++i))));
                else re.append("\\\\");
            } else if (c == '[' || c == ']') {
                re.append(c);
            } else if (".+()|{}^$".indexOf(c) >= 0) {
                re.append('\\').append(c);
            } else {
                re.append(c);
            }
        }
        re.append('$');
        try {
            return Pattern.compile(re.toString(), Pattern.DOTALL);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid .dockerignore pattern " + p + ": " + e.getDescription());
        }
    }

    /**
     * Go's {@code path.Clean}, as docker cleans a context path before matching it (and as the
     * builder cleans the paths it writes into layers).
     */
    public static String clean(String path) {
        if (path.isEmpty()) return ".";
        boolean rooted = path.startsWith("/");
        List<String> out = new ArrayList<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) out.removeLast();
                else if (!rooted) out.add("..");
                continue;
            }
            out.add(seg);
        }
        String s = String.join("/", out);
        if (rooted) return "/" + s;
        return s.isEmpty() ? "." : s;
    }
}
