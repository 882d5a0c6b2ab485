package io.jcontainer.oci.build;

import io.jcontainer.oci.build.Instruction.Loc;
import io.jcontainer.oci.build.Instruction.MountSpec;

import java.util.Locale;
import java.util.Set;

/**
 * {@code RUN --mount=type=…,key=value,…} as BuildKit reads it (comma-separated CSV fields,
 * {@code ro}/{@code rw} shorthands). Types: bind (the default), cache, tmpfs, secret; ssh is
 * refused (this builder has no SSH agent forwarding).
 */
final class MountParser {
    private static final Set<String> SHARING = Set.of("shared", "private", "locked");

    private MountParser() {
    }

    static MountSpec parse(Loc loc, String value) {
        String type = "bind";
        String target = null, source = null, from = null, id = null, sharing = null, mode = null, env = null;
        Long uid = null, gid = null, size = null;
        boolean readOnly = false, readOnlySet = false, required = false;
        for (String field : splitCsv(value)) {
            if (field.isEmpty()) continue;
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT).strip();
            String v = eq < 0 ? null : field.substring(eq + 1);
            switch (key) {
                case "type" -> type = need(loc, key, v).toLowerCase(Locale.ROOT);
                case "target", "dst", "destination" -> target = need(loc, key, v);
                case "source", "src" -> source = need(loc, key, v);
                case "from" -> from = need(loc, key, v);
                case "id" -> id = need(loc, key, v);
                case "sharing" -> {
                    sharing = need(loc, key, v).toLowerCase(Locale.ROOT);
                    if (!SHARING.contains(sharing)) throw loc.error("unsupported sharing value \"" + v + "\" in --mount (shared, private or locked)");
                }
                case "ro", "readonly" -> {
                    readOnly = v == null || bool(loc, key, v);
                    readOnlySet = true;
                }
                case "rw", "readwrite" -> {
                    readOnly = !(v == null || bool(loc, key, v));
                    readOnlySet = true;
                }
                case "required" -> required = v == null || bool(loc, key, v);
                case "mode" -> {
                    mode = need(loc, key, v);
                    if (!mode.matches("[0-7]{1,4}")) throw loc.error("invalid mode \"" + v + "\" in --mount (octal)");
                }
                case "uid" -> uid = number(loc, key, v);
                case "gid" -> gid = number(loc, key, v);
                case "size" -> size = size(loc, need(loc, key, v));
                case "env" -> env = need(loc, key, v);
                default -> throw loc.error("unexpected key '" + key + "' in '" + field + "' of --mount");
            }
        }
        switch (type) {
            case "bind", "cache", "tmpfs" -> {
                if (target == null) throw loc.error("--mount=type=" + type + " needs a target");
            }
            case "secret" -> {
                if (id == null && source == null && target == null && env == null)
                    throw loc.error("--mount=type=secret needs an id (or a target)");
                if (id == null) id = source != null ? source : baseName(target == null ? env : target);
                if (target == null && env == null) target = "/run/secrets/" + id;
            }
            case "ssh" -> throw loc.error("--mount=type=ssh is not supported by this builder (no SSH agent forwarding)");
            default -> throw loc.error("unsupported mount type \"" + type + "\" (bind, cache, tmpfs or secret)");
        }
        if (!readOnlySet) readOnly = type.equals("bind") || type.equals("secret");
        if (sharing != null && !type.equals("cache")) throw loc.error("sharing= applies only to --mount=type=cache");
        if (type.equals("cache") && sharing == null) sharing = "shared";
        if (type.equals("cache") && id == null) id = target;
        return new MountSpec(type, target, source, from, id, sharing, readOnly, mode, uid, gid, size, required, env);
    }

    private static String baseName(String p) {
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }

    private static String need(Loc loc, String key, String v) {
        if (v == null || v.isEmpty()) throw loc.error("--mount: " + key + " needs a value");
        return v;
    }

    private static boolean bool(Loc loc, String key, String v) {
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw loc.error("--mount: invalid value for " + key + ": " + v);
    }

    private static long number(Loc loc, String key, String v) {
        try {
            return Long.parseLong(need(loc, key, v));
        } catch (NumberFormatException e) {
            throw loc.error("--mount: invalid value for " + key + ": " + v);
        }
    }

    private static long size(Loc loc, String v) {
        var m = java.util.regex.Pattern.compile("(?i)([0-9]+)([kmg]?)b?").matcher(v);
        if (!m.matches()) throw loc.error("--mount: invalid size " + v);
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }

    /** Fields separated by commas; a double-quoted field may contain commas (CSV, as BuildKit reads it). */
    private static java.util.List<String> splitCsv(String s) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
