package io.jcontainer.runc;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.jcontainer.runc.RuncIT.JSON;
import static io.jcontainer.runc.RuncIT.collect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short commands without a JVM ({@code src/main/c/short.c}) against the Java path: each case
 * runs the same command both ways — {@code JCONTAINER_RUNC_SHORT=only} (the C program, which exits
 * 250 where it would hand the command to Java) and {@code JCONTAINER_RUNC_SHORT=0} (Java) — and
 * compares stdout, stderr (log lines without their time) and the exit status. A command that
 * changes the container runs on two containers made alike, one per path, and both must end in
 * the same state, with nothing left (records, lifecycle directories, cgroups).
 */
@RequiresRoot
class ShortCommandsIT {
    @TempDir
    static Path shared;
    static Path bundle;

    @TempDir
    Path tmp;
    Path root;

    @BeforeAll
    static void busyboxBundle() throws Exception {
        bundle = shared.resolve("bundle");
        Path script = Path.of("..", "..", "shared", "bench", "busybox-bundle.sh").toAbsolutePath().normalize();
        if (!Files.exists(script)) script = Path.of("/work/shared/bench/busybox-bundle.sh");
        RuncIT.Result r = collect(new ProcessBuilder("sh", script.toString(), bundle.toString(), "sleep", "60"));
        assertThat(r.code()).as(r.err()).isZero();
    }

