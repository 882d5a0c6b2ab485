package io.jcontainer.linux.plan;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ExecSpec;
import io.jcontainer.Namespace;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The exec plan's order, without root: user ns first, pid before clone, cgroup then mnt in the child. */
class ExecPlansTest {
    private static final Plan FULL = new Plan(0, Plan.KILL_ON_EOF, List.of(), List.of(), List.of(
            new Op.Hostname("box"), new Op.PivotRoot("/x"), new Op.Chdir("/"), new Op.Setsid(), new Op.NoNewPrivs(),
            new Op.Setresuid(0), new Op.CloseFds(), new Op.Init(), new Op.Exec("id", List.of("id"), List.of())));

    @Test
    void joinsUserFirstPidBeforeCloneAndMountLastInTheChild() {
        ContainerSpec s = Container.builder().namespaces(Namespace.USER, Namespace.PID, Namespace.NET, Namespace.MNT, Namespace.CGROUP,
                Namespace.IPC, Namespace.UTS).command("sleep", "1").build();
        ContainerSpec merged = ExecPlans.merge(s, ExecSpec.of("id").withWorkingDir("/tmp"));
        Plan p = ExecPlans.forExec(FULL, merged, 42, List.of("/sys/fs/cgroup/pids/x/cgroup.procs"));
        assertThat(p.cloneFlags()).isZero();
        assertThat(p.flags() & Plan.KILL_ON_EOF).isNotZero();
        assertThat(p.pre()).containsExactly(new Op.CloneIntoCgroup("/sys/fs/cgroup/pids/x"), new Op.Setns("/proc/42/ns/user", (int) Plan.CLONE_NEWUSER),
                new Op.Setns("/proc/42/ns/ipc", (int) Plan.CLONE_NEWIPC), new Op.Setns("/proc/42/ns/uts", (int) Plan.CLONE_NEWUTS),
                new Op.Setns("/proc/42/ns/net", (int) Plan.CLONE_NEWNET), new Op.Setns("/proc/42/ns/pid", (int) Plan.CLONE_NEWPID));
        assertThat(p.parent()).isEmpty(); // v2: born in the container's cgroup
        assertThat(p.child()).containsExactly(new Op.Setns("/proc/42/ns/cgroup", (int) Plan.CLONE_NEWCGROUP),
                new Op.Setns("/proc/42/ns/mnt", (int) Plan.CLONE_NEWNS), new Op.Chdir("/tmp"), new Op.Setsid(), new Op.NoNewPrivs(),
                new Op.Setresuid(0), new Op.CloseFds(), new Op.Exec("id", List.of("id"), List.of()));
        assertThat(merged.command()).containsExactly("id");
        assertThat(merged.init()).isFalse();
    }

    /** runc's exec -d -t --console-socket: connected on the host first, the terminal made after the mount namespace is joined. */
    @Test
    void aConsoleSocketIsConnectedFirstAndTheTerminalMadeInTheContainer() {
        java.nio.file.Path sock = java.nio.file.Path.of("/run/engine/console.sock");
        ContainerSpec s = Container.builder().namespaces(Namespace.PID, Namespace.MNT).command("sleep", "1").build();
        ExecSpec e = ExecSpec.of("sh").withTty(true).withStdio(new io.jcontainer.Stdio.Console(sock), io.jcontainer.Stdio.NULL, io.jcontainer.Stdio.NULL);
        Plan p = ExecPlans.forExec(FULL, ExecPlans.merge(s, e), 42, List.of(), true);
        assertThat(p.pre().getFirst()).isEqualTo(new Op.ConsoleSocket(sock.toString()));
        assertThat(p.child()).startsWith(new Op.Setns("/proc/42/ns/mnt", (int) Plan.CLONE_NEWNS), new Op.Chdir("/"), new Op.Console(0, 0), new Op.Setsid());

        // runc's exec -p process.json with consoleSize: the exec's terminal has that size, not the container's
        Plan sized = ExecPlans.forExec(FULL, ExecPlans.merge(s, e.withConsoleSize(new io.jcontainer.ProcessSpec.ConsoleSize(10, 110))), 42, List.of(), true);
        assertThat(sized.child()).contains(new Op.Console(10, 110));

        // a container created with a console socket: its execs without a terminal have none
        ContainerSpec created = s.toBuilder().tty(true).stdin(new io.jcontainer.Stdio.Console(sock)).build();
        Plan plain = ExecPlans.forExec(FULL, ExecPlans.merge(created, ExecSpec.of("true")), 42, List.of(), true);
        assertThat(plain.pre()).noneMatch(o -> o instanceof Op.ConsoleSocket);
        assertThat(plain.child()).noneMatch(o -> o instanceof Op.Console);
    }
}
