package io.jcontainer.linux.seccomp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.InvalidSpecException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A seccomp profile in the OCI runtime-spec / Docker JSON format, parsed and checked; not yet
 * resolved against an architecture or capability set (that is {@link SeccompCompiler}'s job).
 *
 * <p>Accepted: {@code defaultAction}, {@code defaultErrnoRet}, {@code architectures},
 * Docker's {@code archMap}, {@code flags}, and {@code syscalls[]} with {@code names} (or the
 * old single {@code name}), {@code action}, {@code errnoRet}, {@code args[]} ({@code index},
 * {@code value}, {@code valueTwo}, {@code op}) and Docker's {@code includes}/{@code excludes}
 * ({@code caps}, {@code arches}, {@code minKernel}). Unknown fields are ignored, as runc does;
 * a known field with a wrong type or value is refused with an {@link InvalidSpecException}
 * naming it, e.g. {@code seccomp: syscalls[3].args[0].op: unknown operator "SCMP_CMP_FOO"}.
 *
 * @param defaultAction what every syscall no rule matches gets (a {@code SECCOMP_RET_*} value)
 * @param architectures the {@code SCMP_ARCH_*} names the profile lists (informational: the filter
 *                      admits the native ABI only)
 * @param flags         {@code SECCOMP_FILTER_FLAG_*} bits for seccomp(2)
 * @param rules         the syscall rules, in profile order
 */
public record SeccompProfile(int defaultAction, Set<String> architectures, int flags, List<Rule> rules) {

    public SeccompProfile {
        architectures = Set.copyOf(architectures);
        rules = List.copyOf(rules);
    }

    /** One {@code syscalls[]} entry: these names get {@code action} when every condition holds. */
    public record Rule(List<String> names, int action, List<Condition> conditions, Filter includes, Filter excludes) {
        public Rule {
            names = List.copyOf(names);
            conditions = List.copyOf(conditions);
        }
    }

    /** A comparison of the 64-bit syscall argument {@code index} with {@code value}. */
    public record Condition(int index, Cmp op, long value, long valueTwo) {
    }

    /** The OCI comparison operators (libseccomp's {@code SCMP_CMP_*}); all compare unsigned 64-bit values. */
    public enum Cmp {
        NE, LT, LE, EQ, GE, GT,
        /** {@code (arg & value) == valueTwo}. */
        MASKED_EQ
    }

    /**
     * Docker's conditions on a rule: {@code includes} needs every listed capability, one of the
     * arches and at least {@code minKernel}; {@code excludes} drops the rule on any listed
     * capability or arch (or a kernel at least {@code minKernel}).
     */
    public record Filter(List<String> caps, List<String> arches, int[] minKernel) {
        static final Filter NONE = new Filter(List.of(), List.of(), null);

        public Filter {
            caps = List.copyOf(caps);
            arches = List.copyOf(arches);
        }

        boolean isEmpty() {
            return caps.isEmpty() && arches.isEmpty() && minKernel == null;
        }
    }

    // ---- actions: linux/seccomp.h SECCOMP_RET_* ----
    public static final int RET_KILL_PROCESS = 0x80000000;
    public static final int RET_KILL_THREAD = 0x00000000;
    public static final int RET_TRAP = 0x00030000;
    public static final int RET_ERRNO = 0x00050000;
    public static final int RET_TRACE = 0x7ff00000;
    public static final int RET_LOG = 0x7ffc0000;
    public static final int RET_ALLOW = 0x7fff0000;
    public static final int RET_DATA = 0x0000ffff;

    public static final int EPERM = 1;
    public static final int ENOSYS = 38;

    /** {@code SECCOMP_RET_ERRNO | errno}. */
    public static int errno(int errno) {
        return RET_ERRNO | (errno & RET_DATA);
    }

    /** Whether the action lets the call run (the filter then needs no "unknown syscall" stub). */
    static boolean permits(int action) {
        int a = action & ~RET_DATA;
        return a == RET_ALLOW || a == RET_LOG || a == RET_TRACE;
    }

    // ---- SECCOMP_FILTER_FLAG_* (linux/seccomp.h) ----
    public static final int FLAG_TSYNC = 1;
    public static final int FLAG_LOG = 2;
    public static final int FLAG_SPEC_ALLOW = 4;

