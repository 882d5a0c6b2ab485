package io.jcontainer.oci.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** EXPOSE's port specs ({@code 80}, {@code 80/udp}, {@code 8000-8002/tcp}) as image config keys ({@code 80/tcp}). */
final class Ports {
    private static final Pattern SPEC = Pattern.compile("^(?:[^:]*:)?([0-9]+)(?:-([0-9]+))?(?:/([a-zA-Z]+))?$");

    private Ports() {
    }

    static List<String> normalise(Instruction.Loc loc, List<String> specs) {
        List<String> out = new ArrayList<>();
        for (String s : specs) {
            Matcher m = SPEC.matcher(s);
            if (!m.matches()) throw loc.error("invalid containerPort: " + s);
            String proto = m.group(3) == null ? "tcp" : m.group(3).toLowerCase(Locale.ROOT);
            if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp"))
                throw loc.error("invalid proto: " + m.group(3));
            int start = port(loc, m.group(1));
            int end = m.group(2) == null ? start : port(loc, m.group(2));
            if (end < start) throw loc.error("invalid port range: " + s);
            for (int p = start; p <= end; p++) out.add(p + "/" + proto);
        }
        return out;
    }

    private static int port(Instruction.Loc loc, String s) {
        int p;
        try {
            p = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw loc.error("invalid port: " + s);
        }
        if (p < 0 || p > 65535) throw loc.error("invalid port: " + s + " (0-65535)");
        return p;
    }
}
