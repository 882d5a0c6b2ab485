package io.jcontainer.linux.plan;

import io.jcontainer.Container;
import io.jcontainer.IdMap;
import io.jcontainer.Namespace;
import io.jcontainer.linux.HostInfo;
import io.jcontainer.linux.rootfs.Passwd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The plan-level half of the attack suite's fixes, without root. */
class HardeningPlanTest {
    static final HostInfo ROOT = new HostInfo(0, 0, 40, true, Path.of("/run/jc"), Path.of("/run/jc/root"), List.of(), List.of(), List.of());

    @TempDir
    Path dir;

    private Plan plan(io.jcontainer.ContainerSpec.Builder b) {
        return new PlanCompiler(ROOT).compile(b.command("/bin/true").build(), PlanCompiler.Inputs.of(Passwd.User.ROOT));
    }

    private static Op.Mount mountOf(Plan p, String target) {
        return p.child().stream().filter(o -> o instanceof Op.Mount m && m.target().equals(target)).map(Op.Mount.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no mount on " + target + " in " + p.child()));
    }

    /** Row 15: every writable place a payload can mknod in is nodev. */
    @Test
    void writableMountsAreNodev() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("vol"));
        Plan p = plan(Container.builder().rootfs(dir).bind(dir.resolve("vol"), "/vol").tmpfs("/data"));
        assertThat(p.child().stream().filter(o -> o instanceof Op.Mount m && (m.mflags() & Op.NEW_ROOT) != 0).findFirst().orElseThrow())
                .isInstanceOfSatisfying(Op.Mount.class, m -> assertThat(m.flags() & Op.MS_NODEV).isNotZero());
        for (String t : List.of("/dev", "/dev/shm", "/vol", "/data"))
            assertThat(mountOf(p, t).flags() & Op.MS_NODEV).as(t).isNotZero();
    }

    /** Rows 8/9: the host's /sys is bound recursively and read-only (the launcher applies it to every submount). */
    @Test
    void hostSysIsRecursiveReadOnly() {
        Op.Mount sys = mountOf(plan(Container.builder().rootfs(dir).removeNamespace(Namespace.NET)), "/sys");
        assertThat(sys.flags() & (Op.MS_BIND | Op.MS_REC | Op.MS_RDONLY)).isEqualTo(Op.MS_BIND | Op.MS_REC | Op.MS_RDONLY);
    }

    /**
     * With a wide map the child becomes the namespace's root right after the new root is open,
     * before it creates anything in it; every host path a later mount needs was opened before
     * the switch (the switched ids may not traverse root-only host directories).
     */
    @Test
    void wideMapBecomesNamespaceRootOnceTheRootIsOpen() {
        Plan p = plan(Container.builder().rootfs(dir).addNamespace(Namespace.USER)
                .uidMap(new IdMap(0, 100000, 65536)).gidMap(new IdMap(0, 100000, 65536)));
        java.util.List<Op> c = p.child();
        int open = -1;
        for (int i = 0; i < c.size(); i++) if (c.get(i) instanceof Op.Mount m && (m.mflags() & Op.NEW_ROOT) != 0) open = i;
        assertThat(open).isPositive();
        assertThat(c.subList(open + 1, open + 3)).containsExactly(new Op.Setresgid(0), new Op.Setresuid(0));
        assertThat(c.subList(0, open)).anyMatch(o -> o instanceof Op.Hold h && h.path().equals("/dev/null"));
        for (Op o : c.subList(open + 3, c.size()))
            if (o instanceof Op.Mount m && (m.flags() & Op.MS_BIND) != 0)
                assertThat(m.source()).as("bind after the switch uses a held source").startsWith("@");
        assertThat(p.parent()).contains(new Op.WritePid("/proc/%p/uid_map", "0 100000 65536\n"));
    }

    /** UNTRUSTED from a root JVM: the container's root is an unprivileged host id, not host root. */
    @Test
    void untrustedFromRootMapsToAnUnprivilegedRange() {
        long base = io.jcontainer.linux.userns.SubordinateIds.unprivileged().get(0).getFirst().hostId();
        Plan p = plan(Container.builder().rootfs(dir).profile(io.jcontainer.Profile.UNTRUSTED));
        assertThat(p.parent()).contains(new Op.WritePid("/proc/%p/uid_map", "0 " + base + " 65536\n"));
        assertThat(base).isNotZero();
        Plan plain = plan(Container.builder().rootfs(dir).addNamespace(Namespace.USER));
        assertThat(plain.parent()).contains(new Op.WritePid("/proc/%p/uid_map", "0 0 1\n"));
    }
}
