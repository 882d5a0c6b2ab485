package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Signal;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.state.ContainerState;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.state.ProcStat;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SECURITY.md row 36: a tampered {@code state.json} makes {@code kill}, {@code stop} and
 * {@code rm -f} act on nothing foreign. The pid-1 case runs inside a container with its own PID
 * namespace and a decoy PID 1 (a JVM in it drives {@link ContainerStore}); the machine's own
 * PID 1 is never a target.
 */
@RequiresRoot
class StateRecordTest {
    @TempDir
    Path dir;

    /** Inside a PID namespace: a record naming pid 1 with pid 1's start time signals nothing. */
    @Test
    void aRecordNamingPid1IsRefusedAndTheDecoyPid1IsNotSignalled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ContainerSpec.Builder b = Container.builder(); // the default root: the host's /usr (and its JDK) read-only
        List<String> entries = new ArrayList<>();
        for (String e : cp.split(":")) if (!e.isEmpty() && Files.exists(Path.of(e))) entries.add(e);
        for (String e : entries) b.bindReadOnly(Path.of(e), e);
        b.bindReadOnly(Path.of(System.getProperty("java.home")), System.getProperty("java.home"));
        String script = "trap 'echo SIGNALLED' TERM INT HUP USR1 USR2; "
                + java + " --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:off -cp "
                + String.join(":", entries) + " " + TamperedRecordMain.class.getName() + " /tmp/state; echo java-exit=$?";
        var r = TestRuns.run(b.command("/bin/sh", "-c", script));
        String out = r.stdout();
        assertThat(out).as(out + r.stderr()).contains("DONE", "java-exit=0");
        assertThat(out).as("the decoy PID 1 got a signal:\n" + out).doesNotContain("SIGNALLED");
        assertThat(out).doesNotContain("kill: SENT");
        assertThat(out).contains("kill: refused: refusing to signal container 111111111111: its state.json names pid 1");
        assertThat(out).contains("stop: refused: refusing to stop");
    }

    /**
     * On the host: a record naming a decoy process of this test (not PID 1) with its start time
     * and its real parent as the "monitor", and extra cgroup directories: one of another
     * program under a real cgroup mount holding the decoy, one named like another container's, a
     * plain directory and a path with "..". Nothing is signalled, frozen or removed.
     */
    @Test
    void aRecordNamingAForeignProcessAndForeignCgroupsTouchesNeither() throws Exception {
        Path stateDir = Files.createDirectories(dir.resolve("state"));
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Path pidsRoot = Path.of("/sys/fs/cgroup/pids");
        if (!Files.isDirectory(pidsRoot)) pidsRoot = Path.of("/sys/fs/cgroup");
        String tag = Long.toHexString(System.nanoTime());
        Path foreign = Files.createDirectory(pidsRoot.resolve("jc-test-foreign-" + tag));
        Path otherContainer = Files.createDirectory(pidsRoot.resolve("jcontainer-detached-" + "2".repeat(12)));
        Process decoy = new ProcessBuilder("sleep", "600").start();
        try {
            Files.writeString(foreign.resolve("cgroup.procs"), Long.toString(decoy.pid()));
            ContainerStore store = new ContainerStore(stateDir);
            String id = "3".repeat(64);
            ContainerState s = new ContainerState(id, "tampered", null, List.of("sleep"), false, false, "TERM", decoy.pid(),
                    ProcStat.startTime(decoy.pid()), ProcessHandle.current().pid(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
                    true, null, List.of(foreign.toString(), otherContainer.toString(), plain.toString(),
                    pidsRoot + "/jcontainer-detached-333333333333/../jc-test-foreign-" + tag), "no");
            store.create(s);
            ContainerStore.Entry e = store.find("tampered");
            assertThat(e.running()).as("a process that is not the monitor's child is not the container").isFalse();
            assertThatThrownBy(() -> store.signal(e, Signal.KILL)).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("refusing to signal").hasMessageContaining("pid " + decoy.pid());
            assertThatThrownBy(() -> store.stop(store.find("tampered"), Duration.ofMillis(100))).isInstanceOf(ContainerException.class)
                    .hasMessageContaining("refusing to stop");
            assertThatThrownBy(() -> store.pause(store.find("tampered"))).isInstanceOf(ContainerException.class);
            store.killAll(s);
            store.remove(store.find("tampered"), true);
            assertThat(decoy.waitFor(300, TimeUnit.MILLISECONDS)).as("the decoy was killed").isFalse();
            assertThat(decoy.isAlive()).isTrue();
            assertThat(foreign).exists();
            assertThat(Files.readString(foreign.resolve("cgroup.procs")))
                    .contains(Long.toString(decoy.pid()));
            assertThat(otherContainer).exists();
            assertThat(plain).exists();
            assertThat(store.dir(id)).as("the tampered record itself is removed").doesNotExist();
        } finally {
            decoy.destroyForcibly().waitFor();
            for (Path p : List.of(foreign, otherContainer)) {
                for (int i = 0; i < 100 && Files.exists(p); i++) {
                    try {
                        Files.delete(p);
                    } catch (java.io.IOException busy) {
                        Thread.sleep(20);
                    }
                }
            }
        }
    }
}
