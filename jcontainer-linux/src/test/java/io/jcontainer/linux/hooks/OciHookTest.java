package io.jcontainer.linux.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStartException;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.launch.LaunchHooks;
import io.jcontainer.linux.testing.Processes;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OCI hooks on the launch's hook points, with real programs and real containers. */
@RequiresRoot
class OciHookTest {
    static final LinuxContainerRuntime RT = new LinuxContainerRuntime();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A hook that appends "PHASE: <its stdin>" as one line to {@code log}. */
    static OciHook recorder(Path log, String phase) {
        return new OciHook(Path.of("/bin/sh"), List.of("sh", "-c", "printf '%s: ' \"$PHASE\" >> \"$LOG\"; cat >> \"$LOG\"; echo >> \"$LOG\""),
                List.of("LOG=" + log, "PHASE=" + phase), Duration.ofSeconds(10));
    }

    static ContainerSpec spec(String... cmd) {
        return Container.builder().rootfs(TestRootfs.busybox()).memoryLimit("64m").command(cmd).build();
    }

    @Test
    void eachPhaseRunsInOrderWithTheStateOnStdin() throws Exception {
        Path log = tmp.resolve("hooks.log");
        OciHooks oci = new OciHooks(List.of(recorder(log, "prestart")), List.of(recorder(log, "createRuntime")),
                List.of(recorder(log, "createContainer")), List.of(recorder(log, "startContainer")), List.of(recorder(log, "poststart")),
                List.of(recorder(log, "poststop")));
        LaunchHooks hooks = new LaunchHooks();
        Container c = RT.start(spec("sleep", "100"), oci.registerOn(hooks, "hooked", "/bundle", Map.of("org.example/k", "v")));
        long pid = c.pid();
        c.close();
        // poststop runs after the exit, off the start's thread: wait for its whole line
        for (int i = 0; i < 500 && !Files.readString(log).matches("(?s).*poststop: \\{.*\\}\n"); i++) Thread.sleep(10);

        List<String> lines = Files.readAllLines(log);
        assertThat(lines).extracting(l -> l.substring(0, l.indexOf(':')))
                .containsExactly("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");
        for (String line : lines) {
            JsonNode state = JSON.readTree(line.substring(line.indexOf(':') + 1));
            assertThat(state.get("ociVersion").asText()).isEqualTo("1.2.0");
            assertThat(state.get("id").asText()).isEqualTo("hooked");
            assertThat(state.get("pid").asLong()).isEqualTo(pid);
            assertThat(state.get("bundle").asText()).isEqualTo("/bundle");
            assertThat(state.get("annotations").get("org.example/k").asText()).isEqualTo("v");
        }
        assertThat(lines).extracting(l -> JSON.readTree(l.substring(l.indexOf(':') + 1)).get("status").asText())
                .containsExactly("creating", "creating", "creating", "created", "running", "stopped");
    }

    @Test
    void theSpecsHooksRunFromThePlainStart() throws Exception {
        Path log = tmp.resolve("spec-hooks.log");
        OciHook r = recorder(log, "prestart");
        try (Container c = Container.builder().rootfs(TestRootfs.busybox()).command("sleep", "100").annotation("k", "v")
                .hook(io.jcontainer.Hooks.Stage.PRESTART, new io.jcontainer.Hooks.Hook(r.path(), r.args(), r.env(), r.timeout())).start()) {
            String line = Files.readString(log).strip();
            JsonNode state = JSON.readTree(line.substring(line.indexOf(':') + 1));
            assertThat(state.get("id").asText()).isEqualTo(c.id());
            assertThat(state.get("pid").asLong()).isEqualTo(c.pid());
            assertThat(state.get("status").asText()).isEqualTo("creating");
            assertThat(state.get("annotations").get("k").asText()).isEqualTo("v");
        }
    }

    @Test
    void aFailingHookFailsTheStartWithItsOutputAndLeavesNothing() throws Exception {
        OciHook broken = new OciHook(Path.of("/bin/sh"), List.of("sh", "-c", "echo 'no network for you' >&2; exit 3"), List.of(), null);
        OciHooks oci = new OciHooks(List.of(), List.of(), List.of(broken), List.of(), List.of(), List.of());
        assertThatThrownBy(() -> RT.start(spec("sleep", "100"), oci.registerOn(new LaunchHooks(), "broken", "", Map.of())))
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("OCI createContainer hook /bin/sh")
                .hasMessageContaining("exited with 3: no network for you");
        assertThat(Processes.leftovers()).isEmpty();
    }

    @Test
    void aHangingHookIsKilledAtItsTimeout() throws Exception {
        Path started = tmp.resolve("started");
        OciHook hangs = new OciHook(Path.of("/bin/sh"), List.of("sh", "-c", "echo $$ > " + started + "; echo waiting; sleep 1000; echo never"),
                List.of(), Duration.ofMillis(500));
        OciHooks oci = new OciHooks(List.of(), List.of(hangs), List.of(), List.of(), List.of(), List.of());
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> RT.start(spec("sleep", "100"), oci.registerOn(new LaunchHooks(), "hangs", "", Map.of())))
                .isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("did not finish within 500 ms and was killed: waiting");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        long hookPid = Long.parseLong(Files.readString(started).strip());
        assertThat(ProcessHandle.of(hookPid).map(ProcessHandle::isAlive).orElse(false)).as("the hook was killed").isFalse();
        assertThat(Processes.leftovers()).as("nor its sleep, nor the container").isEmpty();
    }

    @Test
    void aHookThatCannotBeRunNamesItsPath() {
        OciHooks oci = new OciHooks(List.of(OciHook.of("/no/such/hook")), List.of(), List.of(), List.of(), List.of(), List.of());
        assertThatThrownBy(() -> RT.start(spec("true"), oci.registerOn(new LaunchHooks(), "missing", "", Map.of())))
                .isInstanceOf(ContainerStartException.class).hasMessageContaining("OCI prestart hook /no/such/hook could not be run");
    }

    @Test
    void aHookGetsOnlyItsStdioAndWhatItLeavesRunningIsKilled() throws Exception {
        Path log = tmp.resolve("fds"), left = tmp.resolve("left");
        // fd 3 is ls's own directory: anything past it would be a JVM descriptor leaking into the hook
        OciHook h = new OciHook(Path.of("/bin/sh"), List.of("sh", "-c", "ls /proc/self/fd > " + log + "; (sleep 1000 & echo $! > " + left + ")"),
                List.of(), Duration.ofSeconds(10));
        OciHooks oci = new OciHooks(List.of(h), List.of(), List.of(), List.of(), List.of(), List.of());
        try (Container c = RT.start(spec("sleep", "100"), oci.registerOn(new LaunchHooks(), "fds", "", Map.of()))) {
            assertThat(Files.readAllLines(log)).containsExactly("0", "1", "2", "3");
            long sleeper = Long.parseLong(Files.readString(left).strip());
            for (int i = 0; i < 200 && ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false); i++) Thread.sleep(10);
            assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)).as("the hook's leftover").isFalse();
        }
    }
}
