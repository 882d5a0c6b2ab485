package io.jcontainer.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A command's flags and docker's grammar for them (docker uses spf13/pflag):
 * <ul>
 *   <li>long flags: {@code --env K=V}, {@code --env=K=V}; booleans {@code --rm} or {@code --rm=false};</li>
 *   <li>short flags: {@code -e K=V}, {@code -eK=V}, {@code -e=K=V}; booleans combine, {@code -it};
 *       in a group, a value flag takes the rest of the group or the next argument ({@code -ie K=V});</li>
 *   <li>{@code --} ends the options; a lone {@code -} is an argument;</li>
 *   <li>for {@code run}, the first argument that is not a flag ends the options (it is the image
 *       or the command, and everything after it belongs to the command: {@code run sh -c ls}).</li>
 * </ul>
 *
 * <p>Handwritten rather than picocli: the grammar is ~80 lines, the CLI must start fast (no
 * reflection or annotation scanning), and the lifecycle verbs share this one small class.
 * Docker flags jcontainer knows but does not implement yet are declared too, so that they get
 * "not supported yet" rather than "unknown flag".
 */
public final class Flags {

    /** Whether a flag is a switch or takes a value. */
    public enum Kind { BOOL, VALUE }

    /**
     * One flag.
     *
     * @param name        the long name without dashes, e.g. {@code env}; the key of its values
     * @param aliases     other long names, e.g. {@code net} for {@code network}
     * @param shortName   the one-letter form, or 0
     * @param metavar     what the value is, for help ({@code list}, {@code string}, ...)
     * @param help        one line
     * @param unsupported null when the flag works; otherwise why it is refused
     */
    public record Flag(String name, List<String> aliases, char shortName, Kind kind, String metavar, String help,
                       String unsupported) {
        public Flag {
            aliases = List.copyOf(aliases);
        }

        public boolean supported() {
            return unsupported == null;
        }

        /** How help and errors name it: {@code -e, --env}. */
        public String display() {
            return (shortName != 0 ? "-" + shortName + ", " : "    ") + "--" + name;
        }
    }

    private final Map<String, Flag> byLong = new LinkedHashMap<>();
    private final Map<Character, Flag> byShort = new LinkedHashMap<>();
    private final List<Flag> all = new ArrayList<>();

    public Flags() {
        bool("help", (char) 0, "Print usage");
    }

    public Flags bool(String name, char shortName, String help) {
        return add(new Flag(name, List.of(), shortName, Kind.BOOL, "", help, null));
    }

    public Flags value(String name, char shortName, String metavar, String help) {
        return add(new Flag(name, List.of(), shortName, Kind.VALUE, metavar, help, null));
    }

    public Flags add(Flag f) {
        if (byLong.containsKey(f.name())) throw new IllegalArgumentException("duplicate flag --" + f.name());
        byLong.put(f.name(), f);
        for (String a : f.aliases()) byLong.put(a, f);
        if (f.shortName() != 0 && byShort.put(f.shortName(), f) != null)
            throw new IllegalArgumentException("duplicate flag -" + f.shortName());
        all.add(f);
        return this;
    }

    /** An alias for an existing flag, e.g. {@code --net} for {@code --network}. */
    public Flags alias(String alias, String of) {
        Flag f = byLong.get(of);
        Flag g = new Flag(f.name(), concat(f.aliases(), alias), f.shortName(), f.kind(), f.metavar(), f.help(), f.unsupported());
        // by identity: a record's equals is linked by an invokedynamic bootstrap at its first
        // call (~8 method handle classes spun, which no AOT cache keeps), and `run` aliases flags
        for (int i = 0; i < all.size(); i++) if (all.get(i) == f) all.set(i, g);
        byLong.replaceAll((k, v) -> v == f ? g : v);
        byLong.put(alias, g);
        if (g.shortName() != 0) byShort.put(g.shortName(), g);
        return this;
    }

    /** A docker flag jcontainer recognises but refuses, saying why. */
    public Flags unsupported(String name, char shortName, Kind kind, String why) {
        return add(new Flag(name, List.of(), shortName, kind, kind == Kind.VALUE ? "value" : "", why, why));
    }