    /** Parses and checks a profile; every refusal names the field, e.g. {@code syscalls[2].action}. */
    public static SeccompProfile parse(String json, String origin) {
        String where = origin == null ? "" : " (" + origin + ")";
        JsonNode root;
        try {
            // the streaming parser, not a mapper: every start with the default profile parses it,
            // and a mapper's first use cost the CLI's `run` more than the parsing
            root = io.jcontainer.oci.runtime.JsonTrees.read(json);
        } catch (JsonProcessingException e) {
            throw new InvalidSpecException("seccomp", "malformed JSON" + where + ": " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) throw bad("", "a profile is a JSON object" + where);
        return new Parser(where).profile(root);
    }

    private static InvalidSpecException bad(String field, String reason) {
        return new InvalidSpecException("seccomp", (field.isEmpty() ? "" : field + ": ") + reason);
    }

    /**
     * Field paths ({@code syscalls[3].args[0].op}) are put together only for an error: every start
     * with the default profile parses its ~60 rules interpreted, and building a path string for
     * each field read was a good part of that.
     */
    private record Parser(String where) {
        SeccompProfile profile(JsonNode root) {
            JsonNode da = root.get("defaultAction");
            if (da == null || da.isNull()) throw bad("defaultAction", "missing" + where);
            Integer defaultErrno = root.has("defaultErrnoRet") ? errnoValue(root.get("defaultErrnoRet"), "defaultErrnoRet") : null;
            int defaultAction = action(da, defaultErrno, "defaultAction");

            Set<String> arches = new LinkedHashSet<>();
            for (JsonNode a : array(root, "architectures", "")) arches.add(archName(a, "architectures[]"));
            int i = 0;
            for (JsonNode m : array(root, "archMap", "")) {
                String f = "archMap[" + i++ + "]";
                if (!m.isObject()) throw bad(f, "must be an object" + where);
                arches.add(archName(m.get("architecture"), f + ".architecture"));
                for (JsonNode s : array(m, "subArchitectures", f)) arches.add(archName(s, f + ".subArchitectures[]"));
            }

            int flags = 0;
            for (JsonNode fl : array(root, "flags", "")) {
                flags |= switch (text(fl, "flags[]")) {
                    case "SECCOMP_FILTER_FLAG_TSYNC" -> FLAG_TSYNC;
                    case "SECCOMP_FILTER_FLAG_LOG" -> FLAG_LOG;
                    case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> FLAG_SPEC_ALLOW;
                    case "SECCOMP_FILTER_FLAG_NEW_LISTENER", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" ->
                            throw bad("flags", fl.asText() + " needs a seccomp notify listener, which jcontainer does not support" + where);
                    default -> throw bad("flags", "unknown flag \"" + fl.asText() + "\"" + where);
                };
            }
            if (root.hasNonNull("listenerPath") && !root.get("listenerPath").asText().isEmpty())
                throw bad("listenerPath", "seccomp notify listeners are not supported" + where);

            List<Rule> rules = new ArrayList<>();
            i = 0;
            for (JsonNode s : array(root, "syscalls", "")) rules.add(rule(s, i++));
            return new SeccompProfile(defaultAction, arches, flags, rules);
        }

        Rule rule(JsonNode s, int index) {
            String f = "syscalls[" + index + "]";
            if (!s.isObject()) throw bad(f, "must be an object" + where);
            List<String> names = new ArrayList<>();
            for (JsonNode n : array(s, "names", f)) names.add(text(n, f, ".names[]"));
            if (s.hasNonNull("name")) names.add(text(s.get("name"), f, ".name"));
            if (names.isEmpty()) throw bad(f + ".names", "a rule needs at least one syscall name" + where);
            for (String n : names)
                if (!isSyscallName(n)) throw bad(f + ".names", "not a syscall name: \"" + n + "\"" + where);
            JsonNode act = s.get("action");
            if (act == null || act.isNull()) throw bad(f + ".action", "missing" + where);
            Integer errnoRet = s.hasNonNull("errnoRet") ? errnoValue(s.get("errnoRet"), f + ".errnoRet") : null;
            int action = action(act, errnoRet, f, ".action");
            List<Condition> conds = new ArrayList<>();
            int j = 0;
            for (JsonNode a : array(s, "args", f)) conds.add(condition(a, f + ".args[" + j++ + "]"));
            return new Rule(names, action, conds, filter(s.get("includes"), f, ".includes"), filter(s.get("excludes"), f, ".excludes"));
        }

        /** Letters, digits and underscores (a loop: a stream per name cost more than the rest of its rule). */
        private static boolean isSyscallName(String n) {
            if (n.isEmpty()) return false;
            for (int k = 0; k < n.length(); k++) {
                char c = n.charAt(k);
                if (c != '_' && !Character.isLetterOrDigit(c)) return false;
            }
            return true;
        }

        Condition condition(JsonNode a, String f) {
            if (!a.isObject()) throw bad(f, "must be an object" + where);
            JsonNode idx = a.get("index");
            if (idx == null || !idx.canConvertToInt() || !idx.isIntegralNumber() || idx.asInt() < 0 || idx.asInt() > 5)
                throw bad(f + ".index", "must be an argument index 0..5, got " + idx + where);
            JsonNode opNode = a.get("op");
            if (opNode == null || opNode.isNull()) throw bad(f + ".op", "missing" + where);
            String opName = text(opNode, f, ".op");
            Cmp op = switch (opName) {
                case "SCMP_CMP_NE" -> Cmp.NE;
                case "SCMP_CMP_LT" -> Cmp.LT;
                case "SCMP_CMP_LE" -> Cmp.LE;
                case "SCMP_CMP_EQ" -> Cmp.EQ;
                case "SCMP_CMP_GE" -> Cmp.GE;
                case "SCMP_CMP_GT" -> Cmp.GT;
                case "SCMP_CMP_MASKED_EQ" -> Cmp.MASKED_EQ;
                default -> throw bad(f + ".op", "unknown operator \"" + opName + "\"" + where);
            };
            long value = u64(a.get("value"), f + ".value", true);
            long valueTwo = u64(a.get("valueTwo"), f + ".valueTwo", false);
            return new Condition(idx.asInt(), op, value, valueTwo);
        }

        Filter filter(JsonNode n, String rule, String key) {
            if (n == null || n.isNull()) return Filter.NONE;
            String f = rule + key;
            if (!n.isObject()) throw bad(f, "must be an object" + where);
            List<String> caps = new ArrayList<>();
            for (JsonNode c : array(n, "caps", f)) caps.add(text(c, f, ".caps[]"));
            List<String> arches = new ArrayList<>();
            for (JsonNode c : array(n, "arches", f)) arches.add(text(c, f, ".arches[]"));
            int[] minKernel = null;
            if (n.hasNonNull("minKernel")) {
                String v = text(n.get("minKernel"), f, ".minKernel");
                minKernel = kernelVersion(v);
                if (minKernel == null) throw bad(f + ".minKernel", "not a kernel version like \"5.8\": \"" + v + "\"" + where);
            }
            return new Filter(caps, arches, minKernel);
        }

        int action(JsonNode n, Integer errnoRet, String f) {
            return action(n, errnoRet, f, "");
        }

        /** The action at {@code rule + key}. */
        int action(JsonNode n, Integer errnoRet, String rule, String key) {
            String name = text(n, rule, key);
            int data = errnoRet == null ? EPERM : errnoRet;
            return switch (name) {
                case "SCMP_ACT_ALLOW" -> RET_ALLOW;
                case "SCMP_ACT_LOG" -> RET_LOG;
                case "SCMP_ACT_ERRNO" -> RET_ERRNO | data;
                // TRACE's data is the message a ptracer reads with PTRACE_GETEVENTMSG; runc passes errnoRet there.
                case "SCMP_ACT_TRACE" -> RET_TRACE | data;
                case "SCMP_ACT_TRAP" -> RET_TRAP;
                // libseccomp's SCMP_ACT_KILL is SECCOMP_RET_KILL_THREAD.
                case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> RET_KILL_THREAD;
                case "SCMP_ACT_KILL_PROCESS" -> RET_KILL_PROCESS;
                case "SCMP_ACT_NOTIFY" -> throw bad(rule + key, "SCMP_ACT_NOTIFY needs a seccomp notify listener, which jcontainer does not support" + where);
                default -> throw bad(rule + key, "unknown action \"" + name + "\"" + where);
            };
        }

        int errnoValue(JsonNode n, String f) {
            // MAX_ERRNO is 4095 (include/linux/err.h); the kernel clamps larger values, we refuse them.
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0 || n.asInt() > 4095)
                throw bad(f, "must be an errno number 0..4095, got " + n + where);
            return n.asInt();
        }

        long u64(JsonNode n, String f, boolean required) {
            if (n == null || n.isNull()) {
                if (required) throw bad(f, "missing" + where);
                return 0;
            }
            if (!n.isIntegralNumber()) throw bad(f, "must be an unsigned 64-bit integer, got " + n + where);
            BigInteger v = n.bigIntegerValue();
            if (v.signum() < 0 || v.bitLength() > 64) throw bad(f, "must be an unsigned 64-bit integer, got " + n + where);
            return v.longValue();
        }

        String archName(JsonNode n, String f) {
            String a = text(n, f);
            if (!a.startsWith("SCMP_ARCH_")) throw bad(f, "not an architecture name like SCMP_ARCH_X86_64: \"" + a + "\"" + where);
            return a;
        }

        String text(JsonNode n, String f) {
            return text(n, f, "");
        }

        /** The string at {@code prefix + key} (the path put together only to name it in an error). */
        String text(JsonNode n, String prefix, String key) {
            if (n == null || !n.isTextual()) throw bad(prefix + key, "must be a string, got " + n + where);
            return n.asText();
        }

        /** The array {@code parent.key} ({@code prefix} is parent's path, "" at the top), or none. */
        Iterable<JsonNode> array(JsonNode parent, String key, String prefix) {
            JsonNode n = parent.get(key);
            if (n == null || n.isNull()) return List.of();
            if (!n.isArray()) throw bad(prefix.isEmpty() ? key : prefix + "." + key,
                    "must be an array, got " + n.getNodeType().name().toLowerCase() + where);
            return n;
        }
    }

    /** {@code "5.8"} or {@code "4.15.2"} → {major, minor}; null if it is not a version. */
    static int[] kernelVersion(String v) {
        var m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(v.trim());
        if (!m.find()) return null;
        try {
            return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
