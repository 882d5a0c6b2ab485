package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.linux.files.ContainerFiles;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SECURITY.md row 39 and docker's documented {@code docker container cp} behaviour: a file or
 * link onto an existing directory lands at {@code dest/basename}; a directory onto an existing
 * directory too ({@code SRC/.}: its contents); onto a missing path it becomes that path; a
 * directory onto a file and a missing parent are errors. Permission bits (setuid included) and
 * modification times are kept both ways; {@code -a} keeps uid/gid, else the receiving side's
 * root or invoking user owns the copy; {@code -L} follows SRC_PATH's link. FIFOs and devices are
 * refused by name. Symlink-safety inside is {@code lifecycle/CpTest}.
 */
@RequiresRoot
class CopyTest {
    static final FileTime TIME = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));

    @TempDir
    Path tmp;
    Path rootfs, host;
    Container c;
    ContainerFiles files = new ContainerFiles(NativeSyscalls.INSTANCE);

    @BeforeEach
    void start() throws Exception {
        rootfs = TestRootfs.fresh(tmp);
        Files.createDirectories(rootfs.resolve("data/dir/sub"));
        Files.writeString(rootfs.resolve("data/bin"), "#!/bin/sh\necho ran\n");
        Files.setAttribute(rootfs.resolve("data/bin"), "unix:mode", 0755);
        Files.setLastModifiedTime(rootfs.resolve("data/bin"), TIME);
        Files.writeString(rootfs.resolve("data/suid"), "x");
        Files.setAttribute(rootfs.resolve("data/suid"), "unix:mode", 04755);
        Files.writeString(rootfs.resolve("data/dir/sub/x"), "deep");
        Files.setLastModifiedTime(rootfs.resolve("data/dir"), TIME);
        Files.writeString(rootfs.resolve("data/owned"), "o");
        Files.setAttribute(rootfs.resolve("data/owned"), "unix:uid", 1234);
        Files.setAttribute(rootfs.resolve("data/owned"), "unix:gid", 5678);
        Files.createSymbolicLink(rootfs.resolve("data/link"), Path.of("/data/bin"));
        host = Files.createDirectories(tmp.resolve("host"));
        c = Container.builder().rootfs(rootfs)
                .command("/bin/sh", "-c", "mkfifo /data/fifo && mknod /data/null c 1 3 && echo ready; exec sleep 1000").start();
        assertThat(new BufferedReader(new InputStreamReader(c.stdout())).readLine()).isEqualTo("ready");
    }

    @AfterEach
    void stop() {
        c.close();
    }

    int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void aFileOrLinkOntoAnExistingHostDirectoryLandsAtItsBasenameWithModeAndTime() throws Exception {
        files.copyOut(c.pid(), "/data/bin", host);
        assertThat(host.resolve("bin")).hasContent("#!/bin/sh\necho ran");
        assertThat(mode(host.resolve("bin"))).isEqualTo(0755);
        assertThat(Files.getLastModifiedTime(host.resolve("bin"))).isEqualTo(TIME);
        files.copyOut(c.pid(), "/data/link", host);
        assertThat(Files.readSymbolicLink(host.resolve("link"))).isEqualTo(Path.of("/data/bin"));
        files.copyOut(c.pid(), "/data/bin", host.resolve("renamed"));
        assertThat(host.resolve("renamed")).hasContent("#!/bin/sh\necho ran");
        files.copyOut(c.pid(), "/data/owned", host.resolve("renamed")); // an existing file is overwritten
        assertThat(host.resolve("renamed")).hasContent("o");
    }

    @Test
    void aDirectoryOntoAnExistingDirectoryIsNestedUnlessSrcEndsWithDot() throws Exception {
        files.copyOut(c.pid(), "/data/dir", host);
        assertThat(host.resolve("dir/sub/x")).hasContent("deep");
        assertThat(Files.getLastModifiedTime(host.resolve("dir"))).isEqualTo(TIME);
        Path merged = Files.createDirectories(tmp.resolve("merged"));
        files.copyOut(c.pid(), "/data/dir/.", merged);
        assertThat(merged.resolve("sub/x")).hasContent("deep");
        files.copyOut(c.pid(), "/data/dir", tmp.resolve("fresh")); // missing: becomes the copy
        assertThat(tmp.resolve("fresh/sub/x")).hasContent("deep");
        Path file = Files.writeString(host.resolve("f"), "");
        assertThatThrownBy(() -> files.copyOut(c.pid(), "/data/dir", file))
                .isInstanceOf(ContainerException.class).hasMessageContaining("it is a file");
        assertThatThrownBy(() -> files.copyOut(c.pid(), "/data/bin", tmp.resolve("no/such/dir/bin")))
                .isInstanceOf(ContainerException.class).hasMessageContaining("does not exist");
    }

    @Test
    void setuidBitsAndOwnershipAsDocker() throws Exception {
        files.copyOut(c.pid(), "/data/suid", host);
        assertThat(mode(host.resolve("suid"))).isEqualTo(04755);
        files.copyOut(c.pid(), "/data/owned", host);
        assertThat(Files.getAttribute(host.resolve("owned"), "unix:uid")).as("without -a: the invoking user").isEqualTo(0);
        files.copyOut(c.pid(), "/data/owned", host.resolve("archived"), new ContainerFiles.Options(true, false));
        assertThat(Files.getAttribute(host.resolve("archived"), "unix:uid")).isEqualTo(1234);
        assertThat(Files.getAttribute(host.resolve("archived"), "unix:gid")).isEqualTo(5678);

        Path in = Files.writeString(host.resolve("in-suid"), "s");
        Files.setAttribute(in, "unix:uid", 4321); // first: chown clears setuid and setgid
        Files.setAttribute(in, "unix:mode", 06750);
        Files.setLastModifiedTime(in, TIME);
        files.copyIn(c.pid(), in, "/data");
        assertThat(mode(rootfs.resolve("data/in-suid"))).isEqualTo(06750);
        assertThat(Files.getLastModifiedTime(rootfs.resolve("data/in-suid"))).isEqualTo(TIME);
        assertThat(Files.getAttribute(rootfs.resolve("data/in-suid"), "unix:uid")).as("without -a: the container's root").isEqualTo(0);
        files.copyIn(c.pid(), in, "/data/in-archived", new ContainerFiles.Options(true, false));
        assertThat(Files.getAttribute(rootfs.resolve("data/in-archived"), "unix:uid")).isEqualTo(4321);
        assertThat(mode(rootfs.resolve("data/in-archived"))).as("setuid survives the chown").isEqualTo(06750);
    }

    @Test
    void anExecutableCopiedInStillRuns() throws Exception {
        Path bin = Files.writeString(host.resolve("tool"), "#!/bin/sh\necho tool-ran\n");
        Files.setAttribute(bin, "unix:mode", 0755);
        files.copyIn(c.pid(), bin, "/bin");
        var r = io.jcontainer.linux.TestRuns.run(Container.builder().rootfs(rootfs).command("/bin/tool"));
        assertThat(r.stdout()).isEqualTo("tool-ran\n");
        Path dir = Files.createDirectories(host.resolve("tree/a"));
        Files.writeString(dir.resolve("f"), "f");
        Files.setLastModifiedTime(host.resolve("tree"), TIME);
        files.copyIn(c.pid(), host.resolve("tree"), "/data"); // an existing directory: /data/tree
        assertThat(rootfs.resolve("data/tree/a/f")).hasContent("f");
        assertThat(Files.getLastModifiedTime(rootfs.resolve("data/tree"))).isEqualTo(TIME);
    }

    @Test
    void followLinkCopiesWhatSrcPointsToUnderItsName() throws Exception {
        files.copyOut(c.pid(), "/data/link", host.resolve("followed"), new ContainerFiles.Options(false, true));
        assertThat(Files.isSymbolicLink(host.resolve("followed"))).isFalse();
        assertThat(host.resolve("followed")).hasContent("#!/bin/sh\necho ran");
        files.copyOut(c.pid(), "/data/link", host, new ContainerFiles.Options(false, true));
        assertThat(host.resolve("link")).isRegularFile().hasContent("#!/bin/sh\necho ran");
    }

    @Test
    void fifosAndDevicesAreRefusedByNameBothWays() throws Exception {
        assertThatThrownBy(() -> files.copyOut(c.pid(), "/data/fifo", host)).isInstanceOf(ContainerException.class)
                .hasMessageContaining("/data/fifo").hasMessageContaining("a FIFO");
        assertThatThrownBy(() -> files.copyOut(c.pid(), "/data/null", host)).isInstanceOf(ContainerException.class)
                .hasMessageContaining("a character device");
        assertThatThrownBy(() -> files.copyOut(c.pid(), "/data", tmp.resolve("whole"))).isInstanceOf(ContainerException.class)
                .hasMessageContaining("/data/").hasMessageContaining("cp copies regular files, directories and symlinks only");
        assertThatThrownBy(() -> files.copyIn(c.pid(), rootfs.resolve("data/fifo"), "/tmp")).isInstanceOf(ContainerException.class)
                .hasMessageContaining("a FIFO");
        assertThat(rootfs.resolve("tmp/fifo")).doesNotExist();
    }
}
