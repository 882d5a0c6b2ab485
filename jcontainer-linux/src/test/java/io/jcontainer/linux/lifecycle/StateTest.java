package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.Stdio;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.state.ContainerState;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Containers across processes: detached ones outlive their JVM; attached ones die with it. */
@RequiresRoot
class StateTest {
    @TempDir
    Path tmp;

    @Test
    void aDetachedContainerOutlivesItsJvmAndIsStoppedAndRemovedFromAnother() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        Process jvm = ChildJvm.start(store.root(), "detached", "survivor");
        String[] line = new BufferedReader(new InputStreamReader(jvm.getInputStream())).readLine().split(" ");
        ChildJvm.reap(jvm);
        assertThat(jvm.exitValue()).isZero();
        String id = line[0];
        long pid = Long.parseLong(line[1]);

        ContainerStore.Entry e = store.find("survivor");
        assertThat(e.state().id()).isEqualTo(id).hasSize(64);
        assertThat(e.status()).isEqualTo(ContainerStore.Status.RUNNING);
        assertThat(e.state().pid()).isEqualTo(pid);
        assertThat(store.find(id.substring(0, 5)).state().id()).isEqualTo(id);
        assertThat(ContainerProcs.alive((int) pid)).isTrue();

        // sleep as PID 1 ignores SIGTERM: the grace period passes, then SIGKILL; its monitor records it
        assertThat(store.stop(e, Duration.ofMillis(200))).hasValueSatisfying(x -> assertThat(x.code()).isEqualTo(137));
        ContainerStore.Entry stopped = store.find(id);
        assertThat(stopped.status()).isEqualTo(ContainerStore.Status.EXITED);
        assertThat(stopped.finished()).isNotNull();
        assertThat(ContainerProcs.alive((int) pid)).isFalse();

        store.remove(stopped, false);
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.find(id)).isInstanceOf(ContainerStore.NoSuchContainerException.class)
                .hasMessage("No such container: " + id);
    }

    @Test
    void anAttachedContainerDiesWithItsKilledJvmAndItsRecordIsSweptAtTheNextStart() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        Process jvm = ChildJvm.start(store.root(), "attached", "doomed");
        long pid = Long.parseLong(new BufferedReader(new InputStreamReader(jvm.getInputStream())).readLine().split(" ")[1]);
        assertThat(ContainerProcs.alive((int) pid)).isTrue();
        jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
        jvm.waitFor();
        // The launcher saw its control socket close and killed the container.
        assertThat(ContainerProcs.eventually(5, () -> !ContainerProcs.alive((int) pid))).as("container pid %d still alive 5 s after its JVM died", pid).isTrue();
        assertThat(store.find("doomed").running()).isFalse();

        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).stdout(Stdio.NULL).command("/bin/true").build())) {
            c.waitFor();
        }
        assertThat(store.list()).isEmpty();
    }

    @Test
    void namesAreUniqueAndRefsResolveAsDocker() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).name("web").command("/bin/sleep", "1000").build())) {
            assertThatThrownBy(() -> rt.start(Container.builder().rootfs(TestRootfs.busybox()).name("web").command("/bin/true").build()))
                    .isInstanceOf(ContainerStore.NameInUseException.class)
                    .hasMessageContaining("The container name \"/web\" is already in use by container \"" + c.id() + "\"");
            assertThat(store.list()).hasSize(1);
            ContainerStore.Entry e = store.find("web");
            assertThat(e.running()).isTrue();
            assertThatThrownBy(() -> store.remove(e, false)).isInstanceOf(ContainerStore.ContainerRunningException.class)
                    .hasMessageContaining("You cannot remove a running container");
            assertThat(store.find("web").running()).isTrue();

            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(store.inspect(e));
            assertThat(json.get("Id").asText()).isEqualTo(c.id());
            assertThat(json.get("Name").asText()).isEqualTo("/web");
            assertThat(json.at("/State/Status").asText()).isEqualTo("running");
            assertThat(json.at("/State/Pid").asLong()).isEqualTo(c.pid());
            assertThat(json.at("/Config/Cmd").toString()).isEqualTo("[\"/bin/sleep\",\"1000\"]");

            var top = io.jcontainer.linux.state.ContainerTop.rows(c.pid(), true);
            assertThat(top).hasSize(1);
            assertThat(top.getFirst()).hasSize(8);
            assertThat(top.getFirst().get(0)).isEqualTo("0");
            assertThat(top.getFirst().get(1)).isEqualTo(Long.toString(c.pid()));
            assertThat(top.getFirst().get(7)).isEqualTo("/bin/sleep 1000");
        }
        assertThat(store.list()).isEmpty(); // an attached container's record goes with its handle

        store.create(state("abc1" + "0".repeat(60)));
        store.create(state("abc2" + "0".repeat(60)));
        assertThatThrownBy(() -> store.find("abc")).hasMessage("multiple IDs found with provided prefix: abc");
        assertThat(store.find("abc2").state().id()).startsWith("abc2");
        assertThat(store.find("abc1").status()).isEqualTo(ContainerStore.Status.CREATED);
        assertThat(Files.readString(store.dir("abc1" + "0".repeat(60)).resolve("state.json"))).contains("\"id\" : \"abc1");
    }

    private static ContainerState state(String id) {
        return new ContainerState(id, null, "img", List.of("sh"), false, true, "TERM", 0, 0, 0, java.time.Instant.now().toString(),
                null, true, null, List.of(), null);
    }
}
