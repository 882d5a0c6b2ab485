package io.jcontainer.linux.lifecycle;

import io.jcontainer.Container;
import io.jcontainer.ContainerNotRunningException;
import io.jcontainer.Signal;
import io.jcontainer.linux.CreatedContainer;
import io.jcontainer.linux.LinuxContainerRuntime;
import io.jcontainer.linux.testing.CgroupDirs;
import io.jcontainer.linux.testing.Processes;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** runc's create/start split: a container created by one process, started by another, after the first is gone. */
@RequiresRoot
class CreateStartTest {
    static final LinuxContainerRuntime RT = new LinuxContainerRuntime();

    @TempDir
    Path dir;

    @Test
    void createdInOneJvmStartedFromAnotherProcessAfterThatJvmIsGone() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process jvm = new ProcessBuilder(new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",  "-cp",
                System.getProperty("java.class.path"), CreateJvm.class.getName(), dir.toString())))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(jvm.getInputStream())).readLine();
        ChildJvm.reap(jvm);
        assertThat(line).as("the creating JVM's report").isNotNull();
        long pid = Long.parseLong(line.split(" ")[1]);

        // the creating JVM is gone; the container waits, set up, its cgroups made, nothing run yet
        CreatedContainer c = CreatedContainer.read(dir);
        assertThat(c.pid()).isEqualTo(pid);
        assertThat(c.waiting()).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        Thread.sleep(200);
        assertThat(Files.exists(dir.resolve("out")) ? Files.readString(dir.resolve("out")) : "").as("not started yet").isEmpty();
        assertThat(CgroupDirs.detached(c.id())).as("its cgroups, made at create").isNotEmpty();

        RT.startCreated(dir); // this process is not the one that created it
        Path exit = CreatedContainer.exitFile(dir);
        for (int i = 0; i < 1000 && !Files.exists(exit); i++) Thread.sleep(10);
        assertThat(Files.readString(exit).strip()).as("exited with 7, no OOM kill").isEqualTo("1 7 0");
        assertThat(Files.readString(dir.resolve("out"))).isEqualTo("hello from created\n");
        waitGone(c.id());
        assertThat(Files.exists(CreatedContainer.fifo(dir))).as("the FIFO is removed").isFalse();
        assertThatThrownBy(() -> RT.startCreated(dir)).isInstanceOf(ContainerNotRunningException.class).hasMessageContaining("no created container");
    }

    @Test
    void aCreatedContainerThatIsNeverStartedIsRemovedCleanly() throws Exception {
        CreatedContainer c = RT.create(Container.builder().rootfs(TestRootfs.busybox()).memoryLimit("64m")
                .command("/bin/sh", "-c", "echo never").build(), dir);
        assertThat(c.waiting()).isTrue();
        assertThat(CgroupDirs.detached(c.id())).isNotEmpty();
        RT.killCreated(dir, Signal.KILL);
        Path exit = CreatedContainer.exitFile(dir);
        for (int i = 0; i < 1000 && !Files.exists(exit); i++) Thread.sleep(10);
        assertThat(Files.readString(exit).strip()).as("killed by SIGKILL, no OOM kill").isEqualTo("2 9 0");
        assertThat(Files.exists(CreatedContainer.fifo(dir))).isFalse();
        assertThat(Processes.leftovers()).as("the container and its monitor are gone").isEmpty();
        waitGone(c.id());
        assertThatThrownBy(() -> RT.startCreated(dir)).isInstanceOf(ContainerNotRunningException.class);
    }

    @Test
    void aContainerCreatedWithoutAMonitorIsKeptByNothingOfOursAndRemovedWithItsCgroups() throws Exception {
        var containers = RT.containers(dir.resolve("store"));
        var info = containers.createWithoutMonitor(Container.builder().rootfs(TestRootfs.busybox()).memoryLimit("64m")
                .stdin(io.jcontainer.Stdio.NULL).stdout(io.jcontainer.Stdio.NULL).stderr(io.jcontainer.Stdio.NULL)
                .command("/bin/sh", "-c", "sleep 60").build());
        assertThat(info.monitorPid()).isZero();
        assertThat(info.status()).isEqualTo(io.jcontainer.lifecycle.ContainerInfo.Status.CREATED);
        assertThat(info.cgroupDirs()).as("recorded: the remove takes them, no monitor does").isNotEmpty();
        // the launcher leaves once the process waits: the process's parent is whoever reaps orphans here
        long pid = info.pid();
        String parent = "";
        for (int i = 0; i < 300; i++) {
            long pp = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(0L);
            parent = pp <= 0 ? "" : Files.readString(Path.of("/proc/" + pp + "/cmdline"));
            if (!parent.startsWith("jcontainer-launcher")) break;
            Thread.sleep(10);
        }
        assertThat(parent).doesNotStartWith("jcontainer-launcher");
        Path fifo = containers.startFifo(info.id());
        assertThat(fifo).exists();
        Thread.sleep(200);
        assertThat(containers.find(info.id()).status()).as("it still waits").isEqualTo(io.jcontainer.lifecycle.ContainerInfo.Status.CREATED);

        containers.start(info.id());
        assertThat(fifo).as("gone with the start: what tells created from running").doesNotExist();
        assertThat(containers.find(info.id()).status()).isEqualTo(io.jcontainer.lifecycle.ContainerInfo.Status.RUNNING);
        containers.remove(info.id(), true, false);
        for (int i = 0; i < 500 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) Thread.sleep(10);
        assertThat(CgroupDirs.detached(info.id())).as("its cgroups went with the remove").isEmpty();
    }

    /** The monitor removes the cgroups right after it records the exit: give it a moment. */
    private static void waitGone(String id) throws InterruptedException {
        for (int i = 0; i < 300 && !CgroupDirs.detached(id).isEmpty(); i++) Thread.sleep(10);
        assertThat(CgroupDirs.detached(id)).as("no cgroup of the container remains").isEmpty();
    }
}
