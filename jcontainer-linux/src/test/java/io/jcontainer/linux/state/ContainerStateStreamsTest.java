package io.jcontainer.linux.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.ContainerExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streams and auto-removal recorded in state.json: records written before them still read,
 * and inspect shows them as docker's Config.Tty/OpenStdin/Attach* and HostConfig.AutoRemove.
 */
class ContainerStateStreamsTest {
    @TempDir
    Path tmp;

    private static final String OLD_RECORD = """
            {"id":"%s","name":"old","image":"<default>","command":["sh"],"init":false,"pidNamespace":true,
             "stopSignal":"TERM","pid":0,"pidStartTime":0,"launcherPid":0,"created":"2026-11-28T05:50:01Z",
             "started":null,"detached":true,"logPath":null,"cgroupDirs":[],"restartPolicy":"no"}""".formatted("a".repeat(64));

    @Test
    void aRecordWrittenBeforeStreamsWereRecordedStillReadsAndInspectsAsNoTerminal() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        Files.createDirectories(store.dir("a".repeat(64)));
        Files.writeString(store.dir("a".repeat(64)).resolve(ContainerStore.STATE), OLD_RECORD);
        ContainerStore.Entry e = store.find("old");
        assertThat(e.state().streams()).isNull();
        assertThat(e.state().autoRemove()).isFalse();
        JsonNode cfg = new ObjectMapper().readTree(store.inspect(e)).get("Config");
        for (String f : List.of("Tty", "OpenStdin", "AttachStdin", "AttachStdout", "AttachStderr"))
            assertThat(cfg.get(f).asBoolean(true)).as(f).isFalse();
        assertThat(store.removeAutoRemoved()).isZero();
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void streamsAndAutoRemoveSurviveTheRoundTripAndShowInInspect() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        String id = "b".repeat(64);
        ContainerState s = new ContainerState(id, "it", "<default>", List.of("sh"), false, true, "TERM", 0, 0, 0,
                Instant.now().toString(), null, true, null, List.of(), "no",
                new ContainerState.Streams(true, true, true, true, false), true);
        store.create(s);
        ContainerState read = store.find("it").state();
        assertThat(read).isEqualTo(s);
        assertThat(read.started(7, 8, 9, "now")).satisfies(x -> {
            assertThat(x.streams()).isEqualTo(s.streams());
            assertThat(x.autoRemove()).isTrue();
        });
        JsonNode root = new ObjectMapper().readTree(store.inspect(new ContainerStore.Entry(read, ContainerStore.Status.EXITED,
                ContainerExit.exited(0), Instant.now())));
        JsonNode cfg = root.get("Config");
        assertThat(cfg.get("Tty").asBoolean()).isTrue();
        assertThat(cfg.get("OpenStdin").asBoolean()).isTrue();
        assertThat(cfg.get("AttachStdin").asBoolean()).isTrue();
        assertThat(cfg.get("AttachStdout").asBoolean()).isTrue();
        assertThat(cfg.get("AttachStderr").asBoolean()).isFalse();
        assertThat(root.get("HostConfig").get("AutoRemove").asBoolean()).isTrue();
    }

    @Test
    void onlyExitedAutoRemovedRecordsWhoseMonitorIsGoneAreRemoved() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        ContainerState kept = state("c".repeat(64), "kept", false), removed = state("d".repeat(64), "rm", true),
                neverRan = state("e".repeat(64), "created", true);
        for (ContainerState s : List.of(kept, removed, neverRan)) store.create(s);
        // an exit record (si_code CLD_EXITED, status 0) for both of the first two; the third has no pid yet
        Files.writeString(store.exitFile(kept.id()), "1 0\n");
        Files.writeString(store.exitFile(removed.id()), "1 0\n");
        assertThat(store.removeAutoRemoved()).isEqualTo(1);
        assertThat(store.list()).extracting(e -> e.state().name()).containsExactlyInAnyOrder("kept", "created");
    }

    /** A record of a container that ran (a pid long gone) with no live monitor. */
    private static ContainerState state(String id, String name, boolean autoRemove) {
        long pid = name.equals("created") ? 0 : 999_999_999L; // beyond pid_max: never alive
        return new ContainerState(id, name, "<default>", List.of("sh"), false, true, "TERM", pid, 1, 0,
                Instant.now().toString(), null, true, null, List.of(), "no", null, autoRemove);
    }
}
