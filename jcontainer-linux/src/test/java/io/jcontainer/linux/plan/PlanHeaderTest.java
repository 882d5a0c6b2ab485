package io.jcontainer.linux.plan;

import io.jcontainer.linux.attach.AttachProtocol;
import io.jcontainer.linux.launch.ControlChannel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * plan.h is the one definition of the wire format; the Java side mirrors it by name. This test
 * parses plan.h (its {@code #define}s with a number and its enums) and fails on any constant
 * the Java side lacks, has with another value, or has that plan.h lacks — so a new opcode,
 * flag or frame type cannot be added to one side only.
 */
class PlanHeaderTest {
    static final Path HEADER = Path.of("src/main/c/plan.h");

    /** plan.h name -> where its Java mirror lives, when the prefix rule below does not find it. */
    static final Map<String, String> RENAMED = Map.ofEntries(
            Map.entry("PLAN_MAGIC", "PlanEncoder#MAGIC"), Map.entry("PLAN_VERSION", "PlanEncoder#VERSION"),
            Map.entry("MF_TARGET_IN_ROOT", "Op#IN_ROOT"), Map.entry("MF_MKDIR", "Op#MKDIR"), Map.entry("MF_MKFILE", "Op#MKFILE"),
            Map.entry("MF_OPTIONAL", "Op#OPTIONAL"), Map.entry("MF_NO_SELF_BIND", "Op#NO_SELF_BIND"), Map.entry("MF_NEW_ROOT", "Op#NEW_ROOT"),
            Map.entry("MF_TARGET_OPTIONAL", "Op#TARGET_OPTIONAL"),
            Map.entry("SERVE_MAGIC", "io.jcontainer.linux.launch.SpawnServer#MAGIC"),
            Map.entry("SERVE_FDS", "io.jcontainer.linux.launch.SpawnServer#FDS"),
            Map.entry("ATTACH_TTY", "AttachProtocol#FLAG_TTY"), Map.entry("ATTACH_STDIN", "AttachProtocol#FLAG_STDIN"),
            Map.entry("ATTACH_HOLD", "AttachProtocol#FLAG_HOLD"));

    /** Prefix in plan.h -> the Java class holding the rest of the name. */
    static final Map<String, Class<?>> BY_PREFIX = new LinkedHashMap<>();

    static {
        BY_PREFIX.put("OP_", PlanEncoder.class); // kept whole: PlanEncoder.OP_MOUNT
        BY_PREFIX.put("PF_", Plan.class);
        BY_PREFIX.put("PHASE_", Plan.class); // kept whole
        BY_PREFIX.put("MSG_", ControlChannel.class); // kept whole
        BY_PREFIX.put("CMD_", ControlChannel.class); // kept whole
        BY_PREFIX.put("HOOK_", HookPoint.class); // the enum constant's wire()
        BY_PREFIX.put("HOOKF_", Op.Hook.class);
        BY_PREFIX.put("ATT_", AttachProtocol.class);
        BY_PREFIX.put("REMOVE_", Op.RemoveOnExit.class);
    }

    static final Pattern DEFINE = Pattern.compile("^#define\\s+(\\w+)\\s+(0x[0-9a-fA-F]+|\\d+)u?\\b", Pattern.MULTILINE);
    static final Pattern ENUM = Pattern.compile("enum\\s+(\\w+)\\s*\\{(.*?)\\};", Pattern.DOTALL);
    static final Pattern ENUM_ITEM = Pattern.compile("(\\w+)\\s*(?:=\\s*(\\d+))?\\s*$");

    @Test
    void everyConstantOfPlanHMatchesItsJavaMirror() throws Exception {
        Map<String, Long> header = parse(Files.readString(HEADER));
        assertThat(header).as("plan.h parsed").containsKeys("OP_EXEC", "SC_EXECVE", "MSG_STARTED", "PLAN_MAGIC");
        List<String> problems = new ArrayList<>();
        for (var e : header.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("SC_")) continue; // the enum below
            Long java = javaValue(name);
            if (java == null) problems.add(name + " = " + e.getValue() + ": no Java mirror");
            else if (!java.equals(e.getValue())) problems.add(name + " = " + e.getValue() + " in plan.h, " + java + " in Java");
        }
        assertThat(problems).as("plan.h vs Java").isEmpty();
    }

    @Test
    void everyJavaOpcodeIsInPlanH() throws Exception {
        Map<String, Long> header = parse(Files.readString(HEADER));
        for (Field f : PlanEncoder.class.getDeclaredFields())
            if (f.getName().startsWith("OP_") && Modifier.isStatic(f.getModifiers()))
                assertThat(header).as("opcode " + f.getName() + " of PlanEncoder").containsKey(f.getName());
        for (Field f : ControlChannel.class.getDeclaredFields())
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && f.getName().matches("(MSG|CMD)_\\w+"))
                assertThat(header).as(f.getName() + " of ControlChannel").containsKey(f.getName());
    }

    @Test
    void syscallIdsAreInPlanHOrder() throws Exception {
        Map<String, Long> header = parse(Files.readString(HEADER));
        Map<Long, String> c = new TreeMap<>();
        header.forEach((k, v) -> {
            if (k.startsWith("SC_")) c.put(v, k.substring(3));
        });
        assertThat(List.of(SyscallId.values())).extracting(Enum::name).containsExactlyElementsOf(c.values());
        assertThat(c.keySet()).containsExactlyElementsOf(java.util.stream.LongStream.range(0, c.size()).boxed().toList());
    }

    private static Long javaValue(String name) throws ReflectiveOperationException {
        String where = RENAMED.get(name);
        Class<?> type;
        String field;
        if (where != null) {
            String cls = where.substring(0, where.indexOf('#'));
            type = cls.contains(".") ? Class.forName(cls) : switch (cls) {
                case "PlanEncoder" -> PlanEncoder.class;
                case "Op" -> Op.class;
                case "AttachProtocol" -> AttachProtocol.class;
                default -> throw new IllegalStateException(cls);
            };
            field = where.substring(where.indexOf('#') + 1);
        } else {
            String prefix = BY_PREFIX.keySet().stream().filter(name::startsWith).findFirst().orElse(null);
            if (prefix == null) return null;
            type = BY_PREFIX.get(prefix);
            boolean keepWhole = type == PlanEncoder.class || prefix.equals("PHASE_") || type == ControlChannel.class;
            field = keepWhole ? name : name.substring(prefix.length());
        }
        Field f;
        try {
            f = type.getDeclaredField(field);
        } catch (NoSuchFieldException e) {
            return null;
        }
        f.setAccessible(true);
        Object v = f.get(null);
        if (v instanceof HookPoint p) return (long) p.wire();
        return ((Number) v).longValue() & 0xffffffffL;
    }

    /** Every {@code #define NAME number} and enum item of the header, with its value. */
    static Map<String, Long> parse(String text) throws IOException {
        String noComments = text.replaceAll("(?s)/\\*.*?\\*/", "");
        Map<String, Long> out = new LinkedHashMap<>();
        Matcher d = DEFINE.matcher(noComments);
        while (d.find()) {
            String v = d.group(2);
            out.put(d.group(1), v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v));
        }
        Matcher en = ENUM.matcher(noComments);
        while (en.find()) {
            long next = 0;
            for (String item : en.group(2).split(",")) {
                String s = item.strip();
                if (s.isEmpty()) continue;
                Matcher m = ENUM_ITEM.matcher(s);
                if (!m.find()) throw new IllegalStateException("cannot parse enum item '" + s + "' of " + en.group(1));
                long v = m.group(2) != null ? Long.parseLong(m.group(2)) : next;
                out.put(m.group(1), v);
                next = v + 1;
            }
        }
        return out;
    }
}
