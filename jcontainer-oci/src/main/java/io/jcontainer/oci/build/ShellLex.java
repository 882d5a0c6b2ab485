package io.jcontainer.oci.build;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's word processing for Dockerfile arguments: quote removal ({@code '…'} literal,
 * {@code "…"} with {@code $} expansion and {@code \" \$ \\} escapes), the escape character outside
 * quotes, and variable substitution — {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-w}},
 * {@code ${VAR-w}}, {@code ${VAR:+w}}, {@code ${VAR+w}}, {@code ${VAR:?m}}, {@code ${VAR?m}},
 * {@code ${VAR#p}}, {@code ${VAR##p}}, {@code ${VAR%p}}, {@code ${VAR%%p}}, {@code ${VAR/p/r}},
 * {@code ${VAR//p/r}}. Like BuildKit's lexer, an unquoted expansion is split into words by
 * {@link #words} but a quoted one is not.
 *
 * <p>Not thread-safe; cheap to make.
 */
public final class ShellLex {
    private final char escape;
    private final boolean raw;
    private Map<String, String> env;
    private String src;
    private int pos;
    private boolean rawEscapes;
    private final Set<String> used = new LinkedHashSet<>();

    /** Thrown for a malformed word; the caller adds the file, line and instruction. */
    public static final class LexException extends RuntimeException {
        LexException(String message) {
            super(message);
        }
    }

    public ShellLex(char escape) {
        this(escape, false);
    }

    /**
     * With {@code raw}, quotes and escapes stay in the result (only variables are expanded): how
     * an unquoted here-document's content is expanded.
     */
    public ShellLex(char escape, boolean raw) {
        this.escape = escape;
        this.raw = raw;
    }

    /** Names of the variables looked up (found or not) since this lexer was made. */
    public Set<String> used() {
        return used;
    }

    /** The word with quotes removed and variables expanded; whitespace is kept. */
    public String word(String word, Map<String, String> env) {
        return process(word, env).result;
    }

    /** The word expanded, then split on unquoted whitespace (expansions unquoted split too). */
    public List<String> words(String word, Map<String, String> env) {
        return process(word, env).words;
    }

    private record Result(String result, List<String> words) {
    }

    private Result process(String word, Map<String, String> env) {
        this.env = env;
        this.src = word;
        this.pos = 0;
        this.rawEscapes = raw;
        try {
            return processStopOn(-1, raw);
        } catch (LexException e) {
            throw new LexException("failed to process \"" + word + "\": " + e.getMessage());
        }
    }

    private int peek() {
        return pos < src.length() ? src.charAt(pos) : -1;
    }

    private int next() {
        return pos < src.length() ? src.charAt(pos++) : -1;
    }

    /** Accumulates the joined result and the whitespace-split words side by side. */
    private static final class Words {
        final StringBuilder word = new StringBuilder();
        final List<String> words = new ArrayList<>();
        boolean inWord;

        void addChar(int ch) {
            if (Character.isWhitespace(ch)) {
                if (inWord && !word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                addRaw(ch);
            }
        }

        void addRaw(int ch) {
            word.append((char) ch);
            inWord = true;
        }

        void addString(String s) {
            s.chars().forEach(this::addChar);
        }

        void addRawString(String s) {
            word.append(s);
            inWord = true;
        }

        List<String> finish() {
            if (!word.isEmpty()) words.add(word.toString());
            return List.copyOf(words);
        }
    }

    private Result processStopOn(int stop, boolean keepEscapes) {
        boolean saved = rawEscapes;
        rawEscapes = keepEscapes;
        try {
            StringBuilder result = new StringBuilder();
            Words words = new Words();
            while (peek() != -1) {
                int ch = peek();
                if (stop != -1 && ch == stop) {
                    next();
                    return new Result(result.toString(), words.finish());
                }
                if (ch == '$') {
                    String v = processDollar();
                    result.append(v);
                    words.addString(v);
                } else if (ch == '\'') {
                    String v = singleQuote();
                    result.append(v);
                    words.addRawString(v);
                } else if (ch == '"') {
                    String v = doubleQuote();
                    result.append(v);
                    words.addRawString(v);
                } else {
                    ch = next();
                    if (ch == escape) {
                        if (rawEscapes) {
                            words.addRaw(ch);
                            result.append((char) ch);
                        }
                        ch = next();
                        if (ch == -1) break; // a lone escape at the end is dropped
                        words.addRaw(ch);
                    } else {
                        words.addChar(ch);
                    }
                    result.append((char) ch);
                }
            }
            if (stop != -1)
                throw new LexException("unexpected end of statement while looking for matching " + (char) stop);
            return new Result(result.toString(), words.finish());
        } finally {
            rawEscapes = saved;
        }
    }

    private String singleQuote() {
        next();
        StringBuilder sb = new StringBuilder();
        if (raw) sb.append('\'');
        while (true) {
            int ch = next();
            if (ch == -1) throw new LexException("unexpected end of statement while looking for matching single-quote");
            if (ch == '\'') return raw ? sb.append('\'').toString() : sb.toString();
            sb.append((char) ch);
        }
    }

    private String doubleQuote() {
        next();
        StringBuilder sb = new StringBuilder();
        if (raw) sb.append('"');
        while (true) {
            int ch = peek();
            if (ch == -1) throw new LexException("unexpected end of statement while looking for matching double-quote");
            if (ch == '"') {
                next();
                return raw ? sb.append('"').toString() : sb.toString();
            }
            if (ch == '$') {
                sb.append(processDollar());
                continue;
            }
            ch = next();
            if (ch == escape) {
                if (rawEscapes) sb.append((char) ch);
                int p = peek();
                if (p == -1) continue;
                // only " $ and the escape itself can be escaped in double quotes, as in sh
                if (p == '"' || p == '$' || p == escape) ch = next();
            }
            sb.append((char) ch);
        }
    }

    private String processDollar() {
        next();
        if (peek() != '{') {
            String name = name();
            if (name.isEmpty()) return "$";
            return lookup(name) instanceof String v ? v : "";
        }
        next();
        int first = peek();
        if (first == -1) throw new LexException("syntax error: missing '}'");
        if (first == '{' || first == '}' || first == ':') throw new LexException("syntax error: bad substitution");
        String name = name();
        int ch = next();
        if (ch == '}') return lookup(name) instanceof String v ? v : "";
        if (ch == -1) throw new LexException("syntax error: missing '}'");
        String modifier = ch == -1 ? "" : String.valueOf((char) ch);
        boolean nullIsUnset = false;
        if (ch == ':') {
            nullIsUnset = true;
            ch = next();
            modifier += ch == -1 ? "" : String.valueOf((char) ch);
        }
        switch (ch) {
            case '+', '-', '?', '#', '%' -> {
                if (nullIsUnset && (ch == '#' || ch == '%'))
                    throw new LexException("unsupported modifier (" + modifier + ") in substitution");
                String word;
                try {
                    word = processStopOn('}', ch == '#' || ch == '%').result;
                } catch (LexException e) {
                    if (peek() == -1) throw new LexException("syntax error: missing '}'");
                    throw e;
                }
                String value = lookup(name);
                boolean set = value != null;
                boolean empty = !set || (nullIsUnset && value.isEmpty());
                return switch (ch) {
                    case '-' -> empty ? word : value;
                    case '+' -> empty ? "" : word;
                    case '?' -> {
                        if (!set) throw new LexException(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                        if (nullIsUnset && value.isEmpty())
                            throw new LexException(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
                        yield value;
                    }
                    default -> {
                        String v = set ? value : "";
                        boolean greedy = !word.isEmpty() && word.charAt(0) == ch;
                        if (greedy) word = word.substring(1);
                        yield ch == '#' ? trimPrefix(word, v, greedy) : trimSuffix(word, v, greedy);
                    }
                };
            }
            case '/' -> {
                boolean all = peek() == '/';
                if (all) next();
                String pattern;
                String replacement;
                try {
                    pattern = processStopOn('/', true).result;
                } catch (LexException e) {
                    if (peek() == -1) throw new LexException("syntax error: missing '/' in ${}");
                    throw e;
                }
                try {
                    replacement = processStopOn('}', true).result;
                } catch (LexException e) {
                    if (peek() == -1) throw new LexException("syntax error: missing '}'");
                    throw e;
                }
                String value = lookup(name);
                if (value == null) value = "";
                Pattern re = toRegex(pattern, true, false);
                Matcher m = re.matcher(value);
                if (all) return m.replaceAll(Matcher.quoteReplacement(replacement));
                return m.find() ? value.substring(0, m.start()) + replacement + value.substring(m.end()) : value;
            }
            default -> throw new LexException("unsupported modifier (" + modifier + ") in substitution");
        }
    }

    private String name() {
        StringBuilder sb = new StringBuilder();
        while (peek() != -1) {
            int ch = peek();
            if (sb.isEmpty() && Character.isDigit(ch)) {
                while (peek() != -1 && Character.isDigit(peek())) sb.append((char) next());
                return sb.toString();
            }
            if (sb.isEmpty() && "@*#?-$!0".indexOf(ch) >= 0) return String.valueOf((char) next());
            if (!Character.isLetterOrDigit(ch) && ch != '_') break;
            sb.append((char) next());
        }
        return sb.toString();
    }

    private String lookup(String name) {
        used.add(name);
        return env.get(name);
    }

    /**
     * A shell pattern ({@code *}, {@code ?}, {@code \} escaping) as a regex; bracket expressions
     * are taken literally, as BuildKit does.
     */
    static Pattern toRegex(String pattern, boolean greedy, boolean anchored) {
        StringBuilder out = new StringBuilder();
        if (anchored) out.append('^');
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> out.append(greedy ? ".*" : ".*?");
                case '?' -> out.append("(?s:.)");
                case '\\' -> {
                    if (i + 1 < pattern.length() && (pattern.charAt(i + 1) == '}' || pattern.charAt(i + 1) == '/'))
                        continue; // the escape of } or / inside ${} is not part of the pattern
                    if (i + 1 >= pattern.length()) throw new LexException("invalid pattern (" + pattern + "): trailing escape");
                    char n = pattern.charAt(++i);
                    if (n != '*' && n != '?' && n != '\\')
                        throw new LexException("invalid pattern (" + pattern + ") in substitution: invalid escape '\\" + n + "'");
                    out.append('\\').append(n);
                }
                default -> out.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(out.toString(), Pattern.DOTALL);
    }

    private static String trimPrefix(String pattern, String value, boolean greedy) {
        Matcher m = toRegex(pattern, greedy, true).matcher(value);
        return m.find() ? value.substring(m.end()) : value;
    }

    private static String trimSuffix(String pattern, String value, boolean greedy) {
        // match the reversed pattern against the reversed value, keeping escapes with their char
        String rp = reversePattern(pattern);
        String rv = new StringBuilder(value).reverse().toString();
        Matcher m = toRegex(rp, greedy, true).matcher(rv);
        return m.find() ? value.substring(0, value.length() - m.end()) : value;
    }

    private static String reversePattern(String pattern) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                tokens.add(pattern.substring(i, i + 2));
                i++;
            } else {
                tokens.add(String.valueOf(c));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = tokens.size() - 1; i >= 0; i--) sb.append(tokens.get(i));
        return sb.toString();
    }
}
