package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code build} and {@code commit} as an unprivileged user ({@code jcuser}, as
 * {@link RootlessLifecycleIT} runs it): a RUN step goes over an overlay mounted in the step's
 * user namespace, and the layer records what the container saw — root's files, not the host
 * uid they have on disk; a commit of a rootless container likewise; a RUN as another USER makes
 * that user's files.
 */
@RequiresRoot
class RootlessBuildIT {
    static final String USER = JcUser.NAME;
    JcUser user;

    @TempDir
    Path tmp;
    Path xdg, home, store, ctx;
    int uid, gid;

    @BeforeEach
    void user() throws Exception {
        user = JcUser.ensure();
        uid = user.uid();
        gid = user.gid();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        xdg = Files.createDirectory(tmp.resolve("xdg"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        home = Files.createDirectory(tmp.resolve("home"));
        store = Files.createDirectory(tmp.resolve("store"));
        ctx = Files.createDirectory(tmp.resolve("ctx"));
        Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"));
        for (Path p : List.of(xdg, home, store, ctx)) assertThat(sh("chown", "-R", uid + ":" + gid, p.toString()).code()).isZero();
    }

    @AfterEach
    void removeEverything() throws Exception {
        for (String id : cli("ps", "-a", "-q", "--no-trunc").out().split("\n")) if (!id.isBlank()) cli("rm", "-f", id);
        // the build's and the containers' files belong to jcuser: removed as jcuser's (overlay work dirs are mode 000)
        sh("chmod", "-R", "u+rwx", tmp.toString());
    }

    Result cli(String... args) throws Exception {
        return user.jcontainer(home, List.of("XDG_RUNTIME_DIR=" + xdg, "JCONTAINER_STORAGE=" + store), args);
    }

    static Result sh(String... cmd) throws Exception {
        return JcUser.sh(cmd);
    }

    /** Every entry of every layer blob in the store: name -> "uid:gid". */
    Map<String, String> layerOwners() throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Stream<Path> blobs = Files.list(store.resolve("blobs/sha256"))) {
            for (Path b : blobs.toList()) {
                try (InputStream in = Files.newInputStream(b); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                    for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry())
                        out.put(e.getName(), e.getLongUserId() + ":" + e.getLongGroupId());
                } catch (java.io.IOException notATar) {
                    // a config or a manifest
                }
            }
        }
        return out;
    }

    @Test
    void anOrdinaryUsersBuildRunsItsStepsAndItsLayersHoldRootsFiles() throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /made/gone && echo hi > /made/f && echo x > /made/gone/x"]
                RUN ["/bin/busybox", "rm", "-r", "/made/gone"]
                CMD ["/bin/busybox", "cat", "/made/f"]
                """);
        Result build = cli("build", "-q", "-t", "rootless/build:1", ctx.toString());
        assertThat(build.code()).as(build.err()).isZero();
        Map<String, String> owners = layerOwners();
        assertThat(owners).containsEntry("made/f", "0:0").containsEntry("made/.wh.gone", "0:0");
        Result run = cli("run", "--rm", "rootless/build:1");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("hi\n");
        // nothing left of the steps' uppers and work directories (overlayfs leaves work/work at mode 000)
        try (Stream<Path> left = Files.list(store.resolve("build-cache/tmp"))) {
            assertThat(left.toList()).isEmpty();
        }

        // commit of a rootless container: its change as root's
        Result c = cli("run", "--name", "rl-commit", "rootless/build:1", "/bin/busybox", "sh", "-c", "echo c > /committed");
        assertThat(c.code()).as(c.err()).isZero();
        Result commit = cli("commit", "rl-commit", "rootless/commit:1");
        assertThat(commit.code()).as(commit.err()).isZero();
        assertThat(layerOwners()).containsEntry("committed", "0:0");
    }

    /**
     * An ordinary user's RUN steps get docker's default network, which is pasta for such a user:
     * an interface beside loopback (nothing is sent anywhere); {@code --network none} leaves only
     * loopback.
     */
    @Test
    void anOrdinaryUsersRunStepsGetPastaByDefaultAndLoopbackWithNetworkNone() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/pasta")), "needs pasta (apt-get install passt)");
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "sh", "-c", "/bin/busybox ip -o link | /bin/busybox cut -d: -f2 > /links"]
                CMD ["/bin/busybox", "cat", "/links"]
                """);
        // docker's default asked for by name: JcUser's runs default to loopback only
        Result build = user.jcontainer(home, List.of("XDG_RUNTIME_DIR=" + xdg, "JCONTAINER_STORAGE=" + store, "JCONTAINER_DEFAULT_NETWORK=auto"),
                "build", "-q", "-t", "rootless/net:1", ctx.toString());
        assertThat(build.code()).as(build.err()).isZero();
        String links = cli("run", "--rm", "rootless/net:1").out();
        assertThat(links.lines().map(String::strip).toList()).as(links).contains("lo").hasSizeGreaterThan(1);

        Result none = cli("build", "-q", "--no-cache", "--network", "none", "-t", "rootless/net:2", ctx.toString());
        assertThat(none.code()).as(none.err()).isZero();
        String only = cli("run", "--rm", "rootless/net:2").out();
        assertThat(only.lines().map(String::strip).toList()).as(only).containsExactly("lo");
    }

    /**
     * RUN as another USER in an ordinary user's build: the step runs as uid 1000 (its namespace
     * maps that uid to jcuser and the rest to jcuser's subordinate ids), what it creates — a
     * private directory and file too — is 1000's in the layer, a second step as 1000 changes its
     * files, a root step after it is root's, and no temporary directory is left behind.
     */
    @Test
    void aRunAsAnotherUserMakesFilesThatUsersInTheLayer() throws Exception {
        Files.createDirectories(ctx.resolve("etc"));
        Files.writeString(ctx.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n");
        Files.writeString(ctx.resolve("etc/group"), "root:x:0:\napp:x:1000:\n");
        assertThat(sh("chown", "-R", uid + ":" + gid, ctx.toString()).code()).isZero();
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                COPY etc /etc
                USER app
                RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /tmp/made/private && echo mine > /tmp/made/f && echo secret > /tmp/made/private/s && /bin/busybox chmod 600 /tmp/made/private/s && /bin/busybox chmod 700 /tmp/made/private && /bin/busybox id -u > /tmp/made/uid"]
                RUN ["/bin/busybox", "sh", "-c", "echo more >> /tmp/made/f"]
                USER root
                RUN ["/bin/busybox", "sh", "-c", "echo root > /rootfile"]
                CMD ["/bin/busybox", "cat", "/tmp/made/uid", "/tmp/made/f"]
                """);
        Result build = cli("build", "-q", "--network", "none", "-t", "rootless/user:1", ctx.toString());
        assertThat(build.code()).as(build.err()).isZero();
        Map<String, String> owners = layerOwners();
        assertThat(owners).containsEntry("tmp/made/f", "1000:1000").containsEntry("tmp/made/private/", "1000:1000")
                .containsEntry("tmp/made/private/s", "1000:1000").containsEntry("tmp/made/uid", "1000:1000").containsEntry("rootfile", "0:0");
        Result run = cli("run", "--rm", "rootless/user:1");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("1000\nmine\nmore\n");
        try (Stream<Path> left = Files.list(store.resolve("build-cache/tmp"))) {
            assertThat(left.toList()).isEmpty();
        }
    }
}
