package io.jcontainer.oci.build;

import io.jcontainer.image.build.DockerfileException;

import io.jcontainer.oci.build.Instruction.Command;
import io.jcontainer.oci.build.Instruction.Heredoc;
import io.jcontainer.oci.build.Instruction.Loc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Dockerfile as BuildKit's frontend does, in two passes: first the text into logical
 * lines (parser directives at the top, comments dropped, escape-continued lines joined, here-docs
 * collected), then each line into a typed {@link Instruction}. Variables are not expanded here:
 * that needs the build's args and the base image's environment ({@link Expander}).
 *
 * <p>Pure: reads nothing but the text given (or the one file).
 */
public final class DockerfileParser {
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
    private static final Set<String> KNOWN_DIRECTIVES = Set.of("syntax", "escape", "check");
    private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)([^<]*)$");
    private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");
    private static final Set<String> HEREDOC_INSTRUCTIONS = Set.of("RUN", "COPY", "ADD");
    private static final Map<String, Set<String>> FLAGS = Map.ofEntries(
            Map.entry("FROM", Set.of("platform")),
            Map.entry("RUN", Set.of("mount", "network", "security")),
            Map.entry("COPY", Set.of("from", "chown", "chmod", "link", "exclude", "parents")),
            Map.entry("ADD", Set.of("chown", "chmod", "checksum", "link", "exclude", "keep-git-dir")),
            Map.entry("HEALTHCHECK", Set.of("interval", "timeout", "start-period", "start-interval", "retries")));
    private static final Set<String> REPEATABLE_FLAGS = Set.of("mount", "exclude");
    private static final Set<String> INSTRUCTIONS = Set.of("FROM", "RUN", "CMD", "ENTRYPOINT", "ENV", "ARG", "LABEL",
            "EXPOSE", "VOLUME", "WORKDIR", "USER", "COPY", "ADD", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "ONBUILD",
            "MAINTAINER");

    private final String file;
    private char escape = '\\';

    private DockerfileParser(String file) {
        this.file = file;
    }

    /** Parses {@code path}; errors name it by its file name. */
    public static Dockerfile parse(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DockerfileException(path.toString(), 0, "", "cannot read the Dockerfile: " + e);
        }
        return parse(path.getFileName().toString(), text);
    }

    /** Parses {@code text}; {@code file} is the name errors give. */
    public static Dockerfile parse(String file, String text) {
        return new DockerfileParser(file).parseAll(text);
    }

    /** Parses one instruction line (an ONBUILD trigger read back from an image config). */
    public static Instruction parseLine(String file, int line, String text) {
        DockerfileParser p = new DockerfileParser(file);
        return p.instruction(new Logical(line, text.strip(), List.of()));
    }

    /** One instruction's text after continuation lines are joined, with its here-docs. */
    private record Logical(int line, String text, List<Heredoc> heredocs) {
    }

    private Dockerfile parseAll(String text) {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String[] lines = text.split("\r?\n", -1);
        int i = directives(lines);
        List<Logical> logical = new ArrayList<>();
        Pattern continuation = Pattern.compile(Pattern.quote(String.valueOf(escape)) + "[ \\t]*$");
        while (i < lines.length) {
            String raw = lines[i++];
            String trimmed = raw.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
            int start = i;
            StringBuilder sb = new StringBuilder();
            String cur = raw;
            while (true) {
                Matcher m = continuation.matcher(cur);
                if (!m.find()) {
                    sb.append(cur);
                    break;
                }
                sb.append(cur, 0, m.start());
                // comment and empty lines inside a continued instruction are skipped, as docker does
                while (i < lines.length && (lines[i].isBlank() || lines[i].strip().startsWith("#"))) i++;
                if (i >= lines.length) break;
                cur = lines[i++];
            }
            String joined = sb.toString().strip();
            List<Heredoc> heredocs = new ArrayList<>();
            String keyword = firstWord(joined).toUpperCase(Locale.ROOT);
            if (HEREDOC_INSTRUCTIONS.contains(keyword)) {
                for (HeredocMarker marker : heredocMarkers(joined, start)) {
                    StringBuilder content = new StringBuilder();
                    boolean terminated = false;
                    while (i < lines.length) {
                        String l = lines[i++];
                        String cmp = marker.chomp ? l.replaceFirst("^\t+", "") : l;
                        if (cmp.equals(marker.name)) {
                            terminated = true;
                            break;
                        }
                        content.append(l).append('\n');
                    }
                    if (!terminated)
                        throw new DockerfileException(file, start, keyword, "unterminated here-document: no line \"" + marker.name + "\" before the end of the file");
                    heredocs.add(new Heredoc(marker.name, content.toString(), marker.expand, marker.chomp));
                }
            }
            logical.add(new Logical(start, joined, heredocs));
        }
        return stages(logical);
    }

    /** Reads parser directives at the top of the file; returns the index of the first line after them. */
    private int directives(String[] lines) {
        Set<String> seen = new HashSet<>();
        int i = 0;
        for (; i < lines.length; i++) {
            Matcher m = DIRECTIVE.matcher(lines[i]);
            if (!m.matches()) break; // a comment, an empty line or an instruction ends the directives
            String key = m.group(1).toLowerCase(Locale.ROOT);
            if (!KNOWN_DIRECTIVES.contains(key)) break; // an unknown directive is a comment: it ends them too
            if (!seen.add(key))
                throw new DockerfileException(file, i + 1, "", "only one " + key + " parser directive can be used");
            if (key.equals("escape")) {
                String v = m.group(2);
                if (!v.equals("\\") && !v.equals("`"))
                    throw new DockerfileException(file, i + 1, "", "invalid escape token '" + v + "' does not match ` or \\");
                escape = v.charAt(0);
            }
            // syntax= names a frontend image: accepted and ignored (this builder is the frontend);
            // check= configures BuildKit's linter: ignored too
        }
        return i;
    }

    private record HeredocMarker(String name, boolean expand, boolean chomp) {
    }

    /** The {@code <<NAME} words of an instruction line, in order. */
    private List<HeredocMarker> heredocMarkers(String line, int lineNo) {
        String rest = afterFirstWord(line);
        // flags first: `COPY --chmod=755 <<EOF /x`
        rest = extractFlags(rest, new ArrayList<>());
        if (rest.startsWith("[")) return List.of(); // exec form has no here-docs
        List<HeredocMarker> out = new ArrayList<>();
        for (String w : rawWords(rest)) {
            Matcher m = HEREDOC.matcher(w);
            if (!m.matches()) continue;
            String rawName = m.group(3);
            if (rawName.isEmpty()) continue;
            String name;
            try {
                List<String> words = new ShellLex(escape).words(rawName, Map.of());
                if (words.size() != 1) continue;
                name = words.getFirst();
            } catch (ShellLex.LexException e) {
                throw new DockerfileException(file, lineNo, firstWord(line).toUpperCase(Locale.ROOT), "bad here-document delimiter " + rawName + ": " + e.getMessage());
            }
            boolean quoted = !name.equals(rawName);
            out.add(new HeredocMarker(name, !quoted, m.group(2).equals("-")));
        }
        return out;
    }

    private Dockerfile stages(List<Logical> lines) {
        if (lines.isEmpty()) throw new DockerfileException(file, 1, "", "the Dockerfile has no instructions");
        List<Instruction.Arg> meta = new ArrayList<>();
        List<Dockerfile.Stage> stages = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Instruction.From from = null;
        List<Instruction> body = new ArrayList<>();
        for (Logical l : lines) {
            Instruction ins = instruction(l);
            if (ins instanceof Instruction.From f) {
                if (from != null) stages.add(new Dockerfile.Stage(stages.size(), from.stageName(), from, body));
                if (f.stageName() != null && !names.add(f.stageName()))
                    throw f.loc().error("duplicate stage name \"" + f.stageName() + "\"");
                from = f;
                body = new ArrayList<>();
            } else if (from == null) {
                if (ins instanceof Instruction.Arg a) meta.add(a);
                else throw ins.loc().error("no build stage in current context: only ARG may come before the first FROM");
            } else {
                body.add(ins);
            }
        }
        if (from == null) throw new DockerfileException(file, lines.getLast().line(), "", "the Dockerfile has no FROM");
        stages.add(new Dockerfile.Stage(stages.size(), from.stageName(), from, body));
        return new Dockerfile(file, escape, meta, stages);
    }

    // ------------------------------------------------------------------ one instruction

    private Instruction instruction(Logical l) {
        String keyword = firstWord(l.text).toUpperCase(Locale.ROOT);
        Loc loc = new Loc(file, l.line, keyword, l.text);
        if (!INSTRUCTIONS.contains(keyword)) throw loc.error("unknown instruction: " + firstWord(l.text));
        String rest = afterFirstWord(l.text);
        List<String> rawFlags = new ArrayList<>();
        if (!keyword.equals("ONBUILD")) rest = extractFlags(rest, rawFlags);
        Map<String, List<String>> flags = flags(loc, rawFlags);
        try {
            return switch (keyword) {
                case "FROM" -> from(loc, rest, flags);
                case "RUN" -> run(loc, rest, flags, l.heredocs);
                case "CMD" -> new Instruction.Cmd(loc, command(loc, rest, true));
                case "ENTRYPOINT" -> new Instruction.Entrypoint(loc, command(loc, rest, true));
                case "ENV" -> new Instruction.Env(loc, nameValues(loc, rest));
                case "LABEL" -> new Instruction.Label(loc, nameValues(loc, rest));
                case "ARG" -> arg(loc, rest);
                case "EXPOSE" -> {
                    List<String> ports = whitespaceWords(rest);
                    if (ports.isEmpty()) throw loc.error("EXPOSE requires at least one argument");
                    yield new Instruction.Expose(loc, ports);
                }
                case "VOLUME" -> {
                    List<String> paths = jsonOrWords(loc, rest);
                    if (paths.isEmpty()) throw loc.error("VOLUME requires at least one argument");
                    yield new Instruction.Volume(loc, paths);
                }
                case "WORKDIR" -> new Instruction.Workdir(loc, single(loc, rest));
                case "USER" -> new Instruction.User(loc, single(loc, rest));
                case "STOPSIGNAL" -> new Instruction.StopSignal(loc, single(loc, rest));
                case "MAINTAINER" -> new Instruction.Maintainer(loc, single(loc, rest));
                case "COPY", "ADD" -> copy(loc, rest, flags, l.heredocs);
                case "SHELL" -> {
                    Command c = command(loc, rest, false);
                    if (c.shellForm()) throw loc.error("SHELL requires the arguments to be in JSON form");
                    if (c.args().isEmpty()) throw loc.error("SHELL requires at least one argument");
                    yield new Instruction.Shell(loc, c.args());
                }
                case "HEALTHCHECK" -> healthcheck(loc, rest, flags);
                case "ONBUILD" -> onbuild(loc, rest);
                default -> throw loc.error("unknown instruction: " + keyword);
            };
        } catch (ShellLex.LexException e) {
            throw loc.error(e.getMessage());
        }
    }

    private Map<String, List<String>> flags(Loc loc, List<String> raw) {
        Set<String> allowed = FLAGS.getOrDefault(loc.keyword(), Set.of());
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String f : raw) {
            String body = f.substring(2);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String value = eq < 0 ? null : body.substring(eq + 1);
            if (!allowed.contains(name)) throw loc.error("unknown flag: --" + name);
            List<String> values = out.computeIfAbsent(name, k -> new ArrayList<>());
            if (!values.isEmpty() && !REPEATABLE_FLAGS.contains(name))
                throw loc.error("duplicate flag specified: --" + name);
            values.add(value);
        }
        return out;
    }

    /** The value of a string flag: absent → null; {@code --x} without a value is an error. */
    private static String stringFlag(Loc loc, Map<String, List<String>> flags, String name) {
        List<String> v = flags.get(name);
        if (v == null) return null;
        if (v.getFirst() == null) throw loc.error("missing a value on flag: --" + name);
        return v.getFirst();
    }

    private static boolean boolFlag(Loc loc, Map<String, List<String>> flags, String name) {
        List<String> v = flags.get(name);
        if (v == null) return false;
        String s = v.getFirst();
        if (s == null || s.equalsIgnoreCase("true")) return true;
        if (s.equalsIgnoreCase("false")) return false;
        throw loc.error("expecting boolean value for flag --" + name + ", not: " + s);
    }

    private Instruction from(Loc loc, String rest, Map<String, List<String>> flags) {
        List<String> w = whitespaceWords(rest);
        String name = null;
        if (w.size() == 3 && w.get(1).equalsIgnoreCase("AS")) {
            name = w.get(2).toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(name).matches())
                throw loc.error("invalid name for build stage: \"" + w.get(2) + "\", name can't start with a number or contain symbols");
        } else if (w.size() != 1) {
            throw loc.error("FROM requires either one or three arguments (image [AS name])");
        }
        return new Instruction.From(loc, w.getFirst(), stringFlag(loc, flags, "platform"), name);
    }

    /** JSON (exec) form if the text is a JSON array of strings, else shell form (the text itself). */
    private Command command(Loc loc, String rest, boolean requireNonEmpty) {
        if (rest.startsWith("[")) {
            List<String> json = jsonArray(rest);
            if (json != null) return new Command(json, false);
        }
        if (rest.isEmpty() && requireNonEmpty) throw loc.error(loc.keyword() + " requires at least one argument");
        return new Command(rest.isEmpty() ? List.of() : List.of(rest), true);
    }

    /**
     * The strings of {@code text} if it is exactly a JSON array of strings (surrounding white
     * space allowed, nothing after the array: docker's json.Unmarshal), else null. Read by hand:
     * Jackson's first use costs a fresh JVM tens of ms of class initialisation, which a build
     * then pays on its critical path before the base image's pull can start.
     */
    static List<String> jsonArray(String text) {
        int[] at = {skipSpace(text, 0)};
        if (at[0] >= text.length() || text.charAt(at[0]) != '[') return null;
        at[0] = skipSpace(text, at[0] + 1);
        List<String> out = new ArrayList<>();
        if (at[0] < text.length() && text.charAt(at[0]) == ']') {
            at[0]++;
        } else {
            while (true) {
                String s = jsonString(text, at);
                if (s == null) return null;
                out.add(s);
                at[0] = skipSpace(text, at[0]);
                if (at[0] >= text.length()) return null;
                char c = text.charAt(at[0]++);
                if (c == ']') break;
                if (c != ',') return null;
                at[0] = skipSpace(text, at[0]);
            }
        }
        return skipSpace(text, at[0]) == text.length() ? out : null;
    }

    private static int skipSpace(String t, int i) {
        while (i < t.length() && (t.charAt(i) == ' ' || t.charAt(i) == '\t' || t.charAt(i) == '\n' || t.charAt(i) == '\r')) i++;
        return i;
    }

    /** A JSON string at {@code at[0]} (which it moves past it), or null when there is none. */
    private static String jsonString(String t, int[] at) {
        int i = at[0];
        if (i >= t.length() || t.charAt(i) != '"') return null;
        StringBuilder b = new StringBuilder();
        for (i++; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '"') {
                at[0] = i + 1;
                return b.toString();
            }
            if (c < 0x20) return null; // control characters must be escaped in JSON
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (++i >= t.length()) return null;
            switch (t.charAt(i)) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case '/' -> b.append('/');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 >= t.length()) return null;
                    int v = 0;
                    for (int k = 1; k <= 4; k++) {
                        int d = Character.digit(t.charAt(i + k), 16);
                        if (d < 0) return null;
                        v = v * 16 + d;
                    }
                    b.append((char) v);
                    i += 4;
                }
                default -> {
                    return null;
                }
            }
        }
        return null;
    }

    private Instruction run(Loc loc, String rest, Map<String, List<String>> flags, List<Heredoc> heredocs) {
        Command c = command(loc, rest, true);
        List<Instruction.MountSpec> mounts = new ArrayList<>();
        for (String m : flags.getOrDefault("mount", List.of())) {
            if (m == null) throw loc.error("missing a value on flag: --mount");
            mounts.add(MountParser.parse(loc, m));
        }
        String network = stringFlag(loc, flags, "network");
        if (network != null && !Set.of("default", "none", "host").contains(network))
            throw loc.error("unsupported network mode: " + network + " (default, none or host)");
        String security = stringFlag(loc, flags, "security");
        if (security != null && !Set.of("sandbox", "insecure").contains(security))
            throw loc.error("unsupported security mode: " + security + " (sandbox or insecure)");
        return new Instruction.Run(loc, c, mounts, network, security,
                c.shellForm() ? heredocs : List.of());
    }

    private Instruction copy(Loc loc, String rest, Map<String, List<String>> flags, List<Heredoc> heredocs) {
        List<String> args = jsonOrWords(loc, rest);
        if (args.size() < 2)
            throw loc.error(loc.keyword() + " requires at least two arguments, but only " + (args.isEmpty() ? "none" : "one")
                    + " was provided. Destination could not be determined");
        String dest = args.getLast();
        List<String> sources = new ArrayList<>();
        List<Heredoc> inline = new ArrayList<>();
        int h = 0;
        for (String s : args.subList(0, args.size() - 1)) {
            Matcher m = HEREDOC.matcher(s);
            if (m.matches() && !m.group(3).isEmpty() && h < heredocs.size()) inline.add(heredocs.get(h++));
            else sources.add(s);
        }
        List<String> excludes = new ArrayList<>();
        for (String e : flags.getOrDefault("exclude", List.of())) {
            if (e == null) throw loc.error("missing a value on flag: --exclude");
            excludes.add(e);
        }
        String chown = stringFlag(loc, flags, "chown");
        String chmod = stringFlag(loc, flags, "chmod");
        boolean link = boolFlag(loc, flags, "link");
        if (flags.containsKey("parents")) throw loc.error("--parents is not supported by this builder");
        if (loc.keyword().equals("COPY"))
            return new Instruction.Copy(loc, sources, dest, inline, stringFlag(loc, flags, "from"), chown, chmod, link, excludes);
        if (flags.containsKey("keep-git-dir"))
            throw loc.error("ADD from a git repository is not supported (--keep-git-dir): clone it in a RUN step or in the context");
        for (String s : sources) {
            if (isGitSource(s))
                throw loc.error("ADD from a git repository is not supported: " + s + " (clone it in a RUN step or in the context)");
        }
        return new Instruction.Add(loc, sources, dest, inline, stringFlag(loc, flags, "checksum"), chown, chmod, link, excludes);
    }

    /** Docker's test for a git source: a git scheme, git@host:, or an http(s) URL ending in .git (maybe with #ref). */
    static boolean isGitSource(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("git://") || lower.startsWith("git@") || lower.startsWith("ssh://")) return true;
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            String path = lower.replaceFirst("#.*$", "");
            return path.endsWith(".git") || lower.contains(".git#");
        }
        return false;
    }

    private Instruction arg(Loc loc, String rest) {
        List<String> words = parseWords(rest);
        if (words.isEmpty()) throw loc.error("ARG requires at least one argument");
        List<Instruction.ArgDecl> decls = new ArrayList<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            String name = eq < 0 ? w : w.substring(0, eq);
            if (name.isEmpty()) throw loc.error("ARG names can not be blank");
            decls.add(new Instruction.ArgDecl(name, eq < 0 ? null : w.substring(eq + 1)));
        }
        return new Instruction.Arg(loc, decls);
    }

    /** ENV and LABEL: {@code name=value ...}, or the legacy {@code name value with spaces}. */
    private List<Instruction.KeyValue> nameValues(Loc loc, String rest) {
        List<String> words = parseWords(rest);
        if (words.isEmpty()) throw loc.error(loc.keyword() + " requires at least one argument");
        List<Instruction.KeyValue> out = new ArrayList<>();
        if (!words.getFirst().contains("=")) {
            String[] parts = rest.split("\\s+", 2);
            if (parts.length < 2) throw loc.error(loc.keyword() + " must have two arguments");
            out.add(new Instruction.KeyValue(parts[0], parts[1]));
            return out;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq < 0) throw loc.error("Syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
            if (eq == 0) throw loc.error(loc.keyword() + " names can not be blank");
            out.add(new Instruction.KeyValue(w.substring(0, eq), w.substring(eq + 1)));
        }
        return out;
    }

    private static String single(Loc loc, String rest) {
        if (rest.isEmpty()) throw loc.error(loc.keyword() + " requires exactly one argument");
        return rest;
    }

    private Instruction healthcheck(Loc loc, String rest, Map<String, List<String>> flags) {
        String type = firstWord(rest).toUpperCase(Locale.ROOT);
        String args = afterFirstWord(rest);
        if (type.equals("NONE")) {
            if (!args.isEmpty()) throw loc.error("HEALTHCHECK NONE takes no arguments");
            if (!flags.isEmpty()) throw loc.error("HEALTHCHECK NONE takes no options");
            return new Instruction.Healthcheck(loc, List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
        }
        if (!type.equals("CMD")) throw loc.error("Unknown type \"" + firstWord(rest) + "\" in HEALTHCHECK (try CMD)");
        Command c = command(loc, args, true);
        List<String> test = new ArrayList<>();
        if (c.shellForm()) {
            test.add("CMD-SHELL");
            test.add(c.args().getFirst());
        } else {
            test.add("CMD");
            test.addAll(c.args());
        }
        Duration interval = duration(loc, flags, "interval");
        Duration timeout = duration(loc, flags, "timeout");
        Duration startPeriod = duration(loc, flags, "start-period");
        Duration startInterval = duration(loc, flags, "start-interval");
        int retries = 0;
        String r = stringFlag(loc, flags, "retries");
        if (r != null) {
            try {
                retries = Integer.parseInt(r);
            } catch (NumberFormatException e) {
                throw loc.error("--retries: invalid number \"" + r + "\"");
            }
            if (retries < 0) throw loc.error("--retries cannot be negative (" + retries + ")");
        }
        return new Instruction.Healthcheck(loc, test, interval, timeout, startPeriod, startInterval, retries);
    }

    private static Duration duration(Loc loc, Map<String, List<String>> flags, String name) {
        String v = stringFlag(loc, flags, name);
        if (v == null) return Duration.ZERO;
        Duration d;
        try {
            d = GoDuration.parse(v);
        } catch (IllegalArgumentException e) {
            throw loc.error("--" + name + ": " + e.getMessage());
        }
        if (!d.isZero() && d.compareTo(Duration.ofMillis(1)) < 0)
            throw loc.error("--" + name + " cannot be less than 1ms");
        if (d.isNegative()) throw loc.error("--" + name + " cannot be negative");
        return d;
    }

    private Instruction onbuild(Loc loc, String rest) {
        if (rest.isEmpty()) throw loc.error("ONBUILD requires at least one argument");
        String trigger = firstWord(rest).toUpperCase(Locale.ROOT);
        if (trigger.equals("ONBUILD")) throw loc.error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (trigger.equals("FROM") || trigger.equals("MAINTAINER"))
            throw loc.error(trigger + " isn't allowed as an ONBUILD trigger");
        Instruction inner = instruction(new Logical(loc.line(), rest, List.of()));
        return new Instruction.Onbuild(loc, rest, inner);
    }

    private List<String> jsonOrWords(Loc loc, String rest) {
        if (rest.startsWith("[")) {
            List<String> json = jsonArray(rest);
            if (json != null) return json;
        }
        return whitespaceWords(rest);
    }

    // ------------------------------------------------------------------ words

    private static String firstWord(String s) {
        int i = 0;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) i++;
        return s.substring(0, i);
    }

    private static String afterFirstWord(String s) {
        return s.substring(firstWord(s).length()).strip();
    }

    private static List<String> whitespaceWords(String s) {
        s = s.strip();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }

    /**
     * Leading {@code --name[=value]} words, quotes removed (BuildKit's builder flags); returns the
     * rest. A lone {@code --} ends them.
     */
    private static String extractFlags(String line, List<String> out) {
        int pos = 0;
        int n = line.length();
        while (true) {
            while (pos < n && Character.isWhitespace(line.charAt(pos))) pos++;
            if (pos + 1 >= n || line.charAt(pos) != '-' || line.charAt(pos + 1) != '-') return line.substring(pos);
            StringBuilder word = new StringBuilder();
            char quote = 0;
            while (pos < n) {
                char ch = line.charAt(pos);
                if (quote == 0 && Character.isWhitespace(ch)) break;
                pos++;
                if (quote == 0 && (ch == '\'' || ch == '"')) {
                    quote = ch;
                    continue;
                }
                if (quote != 0 && ch == quote) {
                    quote = 0;
                    continue;
                }
                if (ch == '\\' && pos < n) ch = line.charAt(pos++);
                word.append(ch);
            }
            if (word.toString().equals("--")) return line.substring(pos).strip();
            out.add(word.toString());
        }
    }

    /**
     * Words split on whitespace outside quotes, quotes and escapes kept (they are removed when
     * the word is expanded): BuildKit's parseWords, for ENV, LABEL and ARG.
     */
    private List<String> parseWords(String rest) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        char quote = 0;
        for (int pos = 0; pos < rest.length(); pos++) {
            char ch = rest.charAt(pos);
            if (quote == 0) {
                if (Character.isWhitespace(ch)) {
                    if (inWord && (blankOk || !word.isEmpty())) words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                    blankOk = false;
                    continue;
                }
                inWord = true;
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOk = true;
                } else if (ch == escape) {
                    if (pos + 1 == rest.length()) continue;
                    word.append(ch);
                    ch = rest.charAt(++pos);
                }
                word.append(ch);
            } else {
                if (ch == quote) quote = 0;
                else if (ch == escape && quote != '\'') {
                    if (pos + 1 == rest.length()) continue;
                    word.append(ch);
                    ch = rest.charAt(++pos);
                }
                word.append(ch);
            }
        }
        if (inWord && (blankOk || !word.isEmpty())) words.add(word.toString());
        return words;
    }

    /** Words of a line as the shell would split them, quotes kept: to find {@code <<EOF} markers. */
    private List<String> rawWords(String rest) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        for (int pos = 0; pos < rest.length(); pos++) {
            char ch = rest.charAt(pos);
            if (quote == 0 && Character.isWhitespace(ch)) {
                if (!word.isEmpty()) words.add(word.toString());
                word.setLength(0);
                continue;
            }
            if (quote == 0 && (ch == '\'' || ch == '"')) quote = ch;
            else if (quote != 0 && ch == quote) quote = 0;
            else if (ch == escape && quote != '\'' && pos + 1 < rest.length()) {
                word.append(ch);
                ch = rest.charAt(++pos);
            }
            word.append(ch);
        }
        if (!word.isEmpty()) words.add(word.toString());
        return words;
    }
}
