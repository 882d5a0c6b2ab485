package io.jcontainer.linux.cgroup;

import io.jcontainer.ContainerSpec;
import io.jcontainer.DataSize;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Namespace;
import io.jcontainer.Resources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The v1, hybrid and v2 managers against temporary directories that mimic those hosts (no root needed). */
class CgroupFixtureTest {
    @TempDir
    Path tmp;

    static Resources limits(java.util.function.UnaryOperator<ContainerSpec.Builder> f) {
        return f.apply(io.jcontainer.Container.builder().command("/bin/true")).build().resources();
    }

    static final Resources MEM_CPU_PIDS = limits(b -> b.memoryLimit("100m").cpus(0.5).pidsLimit(64));

    @Test
    void detectsTheHybridLayoutAndTheJvmsOwnCgroupInEachHierarchy() {
        CgroupHost h = CgroupFixture.hybrid(tmp, true).host();
        assertThat(h.isV1()).isTrue();
        assertThat(h.v1().get("memory").dir()).isEqualTo(tmp + "/sys/fs/cgroup/memory/agent/a1");
        assertThat(h.v1().get("pids").dir()).isEqualTo(tmp + "/sys/fs/cgroup/pids");
        assertThat(h.unified().dir()).isEqualTo(tmp + "/sys/fs/cgroup/unified");
        assertThat(h.pid()).isEqualTo(CgroupFixture.PID);
        assertThat(h.startTime()).isEqualTo(CgroupFixture.START);
        assertThat(CgroupManager.detect(new CgroupFs(null), h)).isInstanceOf(CgroupV1Manager.class);
    }

    @Test
    void parsesCoMountedControllersMountRootsAndEscapes() {
        String mi = """
                35 31 0:31 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
                36 31 0:32 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd
                37 31 0:33 / /mnt/with\\040space rw - cgroup cgroup rw,pids
                """;
        String cg = "4:cpu,cpuacct:/docker/abc/sub\n3:name=systemd:/x\n2:pids:/p\n";
        CgroupHost h = CgroupHost.parse("", mi, cg, 1, 2);
        assertThat(h.v1().get("cpu").dir()).isEqualTo("/sys/fs/cgroup/cpu,cpuacct/sub");
        assertThat(h.v1().get("cpuacct")).isSameAs(h.v1().get("cpu"));
        assertThat(h.v1().get("pids").dir()).isEqualTo("/mnt/with space/p");
        assertThat(h.v1()).doesNotContainKey("name=systemd");
        assertThat(h.unified()).isNull();
    }