    RuncIT.Result runc(String mode, String... args) throws Exception {
        if (root == null) root = tmp.resolve("root");
        List<String> cmd = new ArrayList<>(List.of(RuncIT.SCRIPT.toString(), "--root", root.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        if (mode != null) pb.environment().put("JCONTAINER_RUNC_SHORT", mode);
        return collect(pb);
    }

    RuncIT.Result nativeOnly(String... args) throws Exception {
        return runc("only", args);
    }

    RuncIT.Result java(String... args) throws Exception {
        return runc("0", args);
    }

    /** The same command both ways: same output, same log line (its time aside), same status. */
    RuncIT.Result same(String... args) throws Exception {
        RuncIT.Result n = nativeOnly(args), j = java(args);
        assertThat(n.code()).as("native path handled %s: %s", List.of(args), n.err()).isNotEqualTo(250);
        assertThat(n.out()).as("stdout of %s", List.of(args)).isEqualTo(j.out());
        assertThat(untimed(n.err())).as("stderr of %s", List.of(args)).isEqualTo(untimed(j.err()));
        assertThat(n.code()).as("status of %s", List.of(args)).isEqualTo(j.code());
        return n;
    }

    static String untimed(String log) {
        return log.replaceAll("time=\"[^\"]*\"", "time=T").replaceAll("\"time\":\"[^\"]*\"", "\"time\":T");
    }

    /** create's container keeps our stdio: files here, so nothing waits for it to close a pipe. */
    void create(String id) throws Exception {
        if (root == null) root = tmp.resolve("root");
        Path out = tmp.resolve(id + ".out"), err = tmp.resolve(id + ".err");
        ProcessBuilder pb = new ProcessBuilder(RuncIT.SCRIPT.toString(), "--root", root.toString(), "create", "-b", bundle.toString(), id)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        Process p = pb.start();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("create returns while the container waits for its start").isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    }

    /** Its record's cgroup directories (which delete must remove) and its lifecycle directory. */
    List<Path> leftovers(String id) throws Exception {
        JsonNode rec = JSON.readTree(root.resolve(id).resolve("state.json").toFile());
        List<Path> out = new ArrayList<>();
        rec.path("cgroupDirs").forEach(c -> out.add(Path.of(c.asText())));
        out.add(Path.of(rec.get("startFifo").asText()).getParent());
        out.add(root.resolve(id));
        return out;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (root != null && Files.isDirectory(root))
            for (String id : java("list", "-q").out().split("\n")) if (!id.isBlank()) java("delete", "--force", id);
    }

    @Test
    void stateStartKillDeleteAnswerAsJavaDoes() throws Exception {
        create("a");
        create("b");
        List<Path> leftA = leftovers("a"), leftB = leftovers("b");
        assertThat(leftA).allMatch(Files::exists);
        assertThat(same("state", "a").out()).contains("\"status\" : \"created\"");
        same("state", "no-such");
        same("kill", "a", "0");
        same("delete", "no-such");
        same("delete", "--force", "no-such");
        same("delete", "a-not-there");

        // start: one container per path, then both are running and say so alike
        RuncIT.Result sn = nativeOnly("start", "a"), sj = java("start", "b");
        assertThat(sn).isEqualTo(sj);
        assertThat(sn.code()).as(sn.err()).isZero();
        assertThat(same("state", "a").out()).contains("\"status\" : \"running\"");
        assertThat(same("state", "b").out()).contains("\"status\" : \"running\"");
        same("start", "a");
        same("delete", "a");
        same("kill", "a", "0");

        // kill: SIGKILL by name and by number, one per path
        RuncIT.Result kn = nativeOnly("kill", "a", "KILL"), kj = java("kill", "b", "9");
        assertThat(kn).isEqualTo(kj);
        assertThat(kn.code()).as(kn.err()).isZero();
        awaitStopped("a");
        awaitStopped("b");
        assertThat(same("state", "a").out()).contains("\"status\" : \"stopped\"").contains("\"pid\" : 0,");
        same("kill", "a");
        same("kill", "a", "TERM");
        same("start", "a");

        // delete of a stopped container: nothing of it left, either way
        RuncIT.Result dn = nativeOnly("delete", "a"), dj = java("delete", "b");
        assertThat(dn).isEqualTo(dj);
        assertThat(dn.code()).as(dn.err()).isZero();
        assertThat(leftA).noneMatch(Files::exists);
        assertThat(leftB).noneMatch(Files::exists);
        same("state", "a");
    }

    @Test
    void deleteOfACreatedContainerKillsItsWaitingProcessAndLeavesNothing() throws Exception {
        create("c");
        create("d");
        List<Path> leftC = leftovers("c"), leftD = leftovers("d");
        long pid = JSON.readTree(root.resolve("c").resolve("state.json").toFile()).get("pid").asLong();
        RuncIT.Result dn = nativeOnly("delete", "c"), dj = java("delete", "d");
        assertThat(dn).isEqualTo(dj);
        assertThat(dn.code()).as(dn.err()).isZero();
        assertThat(leftC).noneMatch(Files::exists);
        assertThat(leftD).noneMatch(Files::exists);
        assertThat(gone(pid)).as("its waiting process has ended (gone, or a zombie its reaper collects)").isTrue();
    }

    /**
     * The lifecycle event journal: the lines the JVM path appends for kill (of a running
     * container), and for delete (die, destroy; destroy alone for one that never started), the
     * native path appends too — per container the same actions with the same attributes (its own
     * name, which its create event carries).
     */
    @Test
    void theEventJournalGetsTheSameLinesEitherWay() throws Exception {
        create("ja");
        create("jb");
        create("jc");
        create("jd");
        java.util.Map<String, String> lifecycle = new java.util.HashMap<>();
        for (String id : List.of("ja", "jb", "jc", "jd"))
            lifecycle.put(id, JSON.readTree(root.resolve(id).resolve("state.json").toFile()).get("lifecycleId").asText());
        assertThat(nativeOnly("start", "ja").code()).isZero();
        assertThat(java("start", "jb").code()).isZero();
        assertThat(nativeOnly("kill", "ja", "KILL").code()).isZero();
        assertThat(java("kill", "jb", "KILL").code()).isZero();
        awaitStopped("ja");
        awaitStopped("jb");
        assertThat(nativeOnly("delete", "ja").code()).isZero();
        assertThat(java("delete", "jb").code()).isZero();
        assertThat(nativeOnly("delete", "jc").code()).isZero();
        assertThat(java("delete", "jd").code()).isZero();

        java.util.Map<String, List<JsonNode>> events = new java.util.HashMap<>();
        for (String line : Files.readAllLines(root.resolve("jcontainer:lifecycle").resolve("containers").resolve(".events"))) {
            JsonNode e = JSON.readTree(line);
            events.computeIfAbsent(e.get("id").asText(), k -> new ArrayList<>()).add(e);
        }
        assertThat(actions(events.get(lifecycle.get("ja")))).containsExactly("create", "kill", "die", "destroy");
        assertThat(actions(events.get(lifecycle.get("jc")))).containsExactly("create", "destroy");
        assertThat(withoutName(events.get(lifecycle.get("ja")))).isEqualTo(withoutName(events.get(lifecycle.get("jb"))));
        assertThat(withoutName(events.get(lifecycle.get("jc")))).isEqualTo(withoutName(events.get(lifecycle.get("jd"))));
        for (String id : List.of("ja", "jc")) {
            List<JsonNode> mine = events.get(lifecycle.get(id));
            String name = mine.getFirst().path("attributes").path("name").asText();
            assertThat(name).isNotEmpty();
            assertThat(mine).allSatisfy(e -> assertThat(e.path("attributes").path("name").asText()).isEqualTo(name));
            assertThat(mine).allSatisfy(e -> assertThat(java.time.Instant.parse(e.get("time").asText())).isNotNull());
        }
    }

    static List<String> actions(List<JsonNode> events) {
        return events.stream().map(e -> e.get("action").asText()).toList();
    }

    /** Each event's action and attributes (as a map: the order is not kept), its name aside. */
    static List<java.util.Map<String, String>> withoutName(List<JsonNode> events) {
        List<java.util.Map<String, String>> out = new ArrayList<>();
        for (JsonNode e : events) {
            java.util.Map<String, String> m = new java.util.TreeMap<>();
            e.path("attributes").properties().forEach(p -> m.put(p.getKey(), p.getValue().asText()));
            m.remove("name");
            m.put("@action", e.get("action").asText());
            m.put("@type", e.get("type").asText());
            out.add(m);
        }
        return out;
    }

    /** list without a JVM: the table, -q and the JSON, of created, running and stopped containers and of none. */
    @Test
    void listAnswersAsJavaDoes() throws Exception {
        create("la");
        create("lb");
        create("lc");
        assertThat(java("start", "lb").code()).isZero();
        assertThat(java("start", "lc").code()).isZero();
        assertThat(java("kill", "lc", "KILL").code()).isZero();
        awaitStopped("lc");
        String table = same("list").out();
        assertThat(table.lines().map(l -> l.split(" +")[0]).toList()).containsExactly("ID", "la", "lb", "lc");
        assertThat(table).contains(" created ").contains(" running ").contains(" stopped ");
        assertThat(same("list", "-q").out()).isEqualTo("la\nlb\nlc\n");
        JsonNode states = JSON.readTree(same("list", "--format", "json").out());
        assertThat(states).hasSize(3);
        same("ls", "-f=json");
        same("list", "--quiet", "--format", "table");
        assertThat(nativeOnly("list", "--format", "yaml").code()).as("Java words the refusal").isEqualTo(250);
        for (String id : List.of("la", "lb", "lc")) assertThat(java("delete", "--force", id).code()).isZero();
        assertThat(same("list").out()).startsWith("ID ");
        assertThat(same("list", "--format", "json").out()).isEqualTo("[]\n");
    }

    @Test
    void logFlagsWriteTheSameLines() throws Exception {
        create("e");
        for (String format : List.of("text", "json")) {
            Path n = tmp.resolve("n." + format), j = tmp.resolve("j." + format);
            RuncIT.Result rn = nativeOnly("--log", n.toString(), "--log-format", format, "start", "e-missing");
            RuncIT.Result rj = java("--log", j.toString(), "--log-format", format, "start", "e-missing");
            assertThat(rn.code()).isEqualTo(rj.code()).isEqualTo(1);
            assertThat(rn.err()).isEqualTo(rj.err()).isEqualTo("container does not exist\n");
            assertThat(untimed(Files.readString(n))).isEqualTo(untimed(Files.readString(j)));
        }
        same("-log-format=json", "state", "e");
    }

    @Test
    void whatItDoesNotHandleGoesToJava() throws Exception {
        create("f");
        assertThat(java("start", "f").code()).isZero();
        // each of these would go to the JVM (250 under "only"); without "only" they are Java's answers
        for (List<String> args : List.of(List.of("delete", "--force", "f"), List.of("kill", "--all", "f", "KILL"), List.of("--debug", "state", "f"),
                List.of("state", "--bogus", "f"), List.of("state"), List.of("kill", "f", "NOSUCHSIGNAL"), List.of("state", "bad/id"),
                List.of("--systemd-cgroup", "state", "f"), List.of("state", "-h"))) {
            RuncIT.Result n = nativeOnly(args.toArray(String[]::new));
            assertThat(n.code()).as("%s: %s", args, n.err()).isEqualTo(250);
        }
        RuncIT.Result viaScript = runc(null, "kill", "f", "NOSUCHSIGNAL");
        assertThat(viaScript.code()).isEqualTo(1);
        assertThat(viaScript.err()).contains("unknown signal \\\"NOSUCHSIGNAL\\\"");
        RuncIT.Result forced = runc(null, "delete", "--force", "f");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(java("state", "f").err()).contains("container does not exist");
    }

    static boolean gone(long pid) throws Exception {
        Path stat = Path.of("/proc/" + pid + "/stat");
        for (int i = 0; i < 100; i++) {
            try {
                String st = Files.readString(stat);
                if (st.charAt(st.lastIndexOf(')') + 2) == 'Z') return true;
            } catch (java.nio.file.NoSuchFileException e) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    void awaitStopped(String id) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && !java("state", id).out().contains("\"stopped\"")) Thread.sleep(50);
    }
}
