package io.jcontainer.linux.plan;

import io.jcontainer.Capability;
import io.jcontainer.CapabilitySets;
import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Mount;
import io.jcontainer.Propagation;
import io.jcontainer.linux.rootfs.Passwd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static io.jcontainer.Namespace.*;
import static io.jcontainer.linux.plan.PlanCompilerTest.ROOT_HOST;
import static io.jcontainer.linux.plan.PlanCompilerTest.USER_HOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OCI parts of the model, compiled: which ops each one becomes, and what is refused by name. */
class OciPlanTest {
    @TempDir
    Path tmp;

    Plan compile(ContainerSpec.Builder b) {
        return compile(b, Passwd.User.ROOT);
    }

    Plan compile(ContainerSpec.Builder b, Passwd.User user) {
        return new PlanCompiler(ROOT_HOST).compile(b.build(), new PlanCompiler.Inputs(user, List.of(), null, 0, "abc"));
    }

    ContainerSpec.Builder spec() {
        return Container.builder().rootfs(tmp).namespaces(PID, NET, MNT, UTS, IPC).command("/bin/true");
    }

    @Test
    void aJoinedNetworkNamespaceIsEnteredFirstAndNotMade() {
        Plan p = compile(spec().joinNamespace(NET, "/run/netns/x"));
        assertThat(p.child().getFirst()).isEqualTo(new Op.Setns("/run/netns/x", (int) Plan.CLONE_NEWNET));
        assertThat(p.cloneFlags() & Plan.CLONE_NEWNET).isZero();
        assertThat(p.parent()).noneMatch(o -> o instanceof Op.NetHelper);
        assertThat(p.child()).noneMatch(o -> o instanceof Op.JoinNet || o instanceof Op.LoopbackUp);
        // sysfs is the joined namespace's own: mounted fresh after the join
        assertThat(p.child()).anyMatch(o -> o instanceof Op.Mount m && m.fstype().equals("sysfs"));
    }

    @Test
    void aJoinedUtsNamespaceKeepsItsNameUnlessOneIsGiven() {
        Plan p = compile(spec().joinNamespace(UTS, "/proc/7/ns/uts"));
        assertThat(p.cloneFlags() & Plan.CLONE_NEWUTS).isZero();
        assertThat(p.child()).noneMatch(o -> o instanceof Op.Hostname);
    }

    @Test
    void namespacesThatCannotBeJoinedAfterCloneAreRefusedByName() {
        // PID is joined by the launcher before clone (PlanCompilerTest); USER would have to come before the id maps
        assertThatThrownBy(() -> compile(spec().addNamespace(USER).joinNamespace(USER, "/proc/7/ns/user")))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("namespaces.user.path");
    }

    @Test
    void namespacedSysctlsAreWrittenUnderProcSysBeforeItTurnsReadOnly() {
        Plan p = compile(spec().sysctl("net.ipv4.ip_forward", "1").sysctl("kernel.shmmax", "65536"));
        int write = PlanCompilerTest.lastIndexOf(p.child(), o -> o instanceof Op.WriteFile w && w.path().equals("/proc/sys/net/ipv4/ip_forward"));
        int join = PlanCompilerTest.indexOf(p.child(), Op.JoinNet.class);
        int ro = PlanCompilerTest.lastIndexOf(p.child(), o -> o instanceof Op.Remount r && r.target().equals("/proc/sys"));
        assertThat(write).isGreaterThan(join).isLessThan(ro);
        assertThat(p.child()).anyMatch(o -> o instanceof Op.WriteFile w && w.path().equals("/proc/sys/kernel/shmmax")
                && new String(w.content()).equals("65536"));
    }

