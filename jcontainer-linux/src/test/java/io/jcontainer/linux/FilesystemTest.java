package io.jcontainer.linux;

import io.jcontainer.DataSize;
import io.jcontainer.Mount;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Root, mounts, working directory, environment and user — against the real kernel. */
@RequiresRoot
class FilesystemTest {

    @Test
    void theHostMountTableIsUnchangedAfterARun(@TempDir Path tmp) throws Exception {
        String before = Files.readString(Path.of("/proc/self/mountinfo"));
        var r = TestRuns.run(TestRuns.busybox().bind(tmp, "/data").tmpfs("/scratch").readOnlyRoot(true)
                .command("sh", "-c", "mount | wc -l"));
        assertThat(r.code()).isZero();
        assertThat(Integer.parseInt(r.stdout().trim())).isGreaterThan(5);
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).isEqualTo(before);
    }

    @Test
    void bindMountsReadWriteAndReadOnly(@TempDir Path tmp) throws Exception {
        Path rw = Files.createDirectories(tmp.resolve("rw")), ro = Files.createDirectories(tmp.resolve("ro"));
        Files.writeString(ro.resolve("in"), "from host\n");
        var r = TestRuns.run(TestRuns.busybox().volume(rw + ":/rw").volume(ro + ":/ro:ro")
                .command("sh", "-c", "echo written > /rw/out && cat /ro/in && echo x > /ro/new"));
        assertThat(r.stdout()).isEqualTo("from host\n");
        assertThat(r.stderr()).contains("Read-only file system");
        assertThat(r.code()).isNotZero();
        assertThat(Files.readString(rw.resolve("out"))).isEqualTo("written\n");
        assertThat(ro.resolve("new")).doesNotExist();
    }

    @Test
    void aSingleFileCanBeBound(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("config"), "k=v\n");
        var r = TestRuns.run(TestRuns.busybox().mount(Mount.parseMount("type=bind,source=" + f + ",target=/etc/app.conf,readonly"))
                .command("cat", "/etc/app.conf"));
        assertThat(r.stdout()).isEqualTo("k=v\n");
    }

    @Test
    void readOnlyRootGivesErofsButMountsStayWritable() {
        var r = TestRuns.run(TestRuns.busybox().readOnlyRoot(true).tmpfs("/scratch", DataSize.MB(1))
                .command("sh", "-c", "touch /x; echo ok > /scratch/y && cat /scratch/y"));
        assertThat(r.stderr()).contains("Read-only file system");
        assertThat(r.stdout()).isEqualTo("ok\n");
    }

    @Test
    void tmpfsHasItsSizeAndMode() {
        var r = TestRuns.run(TestRuns.busybox().mount(new Mount.Tmpfs("/t", DataSize.MB(1), 0700, false, false))
                .command("sh", "-c", "stat -c %a /t; dd if=/dev/zero of=/t/f bs=1k count=2048 2>&1 | grep -c 'No space left'"));
        assertThat(r.stdout()).isEqualTo("700\n1\n");
    }

    @Test
    void workingDirectoryIsCreatedAndEnvironmentIsOnlyWhatWasGiven() {
        var r = TestRuns.run(TestRuns.busybox().workingDir("/work/dir").env("GREETING", "hi")
                .command("sh", "-c", "pwd; env | sort"));
        assertThat(r.stdout().lines().toList()).containsExactly("/work/dir", "GREETING=hi", "HOME=/root",
                "HOSTNAME=" + r.stdout().lines().filter(l -> l.startsWith("HOSTNAME=")).findFirst().orElseThrow().substring(9),
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "PWD=/work/dir", "SHLVL=1");
    }

    @Test
    void usersResolveFromTheImage() {
        var r = TestRuns.run(TestRuns.busybox().user("user").command("sh", "-c", "id; echo $HOME"));
        assertThat(r.stdout()).isEqualTo("uid=1000(user) gid=1000(user) groups=29(audio),44(video),1000(user)\n/home/user\n");
        var byNumber = TestRuns.run(TestRuns.busybox().user("4242:4343").command("id"));
        assertThat(byNumber.stdout()).isEqualTo("uid=4242 gid=4343 groups=4343\n");
    }

    @Test
    void oomScoreAdjIsInForceInside() {
        // raising is always allowed; lowering needs CAP_SYS_RESOURCE, which this VM withholds even from root
        var r = TestRuns.run(TestRuns.busybox().oomScoreAdj(500).command("cat", "/proc/self/oom_score_adj"));
        assertThat(r.stdout()).isEqualTo("500\n");
    }

    @Test
    void devIsMinimal() {
        var r = TestRuns.sh("ls /dev | tr '\\n' ' '; echo; echo x > /dev/null && head -c 4 /dev/zero | wc -c");
        assertThat(r.stdout().lines().toList().getFirst().trim().split(" "))
                .containsExactlyInAnyOrder("fd", "full", "mqueue", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout",
                        "tty", "urandom", "zero");
        assertThat(r.stdout().lines().toList().get(1).trim()).isEqualTo("4");
    }

    @Test
    void theImageIsNotModifiedByTheSetup(@TempDir Path tmp) throws Exception {
        Path root = TestRootfs.fresh(tmp);
        Files.delete(root.resolve("proc"));
        Files.delete(root.resolve("dev"));
        var r = TestRuns.run(io.jcontainer.Container.builder().rootfs(root).command("ls", "/proc/self/"));
        assertThat(r.code()).as(r.stderr()).isZero();
        // mount points were created in the image (as docker does), nothing else
        assertThat(root.resolve("proc")).isDirectory();
        assertThat(root.resolve("dev")).isEmptyDirectory();
    }
}
