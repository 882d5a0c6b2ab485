package io.jcontainer.cli;

import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.jcontainer.cli.CliHarness.cli;
import static io.jcontainer.cli.CliHarness.cliWithInput;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code jcontainer run} end to end: real containers on the busybox test root, through the real CLI. */
@RequiresRoot
class RunCommandTest {
    private static final String ROOT = TestRootfs.busybox().toString();

    /** {@code run --rootfs <busybox> ARGS... sh -c SCRIPT} */
    private static CliHarness.Result sh(String script, String... flags) {
        String[] args = Stream.of(new String[]{"run", "--rm", "--rootfs", ROOT}, flags, new String[]{"sh", "-c", script})
                .flatMap(Arrays::stream).toArray(String[]::new);
        return cli(args);
    }

    // ---- exit statuses ----

    @Test
    void exitStatusIsTheCommands() {
        assertThat(sh("exit 0").code()).isZero();
        assertThat(sh("exit 3").code()).isEqualTo(3);
    }

    @Test
    void killedBySignalIs128PlusIt() {
        // Not PID 1 (--pid host): a PID namespace's init ignores signals it has no handler for,
        // so `kill -9 $$` would do nothing there — under docker as here.
        var r = sh("kill -9 $$", "--pid", "host");
        assertThat(r.code()).as(r.toString()).isEqualTo(137);
    }

    @Test
    void commandNotFoundIs127() {
        var r = cli("run", "--rootfs", ROOT, "no-such-command");
        assertThat(r.code()).isEqualTo(127);
        assertThat(r.err()).startsWith("jcontainer: exec: \"no-such-command\": executable file not found in $PATH").contains("ENOENT");
        assertThat(cli("run", "--rootfs", ROOT, "/bin/nope").code()).isEqualTo(127);
    }

