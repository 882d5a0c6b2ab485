package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.Processes;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Launchers forked by the spawn server, on the real kernel. */
@RequiresRoot
class SpawnServerTest {
    private static ProcessHandle parentOf(long pid) {
        return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).orElseThrow();
    }

    @Test
    void launchersAreForkedByOneServerThatIsReplacedWhenKilled() throws Exception {
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null).spawnMode("server");
        ProcessHandle server;
        try (var c = (LinuxContainer) rt.start(TestRuns.busybox().command("sleep", "100").build())) {
            ProcessHandle launcher = parentOf(c.pid());
            assertThat(launcher.pid()).as("the STARTED frame names the launcher").isEqualTo(c.launcherPid);
            server = parentOf(launcher.pid());
            assertThat(Processes.isSpawnServer(server)).isTrue();
            assertThat(server.parent().orElseThrow().pid()).as("the server is the JVM's child").isEqualTo(ProcessHandle.current().pid());
            // a payload that stays: the launcher of a /bin/true may be gone before we look
            try (var d = (LinuxContainer) rt.start(TestRuns.busybox().command("sleep", "100").build())) {
                assertThat(parentOf(d.launcherPid).pid()).as("one server for every start").isEqualTo(server.pid());
            }

            // Killed from outside: the running container does not notice, the next start gets a new server.
            server.destroyForcibly();
            server.onExit().get();
            assertThat(c.isRunning()).isTrue();
            try (var d = (LinuxContainer) rt.start(TestRuns.busybox().command("sh", "-c", "sleep 100; exit 3").build())) {
                ProcessHandle next = parentOf(d.launcherPid);
                assertThat(Processes.isSpawnServer(next)).isTrue();
                assertThat(next.pid()).isNotEqualTo(server.pid());
                assertThat(d.isRunning()).isTrue();
            }
            c.kill();
            assertThat(c.waitFor(Duration.ofSeconds(10))).isPresent();
        }
        assertThat(Processes.leftovers()).as("only spawn servers stay").isEmpty();
        // the killed server was reaped by its replacement's start: no zombie child of the JVM
        List<ProcessHandle> zombies = ProcessHandle.current().children().filter(p -> p.pid() == server.pid()).toList();
        assertThat(zombies).isEmpty();
    }

    @Test
    void directModeSpawnsEachLauncherFromTheJvm() throws Exception {
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, null).spawnMode("direct");
        try (var c = (LinuxContainer) rt.start(Container.builder().rootfs(TestRootfs.busybox()).command("sleep", "100").build())) {
            assertThat(parentOf(c.launcherPid).pid()).isEqualTo(ProcessHandle.current().pid());
        }
    }
}
