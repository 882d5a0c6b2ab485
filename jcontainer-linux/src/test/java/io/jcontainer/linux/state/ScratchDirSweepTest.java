package io.jcontainer.linux.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scratch directory of a start ({@code .start-<id>}: the /etc files of an unrecorded container
 * until its bind mounts hold them) is removed by the start itself; a JVM killed during the start
 * left it for good, and the host's store had five such directories from killed test runs. The
 * store's sweep now removes those whose maker is gone, and only those.
 */
class ScratchDirSweepTest {
    @TempDir
    Path root;

    @Test
    void aLiveStartsDirectoryStaysADeadOnesGoes() throws Exception {
        ContainerStore store = new ContainerStore(root);
        Path live = store.scratchDir("a".repeat(64));
        Files.writeString(Files.createDirectories(live.resolve("etc")).resolve("hosts"), "127.0.0.1 localhost\n");

        Path dead = store.scratchDir("b".repeat(64));
        Process p = new ProcessBuilder("/bin/true").start();
        long pid = p.pid(), start = ProcStat.startTime(pid);
        p.waitFor();
        Files.writeString(dead.resolve(ContainerStore.SCRATCH_OWNER), pid + " " + start + "\n");
        Files.writeString(Files.createDirectories(dead.resolve("etc")).resolve("hosts"), "x\n");

        assertThat(store.sweepScratchDirs()).isEqualTo(1);
        assertThat(live.resolve("etc/hosts")).exists();
        assertThat(dead).doesNotExist();
    }

    @Test
    void oneWithoutAnOwnerGoesOnlyOnceItIsAnHourOld() throws Exception {
        ContainerStore store = new ContainerStore(root);
        Path fresh = Files.createDirectories(root.resolve(ContainerStore.SCRATCH_PREFIX + "c".repeat(64) + "/etc"));
        Path old = Files.createDirectories(root.resolve(ContainerStore.SCRATCH_PREFIX + "d".repeat(64) + "/etc"));
        Files.setLastModifiedTime(old.getParent(), FileTime.from(Instant.now().minus(Duration.ofHours(2))));

        assertThat(store.sweepScratchDirs()).isEqualTo(1);
        assertThat(fresh).exists();
        assertThat(old.getParent()).doesNotExist();
    }
}
