package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerStartException;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Stdio;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.RecordingSyscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JVM side of a start, against a fake kernel: whatever step fails, every descriptor the
 * start opened is closed again and a spawned launcher is reaped.
 */
class RuntimeWithoutRootTest {
    @TempDir
    Path tmp;

    LinuxContainerRuntime runtime(RecordingSyscalls sys) {
        var host = new HostInfo(0, 0, 40, true, tmp, tmp.resolve("root"), java.util.List.of(), java.util.List.of(), java.util.List.of());
        return new LinuxContainerRuntime(sys, host, null).spawnMode("direct");
    }

    LinuxContainerRuntime serverRuntime(RecordingSyscalls sys) {
        var host = new HostInfo(0, 0, 40, true, tmp, tmp.resolve("root"), java.util.List.of(), java.util.List.of(), java.util.List.of());
        return new LinuxContainerRuntime(sys, host, null).spawnMode("server");
    }

    @Test
    void withTheSpawnServerEachStartIsOneMessageWithTheFourDescriptors() {
        var sys = new RecordingSyscalls(); // read() returns 0: the launcher closed without a report
        var rt = serverRuntime(sys);
        assertThatThrownBy(() -> start(rt)).isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("launcher exited without a report").hasMessageContaining("reaped by it");
        // the server is spawned once, on first use, with /dev/null as stdio and its socket as fd 3
        assertThat(sys.calls).filteredOn(c -> c.startsWith("spawn ")).hasSize(1);
        assertThat(sys.calls).contains("socketpair seqpacket");
        // stdin pipe (read end 12), stdout (15), stderr (17), control (19); the server's socket is 20
        assertThat(sys.calls).contains("sendmsg 21 [13, 16, 18, 20]");
        assertThatThrownBy(() -> start(rt)).isInstanceOf(ContainerStartException.class);
        assertThat(sys.calls).filteredOn(c -> c.startsWith("spawn ")).as("one server for every start").hasSize(1);
        assertThat(sys.calls).filteredOn(c -> c.startsWith("sendmsg 21 ")).hasSize(2);
        // the launchers are the server's children: nothing of theirs to reap here
        assertThat(sys.calls).noneMatch(c -> c.startsWith("waitid"));
        // memfd, the supervisor's epoll and exit eventfd, and the server's socket stay open; nothing else
        assertThat(sys.openFds()).hasSize(4);
    }

    @Test
    void aSpawnServerFoundDeadIsReapedAndReplacedOnce() {
        var sys = new RecordingSyscalls();
        var rt = serverRuntime(sys);
        assertThatThrownBy(() -> start(rt)).isInstanceOf(ContainerStartException.class);
        sys.failNext("sendmsg", Errno.EPIPE);
        assertThatThrownBy(() -> start(rt)).isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("launcher exited without a report");
        assertThat(sys.calls).filteredOn(c -> c.startsWith("spawn ")).hasSize(2);
        assertThat(sys.calls).contains("waitid 1000"); // the dead server
        assertThat(sys.openFds()).hasSize(4);
    }

    Container start(LinuxContainerRuntime rt) {
        return rt.start(Container.builder().rootfs(tmp).stdin(Stdio.PIPE).command("/bin/true").build());
    }

    @Test
    void aFailedSpawnClosesEveryPipeAndSocketAndSaysWhy() {
        var sys = new RecordingSyscalls().failNext("spawn", Errno.EAGAIN);
        var rt = runtime(sys);
        assertThatThrownBy(() -> start(rt)).isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("posix_spawn").hasMessageContaining("EAGAIN");
        // what stays open is the once-per-JVM launcher memfd and the supervisor's epoll and exit eventfd
        assertThat(sys.openFds()).hasSize(3);
        assertThat(sys.calls).contains("memfd_create jcontainer-launcher").anyMatch(c -> c.startsWith("seal "));
    }

    @Test
    void aLauncherThatDiesSilentlyIsReapedAndNothingLeaks() {
        var sys = new RecordingSyscalls(); // read() returns 0: the launcher closed without a report
        var rt = runtime(sys);
        assertThatThrownBy(() -> start(rt)).isInstanceOf(ContainerStartException.class)
                .hasMessageContaining("launcher exited without a report");
        assertThat(sys.calls).anyMatch(c -> c.startsWith("spawn /proc/self/fd/")).anyMatch(c -> c.startsWith("waitid 1000"));
        assertThat(sys.openFds()).hasSize(3);
    }

    @Test
    void aFailingSocketpairHalfWayClosesThePipesAlreadyOpened() {
        var sys = new RecordingSyscalls();
        var rt = runtime(sys);
        // the three pipes succeed, then the socketpair fails
        sys.failNext("socketpair", Errno.EMFILE);
        assertThatThrownBy(() -> start(rt)).isInstanceOf(ContainerStartException.class).hasMessageContaining("EMFILE");
        assertThat(sys.calls).doesNotContain("spawn");
        assertThat(sys.openFds()).hasSize(3);
    }

    @Test
    void theSpawnGetsStdioAndTheControlSocketAsDescriptors0To3() {
        var sys = new RecordingSyscalls();
        var rt = runtime(sys);
        assertThatThrownBy(() -> start(rt)).isInstanceOf(ContainerStartException.class);
        // after the runtime's memfd 10, epoll 11 and exit eventfd 12: stdin pipe (read end 13 of 13/14), stdout pipe (write end 16), stderr pipe (18), control (20)
        assertThat(sys.calls).anyMatch(c -> c.matches("spawn /proc/self/fd/\\d+ \\[13, 16, 18, 20]"));
    }

    @Test
    void limitsWithoutAWritableCgroupAreRefusedClearly() {
        var sys = new RecordingSyscalls();
        var host = new HostInfo(1000, 1000, 40, true, tmp, tmp.resolve("root"), java.util.List.of(), java.util.List.of(), java.util.List.of());
        var rt = new LinuxContainerRuntime(sys, host, io.jcontainer.linux.cgroup.CgroupManager.NONE);
        assertThatThrownBy(() -> rt.start(Container.builder().rootfs(tmp).memoryLimit("100m").command("true").build()))
                .isInstanceOf(HostUnsupportedException.class).hasMessageContaining("no writable cgroup");
        assertThat(sys.calls).noneMatch(c -> c.startsWith("spawn"));
    }

    @Test
    void plansCompileWithoutStartingAnything() {
        var sys = new RecordingSyscalls();
        var plan = runtime(sys).plan(Container.builder().rootfs(tmp).command("true").build());
        assertThat(plan.child()).isNotEmpty();
        assertThat(sys.calls).isEmpty();
    }
}
