package io.jcontainer.linux.cgroup;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Namespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code jcontainer pause} of a later process relies on, against fixture hosts (no root):
 * every detached container gets a freezer, and the freezer is found again from the directories
 * state.json records.
 */
class PauseCgroupTest {
    @TempDir
    Path tmp;

    static ContainerSpec spec(boolean detached) {
        return Container.builder().command("/bin/true").detached(detached).build();
    }

    @Test
    void onlyADetachedContainerWithoutLimitsGetsACgroupThatIsAFreezer() {
        assertThat(CgroupManager.needsCgroup(spec(false))).isFalse();
        assertThat(CgroupManager.needsCgroup(spec(true))).isTrue();
        assertThat(CgroupManager.needsCgroup(Container.builder().command("/bin/true").removeNamespace(Namespace.PID).build())).isTrue();

        CgroupFixture f = CgroupFixture.hybrid(tmp, true);
        var m = new CgroupV1Manager(f.fs, f.host());
        assertThat(m.create("a".repeat(64), spec(false))).isNull();
        try (var cg = (LinuxContainerCgroup) m.create("b".repeat(64), spec(true))) {
            assertThat(cg.paths()).contains(tmp + "/sys/fs/cgroup/freezer/jcontainer-detached-bbbbbbbbbbbb");
            RecordedFreezer fr = RecordedFreezer.find(f.fs, cg.paths()).orElseThrow();
            assertThat(fr.path()).isEqualTo(tmp + "/sys/fs/cgroup/freezer/jcontainer-detached-bbbbbbbbbbbb");
            assertThat(fr.holdsKills()).isTrue();
            assertThat(fr.frozen()).isFalse();
            fr.freeze();
            assertThat(f.read("/sys/fs/cgroup/freezer/jcontainer-detached-bbbbbbbbbbbb/freezer.state")).isEqualTo("FROZEN");
            assertThat(fr.frozen()).isTrue();
            fr.thaw();
            assertThat(fr.frozen()).isFalse();
        }
    }

    @Test
    void onlyAnAttachedUnnamedContainerWithAPidNamespaceGetsItsFreezerAtTheFirstPause() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, true);
        var m = new CgroupV1Manager(f.fs, f.host());
        ContainerSpec limited = Container.builder().command("/bin/true").pidsLimit(10).build();
        var later = m.prepare("a".repeat(64), limited);
        assertThat(later.procsFiles()).as("the child moves into no freezer at start").noneMatch(p -> p.contains("/freezer/"));
        try (var cg = (LinuxContainerCgroup) later.realize()) {
            assertThat(cg.paths()).noneMatch(p -> p.contains("/freezer/"));
            cg.thaw(); // never paused: nothing to thaw
            assertThat(cg.paths()).noneMatch(p -> p.contains("/freezer/"));
        }
        // a later process may pause these through state.json, which lists what was made at start
        for (ContainerSpec s : List.of(limited.toBuilder().detached(true).build(), limited.toBuilder().name("web").build(),
                limited.toBuilder().removeNamespace(Namespace.PID).build())) {
            PreparedCgroup p = m.prepare("b".repeat(64), s);
            assertThat(p.procsFiles()).as(s.toString()).anyMatch(x -> x.contains("/freezer/"));
            p.realize().close();
        }
    }

    @Test
    void onV2TheContainerDirectoryIsTheFreezerAndKillsPassIt() {
        CgroupFixture f = CgroupFixture.v2(tmp);
        var m = new CgroupV2Manager(f.fs, f.host());
        try (var cg = (LinuxContainerCgroup) m.create("c".repeat(64), spec(true))) {
            RecordedFreezer fr = RecordedFreezer.find(f.fs, cg.paths()).orElseThrow();
            assertThat(fr.holdsKills()).isFalse();
            fr.freeze();
            assertThat(fr.frozen()).isTrue();
            fr.thaw();
            assertThat(fr.frozen()).isFalse();
        }
    }

    @Test
    void theSweepLeavesCgroupsOfDetachedContainersAlone() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, false);
        var m = new CgroupV1Manager(f.fs, f.host());
        // empty: between two restarts, or being started by a process with another state directory
        var cg = (LinuxContainerCgroup) m.create("e".repeat(64), spec(true));
        m.sweepStale(java.util.Set.of("eeeeeeeeeeee"));
        assertThat(cg.paths()).allSatisfy(d -> assertThat(Path.of(d)).isDirectory());
        m.sweepStale(); // their monitor removes them when the container ends for good (Op.RemoveOnExit)
        assertThat(cg.paths()).allSatisfy(d -> assertThat(Path.of(d)).isDirectory());
    }

    @Test
    void noFreezerAmongTheRecordedDirectoriesIsNone() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, false);
        assertThat(RecordedFreezer.find(f.fs, List.of())).isEmpty();
        assertThat(RecordedFreezer.find(f.fs, List.of(tmp + "/sys/fs/cgroup/pids"))).isEmpty();
    }

    @Test
    void aFreezeTheKernelDoesNotCompleteIsUndoneAndReported() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, false);
        var m = new CgroupV1Manager(f.fs, f.host());
        try (var cg = (LinuxContainerCgroup) m.create("d".repeat(64), spec(true))) {
            String state = "/sys/fs/cgroup/freezer/jcontainer-detached-dddddddddddd/freezer.state";
            // a fixture whose freezer stays FREEZING, as v1 does while a task sleeps uninterruptibly
            var stuck = new CgroupFs(null) {
                @Override
                public boolean exists(String path) {
                    return f.fs.exists(path);
                }

                @Override
                public String read(String path) {
                    return path.endsWith("freezer.state") && f.read(state).equals("FROZEN") ? "FREEZING\n" : f.fs.read(path);
                }

                @Override
                public void write(String path, String value) {
                    f.fs.write(path, value);
                }
            };
            RecordedFreezer fr = RecordedFreezer.find(stuck, cg.paths()).orElseThrow();
            assertThatThrownBy(fr::freeze).isInstanceOf(ContainerException.class).hasMessageContaining("did not freeze");
            assertThat(f.read(state)).isEqualTo("THAWED");
        }
    }
}
