package io.jcontainer.cli.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The part of Go's text/template that docker's {@code --format} users write: {@code {{.Field}}},
 * nested fields, {@code {{json .}}}, pipelines ({@code {{.Names | upper}}}), {@code if/else/end},
 * {@code range} (with {@code $k, $v :=}), {@code with}, variables, comparison and logic
 * functions, and docker's own functions: {@code json join split lower upper title pad truncate
 * println}; {@code index len printf print}. Trim markers {@code {{- -}}} work as in Go.
 *
 * <p>Data is plain Java: maps (keys looked up as written), lists, records and beans (a field
 * {@code .Foo} calls {@code Foo()}, {@code foo()} or {@code getFoo()}), strings, numbers,
 * booleans. As in Go, a key missing from a map prints {@code <no value>}, a field missing from a
 * record is an error. What is not supported is a clear {@link TemplateException} at parse time.
 */
public final class GoTemplate {
    /** In a holder: Jackson's databind is loaded by the verbs that print JSON, not by the class. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    private final List<Node> nodes;

    private GoTemplate(List<Node> nodes) {
        this.nodes = nodes;
    }

    public static GoTemplate parse(String text) {
        Parser p = new Parser(text);
        List<Node> nodes = p.list(false);
        if (p.pendingEnd != null) throw p.error("unexpected {{" + p.pendingEnd + "}}");
        return new GoTemplate(nodes);
    }

    public String execute(Object data) {
        StringBuilder out = new StringBuilder();
        Scope scope = new Scope(null);
        scope.vars.put("$", data);
        for (Node n : nodes) n.run(data, scope, out);
        return out.toString();
    }

    // ---- the tree --------------------------------------------------------------------------

    private interface Node {
        void run(Object dot, Scope scope, StringBuilder out);
    }

    private record Text(String text) implements Node {
        public void run(Object dot, Scope scope, StringBuilder out) {
            out.append(text);
        }
    }

    /** {{pipeline}} or {{$x := pipeline}}. */
    private record Action(Pipeline pipe) implements Node {
        public void run(Object dot, Scope scope, StringBuilder out) {
            Object v = pipe.eval(dot, scope);
            if (pipe.declare == null) out.append(print(v));
        }
    }

    private record If(Pipeline cond, List<Node> then, List<Node> otherwise) implements Node {
        public void run(Object dot, Scope scope, StringBuilder out) {
            Scope inner = new Scope(scope);
            List<Node> branch = truth(cond.eval(dot, inner)) ? then : otherwise;
            for (Node n : branch) n.run(dot, inner, out);
        }
    }

    private record With(Pipeline value, List<Node> body, List<Node> otherwise) implements Node {
        public void run(Object dot, Scope scope, StringBuilder out) {
            Scope inner = new Scope(scope);
            Object v = value.eval(dot, inner);
            if (truth(v)) for (Node n : body) n.run(v, inner, out);
            else for (Node n : otherwise) n.run(dot, inner, out);
        }
    }

    private record Range(Pipeline over, String keyVar, String valueVar, List<Node> body, List<Node> otherwise) implements Node {
        public void run(Object dot, Scope scope, StringBuilder out) {
            Object v = over.eval(dot, new Scope(scope));
            boolean any = false;
            if (v instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : sorted(m).entrySet()) {
                    any = true;
                    iteration(e.getKey(), e.getValue(), scope, out);
                }
            } else if (v instanceof Iterable<?> it) {
                int i = 0;
                for (Object o : it) {
                    any = true;
                    iteration(i++, o, scope, out);
                }
            } else if (v != null && v.getClass().isArray() && v instanceof Object[] arr) {
                for (int i = 0; i < arr.length; i++) {
                    any = true;
                    iteration(i, arr[i], scope, out);
                }
            } else if (v != null) {
                throw new TemplateException("template: range can't iterate over " + print(v));
            }
            if (!any) for (Node n : otherwise) n.run(dot, scope, out);
        }

