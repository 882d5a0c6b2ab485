package io.jcontainer.linux.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;
import io.jcontainer.oci.runtime.testing.RuntimeSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * state.json is an OCI state (valid against the runtime-spec state schema) through creating,
 * created and running, with jcontainer's own fields beside; records of the format before still
 * read (a container that runs across an upgrade can be stopped and removed). No root.
 */
class StateFileTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    static ContainerState record(String id) {
        return new ContainerState(id, "web", "/srv/rootfs", List.of("sh", "-c", "x"), true, true, "INT", 0, 0, 0,
                "2026-12-04T21:00:00Z", null, true, "/run/x/container.log", List.of(), "on-failure:3",
                new ContainerState.Streams(true, true, false, false, false), false, Map.of("org.example/k", "v"));
    }

    @Test
    void eachStepOfTheLifecycleIsAValidOciStateAndReadsBackTheSame() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        String id = "c".repeat(64);
        ContainerState creating = record(id);
        store.create(creating);
        JsonNode st = check(store, id, "creating");
        assertThat(st.has("pid")).isFalse();
        assertThat(st.get("bundle").asText()).isEqualTo(store.dir(id).toAbsolutePath().toString());
        assertThat(st.get("annotations").get("org.example/k").asText()).isEqualTo("v");
        assertThat(st.get("jcontainer").get("format").asText()).isEqualTo(StateFile.FORMAT);
        assertThat(store.find("web").state()).isEqualTo(creating);

        ContainerState created = creating.started(4242, 77, 4241, null);
        store.write(created);
        assertThat(check(store, id, "created").get("pid").asLong()).isEqualTo(4242);
        assertThat(store.find(id).state()).isEqualTo(created);

        ContainerState running = created.started(4242, 77, 4241, "2026-12-04T21:00:01Z");
        store.write(running);
        check(store, id, "running");
        assertThat(store.find(id).state()).isEqualTo(running);
        assertThat(store.find(id).state().withName("other").annotations()).isEqualTo(Map.of("org.example/k", "v"));
    }

    private static JsonNode check(ContainerStore store, String id, String status) throws Exception {
        JsonNode st = JSON.readTree(store.dir(id).resolve(ContainerStore.STATE).toFile());
        assertThat(RuntimeSchema.stateErrors(st)).as(st.toString()).isEmpty();
        assertThat(st.get("ociVersion").asText()).isEqualTo("1.2.0");
        assertThat(st.get("id").asText()).isEqualTo(id);
        assertThat(st.get("status").asText()).isEqualTo(status);
        return st;
    }

    @Test
    void aRecordOfTheFormatBeforeStillReads() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        String id = "d".repeat(64);
        Files.createDirectories(store.dir(id));
        Files.writeString(store.dir(id).resolve(ContainerStore.STATE), """
                {"id":"%s","name":"old","image":"<default>","command":["sh"],"init":false,"pidNamespace":true,
                 "stopSignal":"TERM","pid":123,"pidStartTime":5,"launcherPid":122,"created":"2026-11-28T05:50:01Z",
                 "started":"2026-11-28T05:50:02Z","detached":true,"logPath":null,"cgroupDirs":["/sys/fs/cgroup/pids/jcontainer-detached-dddddddddddd"],
                 "restartPolicy":"always","streams":{"tty":true,"openStdin":false,"attachStdin":false,"attachStdout":false,"attachStderr":false},
                 "autoRemove":true}""".formatted(id));
        ContainerState s = store.find("old").state();
        assertThat(s).isEqualTo(new ContainerState(id, "old", "<default>", List.of("sh"), false, true, "TERM", 123, 5, 122,
                "2026-11-28T05:50:01Z", "2026-11-28T05:50:02Z", true, null, List.of("/sys/fs/cgroup/pids/jcontainer-detached-dddddddddddd"),
                "always", new ContainerState.Streams(true, false, false, false, false), true));
        store.write(s); // rewritten (a rename, a start): in the OCI shape from then on
        check(store, id, "running");
        assertThat(store.find("old").state()).isEqualTo(s);
    }

    @Test
    void jcontainersPartOfAnotherFormatIsRefusedNamingTheFile() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        String id = "e".repeat(64);
        store.create(record(id));
        Path f = store.dir(id).resolve(ContainerStore.STATE);
        ObjectNode st = (ObjectNode) JSON.readTree(f.toFile());
        ((ObjectNode) st.get("jcontainer")).put("format", "jcontainer-state/9");
        assertThatThrownBy(() -> StateFile.fromJson(st, f)).isInstanceOf(ContainerException.class)
                .hasMessageContaining(f + ": its \"jcontainer\" part has format \"jcontainer-state/9\", not jcontainer-state/1");
        Files.writeString(f, st.toString());
        assertThat(store.list()).isEmpty(); // unreadable records are not listed, as before
    }
}
