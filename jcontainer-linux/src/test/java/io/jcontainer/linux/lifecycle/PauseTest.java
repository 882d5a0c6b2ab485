package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.ExecSpec;
import io.jcontainer.Mount;
import io.jcontainer.Signal;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pausing a detached container through the store, as a later process does: its cgroup freezer
 * holds every task (a counter it writes stops), exec is refused, and stop, kill and forced
 * removal still end it — a frozen task acts on no signal until thawed on cgroup v1.
 */
@RequiresRoot
class PauseTest {
    @TempDir
    Path tmp;

    /** A detached busybox loop that writes an increasing counter to {@code out/n}. */
    static Container counter(LinuxContainerRuntime rt, Path out) {
        return rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true).mount(Mount.bind(out, "/out"))
                .command("/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /out/n.tmp; mv /out/n.tmp /out/n; sleep 0.02; done").build());
    }

    static long count(Path out) throws Exception {
        for (int i = 0; ; i++) {
            try {
                return Long.parseLong(Files.readString(out.resolve("n")).trim());
            } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
                if (i > 500) throw e;
                Thread.sleep(20); // not written yet
            }
        }
    }

    /** Waits (at most 30 s) until the counter moves past {@code from}: true once it does. */
    static boolean advancesPast(Path out, long from) throws Exception {
        for (int i = 0; i < 1500; i++) {
            if (count(out) > from) return true;
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    void pausedContainerStopsUntilUnpausedRefusesExecAndStillStops() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        Path out = Files.createDirectory(tmp.resolve("out"));
        try (Container c = counter(rt, out)) {
            ContainerStore.Entry e = store.find(c.id());
            assertThat(e.state().cgroupDirs()).isNotEmpty(); // every detached container has a freezer
            assertThat(advancesPast(out, count(out))).isTrue();

            store.pause(e);
            e = store.find(c.id());
            assertThat(e.paused()).isTrue();
            assertThat(e.running()).isTrue();
            assertThat(store.inspect(e)).contains("\"Status\" : \"paused\"").contains("\"Paused\" : true");
            long frozenAt = count(out);
            Thread.sleep(300);
            assertThat(count(out)).as("the counter of a frozen container").isEqualTo(frozenAt);

            ContainerStore.Entry paused = e;
            assertThatThrownBy(() -> store.pause(paused)).isInstanceOf(ContainerStore.PauseStateException.class)
                    .hasMessage("container " + c.id() + " is already paused");
            assertThatThrownBy(() -> rt.exec(paused.state(), c.spec(), ExecSpec.of("/bin/true")))
                    .isInstanceOf(ContainerStore.PauseStateException.class)
                    .hasMessage("Container " + c.id() + " is paused, unpause the container before exec");

            store.unpause(e);
            e = store.find(c.id());
            assertThat(e.paused()).isFalse();
            assertThat(store.inspect(e)).contains("\"Status\" : \"running\"");
            assertThat(advancesPast(out, frozenAt)).isTrue();
            ContainerStore.Entry running = e;
            assertThatThrownBy(() -> store.unpause(running)).isInstanceOf(ContainerStore.PauseStateException.class)
                    .hasMessage("Container " + c.id() + " is not paused");

            // stop while paused: the stop signal cannot be handled by a frozen shell; SIGKILL after the grace
            store.pause(e);
            assertThat(store.stop(store.find(c.id()), Duration.ofMillis(300)))
                    .hasValueSatisfying(x -> assertThat(x.code()).isEqualTo(137));
            e = store.find(c.id());
            assertThat(e.status()).isEqualTo(ContainerStore.Status.EXITED);
            assertThat(e.paused()).isFalse();
            ContainerStore.Entry exited = e;
            assertThatThrownBy(() -> store.pause(exited)).isInstanceOf(ContainerNotRunningException.class)
                    .hasMessage("container " + c.id() + " is not running");
            List<String> cgroups = e.state().cgroupDirs();
            store.remove(e, false);
            assertThat(cgroups).allSatisfy(d -> assertThat(Path.of(d)).doesNotExist());
        }
    }

    @Test
    void killAndForcedRemovalEndAPausedContainer() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("store"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        Path a = Files.createDirectory(tmp.resolve("a")), b = Files.createDirectory(tmp.resolve("b"));
        try (Container killed = counter(rt, a); Container removed = counter(rt, b)) {
            count(a);
            count(b);
            store.pause(store.find(killed.id()));
            store.signal(store.find(killed.id()), Signal.KILL);
            assertThat(killed.waitFor(Duration.ofSeconds(30))).hasValueSatisfying(x -> assertThat(x.code()).isEqualTo(137));
            ContainerStore.Entry k = store.find(killed.id());
            store.remove(k, false);
            assertThat(k.state().cgroupDirs()).allSatisfy(d -> assertThat(Path.of(d)).doesNotExist());

            store.pause(store.find(removed.id()));
            ContainerStore.Entry r = store.find(removed.id());
            store.remove(r, true);
            assertThat(removed.waitFor(Duration.ofSeconds(30))).isPresent();
            assertThat(r.state().cgroupDirs()).isNotEmpty().allSatisfy(d -> assertThat(Path.of(d)).doesNotExist());
            assertThat(store.list()).isEmpty();
        }
    }
}