    @Test
    void v1CreatesOneLeafPerNeededHierarchyWritesLimitsAndRemovesThem() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, true);
        var m = new CgroupV1Manager(f.fs, f.host());
        String name = "jcontainer-4242.777-0123456789ab";
        // without the cgroup view: only the hierarchies the limits need (and the trackers)
        var plain = (LinuxContainerCgroup) m.create("0123456789abcdef", MEM_CPU_PIDS);
        assertThat(plain.paths()).containsExactly(
                f.path("/sys/fs/cgroup/memory/agent/a1/" + name), f.path("/sys/fs/cgroup/cpu/" + name),
                f.path("/sys/fs/cgroup/pids/" + name), f.path("/sys/fs/cgroup/devices/" + name),
                f.path("/sys/fs/cgroup/freezer/" + name), f.path("/sys/fs/cgroup/cpuacct/" + name));
        plain.close();
        var cg = (LinuxContainerCgroup) m.create("0123456789abcdef",
                io.jcontainer.Container.builder().rootfs(tmp).resources(MEM_CPU_PIDS).cgroupView().command("true").build());
        assertThat(cg.paths()).containsExactly(
                f.path("/sys/fs/cgroup/memory/agent/a1/" + name), f.path("/sys/fs/cgroup/cpu/" + name),
                f.path("/sys/fs/cgroup/pids/" + name),
                f.path("/sys/fs/cgroup/cpuset/" + name), // with limits and the view: every hierarchy a JVM inside looks in
                f.path("/sys/fs/cgroup/devices/" + name),
                f.path("/sys/fs/cgroup/freezer/" + name), f.path("/sys/fs/cgroup/cpuacct/" + name));
        assertThat(cg.procsFiles()).as("v1: the child moves itself through tasks").allMatch(p -> p.endsWith(name + "/tasks"));
        assertThat(f.fs.subdirs(f.path("/sys/fs/cgroup/unified"))).as("no cgroup.procs write on the start path").isEmpty();
        assertThat(f.read("/sys/fs/cgroup/memory/agent/a1/" + name + "/memory.limit_in_bytes")).isEqualTo("104857600");
        assertThat(f.read("/sys/fs/cgroup/cpu/" + name + "/cpu.cfs_quota_us")).isEqualTo("50000");
        assertThat(f.read("/sys/fs/cgroup/pids/" + name + "/pids.max")).isEqualTo("64");
        assertThat(f.read("/sys/fs/cgroup/devices/" + name + "/devices.deny")).isEqualTo("a\n");
        assertThat(f.read("/sys/fs/cgroup/devices/" + name + "/devices.allow")).contains("c 1:3 rwm\n", "c 136:* rwm\n").doesNotContain("b ");

        var s = cg.stats();
        assertThat(s.memoryBytes()).isEqualTo(1000);
        assertThat(s.memoryPeakBytes()).isEqualTo(2000);
        assertThat(s.cpuUserMicros()).isEqualTo(200);
        assertThat(s.cpuThrottledPeriods()).isEqualTo(4);
        assertThat(s.cpuThrottledMicros()).isEqualTo(5000);
        assertThat(s.pids()).isEqualTo(3);
        assertThat(cg.oomKilled()).isFalse();
        f.put("/sys/fs/cgroup/memory/agent/a1/" + name + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        assertThat(cg.oomKilled()).isTrue();

        cg.update(limits(b -> b.pidsLimit(10)));
        assertThat(f.read("/sys/fs/cgroup/pids/" + name + "/pids.max")).isEqualTo("10");
        // its cpuset cgroup exists (a container with limits and the view has one, as docker's), so it can be narrowed later
        cg.update(limits(b -> b.cpusetCpus("1")));
        assertThat(f.read("/sys/fs/cgroup/cpuset/" + name + "/cpuset.cpus")).isEqualTo("1");

        cg.close();
        cg.close();
        for (String p : cg.paths()) assertThat(Files.exists(Path.of(p))).isFalse();
    }

    @Test
    void pureV1TracksWithTheFreezerAndV1CpusetGetsBothSets() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, false);
        var m = new CgroupV1Manager(f.fs, f.host());
        var cg = (LinuxContainerCgroup) m.create("abcdefabcdef00", limits(b -> b.cpus("1")));
        String name = "jcontainer-4242.777-abcdefabcdef";
        assertThat(cg.paths()).contains(f.path("/sys/fs/cgroup/freezer/" + name), f.path("/sys/fs/cgroup/cpuset/" + name));
        assertThat(f.read("/sys/fs/cgroup/cpuset/" + name + "/cpuset.cpus")).isEqualTo("1");
        assertThat(f.read("/sys/fs/cgroup/cpuset/" + name + "/cpuset.mems")).as("copied from the parent").isEqualTo("0");
        cg.freeze();
        assertThat(f.read("/sys/fs/cgroup/freezer/" + name + "/freezer.state")).isEqualTo("FROZEN");
        cg.thaw();
        assertThat(f.read("/sys/fs/cgroup/freezer/" + name + "/freezer.state")).isEqualTo("THAWED");
        cg.close();
    }

    @Test
    void refusesBadLimitsBeforeCreatingAnything() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, true);
        var m = new CgroupV1Manager(f.fs, f.host());
        assertThatThrownBy(() -> m.create("x1", limits(b -> b.cpus("2,3"))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("CPUs 2-3").hasMessageContaining("available: 0-1");
        assertThatThrownBy(() -> m.create("x1", limits(b -> b.cpus("0-"))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("malformed list '0-'");
        assertThatThrownBy(() -> m.create("x1", limits(b -> b.cpus("1-0"))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("backwards");
        assertThatThrownBy(() -> m.create("x1", limits(b -> b.memoryLimit(DataSize.KB(512)))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("512k is below the minimum of 6m");
        assertThatThrownBy(() -> m.create("x1", limits(b -> b.cpus(0.001))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("0.01");
        assertThatThrownBy(() -> m.create("x1", limits(b -> b.deviceLimit(Resources.DeviceLimit.parse(Resources.DeviceLimit.Kind.READ_BPS, "/dev/nope:1m")))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("/dev/nope").hasMessageContaining("ENOENT");
        assertThatThrownBy(() -> m.create("x1", limits(b -> b.deviceLimit(Resources.DeviceLimit.parse(Resources.DeviceLimit.Kind.READ_BPS, "/dev/null:1m")))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("/dev/null is not a block device");
        assertThat(f.fs.subdirs(f.path("/sys/fs/cgroup/cpu"))).isEmpty();
        assertThat(f.fs.subdirs(f.path("/sys/fs/cgroup/unified"))).isEmpty();
    }

    @Test
    void aControllerThatIsNotMountedIsNamed() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, true);
        CgroupHost h = f.host();
        var without = new java.util.HashMap<>(h.v1());
        without.remove("pids");
        var m = new CgroupV1Manager(f.fs, new CgroupHost(h.root(), without, h.unified(), h.pid(), h.startTime()));
        assertThatThrownBy(() -> m.create("x1", limits(b -> b.pidsLimit(5))))
                .isInstanceOf(InvalidSpecException.class).hasMessage("pids-limit: the pids cgroup controller is not available on this host");
    }

    @Test
    void aCgroupIsMadeOnlyForLimitsOrWithoutAPidNamespace() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, true);
        var m = new CgroupV1Manager(f.fs, f.host());
        assertThat(m.create("x1", io.jcontainer.Container.builder().command("/bin/true").build())).isNull();
        var cg = (LinuxContainerCgroup) m.create("x2", io.jcontainer.Container.builder().command("/bin/true").removeNamespace(Namespace.PID)
                .removeNamespace(Namespace.USER).build()); // a root JVM's default, whoever runs the test
        assertThat(cg.paths()).containsExactly(f.path("/sys/fs/cgroup/devices/jcontainer-4242.777-x2"),
                f.path("/sys/fs/cgroup/freezer/jcontainer-4242.777-x2"), f.path("/sys/fs/cgroup/cpuacct/jcontainer-4242.777-x2"));
        cg.killAll(); // freeze, kill what cgroup.procs lists, thaw
        assertThat(f.read("/sys/fs/cgroup/freezer/jcontainer-4242.777-x2/freezer.state")).isEqualTo("THAWED");
        var userNs = (LinuxContainerCgroup) m.create("x3", io.jcontainer.Container.builder().command("/bin/true").addNamespace(Namespace.USER).pidsLimit(5).build());
        assertThat(userNs.paths()).as("no devices allowlist needed in a user namespace").noneMatch(p -> p.contains("/devices/"));
        userNs.close();
        cg.close();
    }

    @Test
    void sweepRemovesCgroupsOfDeadJvmsKeepsLiveOnesAndDetachedOnes() {
        CgroupFixture f = CgroupFixture.hybrid(tmp, true);
        CgroupHost h = f.host();
        var m = new CgroupV1Manager(f.fs, h);
        var mine = (LinuxContainerCgroup) m.create("aaaaaaaaaaaa", MEM_CPU_PIDS);
        f.process(5000, 1);
        var dead = new CgroupV1Manager(f.fs, new CgroupHost(h.root(), h.v1(), h.unified(), 5000, 2)); // pid reused: other start time
        var stale = (LinuxContainerCgroup) dead.create("bbbbbbbbbbbb", MEM_CPU_PIDS);
        var detachedBusy = (LinuxContainerCgroup) dead.create("cccccccccccc", MEM_CPU_PIDS, true);
        var detachedIdle = (LinuxContainerCgroup) dead.create("dddddddddddd", MEM_CPU_PIDS, true);
        f.put("/sys/fs/cgroup/pids/jcontainer-detached-cccccccccccc/cgroup.procs", "123\n");
        m.sweepStale();
        assertThat(mine.paths()).allMatch(p -> Files.exists(Path.of(p)));
        assertThat(stale.paths()).noneMatch(p -> Files.exists(Path.of(p)));
        assertThat(detachedIdle.paths()).as("their monitor's, not the sweep's").allMatch(p -> Files.exists(Path.of(p)));
        assertThat(f.path("/sys/fs/cgroup/pids/jcontainer-detached-cccccccccccc")).satisfies(p -> assertThat(Files.exists(Path.of(p))).isTrue());
        mine.close();
    }

    @Test
    void v2MovesTheJvmIntoALeafToEnableControllersThenCreatesContainersBesideIt() {
        CgroupFixture f = CgroupFixture.v2(tmp);
        CgroupHost h = f.host();
        assertThat(h.isV1()).isFalse();
        var m = (CgroupV2Manager) CgroupManager.detect(f.fs, h);
        String svc = "/sys/fs/cgroup/user.slice/app.service";
        assertThat(m.base()).isEqualTo(f.path(svc));
        var cg = (LinuxContainerCgroup) m.create("0123456789abcdef", MEM_CPU_PIDS);
        assertThat(f.read(svc + "/jcontainer-4242.777-jvm/cgroup.procs")).isEqualTo("4242\n");
        assertThat(f.read(svc + "/cgroup.procs")).isBlank();
        assertThat(f.read(svc + "/cgroup.subtree_control").strip().split(" ")).containsExactlyInAnyOrder("memory", "cpu", "pids");
        String d = svc + "/jcontainer-4242.777-0123456789ab";
        assertThat(cg.paths()).containsExactly(f.path(d));
        assertThat(f.read(d + "/memory.max")).isEqualTo("104857600");
        assertThat(f.read(d + "/cpu.max")).isEqualTo("50000 100000");
        assertThat(f.read(d + "/pids.max")).isEqualTo("64");
        var s = cg.stats();
        assertThat(s.memoryPeakBytes()).isEqualTo(2000);
        assertThat(s.cpuSystemMicros()).isEqualTo(100);
        assertThat(s.pids()).isEqualTo(1);
        cg.freeze();
        assertThat(f.read(d + "/cgroup.freeze")).isEqualTo("1");
        cg.thaw();
        cg.update(limits(b -> b.memoryLimit("200m").memorySwap(DataSize.MB(300))));
        assertThat(f.read(d + "/memory.max")).isEqualTo("209715200");
        assertThat(f.read(d + "/memory.swap.max")).isEqualTo("104857600");
        cg.close();
        assertThat(Files.exists(Path.of(f.path(d)))).isFalse();

        // a second runtime in the same JVM, which now lives in the leaf, still uses the service cgroup
        f.put("/proc/self/cgroup", "0::/user.slice/app.service/jcontainer-4242.777-jvm\n");
        assertThat(((CgroupV2Manager) CgroupManager.detect(f.fs, f.host())).base()).isEqualTo(f.path(svc));
        assertThatThrownBy(() -> m.create("x1", limits(b -> b.cpus("4-5"))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("available: 0-3");
    }

    @Test
    void v2WithoutAWritableCgroupRunsUnlimitedContainersButRefusesLimits() throws Exception {
        CgroupFixture f = CgroupFixture.v2(tmp);
        CgroupHost h = f.host();
        var ro = new CgroupV2Manager(new CgroupFs(null) {
            @Override
            public boolean writable(String dir) {
                return false;
            }
        }, h);
        assertThat(ro.create("x1", Resources.NONE)).isNull();
        assertThatThrownBy(() -> ro.create("x1", MEM_CPU_PIDS)).isInstanceOf(HostUnsupportedException.class)
                .hasMessageContaining("not writable").hasMessageContaining("Delegate=yes");
    }
}
