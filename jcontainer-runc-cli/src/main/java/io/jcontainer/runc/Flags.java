package io.jcontainer.runc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Go's flag syntax, as runc (urfave/cli) takes it: {@code -name}, {@code --name},
 * {@code -name=value}, {@code --name value}; a boolean flag takes no separate value but may say
 * {@code =true}/{@code =false}; {@code --} ends the flags. Unlike Go, flags may also follow the
 * positional arguments (engines always put them first; people do not).
 */
final class Flags {
    /** One flag: its names (the first is the canonical one) and whether it takes a value. */
    record Def(List<String> names, boolean value, boolean repeat) {
        static Def bool(String... names) {
            return new Def(List.of(names), false, false);
        }

        static Def value(String... names) {
            return new Def(List.of(names), true, false);
        }

        static Def values(String... names) {
            return new Def(List.of(names), true, true);
        }
    }

    final Map<String, List<String>> values = new LinkedHashMap<>();
    final List<String> args = new ArrayList<>();

    /** Thrown for a flag the command does not know, or one missing its value: runc's wording. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code argv} against {@code defs}; with {@code stopAtArg} the first positional
     * argument ends the flags (global flags stop at the command name).
     */
    static Flags parse(List<String> argv, List<Def> defs, boolean stopAtArg) {
        Flags f = new Flags();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--")) {
                f.args.addAll(argv.subList(i + 1, argv.size()));
                break;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                if (stopAtArg) {
                    f.args.addAll(argv.subList(i, argv.size()));
                    break;
                }
                f.args.add(a);
                continue;
            }
            String body = a.substring(a.startsWith("--") ? 2 : 1);
            String name = body, inline = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                name = body.substring(0, eq);
                inline = body.substring(eq + 1);
            }
            Def def = null;
            for (Def d : defs) if (d.names().contains(name)) def = d;
            if (def == null) throw new UsageException("flag provided but not defined: -" + name);
            String v;
            if (def.value()) {
                if (inline != null) v = inline;
                else if (i + 1 < argv.size()) v = argv.get(++i);
                else throw new UsageException("flag needs an argument: -" + name);
            } else {
                v = inline == null ? "true" : inline;
                if (!v.equals("true") && !v.equals("false"))
                    throw new UsageException("invalid boolean value \"" + v + "\" for -" + name);
            }
            String key = def.names().getFirst();
            if (def.repeat()) f.values.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
            else f.values.put(key, new ArrayList<>(List.of(v)));
        }
        return f;
    }

    boolean bool(String name) {
        List<String> v = values.get(name);
        return v != null && v.getLast().equals("true");
    }

    String value(String name, String dflt) {
        List<String> v = values.get(name);
        return v == null ? dflt : v.getLast();
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        return values.containsKey(name);
    }
}