    public List<Flag> all() {
        return List.copyOf(all);
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> l = new ArrayList<>(a);
        l.add(b);
        return l;
    }

    /**
     * Parses {@code args}.
     *
     * @param interspersed whether flags may follow arguments ({@code false} for run: the first
     *                     argument ends the options)
     */
    public Parsed parse(List<String> args, boolean interspersed) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<String> positionals = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                positionals.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                Flag f = byLong.get(name);
                if (f == null || name.isEmpty()) throw new UsageException("unknown flag: --" + name);
                String v;
                if (f.kind() == Kind.BOOL) v = eq < 0 ? "true" : bool(f, a.substring(eq + 1));
                else if (eq >= 0) v = a.substring(eq + 1);
                else if (i + 1 < args.size()) v = args.get(++i);
                else throw new UsageException("flag needs an argument: --" + name);
                put(values, f, v);
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    Flag f = byShort.get(c);
                    if (f == null) throw new UsageException("unknown shorthand flag: '" + c + "' in " + a);
                    String rest = a.substring(j + 1);
                    if (f.kind() == Kind.BOOL) {
                        if (rest.startsWith("=")) {
                            put(values, f, bool(f, rest.substring(1)));
                            break;
                        }
                        put(values, f, "true");
                    } else {
                        String v;
                        if (!rest.isEmpty()) v = rest.startsWith("=") ? rest.substring(1) : rest;
                        else if (i + 1 < args.size()) v = args.get(++i);
                        else throw new UsageException("flag needs an argument: '" + c + "' in " + a);
                        put(values, f, v);
                        break;
                    }
                }
            } else if (interspersed) {
                positionals.add(a);
            } else {
                positionals.addAll(args.subList(i, args.size()));
                break;
            }
        }
        return new Parsed(values, positionals);
    }

    private static void put(Map<String, List<String>> values, Flag f, String v) {
        if (!f.supported()) throw new UsageException("--" + f.name() + " is not supported yet: " + f.unsupported());
        values.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(v);
    }

    /** pflag's strconv.ParseBool spellings. */
    private static String bool(Flag f, String v) {
        return switch (v) {
            case "1", "t", "T", "true", "TRUE", "True" -> "true";
            case "0", "f", "F", "false", "FALSE", "False" -> "false";
            default -> throw new UsageException("invalid argument \"" + v + "\" for \"" + f.display().trim() + "\" flag: not a boolean");
        };
    }

    /** The flags' help, one aligned line each; unsupported ones are listed apart. */
    public String help() {
        StringBuilder b = new StringBuilder();
        int width = 0;
        for (Flag f : all) if (f.supported()) width = Math.max(width, left(f).length());
        for (Flag f : all) {
            if (!f.supported()) continue;
            String l = left(f);
            b.append("  ").append(l).append(" ".repeat(width - l.length() + 3)).append(f.help()).append('\n');
        }
        List<String> no = new ArrayList<>();
        for (Flag f : all) if (!f.supported()) no.add("--" + f.name());
        if (!no.isEmpty()) b.append("\nRecognised but not supported yet: ").append(String.join(" ", no)).append('\n');
        return b.toString();
    }

    private static String left(Flag f) {
        String s = f.display();
        for (String a : f.aliases()) s += ", --" + a;
        return f.kind() == Kind.VALUE ? s + " " + f.metavar() : s;
    }

    /** What was given: values per flag (by long name, in command-line order), then the arguments. */
    public record Parsed(Map<String, List<String>> values, List<String> positionals) {
        public boolean has(String name) {
            return values.containsKey(name);
        }

        /** A boolean flag: its last value, false when absent. */
        public boolean bool(String name) {
            List<String> v = values.get(name);
            return v != null && v.getLast().equals("true");
        }

        /** A value flag's last value (docker: the last one wins), or null. */
        public String value(String name) {
            List<String> v = values.get(name);
            return v == null ? null : v.getLast();
        }

        /** Every value of a repeatable flag, in order. */
        public List<String> values(String name) {
            return values.getOrDefault(name, List.of());
        }

        public String lower(String name) {
            String v = value(name);
            return v == null ? null : v.toLowerCase(Locale.ROOT);
        }
    }
}
