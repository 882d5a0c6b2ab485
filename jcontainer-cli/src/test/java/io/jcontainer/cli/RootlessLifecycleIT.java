package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle verbs as an unprivileged user: ./jcontainer runs as {@code jcuser} (setpriv, a
 * clean environment, {@code XDG_RUNTIME_DIR} a directory of that user's), one process per step.
 * A detached container is recorded under {@code $XDG_RUNTIME_DIR/jcontainer/containers}, listed,
 * logged, exec'd into, stopped and removed by later invocations; {@code pause} needs a cgroup
 * this user may write, which cgroup v1 never gives a non-root user, and says so.
 */
@RequiresRoot
class RootlessLifecycleIT {
    static final String USER = JcUser.NAME;
    JcUser user;

    @TempDir
    Path tmp;
    Path xdg, home;
    int uid, gid;

    @BeforeEach
    void user() throws Exception {
        user = JcUser.ensure();
        uid = user.uid();
        gid = user.gid();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        xdg = Files.createDirectory(tmp.resolve("xdg"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        home = Files.createDirectory(tmp.resolve("home"));
        for (Path p : List.of(xdg, home)) assertThat(sh("chown", uid + ":" + gid, p.toString()).code()).isZero();
    }

    @AfterEach
    void removeEverything() throws Exception {
        for (String id : cli("ps", "-a", "-q", "--no-trunc").out().split("\n")) if (!id.isBlank()) cli("rm", "-f", id);
    }

    /** ./jcontainer as jcuser, with only what a login would set (no JCONTAINER_STATE_DIR; no LANG, as under cron). */
    Result cli(String... args) throws Exception {
        return cliWith("XDG_RUNTIME_DIR=" + xdg, args);
    }

    Result cliWith(String env, String... args) throws Exception {
        return user.jcontainer(home, List.of(env), args);
    }

    static Result sh(String... cmd) throws Exception {
        return JcUser.sh(cmd);
    }

    @Test
    void aNonRootUsersDetachedContainerLivesUnderItsRuntimeDirectory() throws Exception {
        Result run = cli("run", "-d", "--name", "rl", "--rootfs", TestRootfs.busybox().toString(), "/bin/sh", "-c",
                "echo hello; echo oops >&2; sleep 1000 & wait");
        assertThat(run.code()).as(run.err()).isZero();
        String id = run.out().trim();
        assertThat(id).matches("[0-9a-f]{64}");
        Path record = xdg.resolve("jcontainer/containers/" + id + "/state.json");
        assertThat(record).isRegularFile();
        assertThat(Files.getAttribute(record, "unix:uid")).isEqualTo(uid);

        Result ps = cli("ps");
        assertThat(ps.code()).as(ps.err()).isZero();
        assertThat(ps.out()).contains(id.substring(0, 12)).contains("Up ").contains("rl");
        assertThat(cli("logs", "rl").out()).isEqualTo("hello\n");
        assertThat(cli("logs", "rl").err()).isEqualTo("oops\n");

        // root inside is this user outside: the payload's host uid is jcuser's
        Result exec = cli("exec", "rl", "/bin/sh", "-c", "id -u; cat /proc/1/comm; exit 3");
        assertThat(exec.code()).as(exec.err()).isEqualTo(3);
        assertThat(exec.out()).isEqualTo("0\nsh\n");
        assertThat(cli("top", "rl").out()).contains(Integer.toString(uid)).contains("sleep 1000");
        assertThat(cli("inspect", "rl").out()).contains("\"Status\" : \"running\"");

        Result pause = cli("pause", "rl");
        if (Files.isDirectory(Path.of("/sys/fs/cgroup/freezer"))) { // cgroup v1: no cgroup for a non-root user
            assertThat(pause.code()).isEqualTo(1);
            assertThat(pause.out()).isEmpty();
            assertThat(pause.err()).startsWith("Error response from daemon: cannot pause container " + id + ": it has no cgroup freezer")
                    .contains("only root can create cgroups")
                    .contains(" \u2014 run it as root"); // UTF-8 without a locale, as docker
            assertThat(cli("ps").out()).doesNotContain("Paused");
        } else if (pause.code() == 0) { // v2 with a delegated cgroup: it works
            assertThat(cli("unpause", "rl").code()).isZero();
        }

        Result stop = cli("stop", "-t", "1", "rl");
        assertThat(stop.code()).as(stop.err()).isZero();
        assertThat(stop.out()).isEqualTo("rl\n");
        assertThat(cli("ps", "-a").out()).contains("Exited (137)");
        assertThat(cli("ps", "-q").out()).isEmpty();

        Result rm = cli("rm", "rl");
        assertThat(rm.code()).as(rm.err()).isZero();
        assertThat(cli("ps", "-a", "-q").out()).isEmpty();
        assertThat(record.getParent()).doesNotExist();
    }

    /** A state directory another user could rewrite would let them aim this user's stop and rm at any of its processes. */
    @Test
    void aStateDirectoryOthersCanWriteIsRefused() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path state = open.resolve("state");
        Result run = cliWith("JCONTAINER_STATE_DIR=" + state, "run", "-d", "--rootfs", TestRootfs.busybox().toString(), "/bin/true");
        assertThat(run.code()).isEqualTo(125);
        assertThat(run.err()).startsWith("jcontainer: refusing the state directory " + state + ": " + open + " is writable by others")
                .contains("XDG_RUNTIME_DIR");
        assertThat(state).doesNotExist();
        Result ps = cliWith("JCONTAINER_STATE_DIR=" + open, "ps");
        assertThat(ps.code()).isEqualTo(125);
        assertThat(ps.err()).contains("is writable by others");
    }
}