    @Test
    void commandThatCannotBeInvokedIs126(@TempDir Path tmp) throws IOException {
        Path root = TestRootfs.fresh(tmp);
        Files.writeString(root.resolve("notexec"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(root.resolve("notexec"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(root.resolve("garbage"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
        Files.setPosixFilePermissions(root.resolve("garbage"), PosixFilePermissions.fromString("rwxr-xr-x"));

        var r = cli("run", "--rootfs", root.toString(), "/notexec");
        assertThat(r.code()).as(r.toString()).isEqualTo(126);
        assertThat(r.err()).contains("permission denied").contains("EACCES");
        r = cli("run", "--rootfs", root.toString(), "/garbage");
        assertThat(r.code()).as(r.toString()).isEqualTo(126);
        assertThat(r.err()).contains("exec format error").contains("ENOEXEC");
    }

    // ---- the default root and IMAGE as a directory ----

    @Test
    void theDefaultRootRunsHostCommands() {
        var r = cli("run", "--rm", "echo", "hello");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("hello\n");
        // nothing of the host's /etc or /home
        r = cli("run", "--rm", "sh", "-c", "ls /etc; ls /home 2>&1");
        assertThat(r.out()).contains("passwd").doesNotContain("shadow").contains("No such file");
    }

    @Test
    void aDirectoryPathAsImageIsTheRoot() {
        var r = cli("run", "--rm", ROOT, "sh", "-c", "readlink /bin/sh");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("busybox\n");
    }

    // ---- what the command sees ----

    @Test
    void envFlagsInOrderEnvFileFirst(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("env");
        Files.writeString(file, "# a comment\n\nFROM_FILE=yes\nA=from-file\n");
        var r = sh("echo $A $B $C $D $FROM_FILE $HOME", "-e", "A=1", "--env=B=2", "-eC=3", "--env-file", file.toString(), "-e", "D=with spaces");
        assertThat(r.out()).isEqualTo("1 2 3 with spaces yes /root\n");
    }

    @Test
    void workdirUserHostname() {
        assertThat(sh("pwd", "-w", "/home/user").out()).isEqualTo("/home/user\n");
        assertThat(sh("pwd", "--workdir=/made/for/you").out()).isEqualTo("/made/for/you\n");
        assertThat(sh("id", "-u", "1000:1000").out()).startsWith("uid=1000(user) gid=1000(user)");
        assertThat(sh("id -u; id -g", "--user", "user").out()).isEqualTo("1000\n1000\n");
        assertThat(sh("hostname; cat /proc/sys/kernel/domainname", "-h", "box-1", "--domainname", "example.org").out())
                .isEqualTo("box-1\nexample.org\n");
        var r = sh("id", "-u", "nosuchuser");
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).contains("unable to find user nosuchuser");
    }

    @Test
    void volumesReadWriteAndReadOnly(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("in"), "from the host\n");
        var r = sh("cat /data/in; echo from the container > /data/out", "-v", tmp + ":/data");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("from the host\n");
        assertThat(Files.readString(tmp.resolve("out"))).isEqualTo("from the container\n");

        r = sh("cat /data/in; echo x > /data/out2", "-v", tmp + ":/data:ro");
        assertThat(r.code()).isNotZero();
        assertThat(r.out()).isEqualTo("from the host\n");
        assertThat(r.err()).contains("Read-only file system");
        assertThat(tmp.resolve("out2")).doesNotExist();

        r = sh("cat /m/in", "--mount", "type=bind,source=" + tmp + ",target=/m,readonly");
        assertThat(r.out()).isEqualTo("from the host\n");
    }

    @Test
    void tmpfsMounts() {
        var r = sh("grep ' /scratch ' /proc/mounts; echo hi > /scratch/f && cat /scratch/f", "--tmpfs", "/scratch:size=1m,mode=0700");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("tmpfs /scratch tmpfs rw,nosuid,nodev,noexec").contains("size=1024k").contains("mode=700").endsWith("hi\n");
        assertThat(sh("grep ' /t ' /proc/mounts", "--mount", "type=tmpfs,target=/t,tmpfs-size=2m").out()).contains("size=2048k");
    }

    @Test
    void readOnlyRootIsEROFS() {
        var r = sh("touch /x", "--read-only");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("Read-only file system");
        // the docker idiom: a read-only root with a writable /tmp
        assertThat(sh("touch /tmp/x && echo ok", "--read-only", "--tmpfs", "/tmp").out()).isEqualTo("ok\n");
    }

    @Test
    void networkNoneIsLoopbackOnlyAndHostIsTheHosts() throws IOException {
        assertThat(sh("ls /sys/class/net", "--net", "none").out()).isEqualTo("lo\n");
        assertThat(sh("ls /sys/class/net").out()).isEqualTo("lo\n");
        String host;
        try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
            host = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining("\n", "", "\n"));
        }
        assertThat(sh("ls /sys/class/net | sort", "--network=host").out()).isEqualTo(host);
    }

    @Test
    void hostNamespaces() throws IOException {
        assertThat(sh("echo $$").out()).isEqualTo("1\n");
        assertThat(sh("echo $$", "--pid", "host").out()).isNotEqualTo("1\n");
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        assertThat(sh("hostname", "--uts", "host").out()).isEqualTo(hostname);
        assertThat(sh("readlink /proc/self/ns/ipc", "--ipc", "host").out().trim())
                .isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString());
    }

    @Test
    void userNamespaces() {
        var r = sh("cat /proc/self/uid_map; id -u", "--userns", "private");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out().replaceAll("[ \t]+", " ")).isEqualTo(" 0 0 1\n0\n");
        r = sh("cat /proc/self/uid_map /proc/self/gid_map", "--uidmap", "0:0:65536");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out().replaceAll("[ \t]+", " ")).isEqualTo(" 0 0 65536\n 0 0 65536\n");
    }

    // ---- stdin ----

    @Test
    void interactivePipesStdinThrough() {
        var r = cliWithInput("line one\nline two\n", "run", "-i", "--rootfs", ROOT, "cat");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("line one\nline two\n");
        // without -i, stdin is /dev/null
        r = cliWithInput("ignored\n", "run", "--rm", "--rootfs", ROOT, "cat");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEmpty();
    }

    // ---- security ----

    @Test
    void capabilitiesFollowDockersRules() {
        String defaults = capEff();
        assertThat(defaults).isEqualTo("00000000a80425fb"); // docker's 14
        assertThat(capEff("--cap-drop", "ALL")).isEqualTo("0000000000000000");
        assertThat(capEff("--cap-drop", "ALL", "--cap-add", "NET_ADMIN")).isEqualTo("0000000000001000");
        assertThat(capEff("--cap-drop", "chown")).isEqualTo("00000000a80425fa");
        assertThat(capEff("--cap-add", "ALL")).isEqualTo(capEff("--privileged")).isNotEqualTo(defaults);
    }

    private static String capEff(String... flags) {
        var r = sh("grep CapEff /proc/self/status", flags);
        assertThat(r.code()).as(r.toString()).isZero();
        return r.out().replace("CapEff:", "").trim();
    }

    @Test
    void securityOpts() {
        assertThat(sh("grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status").out()).startsWith("NoNewPrivs:\t0\n");
        assertThat(sh("grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status", "--security-opt", "seccomp=unconfined",
                "--security-opt", "no-new-privileges").out()).isEqualTo("NoNewPrivs:\t1\nSeccomp:\t0\n");
        // docker's masked paths (/proc/interrupts hidden under /dev/null), and systempaths=unconfined lifting them
        assertThat(sh("stat -c %F /proc/interrupts").out()).isEqualTo("character special file\n");
        assertThat(sh("stat -c %F /proc/interrupts", "--security-opt", "systempaths=unconfined").out()).isEqualTo("regular empty file\n");
    }

    @Test
    void ulimits() {
        assertThat(sh("ulimit -n; ulimit -Hn", "--ulimit", "nofile=100:200").out()).isEqualTo("100\n200\n");
    }

    @Test
    void resourceLimitsReachTheRuntime() {
        // Either the host applies the limit (cgroups), or it says clearly why not: never silently ignored.
        var r = sh("cat /proc/self/cgroup >/dev/null", "-m", "64m", "--pids-limit", "100");
        if (r.code() != 0) {
            assertThat(r.code()).isEqualTo(125);
            assertThat(r.err()).startsWith("jcontainer: ").contains("cgroup");
        }
    }
}
