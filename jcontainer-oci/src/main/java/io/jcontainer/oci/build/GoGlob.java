package io.jcontainer.oci.build;

import java.util.regex.Pattern;

/**
 * Go's {@code filepath.Match} for one path segment (COPY/ADD source wildcards): {@code *} and
 * {@code ?} never cross {@code /}, {@code [a-z]} and {@code [^a-z]} classes, {@code \} escapes.
 */
final class GoGlob {
    private GoGlob() {
    }

    static boolean hasMeta(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '\\') return true;
        }
        return false;
    }

    /** The pattern as a regex matching the whole of a name. */
    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                case '\\' -> {
                    if (i + 1 >= glob.length()) throw new IllegalArgumentException("syntax error in pattern " + glob);
                    re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                }
                case '[' -> {
                    int end = i + 1;
                    StringBuilder cls = new StringBuilder("[");
                    if (end < glob.length() && glob.charAt(end) == '^') {
                        cls.append('^');
                        end++;
                    }
                    boolean closed = false;
                    boolean first = true;
                    for (; end < glob.length(); end++) {
                        char k = glob.charAt(end);
                        if (k == ']' && !first) {
                            closed = true;
                            break;
                        }
                        first = false;
                        if (k == '\\' && end + 1 < glob.length()) k = glob.charAt(++end);
                        if (k == '-' ) cls.append('-');
                        else if (Character.isLetterOrDigit(k)) cls.append(k);
                        else cls.append('\\').append(k);
                    }
                    if (!closed) throw new IllegalArgumentException("syntax error in pattern " + glob);
                    re.append(cls).append("&&[^/]]");
                    i = end;
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
