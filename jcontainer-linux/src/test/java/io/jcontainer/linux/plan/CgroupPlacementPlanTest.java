package io.jcontainer.linux.plan;

import io.jcontainer.Container;
import io.jcontainer.linux.HostInfo;
import io.jcontainer.linux.rootfs.Passwd;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How the plan places the child in its cgroups (no root needed). */
class CgroupPlacementPlanTest {
    static final HostInfo HOST = new HostInfo(0, 0, 40, true, Path.of("/run/jcontainer"), Path.of("/run/jcontainer/root"),
            List.of(), List.of(), List.of());

    @Test
    void v1TasksFilesAreTheChildsFirstStepsAndV2ChildrenAreBornInTheirCgroup() {
        var spec = Container.builder().command("/bin/true").build();
        var files = List.of("/sys/fs/cgroup/memory/x/tasks", "/sys/fs/cgroup/pids/x/tasks", "/sys/fs/cgroup/unified/x/cgroup.procs");
        Plan plan = new PlanCompiler(HOST).compile(spec, new PlanCompiler.Inputs(Passwd.User.ROOT, files, null, 0, "container"));
        assertThat(plan.child().subList(0, 2)).containsExactly(
                new Op.WritePid("/sys/fs/cgroup/memory/x/tasks", "0"), new Op.WritePid("/sys/fs/cgroup/pids/x/tasks", "0"));
        // v2: clone3(CLONE_INTO_CGROUP), no cgroup.procs write (a migration waits an RCU grace period)
        assertThat(plan.pre()).containsExactly(new Op.CloneIntoCgroup("/sys/fs/cgroup/unified/x"));
        assertThat(plan.parent()).noneMatch(op -> op instanceof Op.WritePid w && w.pathTemplate().contains("/sys/fs/cgroup/"));
    }
}
