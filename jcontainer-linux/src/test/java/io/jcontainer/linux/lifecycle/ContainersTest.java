package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.ExecSpec;
import io.jcontainer.ContainerProcess;
import io.jcontainer.Signal;
import io.jcontainer.Stdio;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.ListQuery;
import io.jcontainer.lifecycle.LogOptions;
import io.jcontainer.lifecycle.OciState;
import io.jcontainer.lifecycle.WaitCondition;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import io.jcontainer.oci.runtime.testing.RuntimeSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lifecycle API over recorded containers, through the SPI as any client gets it. */
@RequiresRoot
class ContainersTest {
    @TempDir
    Path tmp;

    /** One runtime for the class (it has a spawn server and a supervisor thread); a store per test. */
    private static final LinuxContainerRuntime RUNTIME = new LinuxContainerRuntime();

    private Containers containers() {
        return RUNTIME.containers(tmp.resolve("store"));
    }


    @Test
    void eventsAreFollowedFromASecondProcessThroughCreateStartPauseKillAndRemove() throws Exception {
        Containers cs = containers();
        Process follower = EventFollower.start(cs.stateDirectory(), Instant.now().minusSeconds(1), "evt");
        try {
            String id = cs.run(Container.builder().rootfs(TestRootfs.busybox()).name("evt").detached(true)
                    .stdout(Stdio.NULL).stderr(Stdio.NULL).command("/bin/sleep", "1000").build(), false);
            cs.pause("evt");
            assertThat(cs.find("evt").status()).isEqualTo(ContainerInfo.Status.PAUSED);
            cs.unpause("evt");
            cs.kill("evt", Signal.KILL);
            assertThat(cs.wait("evt", WaitCondition.NOT_RUNNING)).hasValueSatisfying(x -> assertThat(x.code()).isEqualTo(137));
            cs.remove(id, false, false);

            List<String> lines = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(follower.getInputStream(), StandardCharsets.UTF_8));
            for (String l; (l = r.readLine()) != null; ) lines.add(l);
            assertThat(follower.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(lines.stream().map(l -> l.split(" ")[0]).toList())
                    .containsExactly("create", "start", "pause", "unpause", "kill", "die", "destroy");
            assertThat(lines.get(0)).contains("name=evt");
            assertThat(lines.get(4)).contains("signal=9");
            assertThat(lines.get(5)).contains("exitCode=137");
        } finally {
            follower.destroyForcibly();
            follower.waitFor();
        }
    }

