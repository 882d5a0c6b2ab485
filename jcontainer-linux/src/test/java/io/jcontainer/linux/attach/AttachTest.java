package io.jcontainer.linux.attach;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.Stdio;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.state.ProcStat;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docker attach through the monitor, with the Java API: a detached container's terminal or stdin
 * is held by its launcher, and sessions come and go while the container runs on.
 */
@RequiresRoot
class AttachTest {
    @TempDir
    Path tmp;

    /** A session whose output is collected on a thread until the session ends. */
    static final class Client implements AutoCloseable {
        final AttachSession session;
        final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        final CompletableFuture<Optional<ContainerExit>> end = new CompletableFuture<>();

        Client(AttachSession s) {
            session = s;
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    end.complete(s.copyOutput(sync(out), sync(err)));
                } catch (Throwable t) {
                    end.completeExceptionally(t);
                }
            });
        }

        private OutputStream sync(ByteArrayOutputStream b) {
            return new OutputStream() {
                @Override
                public void write(int x) {
                    synchronized (b) {
                        b.write(x);
                    }
                }

                @Override
                public void write(byte[] d, int off, int len) {
                    synchronized (b) {
                        b.write(d, off, len);
                    }
                }
            };
        }

        String out() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        void type(String s) throws Exception {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            session.write(b, 0, b.length);
        }

        void await(String text) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!out().contains(text)) {
                if (System.nanoTime() > deadline) throw new AssertionError("no '" + text + "' in: " + out());
                Thread.sleep(10);
            }
        }

        Optional<ContainerExit> end() throws Exception {
            return end.get(20, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            session.close();
        }
    }

    @Test
    void aShellOnADetachedTerminalOutlivesDetachingAndEndsTheLastAttachWithItsStatus() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        String id;
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true).tty(true).stdin(Stdio.PIPE)
                .command("/bin/sh").build())) {
            id = c.id();
        }
        ContainerStore.Entry e = store.find(id);
        assertThat(Files.getPosixFilePermissions(store.attachSocket(id))).hasToString("[OWNER_READ, OWNER_WRITE]");

        try (Client a = new Client(store.attach(e))) {
            assertThat(a.session.tty()).isTrue();
            assertThat(a.session.stdinOpen()).isTrue();
            a.type("echo hi-$((6*7))\n");
            a.await("hi-42");
            a.session.resize(33, 101);
            a.type("stty size\n");
            a.await("33 101");
            a.close(); // detach
            assertThat(a.end()).isEmpty();
        }
        assertThat(store.entry(e.state()).running()).isTrue();
        assertThat(ProcStat.alive(e.state().pid(), e.state().pidStartTime())).isTrue();

        try (Client b = new Client(store.attach(e))) {
            b.type("echo again-$((1+1))\n");
            b.await("again-2");
            b.type("exit 3\n");
            assertThat(b.end()).contains(ContainerExit.exited(3));
        }
        awaitGone(store, e);
        assertThat(store.entry(e.state()).exit()).isEqualTo(ContainerExit.exited(3));
        assertThat(Files.readString(store.logFile(id))).contains(" stdout ").contains("hi-42").contains("again-2");
        assertThat(store.attachSocket(id)).doesNotExist(); // the monitor removed it on its way out
        assertThatThrownBy(() -> store.attach(store.find(id))).isInstanceOf(ContainerNotRunningException.class)
                .hasMessage("You cannot attach to a stopped container, start it first");
        store.remove(store.find(id), false);
    }

    @Test
    void aDetachedCatWithPipedStdinEchoesWhatAClientSendsAndRmForceEndsEverything() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        String id;
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true).stdin(Stdio.PIPE)
                .command("/bin/sh", "-c", "echo started >&2; exec cat").build())) {
            id = c.id();
        }
        ContainerStore.Entry e = store.find(id);
        try (Client a = new Client(store.attach(e))) {
            assertThat(a.session.tty()).isFalse();
            assertThat(a.session.stdinOpen()).isTrue();
            a.type("ping-1\n");
            a.await("ping-1");
            a.close();
        }
        // (after a first asynchronous close: the JDK then keeps one socket of its own for those)
        long fds = openSockets();
        try (Client b = new Client(store.attach(e))) { // the pipe stayed open across sessions
            b.type("ping-2\n");
            b.await("ping-2");
            store.remove(store.find(id), true);
            assertThat(b.end()).contains(ContainerExit.killed(9));
        }
        assertThat(ProcStat.alive(e.state().launcherPid(), -1)).isFalse();
        assertThat(store.dir(id)).doesNotExist();
        assertThat(openSockets()).isLessThanOrEqualTo(fds); // the sessions' sockets are closed (others may close meanwhile)
    }

    private static long openSockets() throws java.io.IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(f -> {
                try {
                    return Files.readSymbolicLink(f).toString().startsWith("socket:");
                } catch (java.io.IOException gone) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void withoutMinusIInputIsDroppedButOutputStillComes() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        String id;
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true)
                .command("/bin/sh", "-c", "while :; do echo tick; sleep 0.05; done").build())) {
            id = c.id();
        }
        ContainerStore.Entry e = store.find(id);
        try (Client a = new Client(store.attach(e))) {
            assertThat(a.session.stdinOpen()).isFalse();
            a.type("ignored\n");
            a.await("tick\ntick\n");
        } finally {
            store.remove(store.find(id), true);
        }
    }

    @Test
    void aClientThatDoesNotReadIsDisconnectedWhileThePayloadAndTheLogGoOn() throws Exception {
        ContainerStore store = new ContainerStore(tmp.resolve("s"));
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store).logLimits(256L << 20, 2);
        // far more than a socket buffer (wmem_default) must go by while the client reads nothing
        long enough = Math.max(1 << 20, 4 * Long.parseLong(Files.readString(Path.of("/proc/sys/net/core/wmem_default")).trim()));
        String id;
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true)
                .command("/bin/sh", "-c", "i=0; while :; do echo line-$i-0123456789012345678901234567890123456789; i=$((i+1)); done").build())) {
            id = c.id();
        }
        ContainerStore.Entry e = store.find(id);
        try (AttachSession stuck = store.attach(e)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.size(store.logFile(id)) < enough) {
                if (System.nanoTime() > deadline) throw new AssertionError("the payload did not write " + enough + " bytes");
                Thread.sleep(20);
            }
            assertThat(stuck.copyOutput(OutputStream.nullOutputStream(), OutputStream.nullOutputStream())).isEmpty();
            assertThat(store.entry(e.state()).running()).isTrue();
        } finally {
            store.remove(store.find(id), true);
        }
    }

    @Test
    void aStatePathLongerThanSunPathIsBoundAndReachedThroughItsDirectorysFd() throws Exception {
        Path deep = tmp.resolve("a-state-directory-deep-enough-that-the-socket-path-exceeds-sun-path");
        ContainerStore store = new ContainerStore(deep);
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null, store);
        String id;
        try (Container c = rt.start(Container.builder().rootfs(TestRootfs.busybox()).detached(true).stdin(Stdio.PIPE)
                .command("/bin/cat").build())) {
            id = c.id();
        }
        assertThat(store.attachSocket(id).toString().length()).isGreaterThan(107);
        try (Client a = new Client(store.attach(store.find(id)))) {
            a.type("deep\n");
            a.await("deep\n");
        } finally {
            store.remove(store.find(id), true);
        }
    }

    private static void awaitGone(ContainerStore store, ContainerStore.Entry e) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ProcStat.alive(e.state().launcherPid(), -1)) {
            if (System.nanoTime() > deadline) throw new AssertionError("the monitor did not end");
            Thread.sleep(10);
        }
    }
}
