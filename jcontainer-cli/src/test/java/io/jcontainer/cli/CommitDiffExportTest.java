package io.jcontainer.cli;

import io.jcontainer.ContainerSpec;
import io.jcontainer.image.Images;
import io.jcontainer.lifecycle.Containers;
import io.jcontainer.lifecycle.WaitCondition;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.jcontainer.cli.CliHarness.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code commit}, {@code diff}, {@code export} and {@code import} through the CLI in this JVM,
 * the store under a temporary directory. The changed container has an overlay root (the image's
 * tree as the lower, an upper directory here), made through the library until {@code run IMAGE}
 * gives image containers a writable overlay root of their own.
 */
@RequiresRoot
class CommitDiffExportTest {
    @TempDir
    Path tmp;
    String previous;
    final List<String> containers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        previous = System.getProperty("jcontainer.storage");
        System.setProperty("jcontainer.storage", tmp.resolve("store").toString());
        Path base = Files.createDirectories(tmp.resolve("base"));
        Files.copy(Path.of("/bin/busybox"), base.resolve("busybox"));
        Files.writeString(base.resolve("hello.txt"), "hello from the image\n");
        Files.writeString(base.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                COPY hello.txt /etc/hello.txt
                COPY hello.txt /srv/old/gone.txt
                COPY hello.txt /opt/dir/a.txt
                CMD ["sh"]
                """);
        var r = cli("build", "-q", "-t", "jc-commit/busybox:1", base.toString());
        assertThat(r.code()).as(r.toString()).isZero();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String c : containers) cli("rm", "-f", c);
        if (previous == null) System.clearProperty("jcontainer.storage");
        else System.setProperty("jcontainer.storage", previous);
    }

    /** A container of the image with an overlay root, run to its end: {@code script} changed its files. */
    private String changedContainer(String name, String script) throws Exception {
        Path rootfs;
        try (Images images = Images.open()) {
            rootfs = images.rootfs("jc-commit/busybox:1");
        }
        Path upper = Files.createDirectories(tmp.resolve(name + "-upper")), work = Files.createDirectories(tmp.resolve(name + "-work"));
        var spec = io.jcontainer.Container.builder().image("jc-commit/busybox:1").rootOverlay(List.of(rootfs), upper, work).readOnlyRoot(false)
                .name(name).detached(true).command("sh", "-c", script).build();
        Containers c = Containers.get();
        String id = c.run(spec, false);
        containers.add(id);
        var exit = c.wait(id, WaitCondition.NOT_RUNNING);
        assertThat(exit).isPresent();
        assertThat(exit.get().code()).isZero();
        return id;
    }

    @Test
    void diffListsAddedChangedDeletedAndCommitCarriesTheChange() throws Exception {
        String name = "jc-commit-" + ProcessHandle.current().pid();
        // overlayfs writes a whiteout device for each deletion, and an opaque directory for one made where one was removed
        changedContainer(name, "echo new > /added.txt && echo changed > /etc/hello.txt && rm /bin/ls && rm -r /srv/old"
                + " && rm -r /opt/dir && mkdir /opt/dir && echo b > /opt/dir/b.txt");

        var diff = cli("diff", name);
        assertThat(diff.code()).as(diff.toString()).isZero();
        // the mount points the runtime made (/proc, /sys, /dev: the image has none) are not the container's changes
        assertThat(diff.out()).isEqualTo("""
                A /added.txt
                C /bin
                D /bin/ls
                C /etc
                C /etc/hello.txt
                C /opt
                C /opt/dir
                D /opt/dir/a.txt
                A /opt/dir/b.txt
                C /srv
                D /srv/old
                """);

        var commit = cli("commit", "-m", "the change", "-a", "tester", "-c", "ENV FROM_COMMIT=yes", name, "jc-commit/changed:1");
        assertThat(commit.code()).as(commit.toString()).isZero();
        assertThat(commit.out()).startsWith("sha256:");

        var run = cli("run", "--rm", "jc-commit/changed:1", "sh", "-c",
                "cat /added.txt /etc/hello.txt; echo FROM_COMMIT=$FROM_COMMIT; ls /bin/ls /srv/old 2>&1 | wc -l; ls /opt/dir");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("new\nchanged\nFROM_COMMIT=yes\n2\nb.txt\n");
        // the container's command is the new image's Cmd, as docker's commit makes it
        var history = cli("history", "--no-trunc", "jc-commit/changed:1");
        assertThat(history.out()).contains("the change").contains("sh -c echo new > /added.txt");
    }

    @Test
    void commitWithChangeCmd() throws Exception {
        String name = "jc-commit-cmd-" + ProcessHandle.current().pid();
        changedContainer(name, "echo from the commit > /msg.txt");
        var commit = cli("commit", "-c", "CMD [\"cat\", \"/msg.txt\"]", "-c", "WORKDIR /srv", name, "jc-commit/cmd:1");
        assertThat(commit.code()).as(commit.toString()).isZero();
        var run = cli("run", "--rm", "jc-commit/cmd:1");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("from the commit\n");
        assertThat(cli("run", "--rm", "jc-commit/cmd:1", "pwd").out()).isEqualTo("/srv\n");

        var bad = cli("commit", "-c", "RUN echo no", name);
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("RUN is not a valid change command");
    }

    @Test
    void exportImportRoundTripRuns() throws Exception {
        String name = "jc-export-" + ProcessHandle.current().pid();
        changedContainer(name, "echo exported > /exported.txt && rm /etc/hello.txt");
        Path tar = tmp.resolve("fs.tar");
        var export = cli("export", "-o", tar.toString(), name);
        assertThat(export.code()).as(export.toString()).isZero();
        assertThat(tar).isNotEmptyFile();

        var imp = cli("import", "-c", "CMD [\"cat\", \"/exported.txt\"]", "-m", "round trip", tar.toString(), "jc-commit/imported:1");
        assertThat(imp.code()).as(imp.toString()).isZero();
        assertThat(imp.out()).startsWith("sha256:");
        var run = cli("run", "--rm", "jc-commit/imported:1");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("exported\n");
        var gone = cli("run", "--rm", "jc-commit/imported:1", "sh", "-c", "test -e /etc/hello.txt && echo there || echo deleted; ls /bin/busybox");
        assertThat(gone.out()).isEqualTo("deleted\n/bin/busybox\n");
        assertThat(cli("history", "jc-commit/imported:1").out()).contains("round trip");
    }

    @Test
    void rootDirectoryContainersSayWhyTheyCannotBeDiffed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dir-root"));
        try (Images images = Images.open()) {
            images.unpack("jc-commit/busybox:1", dir.resolve("r"));
        }
        String name = "jc-dir-" + ProcessHandle.current().pid();
        var spec = io.jcontainer.Container.builder().rootfs(dir.resolve("r")).readOnlyRoot(false).name(name).detached(true).command("true").build();
        String id = Containers.get().run(spec, false);
        containers.add(id);
        Containers.get().wait(id, WaitCondition.NOT_RUNNING);
        var diff = cli("diff", name);
        assertThat(diff.code()).isEqualTo(1);
        assertThat(diff.err()).contains("diff needs a container made from an image");
        // its whole filesystem still exports
        var export = cli("export", "-o", tmp.resolve("dir.tar").toString(), name);
        assertThat(export.code()).as(export.toString()).isZero();
        assertThat(tmp.resolve("dir.tar")).isNotEmptyFile();
    }
}
