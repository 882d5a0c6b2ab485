package io.jcontainer.linux.userns;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.IdMap;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Namespace;
import io.jcontainer.linux.HostInfo;
import io.jcontainer.linux.plan.Op;
import io.jcontainer.linux.plan.Plan;
import io.jcontainer.linux.plan.PlanCompiler;
import io.jcontainer.linux.plan.PlanEncoder;
import io.jcontainer.linux.rootfs.Passwd;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The id-map policy of a non-root JVM, without root: which maps it writes itself, which go through newuidmap. */
class RootlessPlanTest {
    static final HostInfo NON_ROOT = new HostInfo(1000, 1000, 40, true, Path.of("/tmp/jc"), Path.of("/tmp/jc/root"),
            List.of(), List.of(), List.of());
    static final SubordinateIds SUB = new SubordinateIds(Path.of("/usr/bin/newuidmap"), Path.of("/usr/bin/newgidmap"),
            List.of(new IdMap(0, 100000, 65536)), List.of(new IdMap(0, 200000, 65536)));
    static final Passwd.User USER = new Passwd.User(1000, 1000, List.of(29), "/home/user");

    static ContainerSpec.Builder spec() {
        return Container.builder().addNamespace(Namespace.USER).command("/bin/true");
    }

    @Test
    void parsesSubuidByNameOrUid() {
        String text = "# comment\nalice:100000:65536\n1000:300000:10\nbob:165536:65536\nbroken line\nalice:x:1\n";
        assertThat(SubordinateIds.parse(text, "alice", 1000)).containsExactly(new IdMap(0, 100000, 65536), new IdMap(0, 300000, 10));
        assertThat(SubordinateIds.parse(text, "carol", 1001)).isEmpty();
    }

    @Test
    void rootPayloadUsesTheSingleOwnIdMapWrittenByTheLauncher() {
        Plan p = new PlanCompiler(NON_ROOT, SUB).compile(spec().build(), PlanCompiler.Inputs.of(Passwd.User.ROOT));
        assertThat(p.parent()).containsExactly(new Op.NetHelper(true), new Op.WritePid("/proc/%p/setgroups", "deny"),
                new Op.WritePid("/proc/%p/uid_map", "0 1000 1\n"), new Op.WritePid("/proc/%p/gid_map", "0 1000 1\n"));
    }

    /**
     * On an ordinary user's network the launcher joins the rootless holder's user namespace before
     * clone (first of its pre ops), so everything clone and the network helper make is owned by it:
     * no new user namespace, no maps to write, a helper that does not join one again.
     */
    @Test
    void aJoinedUserNamespaceIsEnteredBeforeCloneAndGetsNoMaps() {
        var in = PlanCompiler.Inputs.of(Passwd.User.ROOT).withJoinedUserns("/proc/42/fd/7");
        Plan p = new PlanCompiler(NON_ROOT, SUB).compile(spec().build(), in);
        assertThat(p.pre().getFirst()).isEqualTo(new Op.Setns("/proc/42/fd/7", (int) Plan.CLONE_NEWUSER));
        assertThat(p.cloneFlags() & Plan.CLONE_NEWUSER).isZero();
        assertThat(p.cloneFlags() & Plan.CLONE_NEWPID).isNotZero();
        assertThat(p.parent()).containsExactly(new Op.NetHelper(false));
        assertThat(PlanEncoder.encode(p)).isNotEmpty();
        // its maps are the user's own id only: a payload user that would need newuidmap is refused by name
        assertThatThrownBy(() -> new PlanCompiler(NON_ROOT, SUB).compile(spec().build(), PlanCompiler.Inputs.of(USER).withJoinedUserns("/proc/42/fd/7")))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("network's user namespace");
    }

    @Test
    void nonRootPayloadGetsTheSubordinateRangeThroughNewuidmap() {
        Plan p = new PlanCompiler(NON_ROOT, SUB).compile(spec().build(), PlanCompiler.Inputs.of(USER));
        assertThat(p.parent()).hasSize(2);
        assertThat(p.parent().getFirst()).isEqualTo(new Op.NetHelper(true));
        assertThat(p.parent().getLast()).isInstanceOfSatisfying(Op.Hook.class, h -> {
            assertThat(h.point()).isEqualTo(io.jcontainer.linux.plan.HookPoint.CREATE_RUNTIME);
            assertThat(h.flags()).as("the JVM needs the pid").isEqualTo(Op.Hook.REPORT);
        });
        var maps = new PlanCompiler(NON_ROOT, SUB).idMapsViaHelper(spec().build(), USER).orElseThrow();
        assertThat(maps.uid()).containsExactly(new IdMap(0, 1000, 1), new IdMap(1, 100000, 65536));
        assertThat(maps.gid()).containsExactly(new IdMap(0, 1000, 1), new IdMap(1, 200000, 65536));
        assertThat(p.child()).contains(new Op.Setgroups(List.of(29)), new Op.Setresuid(1000));
        assertThat(PlanEncoder.encode(p)).isNotEmpty();
    }

    @Test
    void explicitMapOutsideTheRangesIsRefused() {
        var s = spec().uidMap(new IdMap(0, 1000, 1), new IdMap(1, 5000, 10)).build();
        assertThatThrownBy(() -> new PlanCompiler(NON_ROOT, SUB).compile(s, PlanCompiler.Inputs.of(Passwd.User.ROOT)))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("/etc/subuid").hasMessageContaining("5000");
    }

    @Test
    void wideMapWithoutTheHelpersNamesThePackage() {
        var s = spec().uidMap(new IdMap(0, 1000, 1), new IdMap(1, 100000, 10)).build();
        assertThatThrownBy(() -> new PlanCompiler(NON_ROOT, SubordinateIds.NONE).compile(s, PlanCompiler.Inputs.of(Passwd.User.ROOT)))
                .isInstanceOf(HostUnsupportedException.class).hasMessageContaining("newuidmap").hasMessageContaining("uidmap");
    }

    @Test
    void unmappedPayloadUserWithoutRangesIsAClearError() {
        assertThatThrownBy(() -> new PlanCompiler(NON_ROOT, SubordinateIds.NONE).compile(spec().build(), PlanCompiler.Inputs.of(USER)))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("uid 1000 is not mapped");
    }

    @Test
    void unprivilegedRangeIsTheDedicatedUsersElseJcontainersOwn() {
        var own = io.jcontainer.linux.userns.SubordinateIds.unprivileged("alice:100000:65536\n", "");
        assertThat(own.get(0)).containsExactly(new io.jcontainer.IdMap(0, 2147418112L, 65536));
        assertThat(own.get(1)).containsExactly(new io.jcontainer.IdMap(0, 2147418112L, 65536));
        var dedicated = io.jcontainer.linux.userns.SubordinateIds.unprivileged("jcontainer:500000:200000\n", "jcontainer:600000:1000\n");
        assertThat(dedicated.get(0)).containsExactly(new io.jcontainer.IdMap(0, 500000, 65536));
        assertThat(dedicated.get(1)).containsExactly(new io.jcontainer.IdMap(0, 600000, 1000));
    }
}
