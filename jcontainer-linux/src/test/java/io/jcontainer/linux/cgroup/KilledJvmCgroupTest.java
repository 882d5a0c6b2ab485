package io.jcontainer.linux.cgroup;

import io.jcontainer.linux.testing.CgroupDirs;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19, item 1: a JVM SIGKILLed while it holds containers leaves no cgroup behind — their
 * monitors, seeing the control socket close, kill them and remove their cgroups, also under a
 * nested parent cgroup that no later start would sweep.
 */
@RequiresRoot
class KilledJvmCgroupTest {
    static final CgroupHost HOST = CgroupHost.detect();

    @Test
    void theMonitorsOfAKilledJvmRemoveItsContainersCgroupsUnderANestedParent() throws Exception {
        String base = HOST.isV1() ? HOST.v1().get("memory").dir() : HOST.unified().dir();
        Path nest = Path.of(base, "jc-nest-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000);
        Files.createDirectory(nest);
        Process jvm = null;
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            // the shell moves itself into the nested cgroup, then becomes the JVM: every container's memory cgroup is below it
            jvm = new ProcessBuilder("/bin/sh", "-c", "echo $$ > " + nest + "/cgroup.procs && exec \"$@\"", "sh", java,
                    "--enable-native-access=ALL-UNNAMED", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",  "-cp", System.getProperty("java.class.path"), NestedJvm.class.getName(), "4")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line = new BufferedReader(new InputStreamReader(jvm.getInputStream())).readLine();
            assertThat(line).as("the child JVM's containers").isNotNull();
            List<Long> pids = Arrays.stream(line.split(" ")).map(Long::parseLong).toList();
            long jvmPid = jvm.pid();
            List<Path> dirs = CgroupDirs.of(jvmPid);
            assertThat(dirs).as("its containers' cgroups, some under the nested parent").anyMatch(p -> p.startsWith(nest));
            assertThat(dirs.size()).isGreaterThanOrEqualTo(4);

            jvm.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!CgroupDirs.of(jvmPid).isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(CgroupDirs.of(jvmPid)).as("within 5 s, no cgroup of the killed JVM's containers remains").isEmpty();
            for (long pid : pids) assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("container " + pid).isFalse();
        } finally {
            if (jvm != null && jvm.isAlive()) jvm.destroyForcibly().waitFor();
            // the nested parent itself: ours to remove once its last task (the JVM's spawn server) has gone
            for (int i = 0; i < 500; i++) {
                try {
                    Files.deleteIfExists(nest);
                    break;
                } catch (java.io.IOException busy) {
                    Thread.sleep(10);
                }
            }
        }
    }
}
