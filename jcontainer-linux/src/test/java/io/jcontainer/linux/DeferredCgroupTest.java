package io.jcontainer.linux;

import io.jcontainer.ContainerSpec;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Resources;
import io.jcontainer.linux.cgroup.CgroupManager;
import io.jcontainer.linux.cgroup.PreparedCgroup;
import io.jcontainer.linux.cgroup.ContainerCgroup;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.Processes;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cgroups made by the JVM while the child sets up its root (work ahead of the CREATE_CONTAINER hook point), on the real kernel. */
@RequiresRoot
class DeferredCgroupTest {
    @Test
    void theChildRunsOnlyInsideTheCgroupMadeWhileItWaited() throws Exception {
        try (var c = TestRuns.busybox().memoryLimit("64m").pidsLimit(20).command("sleep", "100").start()) {
            // from the host: the payload is in the container's cgroups
            String seen = Files.readString(Path.of("/proc/" + c.pid() + "/cgroup"));
            for (String line : seen.lines().toList()) {
                String ctl = line.split(":", 3)[1];
                if (ctl.equals("memory") || ctl.equals("pids")) assertThat(line).contains("jcontainer-");
            }
            // from inside: its cgroup namespace was made after the move, so that cgroup is its root
            var inside = c.exec(io.jcontainer.ExecSpec.of("cat", "/proc/self/cgroup"));
            String text = new String(inside.stdout().readAllBytes());
            inside.waitFor();
            assertThat(text.lines().filter(l -> l.contains(":memory:") || l.contains(":pids:"))).allMatch(l -> l.endsWith(":/"));
        }
    }

    @Test
    void aCgroupThatCannotBeMadeEndsTheWaitingChildAndLeavesNothing() throws Exception {
        // A manager whose cgroup fails only when made, after the launch: the child waits at the CREATE_CONTAINER stop.
        CgroupManager failing = new CgroupManager() {
            @Override
            public ContainerCgroup create(String id, Resources r) {
                throw new AssertionError("not used");
            }

            @Override
            public PreparedCgroup prepare(String id, ContainerSpec spec) {
                return new PreparedCgroup() {
                    public List<String> procsFiles() {
                        return List.of("/sys/fs/cgroup/freezer/jcontainer-never-made/tasks");
                    }

                    public boolean deferred() {
                        return true;
                    }

                    public ContainerCgroup realize() {
                        throw new HostUnsupportedException("no cgroup for you", "a test");
                    }
                };
            }
        };
        var rt = new LinuxContainerRuntime(NativeSyscalls.INSTANCE, null, failing);
        TestRuns.sh("true"); // warm up once-per-JVM descriptors
        long fds = DescriptorTest.openFds();
        assertThatThrownBy(() -> rt.start(TestRuns.busybox().memoryLimit("64m").command("sleep", "100").build()))
                .isInstanceOf(HostUnsupportedException.class).hasMessageContaining("no cgroup for you");
        assertThat(Processes.leftovers()).as("the waiting child and its launcher are gone").isEmpty();
        assertThat(DescriptorTest.openFds()).isLessThanOrEqualTo(fds + 4); // this runtime's memfd, epoll, server socket, and its supervisor's exit eventfd
    }
}