    @Test
    void sysctlsThatWouldChangeTheHostAreRefused() {
        assertThatThrownBy(() -> compile(spec().sysctl("vm.swappiness", "1"))).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("vm.swappiness").hasMessageContaining("not namespaced");
        assertThatThrownBy(() -> compile(spec().removeNamespace(NET).sysctl("net.ipv4.ip_forward", "1")))
                .hasMessageContaining("NET namespace");
        assertThatThrownBy(() -> compile(spec().removeNamespace(IPC).sysctl("kernel.shmmax", "1"))).hasMessageContaining("IPC");
    }

    @Test
    void umaskAndAdditionalGids() {
        Plan p = compile(spec().umask(077).additionalGids(44, 45), new Passwd.User(1000, 1000, List.of(1000), "/home/u"));
        assertThat(p.child()).contains(new Op.Umask(077), new Op.Setgroups(List.of(1000, 44, 45)));
        assertThat(compile(spec()).child()).contains(new Op.Umask(022));
    }

    @Test
    void explicitCapabilitySetsKeepCapsAcrossTheUidChange() {
        Set<Capability> nbs = Set.of(Capability.NET_BIND_SERVICE);
        Plan p = compile(spec().capabilitySets(new CapabilitySets(Capability.dockerDefaults(), nbs, nbs, nbs, nbs)),
                new Passwd.User(1000, 1000, List.of(), "/"));
        long bit = 1L << Capability.NET_BIND_SERVICE.number();
        int keep = PlanCompilerTest.indexOf(p.child(), Op.Keepcaps.class), setuid = PlanCompilerTest.indexOf(p.child(), Op.Setresuid.class);
        assertThat(keep).isNotNegative().isLessThan(setuid);
        assertThat(p.child()).contains(new Op.Caps(-1L, bit, bit, bit, bit));
        assertThatThrownBy(() -> compile(spec().capabilitySets(new CapabilitySets(Set.of(), nbs, null, nbs, null))))
                .hasMessageContaining("permitted within bounding");
    }