        private void iteration(Object key, Object value, Scope scope, StringBuilder out) {
            Scope inner = new Scope(scope);
            if (valueVar != null) {
                inner.vars.put(keyVar, key);
                inner.vars.put(valueVar, value);
            } else if (keyVar != null) {
                inner.vars.put(keyVar, value);
            }
            for (Node n : body) n.run(value, inner, out);
        }
    }

    /** Variables are scoped to the control structure they are declared in, as in Go. */
    private static final class Scope {
        final Scope parent;
        final Map<String, Object> vars = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object get(String name) {
            for (Scope s = this; s != null; s = s.parent) if (s.vars.containsKey(name)) return s.vars.get(name);
            throw new TemplateException("template: undefined variable: " + name);
        }

        void set(String name, Object v) {
            for (Scope s = this; s != null; s = s.parent) if (s.vars.containsKey(name)) {
                s.vars.put(name, v);
                return;
            }
            vars.put(name, v);
        }
    }

    private record Pipeline(String declare, boolean assign, List<Cmd> cmds) {
        Object eval(Object dot, Scope scope) {
            Object v = null;
            boolean first = true;
            for (Cmd c : cmds) {
                v = c.eval(dot, scope, first ? NONE : v);
                first = false;
            }
            if (declare != null) {
                if (assign) scope.set(declare, v);
                else scope.vars.put(declare, v);
            }
            return v;
        }
    }

    private static final Object NONE = new Object();

    /** A command: a function with arguments, or a single operand. {@code piped} is the previous command's value, or NONE. */
    private record Cmd(List<Operand> args) {
        Object eval(Object dot, Scope scope, Object piped) {
            Operand head = args.get(0);
            if (head instanceof Ident f) {
                List<Object> vals = new ArrayList<>();
                for (int i = 1; i < args.size(); i++) vals.add(args.get(i).eval(dot, scope));
                if (piped != NONE) vals.add(piped);
                return Functions.call(f.name, vals);
            }
            if (args.size() > 1 || piped != NONE)
                throw new TemplateException("template: can't give argument to non-function " + head);
            return head.eval(dot, scope);
        }
    }

    private interface Operand {
        Object eval(Object dot, Scope scope);
    }

    private record Ident(String name) implements Operand {
        public Object eval(Object dot, Scope scope) {
            return Functions.call(name, List.of());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private record Literal(Object value) implements Operand {
        public Object eval(Object dot, Scope scope) {
            return value;
        }
    }

    /** {@code .}, {@code .A.B}, {@code $}, {@code $x.A}, {@code (pipeline).A}. */
    private record Chain(Operand base, String var, List<String> fields) implements Operand {
        public Object eval(Object dot, Scope scope) {
            Object v = base != null ? base.eval(dot, scope) : var != null ? scope.get(var) : dot;
            for (String f : fields) v = field(v, f);
            return v;
        }

        @Override
        public String toString() {
            return (var != null ? var : "") + (fields.isEmpty() ? "." : "." + String.join(".", fields));
        }
    }

    private record Sub(Pipeline pipe) implements Operand {
        public Object eval(Object dot, Scope scope) {
            return pipe.eval(dot, scope);
        }
    }

    // ---- evaluation helpers ----------------------------------------------------------------

    static Object field(Object v, String name) {
        if (v == null) return null;
        if (v instanceof Map<?, ?> m) {
            if (m.containsKey(name)) return m.get(name);
            return MISSING;
        }
        if (v == MISSING) return MISSING;
        Class<?> c = v.getClass();
        if (c.isRecord()) for (RecordComponent rc : c.getRecordComponents()) {
            if (rc.getName().equals(name) || rc.getName().equalsIgnoreCase(name)) return invoke(rc.getAccessor(), v, name);
        }
        for (String m : new String[]{name, decap(name), "get" + name, "is" + name}) {
            try {
                Method method = c.getMethod(m);
                if (method.getParameterCount() == 0 && method.getDeclaringClass() != Object.class) return invoke(method, v, name);
            } catch (NoSuchMethodException ignored) {
                // try the next spelling
            }
        }
        throw new TemplateException("template: can't evaluate field " + name + " in type " + typeName(v));
    }

    private static Object invoke(Method m, Object target, String name) {
        try {
            m.setAccessible(true);
            return m.invoke(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new TemplateException("template: error calling " + name + ": " + e);
        }
    }

    private static String decap(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** Go's "map has no entry": prints as {@code <no value>}, is false, and has no fields of its own. */
    static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "<no value>";
        }
    };

    static String typeName(Object v) {
        if (v instanceof String) return "string";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Integer || v instanceof Long) return "int";
        if (v instanceof Number) return "float64";
        if (v instanceof List<?>) return "[]interface {}";
        return v.getClass().getSimpleName();
    }

    static boolean truth(Object v) {
        if (v == null || v == MISSING) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof Number n) return n.doubleValue() != 0;
        if (v instanceof Collection<?> c) return !c.isEmpty();
        if (v instanceof Map<?, ?> m) return !m.isEmpty();
        if (v instanceof Object[] a) return a.length > 0;
        return true;
    }

    /** Go's default formatting of a value ({@code fmt.Sprint}). */
    static String print(Object v) {
        if (v == null) return "<nil>";
        if (v == MISSING) return "<no value>";
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("map[");
            boolean first = true;
            for (Map.Entry<?, ?> e : sorted(m).entrySet()) {
                if (!first) b.append(' ');
                first = false;
                b.append(print(e.getKey())).append(':').append(print(e.getValue()));
            }
            return b.append(']').toString();
        }
        if (v instanceof Collection<?> c) {
            StringBuilder b = new StringBuilder("[");
            Iterator<?> it = c.iterator();
            while (it.hasNext()) {
                b.append(print(it.next()));
                if (it.hasNext()) b.append(' ');
            }
            return b.append(']').toString();
        }
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return Long.toString(d.longValue());
        if (v instanceof Optional<?> o) return o.map(GoTemplate::print).orElse("<nil>");
        return v.toString();
    }

    private static Map<?, ?> sorted(Map<?, ?> m) {
        if (m instanceof TreeMap<?, ?>) return m;
        TreeMap<String, Object> t = new TreeMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) t.put(String.valueOf(e.getKey()), e.getValue());
        return t;
    }

    static String json(Object v) {
        try {
            return Json.JSON.writeValueAsString(v == MISSING ? null : v);
        } catch (JsonProcessingException e) {
            throw new TemplateException("template: error calling json: " + e.getOriginalMessage());
        }
    }

    // ---- functions ---------------------------------------------------------------------------

    private static final class Functions {
        static Object call(String name, List<Object> a) {
            return switch (name) {
                case "json" -> json(arg(name, a, 1, 0));
                case "join" -> {
                    arity(name, a, 2);
                    List<String> parts = new ArrayList<>();
                    for (Object o : iterable(name, a.get(0))) parts.add(print(o));
                    yield String.join(print(a.get(1)), parts);
                }
                case "split" -> {
                    arity(name, a, 2);
                    yield List.of(print(a.get(0)).split(java.util.regex.Pattern.quote(print(a.get(1))), -1));
                }
                case "lower" -> print(arg(name, a, 1, 0)).toLowerCase(Locale.ROOT);
                case "upper" -> print(arg(name, a, 1, 0)).toUpperCase(Locale.ROOT);
                case "title" -> {
                    String s = print(arg(name, a, 1, 0));
                    yield s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
                }
                case "pad" -> {
                    arity(name, a, 3);
                    yield " ".repeat(toInt(a.get(1))) + print(a.get(0)) + " ".repeat(toInt(a.get(2)));
                }
                case "truncate" -> {
                    arity(name, a, 2);
                    String s = print(a.get(0));
                    int n = toInt(a.get(1));
                    yield s.codePointCount(0, s.length()) <= n ? s : s.substring(0, s.offsetByCodePoints(0, n));
                }
                case "len" -> {
                    Object v = arg(name, a, 1, 0);
                    if (v instanceof String s) yield s.length();
                    if (v instanceof Collection<?> c) yield c.size();
                    if (v instanceof Map<?, ?> m) yield m.size();
                    throw new TemplateException("template: error calling len: len of type " + typeName(v));
                }
                case "index" -> {
                    if (a.isEmpty()) throw new TemplateException("template: wrong number of args for index: want at least 1 got 0");
                    Object v = a.get(0);
                    for (int i = 1; i < a.size(); i++) v = index(v, a.get(i));
                    yield v;
                }
                case "print" -> {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < a.size(); i++) {
                        // Go's Sprint adds spaces between operands when neither is a string
                        if (i > 0 && !(a.get(i) instanceof String) && !(a.get(i - 1) instanceof String)) b.append(' ');
                        b.append(print(a.get(i)));
                    }
                    yield b.toString();
                }
                case "println" -> {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < a.size(); i++) b.append(i > 0 ? " " : "").append(print(a.get(i)));
                    yield b.append('\n').toString();
                }
                case "printf" -> {
                    if (a.isEmpty()) throw new TemplateException("template: wrong number of args for printf: want at least 1 got 0");
                    yield printf(print(a.get(0)), a.subList(1, a.size()));
                }
                case "not" -> !truth(arg(name, a, 1, 0));
                case "and" -> {
                    Object last = null;
                    for (Object o : a) {
                        last = o;
                        if (!truth(o)) break;
                    }
                    yield last;
                }
                case "or" -> {
                    Object last = null;
                    for (Object o : a) {
                        last = o;
                        if (truth(o)) break;
                    }
                    yield last;
                }
                case "eq" -> {
                    if (a.size() < 2) throw new TemplateException("template: wrong number of args for eq: want at least 2 got " + a.size());
                    boolean any = false;
                    for (int i = 1; i < a.size(); i++) any |= same(a.get(0), a.get(i));
                    yield any;
                }
                case "ne" -> !same(arg(name, a, 2, 0), a.get(1));
                case "lt", "le", "gt", "ge" -> {
                    arity(name, a, 2);
                    int c = compare(a.get(0), a.get(1));
                    yield switch (name) {
                        case "lt" -> c < 0;
                        case "le" -> c <= 0;
                        case "gt" -> c > 0;
                        default -> c >= 0;
                    };
                }
                default -> throw new TemplateException("template: function \"" + name + "\" not defined");
            };
        }

        private static Object arg(String name, List<Object> a, int want, int i) {
            arity(name, a, want);
            return a.get(i);
        }

        private static void arity(String name, List<Object> a, int want) {
            if (a.size() != want)
                throw new TemplateException("template: wrong number of args for " + name + ": want " + want + " got " + a.size());
        }

        private static Iterable<?> iterable(String name, Object v) {
            if (v instanceof Iterable<?> it) return it;
            if (v instanceof Object[] arr) return List.of(arr);
            throw new TemplateException("template: error calling " + name + ": " + typeName(v) + " is not a list");
        }

        private static int toInt(Object v) {
            if (v instanceof Number n) return n.intValue();
            throw new TemplateException("template: expected an integer; found " + print(v));
        }

        private static Object index(Object v, Object key) {
            if (v instanceof Map<?, ?> m) {
                Object k = key instanceof String ? key : print(key);
                return m.containsKey(k) ? m.get(k) : null;
            }
            if (v instanceof List<?> l) {
                int i = toInt(key);
                if (i < 0 || i >= l.size()) throw new TemplateException("template: error calling index: index out of range: " + i);
                return l.get(i);
            }
            throw new TemplateException("template: error calling index: can't index item of type " + (v == null ? "<nil>" : typeName(v)));
        }

        private static boolean same(Object x, Object y) {
            if (x instanceof Number a && y instanceof Number b) return a.doubleValue() == b.doubleValue();
            return Objects.equals(x == MISSING ? null : x, y == MISSING ? null : y)
                    || (x != null && y != null && print(x).equals(print(y)) && x.getClass() == y.getClass());
        }

        private static int compare(Object x, Object y) {
            if (x instanceof Number a && y instanceof Number b) return Double.compare(a.doubleValue(), b.doubleValue());
            if (x instanceof String a && y instanceof String b) return a.compareTo(b);
            throw new TemplateException("template: incompatible types for comparison");
        }

        /** Go's verbs %s %v %d %q %t %x %f and widths, mapped onto java.util.Formatter. */
        private static String printf(String format, List<Object> args) {
            StringBuilder out = new StringBuilder();
            int ai = 0;
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c != '%') {
                    out.append(c);
                    continue;
                }
                int j = i + 1;
                while (j < format.length() && "-+ #0123456789.".indexOf(format.charAt(j)) >= 0) j++;
                if (j >= format.length()) throw new TemplateException("template: printf: bad format " + format);
                String flags = format.substring(i + 1, j);
                char verb = format.charAt(j);
                i = j;
                if (verb == '%') {
                    out.append('%');
                    continue;
                }
                if (ai >= args.size()) {
                    out.append("%!").append(verb).append("(MISSING)");
                    continue;
                }
                Object v = args.get(ai++);
                out.append(switch (verb) {
                    case 's', 'v' -> String.format("%" + flags + "s", print(v));
                    case 'q' -> String.format("%" + flags + "s", json(print(v)));
                    case 'd' -> String.format("%" + flags + "d", v instanceof Number n ? n.longValue() : 0L);
                    case 'f' -> String.format("%" + flags + "f", v instanceof Number n ? n.doubleValue() : 0.0);
                    case 'x' -> v instanceof Number n ? String.format("%" + flags + "x", n.longValue()) : hex(print(v));
                    case 't' -> String.valueOf(truth(v));
                    default -> throw new TemplateException("template: printf: verb %" + verb + " is not supported");
                });
            }
            return out.toString();
        }

        private static String hex(String s) {
            StringBuilder b = new StringBuilder();
            for (byte x : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) b.append(String.format("%02x", x));
            return b.toString();
        }
    }

    // ---- the parser ------------------------------------------------------------------------

    private static final class Parser {
        private final String src;
        private int pos;
        /** The keyword ({@code end}, {@code else}, {@code else if …}) that closed the last list. */
        String pendingEnd;
        Pipeline pendingElseIf;

        Parser(String src) {
            this.src = src;
        }

        TemplateException error(String what) {
            int line = 1;
            for (int i = 0; i < Math.min(pos, src.length()); i++) if (src.charAt(i) == '\n') line++;
            return new TemplateException("template parsing error: template: :" + line + ": " + what);
        }

        /** Parses nodes until EOF, or (when {@code inBlock}) until {{end}} or {{else}}. */
        List<Node> list(boolean inBlock) {
            List<Node> out = new ArrayList<>();
            pendingEnd = null;
            while (pos < src.length()) {
                int open = src.indexOf("{{", pos);
                if (open < 0) {
                    out.add(new Text(src.substring(pos)));
                    pos = src.length();
                    break;
                }
                String text = src.substring(pos, open);
                pos = open + 2;
                boolean trimLeft = pos + 1 < src.length() && src.charAt(pos) == '-' && Character.isWhitespace(src.charAt(pos + 1));
                if (trimLeft) {
                    text = text.stripTrailing();
                    pos++;
                }
                if (!text.isEmpty()) out.add(new Text(text));
                skipSpace();
                if (src.startsWith("/*", pos)) {          // a comment
                    int close = src.indexOf("*/", pos);
                    if (close < 0) throw error("unclosed comment");
                    pos = close + 2;
                    closeAction();
                    continue;
                }
                String word = peekWord();
                switch (word) {
                    case "end" -> {
                        pos += 3;
                        closeAction();
                        if (!inBlock) throw error("unexpected {{end}}");
                        pendingEnd = "end";
                        return out;
                    }
                    case "else" -> {
                        pos += 4;
                        skipSpace();
                        if (!inBlock) throw error("unexpected {{else}}");
                        if (peekWord().equals("if")) {
                            pos += 2;
                            pendingElseIf = pipeline(true);
                            pendingEnd = "else if";
                        } else {
                            closeAction();
                            pendingEnd = "else";
                        }
                        return out;
                    }
                    case "if" -> {
                        pos += 2;
                        out.add(ifNode(pipeline(true)));
                    }
                    case "with" -> {
                        pos += 4;
                        Pipeline p = pipeline(true);
                        List<Node> body = list(true);
                        List<Node> otherwise = List.of();
                        if ("else".equals(pendingEnd)) otherwise = list(true);
                        expectEnd("with");
                        out.add(new With(p, body, otherwise));
                    }
                    case "range" -> {
                        pos += 5;
                        skipSpace();
                        String k = null, v = null;
                        int save = pos;
                        if (src.startsWith("$", pos)) {
                            String first = variable();
                            skipSpace();
                            if (src.startsWith(",", pos)) {
                                pos++;
                                skipSpace();
                                String second = variable();
                                skipSpace();
                                if (src.startsWith(":=", pos)) {
                                    pos += 2;
                                    k = first;
                                    v = second;
                                } else throw error("range can only initialize variables");
                            } else if (src.startsWith(":=", pos)) {
                                pos += 2;
                                k = first;
                            } else pos = save;
                        }
                        Pipeline p = pipeline(true);
                        List<Node> body = list(true);
                        List<Node> otherwise = List.of();
                        if ("else".equals(pendingEnd)) otherwise = list(true);
                        expectEnd("range");
                        out.add(new Range(p, k, v, body, otherwise));
                    }
                    case "define", "template", "block", "break", "continue" ->
                            throw error("{{" + word + "}} is not supported by jcontainer's --format");
                    default -> out.add(new Action(pipeline(true)));
                }
            }
            if (inBlock) throw error("unexpected EOF");
            return out;
        }

        private If ifNode(Pipeline cond) {
            List<Node> then = list(true);
            List<Node> otherwise = List.of();
            if ("else if".equals(pendingEnd)) {
                otherwise = List.of(ifNode(pendingElseIf));   // the nested if consumes the one {{end}}
                return new If(cond, then, otherwise);
            }
            if ("else".equals(pendingEnd)) otherwise = list(true);
            expectEnd("if");
            return new If(cond, then, otherwise);
        }

        private void expectEnd(String what) {
            if (!"end".equals(pendingEnd)) throw error("expected end; found " + pendingEnd + " in " + what);
            pendingEnd = null;
        }

        /** A pipeline up to the action's closing braces (consumed when {@code toClose}). */
        private Pipeline pipeline(boolean toClose) {
            skipSpace();
            String declare = null;
            boolean assign = false;
            int save = pos;
            if (src.startsWith("$", pos)) {
                String v = variable();
                skipSpace();
                if (src.startsWith(":=", pos)) {
                    pos += 2;
                    declare = v;
                } else if (src.startsWith("=", pos) && !src.startsWith("==", pos)) {
                    pos += 1;
                    declare = v;
                    assign = true;
                } else pos = save;
            }
            List<Cmd> cmds = new ArrayList<>();
            while (true) {
                List<Operand> args = new ArrayList<>();
                while (true) {
                    skipSpace();
                    if (atClose() || (toClose ? false : src.startsWith(")", pos)) || src.startsWith("|", pos)) break;
                    if (pos >= src.length()) throw error("unclosed action");
                    args.add(operand());
                }
                if (args.isEmpty()) throw error("missing value for command");
                if (cmds.size() > 0 && !(args.get(0) instanceof Ident))
                    throw error("non executable command in pipeline stage " + (cmds.size() + 1));
                cmds.add(new Cmd(args));
                if (src.startsWith("|", pos)) {
                    pos++;
                    continue;
                }
                break;
            }
            if (toClose) closeAction();
            return new Pipeline(declare, assign, cmds);
        }

        private Operand operand() {
            char c = src.charAt(pos);
            Operand base;
            if (c == '.') {
                return chain(null, null);
            } else if (c == '$') {
                String v = variable();
                return chain(null, v);
            } else if (c == '"') {
                base = new Literal(quoted());
            } else if (c == '`') {
                int close = src.indexOf('`', pos + 1);
                if (close < 0) throw error("unterminated raw quoted string");
                base = new Literal(src.substring(pos + 1, close));
                pos = close + 1;
            } else if (c == '(') {
                pos++;
                Pipeline p = pipeline(false);
                skipSpace();
                if (!src.startsWith(")", pos)) throw error("unclosed left paren");
                pos++;
                if (pos < src.length() && src.charAt(pos) == '.') return chain(new Sub(p), null);
                return new Sub(p);
            } else if (c == '-' || c == '+' || Character.isDigit(c)) {
                int start = pos++;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '.')) pos++;
                String num = src.substring(start, pos);
                try {
                    base = new Literal(num.contains(".") ? (Object) Double.parseDouble(num) : (Object) Long.parseLong(num));
                } catch (NumberFormatException e) {
                    throw error("bad number syntax: \"" + num + "\"");
                }
            } else if (Character.isLetter(c) || c == '_') {
                String w = peekWord();
                pos += w.length();
                base = switch (w) {
                    case "true" -> new Literal(true);
                    case "false" -> new Literal(false);
                    case "nil" -> new Literal(null);
                    default -> new Ident(w);
                };
            } else {
                throw error("unexpected \"" + c + "\" in operand");
            }
            return base;
        }

        private Operand chain(Operand base, String var) {
            List<String> fields = new ArrayList<>();
            while (pos < src.length() && src.charAt(pos) == '.') {
                pos++;
                int start = pos;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
                if (pos == start) {
                    if (fields.isEmpty() && base == null && var == null) break;   // plain "."
                    throw error("unexpected . after term");
                }
                fields.add(src.substring(start, pos));
            }
            return new Chain(base, var, List.copyOf(fields));
        }

        private String variable() {
            int start = pos++;
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
            return src.substring(start, pos);
        }

        private String quoted() {
            StringBuilder b = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= src.length() || src.charAt(pos) == '\n') throw error("unterminated quoted string");
                char c = src.charAt(pos++);
                if (c == '"') return b.toString();
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = src.charAt(pos++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case '\\' -> b.append('\\');
                    case '"' -> b.append('"');
                    default -> throw error("invalid syntax in quoted string: \\" + e);
                }
            }
        }

        private String peekWord() {
            int i = pos;
            while (i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_')) i++;
            return src.substring(pos, i);
        }

        private boolean atClose() {
            return src.startsWith("}}", pos) || src.startsWith("-}}", pos) && pos > 0 && Character.isWhitespace(src.charAt(pos - 1));
        }

        private void closeAction() {
            skipSpace();
            if (src.startsWith("-}}", pos)) {
                pos += 3;
                while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
            } else if (src.startsWith("}}", pos)) {
                pos += 2;
            } else {
                throw error(pos >= src.length() ? "unclosed action" : "unexpected \"" + src.charAt(pos) + "\" in command");
            }
        }

        private void skipSpace() {
            while (pos < src.length() && (src.charAt(pos) == ' ' || src.charAt(pos) == '\t' || src.charAt(pos) == '\n' || src.charAt(pos) == '\r')) pos++;
        }
    }
}
