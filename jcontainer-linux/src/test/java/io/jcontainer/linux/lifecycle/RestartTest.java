package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.RestartPolicy;
import io.jcontainer.Stdio;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.state.ContainerLogs;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Restart policies: the detached container's monitor runs its command again; a manual stop ends that. */
@RequiresRoot
class RestartTest {
    @TempDir
    Path tmp;

    @Test
    void onFailureRestartsUpToTheLimitAndStopsOnSuccess() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        String id;
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true).restart(RestartPolicy.onFailure(2))
                .command("/bin/sh", "-c", "echo run; exit 3").build())) {
            id = c.id();
            // 1 run + 2 restarts, then the monitor gives up and reports the last exit
            assertThat(c.waitFor(Duration.ofSeconds(30))).hasValueSatisfying(e -> assertThat(e.code()).isEqualTo(3));
        }
        var out = new ByteArrayOutputStream();
        new ContainerLogs(store.logFile(id)).print(ContainerLogs.Options.ALL, out, new ByteArrayOutputStream(), () -> false);
        assertThat(out.toString()).isEqualTo("run\nrun\nrun\n");
        ContainerStore.Entry e = store.find(id);
        assertThat(e.status()).isEqualTo(ContainerStore.Status.EXITED);
        assertThat(e.exit().code()).isEqualTo(3);
        store.remove(e, false);

        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true).restart(RestartPolicy.onFailure(0))
                .stdout(Stdio.NULL).command("/bin/true").build())) {
            assertThat(c.waitFor(Duration.ofSeconds(30))).hasValueSatisfying(x -> assertThat(x.code()).isZero()); // success: no restart
            store.remove(store.find(c.id()), false);
        }
    }

    @Test
    void theMonitorRemovesADetachedContainersCgroupsWhenItHasEndedForGood() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        String id;
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true).restart(RestartPolicy.onFailure(1))
                .pidsLimit(20).stdout(Stdio.NULL).command("/bin/sh", "-c", "exit 4").build())) {
            id = c.id();
            List<String> dirs = store.find(id).state().cgroupDirs();
            assertThat(dirs).isNotEmpty();
            // one run, one restart; between them the (empty) cgroups stay for the next run
            assertThat(c.waitFor(Duration.ofSeconds(30))).hasValueSatisfying(e -> assertThat(e.code()).isEqualTo(4));
            assertThat(dirs).as("removed by the monitor, with no JVM or rm involved").allSatisfy(d -> assertThat(Path.of(d)).doesNotExist());
        }
        store.remove(store.find(id), false);
    }

    @Test
    void alwaysRestartsAKilledPayloadUntilStoppedByHand() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true).restart(RestartPolicy.ALWAYS)
                .command("/bin/sleep", "1000").build())) {
            long first = c.pid();
            ContainerStore.Entry e = store.find(c.id());
            assertThat(e.state().pid()).isEqualTo(first);
            NativeSyscalls.INSTANCE.kill((int) first, 9); // a crash, not a stop
            assertThat(ContainerProcs.eventually(20, () -> {
                ContainerStore.Entry now = store.find(c.id());
                return now.running() && now.state().pid() != first;
            })).isTrue();
            ContainerStore.Entry restarted = store.find(c.id());
            assertThat(ContainerProcs.alive((int) restarted.state().pid())).isTrue();

            assertThat(store.stop(restarted, Duration.ofMillis(200))).hasValueSatisfying(x -> assertThat(x.code()).isEqualTo(137));
            assertThat(c.waitFor(Duration.ofSeconds(30))).isPresent(); // the monitor ended: no more restarts
            assertThat(store.find(c.id()).status()).isEqualTo(ContainerStore.Status.EXITED);
            store.remove(store.find(c.id()), false);
        }
    }

    @Test
    void aPolicyNeedsADetachedContainer() {
        assertThatThrownBy(() -> Container.builder().restart(RestartPolicy.ALWAYS).command("true").build())
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("detached");
        assertThat(RestartPolicy.parse("on-failure:5")).isEqualTo(RestartPolicy.onFailure(5));
        assertThatThrownBy(() -> RestartPolicy.parse("always:3")).hasMessageContaining("cannot be used");
    }
}