    @Test
    void anOverlayRootIsOneMountWithUserxattrInAUserNamespace() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("l")), upper = Files.createDirectories(tmp.resolve("u")),
                work = Files.createDirectories(tmp.resolve("w"));
        ContainerSpec.Builder b = Container.builder().rootOverlay(List.of(lower), upper, work).command("/bin/true");
        Plan p = new PlanCompiler(ROOT_HOST).compile(b.namespaces(PID, MNT).build(), new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), null, 0, "abc"));
        assertThat(p.child()).contains(new Op.Mount("overlay", "/run/jc/root", "overlay", Op.MS_NODEV,
                "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work, Op.NEW_ROOT));
        Plan rootless = new PlanCompiler(USER_HOST, io.jcontainer.linux.userns.SubordinateIds.NONE)
                .compile(b.namespaces(PID, MNT, USER).build(), new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), null, 0, "abc"));
        assertThat(rootless.child()).anyMatch(o -> o instanceof Op.Mount m && m.fstype().equals("overlay") && m.data().endsWith(",userxattr"));
    }

    @Test
    void aThrowAwayUpperIsVolatileAndARecordedContainersIsNot() throws Exception {
        Path lower = Files.createDirectories(tmp.resolve("l")), dir = tmp.resolve("c");
        var root = new io.jcontainer.Root.Overlay(List.of(lower), dir.resolve("upper"), dir.resolve("work"), false, true);
        ContainerSpec.Builder b = Container.builder().root(root).namespaces(PID, MNT).command("/bin/true");
        var in = new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), null, 0, "abc");
        // no sync of the whole upper file system when the overlay goes with the container's namespace
        assertThat(new PlanCompiler(ROOT_HOST).compile(b.build(), in).child())
                .anyMatch(o -> o instanceof Op.Mount m && m.fstype().equals("overlay") && m.data().endsWith(",volatile"));
        // a named (recorded) container may be started again on the same upper: volatile would refuse that mount
        assertThat(new PlanCompiler(ROOT_HOST).compile(b.name("kept").build(), in).child())
                .noneMatch(o -> o instanceof Op.Mount m && m.data().contains("volatile"));
        assertThat(PlanCompiler.atLeast("5.10.0-1-amd64", 5, 10)).isTrue();
        assertThat(PlanCompiler.atLeast("5.4.0", 5, 10)).isFalse();
        assertThat(PlanCompiler.atLeast("6.1", 5, 10)).isTrue();
    }

    @Test
    void rootfsPropagationMakesTheHostsRootSlaveAndAppliesToTheRoot() {
        Plan p = compile(spec().rootfsPropagation(Propagation.RSHARED));
        assertThat(p.child()).contains(new Op.Mount("", "/", "", Op.MS_REC | Op.MS_SLAVE, "", 0),
                new Op.Mount("", "/", "", Op.MS_REC | Op.MS_SHARED, "", Op.IN_ROOT)); // the root held, never its path again
        assertThat(p.child()).noneMatch(o -> o instanceof Op.MakePrivate);
        assertThat(compile(spec()).child()).contains(new Op.MakePrivate("/"));
    }

    @Test
    void genericMountOptionsBecomeFlagsDataAndPropagation() {
        Plan p = compile(spec().mount("tmpfs", "tmpfs", "/scratch", "size=1m", "noexec", "nosuid", "mode=700"));
        assertThat(p.child()).contains(new Op.Mount("tmpfs", "/scratch", "tmpfs", Op.MS_NOEXEC | Op.MS_NOSUID | Op.MS_NODEV,
                "size=1m,mode=700,nr_inodes=1024", Op.IN_ROOT | Op.MKDIR));
        Plan v = compile(spec().volume(tmp + ":/data:ro,rslave"));
        assertThat(v.child()).contains(new Op.Mount(tmp.toString(), "/data", "", Op.MS_BIND | Op.MS_REC | Op.MS_RDONLY | Op.MS_NODEV, "", Op.IN_ROOT | Op.MKDIR),
                new Op.Mount("", "/data", "", Op.MS_REC | Op.MS_SLAVE, "", Op.IN_ROOT));
        // rslave only means something if "/" is a slave of the host's: it is then
        assertThat(v.child()).contains(new Op.Mount("", "/", "", Op.MS_REC | Op.MS_SLAVE, "", 0));
        assertThat(compile(spec().volume(tmp + ":/data:z")).child()).anyMatch(o -> o instanceof Op.Mount m && m.target().equals("/data"));
    }

    @Test
    void mountOptionsTheRuntimeCannotHonourAreRefusedByName() {
        assertThatThrownBy(() -> compile(spec().mount("tmpfs", "tmpfs", "/t", "tmpcopyup"))).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("tmpcopyup");
        assertThatThrownBy(() -> compile(spec().mount(new Mount.Generic("/d", "bind", tmp.toString(), List.of("rbind", "size=1")))))
                .hasMessageContaining("size=1");
        assertThatThrownBy(() -> compile(spec().mount("bind", "relative", "/d", "rbind"))).hasMessageContaining("absolute source");
    }

    @Test
    void devicesAreBoundFromTheHostAndMustMatchIt() {
        Plan p = compile(spec().device("/dev/null:/dev/mynull"));
        assertThat(p.child()).contains(new Op.Mount("/dev/null", "/dev/mynull", "", Op.MS_BIND, "", Op.IN_ROOT | Op.MKFILE));
        assertThat(compile(spec().device(io.jcontainer.Device.node("/dev/null", 'c', 1, 3))).child())
                .contains(new Op.Mount("/dev/null", "/dev/null", "", Op.MS_BIND, "", Op.IN_ROOT | Op.MKFILE));
        assertThatThrownBy(() -> compile(spec().device(io.jcontainer.Device.node("/dev/null", 'c', 1, 5))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("1:3");
        assertThatThrownBy(() -> compile(spec().device(tmp + ":/dev/x"))).hasMessageContaining("not a device node");
    }
}