    @Test
    void aStoppedContainerStartsAgainFromItsStoredSpecAndExecGetsItsSettings() throws Exception {
        Containers cs = containers();
        io.jcontainer.ContainerSpec spec = Container.builder().rootfs(TestRootfs.busybox()).detached(true).hostname("kept")
                .tmpfs("/scratch", io.jcontainer.DataSize.MB(1)).annotation("org.example/k", "v")
                .env("GREETING", "hi").command("/bin/sh", "-c", "echo $GREETING; exec sleep 1000").build();
        String id = cs.run(spec, false);
        ContainerInfo i = cs.find(id.substring(0, 6));
        assertThat(i.name()).isNotBlank(); // generated
        assertThat(i.spec()).isEqualTo(spec); // the whole configuration, from the record alone
        // the record: an OCI config.json and state.json, as the runtime-spec schema says them
        Path rec = cs.stateDirectory().resolve(id);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var config = json.readTree(rec.resolve("config.json").toFile());
        assertThat(RuntimeSchema.configErrors(config)).isEmpty();
        assertThat(config.get("hostname").asText()).isEqualTo("kept");
        var state = json.readTree(rec.resolve("state.json").toFile());
        assertThat(RuntimeSchema.stateErrors(state)).isEmpty();
        assertThat(state.get("status").asText()).isEqualTo("running");
        assertThat(state.get("pid").asLong()).isEqualTo(i.pid());
        assertThat(state.get("bundle").asText()).isEqualTo(rec.toString());
        assertThat(state.get("annotations").get("org.example/k").asText()).isEqualTo("v");
        assertThat(rec.resolve("spec.json")).doesNotExist();
        assertThat(i.ociState("/b")).extracting(OciState::status).isEqualTo(OciState.Status.RUNNING);
        try (ContainerProcess p = cs.exec(id, new ExecSpec(List.of("/bin/hostname"), java.util.Map.of(), null, null, Stdio.NULL, Stdio.PIPE, Stdio.PIPE, false))) {
            assertThat(new String(p.stdout().readAllBytes()).trim()).isEqualTo("kept");
            assertThat(p.waitFor().code()).isZero();
        }
        assertThat(cs.stop(id, Duration.ofMillis(100))).hasValueSatisfying(x -> assertThat(x.code()).isEqualTo(137));
        assertThat(cs.list(ListQuery.RUNNING)).isEmpty();
        assertThat(cs.list(ListQuery.of(false, List.of("status=exited")))).extracting(ContainerInfo::id).containsExactly(id);
        assertThat(cs.list(ListQuery.of(true, List.of("exited=137", "name=" + i.name())))).hasSize(1);

        cs.rename(id, "again");
        cs.start("again");
        ContainerInfo again = cs.find("again");
        assertThat(again.running()).isTrue();
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.spec()).isEqualTo(spec.toBuilder().name("again").build()); // replayed from config.json
        assertThat(RuntimeSchema.configErrors(json.readTree(rec.resolve("config.json").toFile()))).isEmpty();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!out.toString().equals("hi\nhi\n") && System.nanoTime() < end) {
            out.reset();
            cs.logs(id, LogOptions.ALL, out, new ByteArrayOutputStream());
            Thread.sleep(50);
        }
        assertThat(out.toString()).isEqualTo("hi\nhi\n"); // the log continues across starts

        assertThatThrownBy(() -> cs.remove(id, false, false)).isInstanceOf(Containers.ConflictException.class);
        cs.remove(id, true, false);
        assertThatThrownBy(() -> cs.find(id)).isInstanceOf(Containers.NoSuchContainerException.class).hasMessage("No such container: " + id);
        assertThat(cs.list(ListQuery.ALL)).isEmpty();
    }

    @Test
    void aRecordOfThePreviousFormatIsListedAndRemovedButNotStartedSayingWhy() throws Exception {
        Containers cs = containers();
        String id = cs.run(Container.builder().rootfs(TestRootfs.busybox()).name("old").detached(true).command("/bin/true").build(), false);
        assertThat(cs.wait(id, WaitCondition.NOT_RUNNING)).isPresent();
        // as a jcontainer before config.json and spec.json wrote it (its CLI kept run-args.json instead)
        java.nio.file.Files.delete(cs.stateDirectory().resolve(id).resolve("config.json"));
        java.nio.file.Files.delete(cs.stateDirectory().resolve(id).resolve("jcontainer.json"));
        java.nio.file.Files.writeString(cs.stateDirectory().resolve(id).resolve("run-args.json"), "{}");
        assertThat(cs.list(ListQuery.ALL)).extracting(ContainerInfo::name).containsExactly("old");
        assertThat(cs.find("old").spec()).isNull();
        assertThatThrownBy(() -> cs.start("old")).isInstanceOf(Containers.NotSupportedYetException.class)
                .hasMessageContaining("recorded by an earlier jcontainer without its configuration").hasMessageContaining("remove it and run it anew");
        cs.remove("old", false, false);
        assertThat(cs.list(ListQuery.ALL)).isEmpty();
    }

    /**
     * A record as the jcontainer before this format wrote it: spec.json (Jackson over the Java
     * model) and jcontainer's fields at the top of state.json. It is listed, stopped and removed;
     * start refuses it naming the record and saying what to do.
     */
    @Test
    void aRecordWithSpecJsonIsListedStoppedAndRemovedButStartIsRefusedSayingWhatToDo() throws Exception {
        Containers cs = containers();
        String id = cs.run(Container.builder().rootfs(TestRootfs.busybox()).name("older").detached(true)
                .stdout(Stdio.NULL).stderr(Stdio.NULL).command("/bin/sleep", "1000").build(), false);
        Path rec = cs.stateDirectory().resolve(id);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var st = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(rec.resolve("state.json").toFile());
        var flat = ((com.fasterxml.jackson.databind.node.ObjectNode) st.get("jcontainer")).deepCopy();
        flat.remove("format");
        flat.put("id", id).put("pid", st.get("pid").asLong());
        java.nio.file.Files.writeString(rec.resolve("state.json"), flat.toString());
        java.nio.file.Files.delete(rec.resolve("config.json"));
        java.nio.file.Files.delete(rec.resolve("jcontainer.json"));
        java.nio.file.Files.writeString(rec.resolve("spec.json"), "{\"format\": \"jcontainer-spec/2\", \"spec\": {}}");

        assertThat(cs.list(ListQuery.RUNNING)).extracting(ContainerInfo::name).containsExactly("older");
        assertThat(cs.find("older").spec()).isNull();
        assertThat(cs.stop("older", Duration.ofMillis(100))).hasValueSatisfying(x -> assertThat(x.code()).isEqualTo(137));
        assertThatThrownBy(() -> cs.start("older")).isInstanceOf(Containers.ConflictException.class)
                .hasMessageContaining("container " + id.substring(0, 12) + ": its record " + rec + " holds spec.json")
                .hasMessageContaining("remove it (rm " + id.substring(0, 12) + ") and run it anew");
        cs.remove("older", false, false);
        assertThat(cs.list(ListQuery.ALL)).isEmpty();
        assertThat(rec).doesNotExist();
    }

    @Test
    void waitConditionsPruneAndCreateAsDocker() throws Exception {
        Containers cs = containers();
        String id = cs.run(Container.builder().rootfs(TestRootfs.busybox()).detached(true).command("/bin/sh", "-c", "exit 3").build(), false);
        assertThat(cs.wait(id, WaitCondition.NOT_RUNNING)).map(ContainerExit::code).hasValue(3);
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                cs.wait(id, WaitCondition.REMOVED);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(500); // waiting
        assertThat(cs.prune()).containsExactly(id);
        waiter.join(10_000);
        assertThat(waiter.isAlive()).isFalse();
        ContainerInfo created = cs.create(Container.builder().rootfs(TestRootfs.busybox()).detached(true).command("/bin/sh", "-c", "exit 5").build());
        assertThat(created.status()).isEqualTo(ContainerInfo.Status.CREATED);
        assertThat(created.ociState("/b").status()).isEqualTo(OciState.Status.CREATED);
        assertThat(cs.list(ListQuery.RUNNING)).isEmpty();
        cs.start(created.id());
        assertThat(cs.wait(created.id(), WaitCondition.NOT_RUNNING)).map(ContainerExit::code).hasValue(5);
        cs.remove(created.id(), false, false);
        // with a terminal: held by its monitor from the create on; a session opened now sees it from its start
        ContainerInfo tty = cs.create(Container.builder().rootfs(TestRootfs.busybox()).detached(true).tty(true)
                .command("/bin/sh", "-c", "[ -t 1 ] && echo on-a-tty; exit 6").build());
        assertThat(tty.streams().tty()).isTrue();
        try (var session = cs.attach(tty.id())) {
            cs.start(tty.id());
            var out = new java.io.ByteArrayOutputStream();
            assertThat(session.copyOutput(out, out)).map(ContainerExit::code).hasValue(6);
            assertThat(out.toString()).contains("on-a-tty");
        }
        cs.remove(tty.id(), false, false);
    }
}
