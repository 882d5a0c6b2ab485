package io.jcontainer.linux.attach;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.Stdio;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.state.ContainerState;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.state.ProcStat;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LinuxContainerRuntime#startAttached}, the CLI's {@code run -t}: a detached container
 * whose monitor holds its output until the starter's session is there (ATTACH_HOLD), recorded
 * with its streams and docker's auto-removal.
 */
@RequiresRoot
class StartAttachedTest {
    @TempDir
    Path tmp;

    @Test
    void theSessionSeesWhatThePayloadWroteAtOnceAndItsExit() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        // the payload writes and exits at once: without the hold its output would be read (and
        // logged) before the session is accepted, and the session would see only the exit
        var started = rt.startAttached(Container.builder().rootfs(TestRootfs.busybox()).detached(true).tty(true)
                .stdout(Stdio.PIPE).stderr(Stdio.PIPE).command("/bin/sh", "-c", "echo early-$((2+3)); exit 6").build(), true);
        String id = started.container().id();
        started.container().close(); // lets go: the container is the monitor's
        Thread.sleep(200); // let it end before the session reads anything: the output waits in the terminal
        try (AttachTest.Client c = new AttachTest.Client(started.session())) {
            assertThat(c.end()).contains(ContainerExit.exited(6));
            assertThat(c.out()).contains("early-5");
        }
        ContainerStore.Entry e = store.find(id);
        assertThat(e.state().autoRemove()).isTrue();
        assertThat(e.state().streams()).isEqualTo(new ContainerState.Streams(true, false, false, true, true));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcStat.alive(e.state().launcherPid(), -1) && System.nanoTime() < end) Thread.sleep(10);
        assertThat(store.removeAutoRemoved()).isEqualTo(1);
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aDetachedShellWithStdinTakesInputAndOutlivesTheSession() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        var started = rt.startAttached(Container.builder().rootfs(TestRootfs.busybox()).detached(true).tty(true)
                .stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE).command("/bin/sh").build(), false);
        String id = started.container().id();
        started.container().close();
        try (AttachTest.Client c = new AttachTest.Client(started.session())) {
            c.type("echo typed-$((3*3))\n");
            c.await("typed-9");
        } // detached
        ContainerStore.Entry e = store.find(id);
        assertThat(e.running()).isTrue();
        assertThat(e.state().streams()).isEqualTo(new ContainerState.Streams(true, true, true, true, true));
        assertThat(store.removeAutoRemoved()).isZero();
        store.remove(e, true);
        assertThat(store.list()).isEmpty();
    }
}
