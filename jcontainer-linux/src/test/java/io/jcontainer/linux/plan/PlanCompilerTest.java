package io.jcontainer.linux.plan;

import io.jcontainer.Capability;
import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.IdMap;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Namespace;
import io.jcontainer.linux.HostInfo;
import io.jcontainer.linux.rootfs.Passwd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.jcontainer.Namespace.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The compiler's policy, without root: what ops, in which order, for which spec. */
class PlanCompilerTest {
    static final HostInfo ROOT_HOST = host(0);
    static final HostInfo USER_HOST = host(1000);

    @TempDir
    Path tmp;

    static HostInfo host(int uid) {
        return new HostInfo(uid, uid, 40, true, Path.of("/run/jc"), Path.of("/run/jc/root"), List.of(),
                List.of(new HostInfo.HostDir("/usr", null), new HostInfo.HostDir("/bin", "usr/bin")), List.of());
    }

    /** Without the host's /etc/subuid and newuidmap: the policy alone, whoever runs the test. */
    Plan compile(HostInfo host, ContainerSpec.Builder b) {
        return new PlanCompiler(host, io.jcontainer.linux.userns.SubordinateIds.NONE).compile(b.build(), new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), null, 0, "abc"));
    }

    /**
     * A spec with a root JVM's default namespaces whoever runs the test (the builder adds USER
     * for a JVM whose user is not root: these tests compile for the hosts they name).
     */
    static ContainerSpec.Builder builder() {
        return Container.builder().removeNamespace(io.jcontainer.Namespace.USER).command("/bin/true");
    }

    ContainerSpec.Builder spec() {
        return builder().rootfs(tmp);
    }

    static int indexOf(List<Op> ops, Class<? extends Op> type) {
        for (int i = 0; i < ops.size(); i++) if (type.isInstance(ops.get(i))) return i;
        return -1;
    }

    static int lastIndexOf(List<Op> ops, java.util.function.Predicate<Op> p) {
        for (int i = ops.size() - 1; i >= 0; i--) if (p.test(ops.get(i))) return i;
        return -1;
    }

    @Test
    void aJoinedPidNamespaceIsEnteredByTheLauncherBeforeClone() {
        Plan p = compile(ROOT_HOST, spec().joinNamespace(PID, "/proc/42/ns/pid"));
        assertThat(p.cloneFlags() & Plan.CLONE_NEWPID).isZero();
        assertThat(p.pre()).contains(new Op.Setns("/proc/42/ns/pid", (int) Plan.CLONE_NEWPID));
        assertThat(p.child()).doesNotContain(new Op.Setns("/proc/42/ns/pid", (int) Plan.CLONE_NEWPID));
        // an init must be PID 1 of its own namespace
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> compile(ROOT_HOST, spec().joinNamespace(PID, "/proc/42/ns/pid").init(true)))
                .hasMessageContaining("init");
    }

    @Test
    void cloneFlagsFollowTheNamespaces() {
        Plan p = new PlanCompiler(ROOT_HOST).netHelper(false).compile(spec().namespaces(PID, NET, MNT, UTS, IPC, USER).build(),
                new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), null, 0, "abc"));
        assertThat(p.cloneFlags()).isEqualTo(Plan.CLONE_NEWPID | Plan.CLONE_NEWNET | Plan.CLONE_NEWNS | Plan.CLONE_NEWUTS
                | Plan.CLONE_NEWIPC | Plan.CLONE_NEWUSER);
        assertThat(p.child()).contains(new Op.LoopbackUp()).doesNotContain(new Op.JoinNet());
        assertThat(p.flags() & Plan.NET_HELPER).isZero();
        // the cgroup namespace is entered by the child after placement, not at clone
        Plan withCgroup = compile(ROOT_HOST, spec().namespaces(MNT, CGROUP));
        assertThat(withCgroup.cloneFlags()).isEqualTo(Plan.CLONE_NEWNS);
        assertThat(withCgroup.child().getFirst()).isEqualTo(new Op.Unshare((int) Plan.CLONE_NEWCGROUP, "cgroup"));
    }

    @Test
    void aHelperMakesTheNetworkNamespaceBesideTheChildWhichJoinsItBeforeSysfs() {
        Plan p = compile(ROOT_HOST, spec().namespaces(PID, NET, MNT, UTS, IPC, USER)
                .mount(io.jcontainer.Mount.tmpfs("/sys/fs/x")).mount(io.jcontainer.Mount.tmpfs("/data")));
        assertThat(p.cloneFlags() & Plan.CLONE_NEWNET).as("not made by clone3").isZero();
        assertThat(p.flags() & Plan.NET_HELPER).isNotZero();
        assertThat(p.parent().getFirst()).as("first, so it overlaps the rest").isEqualTo(new Op.NetHelper(true));
        List<Op> c = p.child();
        assertThat(c).doesNotContain(new Op.LoopbackUp());
        int join = indexOf(c, Op.JoinNet.class);
        int sysfs = lastIndexOf(c, o -> o instanceof Op.Mount m && m.fstype().equals("sysfs"));
        assertThat(join).as("joined just before sysfs, which is tagged with the mounter's netns").isEqualTo(sysfs - 1);
        // what needs no network namespace comes first, what lies under /sys after sysfs
        assertThat(lastIndexOf(c, o -> o instanceof Op.Mount m && m.target().equals("/data"))).isLessThan(join);
        assertThat(lastIndexOf(c, o -> o.equals(new Op.MaskPath("/proc/kcore")))).isLessThan(join);
        assertThat(lastIndexOf(c, o -> o instanceof Op.Mount m && m.target().equals("/sys/fs/x"))).isGreaterThan(sysfs);
        assertThat(lastIndexOf(c, o -> o.equals(new Op.MaskPath("/sys/firmware")))).isGreaterThan(sysfs);
        assertThat(join).isLessThan(indexOf(c, Op.PivotRoot.class));
        // without a user namespace the helper stays in the host's
        assertThat(compile(ROOT_HOST, spec().namespaces(PID, NET, MNT)).parent().getFirst()).isEqualTo(new Op.NetHelper(false));
    }

    @Test
    void sysFsCgroupShowsTheContainersOwnCgroupsReadOnly() {
        long ro = Op.MS_BIND | Op.MS_RDONLY | Op.MS_NOSUID | Op.MS_NODEV | Op.MS_NOEXEC;
        List<String> v1 = List.of("/sys/fs/cgroup/memory/jc-x/tasks", "/sys/fs/cgroup/cpu,cpuacct/jc-x/tasks");
        ContainerSpec s = spec().namespaces(PID, NET, MNT, CGROUP).cgroupView().build();
        var in = new PlanCompiler.Inputs(Passwd.User.ROOT, v1, null, 0, "abc");
        assertThat(PlanCompiler.cgroupFsOps(s, in)).containsExactly(
                new Op.Mount("tmpfs", "/sys/fs/cgroup", "tmpfs", Op.MS_NOSUID | Op.MS_NODEV | Op.MS_NOEXEC, "mode=0755,size=64k", Op.IN_ROOT),
                new Op.Mount("/sys/fs/cgroup/memory/jc-x", "/sys/fs/cgroup/memory", "", ro, "", Op.IN_ROOT | Op.MKDIR),
                new Op.Mount("/sys/fs/cgroup/cpu,cpuacct/jc-x", "/sys/fs/cgroup/cpu,cpuacct", "", ro, "", Op.IN_ROOT | Op.MKDIR),
                new Op.Symlink("cpu,cpuacct", "/sys/fs/cgroup/cpu"), new Op.Symlink("cpu,cpuacct", "/sys/fs/cgroup/cpuacct"),
                new Op.Remount("/sys/fs/cgroup", Op.MS_RDONLY | Op.MS_NOSUID | Op.MS_NODEV | Op.MS_NOEXEC, Op.IN_ROOT | Op.NO_SELF_BIND));
        // v2: the container's cgroup is the whole tree
        var v2 = new PlanCompiler.Inputs(Passwd.User.ROOT, List.of("/sys/fs/cgroup/jc/x/cgroup.procs"), null, 0, "abc");
        assertThat(PlanCompiler.cgroupFsOps(s, v2)).containsExactly(new Op.Mount("/sys/fs/cgroup/jc/x", "/sys/fs/cgroup", "", ro, "", Op.IN_ROOT));
        // no cgroups of its own, or a mount of its own there: nothing of ours
        assertThat(PlanCompiler.cgroupFsOps(s, new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), null, 0, "abc"))).isEmpty();
        ContainerSpec own = spec().namespaces(PID, NET, MNT, CGROUP).cgroupView().mount(io.jcontainer.Mount.tmpfs("/sys/fs/cgroup/x")).build();
        assertThat(PlanCompiler.cgroupFsOps(own, in)).isEmpty();
        // OCI's "cgroup" mount (runc spec writes one) is the same request
        ContainerSpec oci = spec().namespaces(PID, NET, MNT, CGROUP).mount(new io.jcontainer.Mount.Generic("/sys/fs/cgroup", "cgroup", "cgroup",
                List.of("ro"))).build();
        assertThat(PlanCompiler.cgroupFsOps(oci, in)).isEqualTo(PlanCompiler.cgroupFsOps(s, in));
    }

    @Test
    void theCgroupViewIsOptInSoALibraryStartWithLimitsPaysNoMountsForIt() {
        var in = new PlanCompiler.Inputs(Passwd.User.ROOT, List.of("/sys/fs/cgroup/memory/jc-x/tasks"), null, 0, "abc");
        ContainerSpec plain = spec().namespaces(PID, NET, MNT, CGROUP).build();
        assertThat(plain.cgroupView()).isFalse();
        assertThat(PlanCompiler.cgroupFsOps(plain, in)).isEmpty();
        Plan p = new PlanCompiler(ROOT_HOST).compile(plain, in);
        assertThat(p.child()).noneMatch(o -> o instanceof Op.Mount m && m.target().startsWith("/sys/fs/cgroup"));
        // and the view's own mount entry compiles to nothing of its own: cgroupFsOps does the work
        Plan viewed = new PlanCompiler(ROOT_HOST).compile(spec().namespaces(PID, NET, MNT, CGROUP).cgroupView().build(), in);
        assertThat(viewed.child()).noneMatch(o -> o instanceof Op.Mount m && "cgroup".equals(m.fstype()));
    }

    @Test
    void deferredCgroupsAreJoinedAfterTheJvmsGoAheadJustBeforePivotRoot() {
        List<String> tasks = List.of("/sys/fs/cgroup/memory/jc-x/tasks", "/sys/fs/cgroup/pids/jc-x/tasks");
        ContainerSpec s = spec().namespaces(PID, NET, MNT, USER, CGROUP).build();
        PlanCompiler.Inputs in = new PlanCompiler.Inputs(Passwd.User.ROOT, tasks, null, 0, "abc", true);
        assertThat(new PlanCompiler(ROOT_HOST).defersCgroups(s, in)).isTrue();
        Plan p = new PlanCompiler(ROOT_HOST).compile(s, in);
        List<Op> c = p.child();
        int await = stopAt(c, HookPoint.CREATE_CONTAINER), pivot = indexOf(c, Op.PivotRoot.class);
        assertThat(((Op.Hook) c.get(await)).flags()).as("the JVM answers unasked: no report, no round trip").isZero();
        assertThat(c.subList(await + 1, await + 4)).containsExactly(new Op.WritePid(tasks.get(0), "0"),
                new Op.WritePid(tasks.get(1), "0"), new Op.Unshare((int) Plan.CLONE_NEWCGROUP, "cgroup"));
        assertThat(c.subList(await + 4, pivot)).as("then /sys/fs/cgroup: the cgroups exist by now").isEqualTo(PlanCompiler.cgroupFsOps(s, in));
        assertThat(lastIndexOf(c.subList(0, await + 4), o -> o instanceof Op.Mount || o instanceof Op.MaskPath)).as("after every mount but /sys/fs/cgroup's")
                .isLessThan(await);

        // not deferred: when the namespace's root is not the host's (it could not write the host's tasks files late) ...
        ContainerSpec mappedSpec = spec().namespaces(PID, MNT, USER).uidMap(new io.jcontainer.IdMap(0, 100000, 65536))
                .gidMap(new io.jcontainer.IdMap(0, 100000, 65536)).build();
        assertThat(new PlanCompiler(ROOT_HOST).defersCgroups(mappedSpec, in)).isFalse();
        Plan mapped = new PlanCompiler(ROOT_HOST).compile(mappedSpec, in);
        assertThat(stopAt(mapped.child(), HookPoint.CREATE_CONTAINER)).isNegative();
        assertThat(mapped.child().getFirst()).isEqualTo(new Op.WritePid(tasks.get(0), "0"));
        // ... or for v2's cgroup.procs, which the launcher writes before the child goes
        Plan v2 = new PlanCompiler(ROOT_HOST).compile(spec().namespaces(PID, MNT).build(),
                new PlanCompiler.Inputs(Passwd.User.ROOT, List.of("/sys/fs/cgroup/jc-x/cgroup.procs"), null, 0, "abc", true));
        assertThat(v2.child()).noneMatch(Op.Hook.class::isInstance);
    }

    @Test
    void hookStopsAreWhereTheirPointsAreAndOnlyWhereWorkIsRegistered() {
        ContainerSpec s = spec().namespaces(PID, NET, MNT, USER).build();
        Plan none = new PlanCompiler(ROOT_HOST).compile(s, PlanCompiler.Inputs.of(Passwd.User.ROOT));
        assertThat(none.parent()).as("no work registered: no stop, nothing to wait for").noneMatch(Op.Hook.class::isInstance);
        assertThat(none.child()).noneMatch(Op.Hook.class::isInstance);

        Map<HookPoint, Op.Hook> stops = Map.of(
                HookPoint.CREATE_RUNTIME, new Op.Hook(HookPoint.CREATE_RUNTIME, Op.Hook.REPORT, "a"),
                HookPoint.CREATE_CONTAINER, new Op.Hook(HookPoint.CREATE_CONTAINER, Op.Hook.REPORT, "b"),
                HookPoint.START_CONTAINER, new Op.Hook(HookPoint.START_CONTAINER, Op.Hook.REPORT | Op.Hook.FIFO, "c"));
        Plan p = new PlanCompiler(ROOT_HOST).compile(s, PlanCompiler.Inputs.of(Passwd.User.ROOT).withStops(stops));
        assertThat(p.parent().getLast()).as("after the id maps").isEqualTo(stops.get(HookPoint.CREATE_RUNTIME));
        List<Op> c = p.child();
        int pivot = indexOf(c, Op.PivotRoot.class);
        assertThat(c.get(pivot - 1)).isEqualTo(stops.get(HookPoint.CREATE_CONTAINER));
        assertThat(c.subList(pivot + 1, pivot + 4)).containsExactly(new Op.Chdir("/"), stops.get(HookPoint.START_CONTAINER), new Op.Setsid());
        assertThat(PlanEncoder.encode(p)).isNotEmpty();
    }

    static int stopAt(List<Op> ops, HookPoint point) {
        for (int i = 0; i < ops.size(); i++) if (ops.get(i) instanceof Op.Hook h && h.point() == point) return i;
        return -1;
    }

    @Test
    void setupReadsTopToBottom() {
        List<Op> c = compile(ROOT_HOST, spec().namespaces(PID, NET, MNT, UTS, IPC)).child();
        int makePrivate = indexOf(c, Op.MakePrivate.class);
        int firstMount = indexOf(c, Op.Mount.class);
        int pivot = indexOf(c, Op.PivotRoot.class);
        int lastMount = lastIndexOf(c, o -> o instanceof Op.Mount || o instanceof Op.MaskPath || o instanceof Op.Remount);
        int setuid = indexOf(c, Op.Setresuid.class);
        int firstCaps = indexOf(c, Op.Caps.class);
        int close = indexOf(c, Op.CloseFds.class);
        assertThat(makePrivate).as("propagation private before any mount").isLessThan(firstMount);
        assertThat(lastMount).as("every mount before pivot_root").isLessThan(pivot);
        assertThat(firstCaps).as("bounding set dropped while still privileged").isLessThan(setuid);
        assertThat(close).isEqualTo(c.size() - 2);
        assertThat(c.getLast()).isInstanceOf(Op.Exec.class);
        assertThat(c).contains(new Op.JoinNet(), new Op.Hostname("abc"), new Op.Setsid());
    }

    @Test
    void rootfsIsBoundOnTheSharedMountPointAndEveryTargetStaysInside() {
        List<Op> c = compile(ROOT_HOST, spec()).child();
        // nodev: device nodes shipped in an image must not be usable (SECURITY.md row 15, 31)
        // NEW_ROOT: the mount point is opened once (O_NOFOLLOW) and the tree attached by descriptor (row 35)
        assertThat(c).contains(new Op.Mount(tmp.toString(), "/run/jc/root", "", Op.MS_BIND | Op.MS_REC | Op.MS_NODEV, "", Op.NEW_ROOT),
                new Op.PivotRoot("/run/jc/root"));
        for (Op op : c)
            if (op instanceof Op.Mount m && !m.target().equals("/run/jc/root"))
                assertThat(m.mflags() & Op.IN_ROOT).as("in-root resolution of " + m).isNotZero();
    }

    @Test
    void procDevAndSysAreFreshAndMinimal() {
        List<Op> c = compile(ROOT_HOST, spec()).child();
        assertThat(c).contains(new Op.Mount("proc", "/proc", "proc", Op.MS_NOSUID | Op.MS_NODEV | Op.MS_NOEXEC, "", Op.IN_ROOT | Op.MKDIR));
        List<String> devices = c.stream().filter(o -> o instanceof Op.Mount m && m.source().startsWith("/dev/"))
                .map(o -> ((Op.Mount) o).target()).toList();
        assertThat(devices).containsExactly("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty");
        assertThat(c).contains(new Op.Symlink("pts/ptmx", "/dev/ptmx"), new Op.Symlink("/proc/self/fd", "/dev/fd"));
        assertThat(c).anyMatch(o -> o instanceof Op.Mount m && m.fstype().equals("sysfs") && (m.flags() & Op.MS_RDONLY) != 0);
        assertThat(c).contains(new Op.MaskPath("/proc/kcore"), new Op.MaskPath("/sys/firmware"));
    }

    @Test
    void withoutNetNamespaceSysIsTheHostsBoundReadOnly() {
        List<Op> c = compile(ROOT_HOST, spec().namespaces(PID, MNT)).child();
        assertThat(c).noneMatch(o -> o instanceof Op.Mount m && m.fstype().equals("sysfs"));
        assertThat(c).anyMatch(o -> o instanceof Op.Mount m && m.source().equals("/sys") && (m.flags() & Op.MS_RDONLY) != 0);
        assertThat(c).doesNotContain(new Op.LoopbackUp());
    }

    @Test
    void readOnlyRootIsRemountedLastBeforePivot() {
        List<Op> c = compile(ROOT_HOST, spec().readOnlyRoot(true)).child();
        int ro = c.indexOf(new Op.Remount("/", Op.MS_RDONLY, Op.IN_ROOT | Op.NO_SELF_BIND));
        assertThat(ro).isPositive();
        assertThat(c.get(ro + 1)).isInstanceOf(Op.PivotRoot.class);
    }

    @Test
    void userNamespaceMapsRootToTheCallerByDefault() {
        Plan asRoot = compile(ROOT_HOST, spec().namespaces(MNT, USER));
        assertThat(asRoot.parent()).containsExactly(new Op.WritePid("/proc/%p/uid_map", "0 0 1\n"),
                new Op.WritePid("/proc/%p/gid_map", "0 0 1\n"));
        Plan asUser = compile(USER_HOST, spec().namespaces(MNT, USER));
        assertThat(asUser.parent()).containsExactly(new Op.WritePid("/proc/%p/setgroups", "deny"),
                new Op.WritePid("/proc/%p/uid_map", "0 1000 1\n"), new Op.WritePid("/proc/%p/gid_map", "0 1000 1\n"));
        // setgroups(2) is denied in that namespace, so the child must not call it
        assertThat(asUser.child()).noneMatch(o -> o instanceof Op.Setgroups);
    }

    @Test
    void explicitMapsAreWrittenInOneGo() {
        Plan p = compile(ROOT_HOST, spec().namespaces(MNT, USER).uidMap(new IdMap(0, 100000, 65536))
                .gidMap(new IdMap(0, 100000, 65536), new IdMap(65536, 5, 1)));
        assertThat(p.parent()).containsExactly(new Op.WritePid("/proc/%p/uid_map", "0 100000 65536\n"),
                new Op.WritePid("/proc/%p/gid_map", "0 100000 65536\n65536 5 1\n"));
    }

    @Test
    void nonRootCannotMapOtherIdsWithoutHelpers() {
        assertThatThrownBy(() -> compile(USER_HOST, spec().namespaces(MNT, USER).uidMap(new IdMap(0, 100000, 65536))))
                .isInstanceOf(io.jcontainer.HostUnsupportedException.class).hasMessageContaining("(uid 1000) can map only its own uid")
                .hasMessageContaining("newuidmap");
        assertThatThrownBy(() -> compile(USER_HOST, spec().namespaces(MNT, PID)))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("USER namespace");
    }

    @Test
    void capabilitiesBoundTheSetAndOnlyRootKeepsThem() {
        ContainerSpec.Builder b = spec().capabilities(java.util.EnumSet.of(Capability.CHOWN, Capability.KILL));
        long mask = (1L << Capability.CHOWN.number()) | (1L << Capability.KILL.number());
        List<Op> root = new PlanCompiler(ROOT_HOST).compile(b.build(), new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), null, 0, "x")).child();
        assertThat(root).contains(new Op.Caps(mask, -1, -1, -1, -1), new Op.Caps(-1, mask, mask, 0, 0));
        var user = new Passwd.User(1000, 1000, List.of(29), "/home/user");
        List<Op> nonRoot = new PlanCompiler(ROOT_HOST).compile(b.build(), new PlanCompiler.Inputs(user, List.of(), null, 0, "x")).child();
        assertThat(nonRoot).contains(new Op.Setgroups(List.of(29)), new Op.Setresgid(1000), new Op.Setresuid(1000), new Op.Caps(-1, 0, 0, 0, 0));
    }

    @Test
    void seccompGoesBeforeTheUidChangeUnlessNoNewPrivsIsSet() {
        byte[] filter = new byte[16];
        var in = new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), filter, 0, "x");
        List<Op> plain = new PlanCompiler(ROOT_HOST).compile(spec().build(), in).child();
        assertThat(indexOf(plain, Op.Seccomp.class)).isLessThan(indexOf(plain, Op.Setresuid.class));
        List<Op> nnp = new PlanCompiler(ROOT_HOST).compile(spec().noNewPrivileges(true).build(), in).child();
        assertThat(indexOf(nnp, Op.NoNewPrivs.class)).isLessThan(indexOf(nnp, Op.Seccomp.class));
        assertThat(indexOf(nnp, Op.Seccomp.class)).isGreaterThan(lastIndexOf(nnp, o -> o instanceof Op.Caps));
    }

    @Test
    void aV2ChildIsClonedIntoItsCgroup() {
        var in = new PlanCompiler.Inputs(Passwd.User.ROOT, List.of("/sys/fs/cgroup/memory/jc/x/cgroup.procs"), null, 0, "x");
        Plan p = new PlanCompiler(ROOT_HOST).compile(spec().namespaces(MNT).build(), in);
        assertThat(p.pre()).containsExactly(new Op.CloneIntoCgroup("/sys/fs/cgroup/memory/jc/x"));
        assertThat(p.parent()).isEmpty();
    }

    @Test
    void oomScoreAdjIsWrittenByTheLauncherBeforeThePayloadRuns() {
        Plan p = compile(ROOT_HOST, spec().namespaces(MNT).oomScoreAdj(500));
        assertThat(p.parent()).contains(new Op.WritePid("/proc/%p/oom_score_adj", "500"));
    }

    @Test
    void environmentIsOnlyWhatWasAskedPlusTheBasics() {
        Op.Exec exec = (Op.Exec) compile(ROOT_HOST, spec().hostname("h").env("A", "1").command("sh", "-c", "env")).child().getLast();
        assertThat(exec.path()).isEqualTo("sh");
        assertThat(exec.argv()).containsExactly("sh", "-c", "env");
        assertThat(exec.env()).containsExactly("PATH=" + PlanCompiler.DEFAULT_PATH, "HOSTNAME=h", "HOME=/root", "A=1");
    }

    @Test
    void everyTmpfsHasAnInodeLimitFromItsSize() {
        List<Op> c = compile(ROOT_HOST, spec().tmpfs("/scratch", io.jcontainer.DataSize.MB(1))
                .mount(new io.jcontainer.Mount.Tmpfs("/few", io.jcontainer.DataSize.MB(1), 0700, false, false, 10))
                .tmpfs("/unsized")).child();
        assertThat(c).anyMatch(o -> o instanceof Op.Mount m && m.target().equals("/scratch") && m.data().endsWith(",size=1048576,nr_inodes=1024"));
        assertThat(c).anyMatch(o -> o instanceof Op.Mount m && m.target().equals("/few") && m.data().endsWith(",nr_inodes=10"));
        // unsized: the kernel's default (half of RAM, one inode per page of that)
        assertThat(c).anyMatch(o -> o instanceof Op.Mount m && m.target().equals("/unsized") && !m.data().contains("nr_inodes"));
        Op.Mount generic = (Op.Mount) PlanCompiler.genericMountOps(io.jcontainer.Mount.of("tmpfs", "tmpfs", "/g", "size=1m")).getFirst();
        assertThat(generic.data()).isEqualTo("size=1m,nr_inodes=1024");
        Op.Mount explicit = (Op.Mount) PlanCompiler.genericMountOps(io.jcontainer.Mount.of("tmpfs", "tmpfs", "/g", "size=1m", "nr_inodes=7")).getFirst();
        assertThat(explicit.data()).isEqualTo("size=1m,nr_inodes=7");
        for (String t : List.of("/dev", "/dev/shm"))
            assertThat(c).anyMatch(o -> o instanceof Op.Mount m && m.target().equals(t) && m.data().contains(",nr_inodes=65536"));
    }

    @Test
    void defaultRootIsAFreshTmpfsWithTheHostsSystemDirsReadOnly() {
        List<Op> c = compile(ROOT_HOST, builder()).child();
        assertThat(c).contains(new Op.Mount("tmpfs", "/run/jc/root", "tmpfs", Op.MS_NOSUID | Op.MS_NODEV, "mode=0755,size=64m,nr_inodes=65536", Op.NEW_ROOT));
        assertThat(c).contains(new Op.Mount("/usr", "/usr", "", Op.MS_BIND | Op.MS_REC | Op.MS_RDONLY | Op.MS_NOSUID | Op.MS_NODEV, "", Op.IN_ROOT | Op.MKDIR));
        assertThat(c).contains(new Op.Symlink("usr/bin", "/bin"));
        assertThat(c).anyMatch(o -> o instanceof Op.WriteFile w && w.path().equals("/etc/passwd"));
    }

    /**
     * With a map that leaves host root unmapped the child becomes its namespace's root right after
     * the default root's tmpfs is mounted, so that tmpfs is made that root's (uid=0,gid=0 read in
     * the child's namespace); the host's dirs are opened before the switch; a v1 self-move stays
     * first, while the child is still host root (issue 19 item 8, issue 18's --uidmap).
     */
    @Test
    void aMappedDefaultRootIsOwnedByTheNamespacesRoot() {
        var in = new PlanCompiler.Inputs(Passwd.User.ROOT, List.of("/sys/fs/cgroup/memory/jc-x/tasks"), null, 0, "abc", true);
        List<Op> c = new PlanCompiler(ROOT_HOST).compile(Container.builder().command("/bin/true").namespaces(PID, MNT, USER)
                .uidMap(new IdMap(0, 100000, 65536)).gidMap(new IdMap(0, 100000, 65536)).build(), in).child();
        assertThat(c.getFirst()).isEqualTo(new Op.WritePid("/sys/fs/cgroup/memory/jc-x/tasks", "0"));
        int root = lastIndexOf(c, o -> o instanceof Op.Mount m && (m.mflags() & Op.NEW_ROOT) != 0);
        assertThat(((Op.Mount) c.get(root)).data()).isEqualTo("mode=0755,size=64m,nr_inodes=65536,uid=0,gid=0");
        assertThat(c.subList(root + 1, root + 3)).containsExactly(new Op.Setresgid(0), new Op.Setresuid(0));
        assertThat(c.subList(0, root)).contains(new Op.Hold("/usr", false));
        assertThat(c).contains(new Op.Mount("@0", "/usr", "", Op.MS_BIND | Op.MS_REC | Op.MS_RDONLY | Op.MS_NOSUID | Op.MS_NODEV, "", Op.IN_ROOT | Op.MKDIR));
        // an unprivileged root (UNTRUSTED) gets its range on the default root as well
        Plan untrusted = new PlanCompiler(ROOT_HOST).compile(Container.builder().command("/bin/true")
                .profile(io.jcontainer.Profile.UNTRUSTED).build(), in);
        assertThat(untrusted.parent()).anyMatch(o -> o instanceof Op.WritePid w && w.pathTemplate().equals("/proc/%p/uid_map")
                && !w.contentTemplate().startsWith("0 0 ")).noneMatch(o -> o instanceof Op.WritePid w && w.contentTemplate().startsWith("0 0 "));
    }

    /** Rootless, a payload user outside the JVM's own map: the message says what would map it (issue 18). */
    @Test
    void anUnmappedUserRootlessNamesWhatIsMissing() {
        var user = new Passwd.User(1000, 1000, List.of(), "/home/u");
        ContainerSpec s = spec().namespaces(MNT, USER).build();
        var none = io.jcontainer.linux.userns.SubordinateIds.NONE;
        assertThatThrownBy(() -> new PlanCompiler(USER_HOST, none).compile(s, PlanCompiler.Inputs.of(user)))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("uid 1000 is not mapped")
                .hasMessageContaining("newuidmap and newgidmap, which are not installed").hasMessageContaining("apt-get install uidmap")
                .hasMessageContaining("uidMap(...)");
        var helpersOnly = new io.jcontainer.linux.userns.SubordinateIds(Path.of("/usr/bin/newuidmap"), Path.of("/usr/bin/newgidmap"), List.of(), List.of());
        assertThatThrownBy(() -> new PlanCompiler(USER_HOST, helpersOnly).compile(s, PlanCompiler.Inputs.of(user)))
                .hasMessageContaining("/etc/subuid").hasMessageContaining("usermod --add-subuids").hasMessageNotContaining("apt-get");
    }

    @Test
    void timeNamespaceNeedsAKernelThatHasIt() {
        HostInfo old = new HostInfo(0, 0, 40, false, Path.of("/r"), Path.of("/r/root"), List.of(), List.of(), List.of());
        assertThatThrownBy(() -> compile(old, spec().namespaces(MNT, Namespace.TIME)))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("Linux 5.6");
    }

    @Test
    void detachedContainersDoNotDieWithTheJvm() {
        assertThat(compile(ROOT_HOST, spec()).flags() & Plan.KILL_ON_EOF).isNotZero();
        assertThat(compile(ROOT_HOST, spec().detached(true)).flags() & Plan.KILL_ON_EOF).isZero();
    }

    /**
     * docker's /etc files: bound before the spec's mounts (a -v onto one wins and ours is left
     * out); over a directory root only where it has the file (TARGET_OPTIONAL: nothing is created
     * in a user's root), in the default root's tmpfs the mount point is made.
     */
    @Test
    void generatedEtcFilesAreBoundWithoutCreatingMountPointsInADirectoryRoot() throws Exception {
        java.nio.file.Files.writeString(tmp.resolve("mine"), "x");
        var etc = Map.of("/etc/hosts", "/s/hosts", "/etc/hostname", "/s/hostname", "/etc/resolv.conf", "/s/resolv.conf");
        var in = new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), null, 0, "abc").withEtcFiles(etc);
        ContainerSpec dir = spec().bind(tmp.resolve("mine"), "/etc/resolv.conf").build();
        List<Op> ops = new PlanCompiler(ROOT_HOST, io.jcontainer.linux.userns.SubordinateIds.NONE).compile(dir, in).child();
        List<Op.Mount> ours = ops.stream().filter(o -> o instanceof Op.Mount m && m.source().startsWith("/s/")).map(o -> (Op.Mount) o).toList();
        assertThat(ours).extracting(Op.Mount::target).containsExactly("/etc/hostname", "/etc/hosts");
        assertThat(ours).allMatch(m -> m.mflags() == (Op.IN_ROOT | Op.TARGET_OPTIONAL) && m.flags() == Op.MS_BIND);
        int userMount = lastIndexOf(ops, o -> o instanceof Op.Mount m && m.target().equals("/etc/resolv.conf"));
        assertThat(ops.indexOf(ours.getLast())).isLessThan(userMount);
        // the default root is the container's own: the mount points are made there
        List<Op> def = new PlanCompiler(ROOT_HOST, io.jcontainer.linux.userns.SubordinateIds.NONE).compile(builder().build(), in).child();
        assertThat(def).filteredOn(o -> o instanceof Op.Mount m && m.source().startsWith("/s/"))
                .hasSize(3).allMatch(o -> ((Op.Mount) o).mflags() == (Op.IN_ROOT | Op.MKFILE));
        // a network's hosts file names the peers: its mount point is made even in a directory root
        var net = new PlanCompiler.Inputs(Passwd.User.ROOT, List.of(), null, 0, "abc").withEtcFiles(etc, java.util.Set.of("/etc/hosts"));
        assertThat(new PlanCompiler(ROOT_HOST, io.jcontainer.linux.userns.SubordinateIds.NONE).compile(spec().build(), net).child())
                .filteredOn(o -> o instanceof Op.Mount m && m.source().startsWith("/s/"))
                .extracting(o -> ((Op.Mount) o).target() + " " + ((Op.Mount) o).mflags())
                .containsExactly("/etc/hostname " + (Op.IN_ROOT | Op.TARGET_OPTIONAL), "/etc/hosts " + (Op.IN_ROOT | Op.MKFILE),
                        "/etc/resolv.conf " + (Op.IN_ROOT | Op.TARGET_OPTIONAL));
        // none without them
        assertThat(compile(ROOT_HOST, spec()).child()).noneMatch(o -> o instanceof Op.Mount m && m.target().startsWith("/etc/h"));
    }

    /** -t: the host pty is bound as /dev/console and reopened there (so ttyname works inside), in /dev, before pivot_root. */
    @Test
    void aTerminalIsReopenedAsTheConsoleBeforePivotRoot() {
        List<Op> ops = compile(ROOT_HOST, spec().tty(true)).child();
        int reopen = indexOf(ops, Op.ReopenTty.class);
        assertThat(reopen).isPositive().isLessThan(indexOf(ops, Op.PivotRoot.class));
        assertThat(((Op.ReopenTty) ops.get(reopen)).path()).isEqualTo("/dev/console");
        assertThat(lastIndexOf(ops, o -> o instanceof Op.Mount m && m.target().equals("/dev/pts"))).isLessThan(reopen);
        assertThat(indexOf(compile(ROOT_HOST, spec()).child(), Op.ReopenTty.class)).isEqualTo(-1);
        // a console socket's terminal comes from the container's own devpts later (OP_CONSOLE): no host pty to bind
        List<Op> console = compile(ROOT_HOST, spec().tty(true).stdin(new io.jcontainer.Stdio.Console(java.nio.file.Path.of("/run/x.sock")))).child();
        assertThat(indexOf(console, Op.ReopenTty.class)).isEqualTo(-1);
        assertThat(indexOf(console, Op.Console.class)).isPositive();
    }
}
