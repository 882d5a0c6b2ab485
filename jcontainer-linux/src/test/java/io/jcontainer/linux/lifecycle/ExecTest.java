package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.ExecSpec;
import io.jcontainer.ContainerProcess;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code exec}: a process joins a running container's namespaces, cgroup, root and security. */
@RequiresRoot
class ExecTest {
    record Out(String stdout, int code) {
    }

    static Out run(Container c, ExecSpec e) throws Exception {
        try (ContainerProcess p = c.exec(e)) {
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            return new Out(out, p.waitFor(Duration.ofSeconds(30)).orElseThrow().code());
        }
    }

    @Test
    void execJoinsEveryNamespaceAndTheCgroupOfPid1() throws Exception {
        try (Container c = TestRuns.busybox().hostname("box").command("/bin/sleep", "1000").start();
             ContainerProcess p = c.exec(ExecSpec.of("/bin/sleep", "1000"))) {
            for (String ns : List.of("pid", "mnt", "net", "uts", "ipc", "cgroup"))
                assertThat(ContainerProcs.link("/proc/" + p.pid() + "/ns/" + ns)).as(ns)
                        .isEqualTo(ContainerProcs.link("/proc/" + c.pid() + "/ns/" + ns));
            // pid_for_children of the launcher was the container's: the exec'd process is inside it
            assertThat(ContainerProcs.inPidNamespaceOf(c.pid())).extracting(ContainerProcs.Proc::pid).contains((int) p.pid());
            assertThat(Files.readString(Path.of("/proc/" + p.pid() + "/cgroup")))
                    .isEqualTo(Files.readString(Path.of("/proc/" + c.pid() + "/cgroup")));
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/root")).toString()).isEqualTo("/");
            String status1 = security(Files.readString(Path.of("/proc/" + c.pid() + "/status")));
            assertThat(security(Files.readString(Path.of("/proc/" + p.pid() + "/status")))).isEqualTo(status1);
        }
    }

    /** The lines of /proc/PID/status that define its security context. */
    private static String security(String status) {
        StringBuilder b = new StringBuilder();
        for (String l : status.split("\n"))
            if (l.startsWith("Cap") || l.startsWith("Seccomp:") || l.startsWith("NoNewPrivs:") || l.startsWith("Uid:") || l.startsWith("Gid:"))
                b.append(l).append('\n');
        return b.toString();
    }

    @Test
    void execSeesTheContainerFromInside() throws Exception {
        try (Container c = TestRuns.busybox().hostname("box").env("FROM_CONTAINER", "yes")
                .command("/bin/sh", "-c", "echo hi > /tmp/marker; exec sleep 1000").start()) {
            Out o = run(c, ExecSpec.of("/bin/sh", "-c",
                    "while [ \"$(cat /proc/1/comm)\" != sleep ]; do sleep 0.05; done; hostname; cat /tmp/marker; echo $FROM_CONTAINER; cat /proc/1/comm; echo $$; exit 42"));
            String[] lines = o.stdout().split("\n");
            assertThat(lines[0]).isEqualTo("box");
            assertThat(lines[1]).isEqualTo("hi"); // the container's root and its tmp
            assertThat(lines[2]).isEqualTo("yes"); // the container's environment
            assertThat(lines[3]).isEqualTo("sleep"); // its /proc: PID 1 is the payload (once it has exec'd)
            assertThat(Integer.parseInt(lines[4])).isGreaterThan(1);
            assertThat(o.code()).isEqualTo(42);
        }
    }

    @Test
    void execHonoursUserWorkingDirEnvAndStdin() throws Exception {
        try (Container c = TestRuns.busybox().command("/bin/sleep", "1000").start()) {
            assertThat(run(c, ExecSpec.of("/bin/sh", "-c", "id -u; id -g; pwd; echo $X").withUser("user").withWorkingDir("/home/user")
                    .withEnv("X", "y")).stdout()).isEqualTo("1000\n1000\n/home/user\ny\n");
            try (ContainerProcess p = c.exec(ExecSpec.of("/bin/cat").withStdio(io.jcontainer.Stdio.PIPE, io.jcontainer.Stdio.PIPE, io.jcontainer.Stdio.PIPE))) {
                p.stdin().write("through the pipe\n".getBytes(StandardCharsets.UTF_8));
                p.stdin().close();
                assertThat(new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("through the pipe\n");
                assertThat(p.waitFor().code()).isZero();
            }
        }
    }

    @Test
    void execOfAMissingCommandFailsClearly() {
        try (Container c = TestRuns.busybox().command("/bin/sleep", "1000").start()) {
            assertThatThrownBy(() -> c.exec(ExecSpec.of("/no/such/command")))
                    .isInstanceOf(io.jcontainer.ContainerStartException.class).hasMessageContaining("execve").hasMessageContaining("ENOENT");
            assertThat(c.isRunning()).isTrue();
        }
    }

    @Test
    void execIntoAStoppedContainerIsRefused() throws Exception {
        try (Container c = TestRuns.busybox().command("/bin/true").start()) {
            c.waitFor();
            assertThatThrownBy(() -> c.exec(ExecSpec.of("/bin/true")))
                    .isInstanceOf(ContainerNotRunningException.class).hasMessageContaining("is not running (exited with 0)");
        }
    }

    @Test
    void killingTheContainerEndsItsExecs() throws Exception {
        try (Container c = TestRuns.busybox().command("/bin/sleep", "1000").start();
             ContainerProcess p = c.exec(ExecSpec.of("/bin/sleep", "1000"))) {
            c.kill();
            assertThat(p.waitFor(Duration.ofSeconds(20))).isPresent();
            assertThat(p.exitCode()).isEqualTo(137);
        }
    }
}
