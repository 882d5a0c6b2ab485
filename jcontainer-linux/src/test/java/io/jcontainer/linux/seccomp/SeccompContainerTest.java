package io.jcontainer.linux.seccomp;

import io.jcontainer.Capability;
import io.jcontainer.ContainerSpec;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Seccomp;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kernel agrees with the compiler: real containers (busybox root, root JVM) with the built-in
 * profile, a custom JSON profile and a profile file with Docker's semantics. Syscalls busybox
 * cannot make are made by {@code src/test/c/seccomp-probe.c}, built static at test time.
 */
@RequiresRoot
class SeccompContainerTest {
    static final int SIGSYS = 31;

    @TempDir
    static Path dir;
    static Path root;

    @BeforeAll
    static void buildProbeAndRoot() throws Exception {
        Path out = Path.of("target", "seccomp-probe").toAbsolutePath();
        Files.createDirectories(out.getParent());
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", out.toString(),
                Path.of("src", "test", "c", "seccomp-probe.c").toAbsolutePath().toString()).inheritIO().start();
        if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0)
            throw new IllegalStateException("gcc -static could not build src/test/c/seccomp-probe.c (apt-get install gcc libc6-dev)");
        root = TestRootfs.fresh(dir);
        Files.copy(out, root.resolve("bin/seccomp-probe"), StandardCopyOption.REPLACE_EXISTING);
    }

    static ContainerSpec.Builder box(String... command) {
        return TestRuns.busybox().rootfs(root).command(command);
    }

    static TestRuns.Result probe(Seccomp profile, String... probes) {
        List<String> cmd = new ArrayList<>(List.of("/bin/seccomp-probe"));
        cmd.addAll(List.of(probes));
        return TestRuns.run(box(cmd.toArray(String[]::new)).seccomp(profile));
    }

    @Test
    void theDefaultIsTheBuiltInFilterAndOrdinaryProgramsWork() {
        var r = TestRuns.run(box("/bin/sh", "-c", """
                grep -E '^(Seccomp|Seccomp_filters|NoNewPrivs):' /proc/self/status
                ls / > /dev/null && cat /etc/passwd | wc -l && dd if=/dev/zero of=/tmp/z bs=4k count=16 2>/dev/null \
                  && wc -c < /tmp/z && sleep 0.1 && mkdir /tmp/d && echo ok"""));
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout()).isEqualTo("NoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\n4\n65536\nok\n");
        assertThat(r.code()).isZero();
    }

    @Test
    void namespacesAndMountsAreRefused() {
        var r = TestRuns.run(box("/bin/sh", "-c", """
                unshare -U true; echo "U $?"
                unshare -m true; echo "m $?"
                mount -t tmpfs x /mnt; echo "mount $?"
                """));
        // mount: refused by the filter (and, with CAP_SYS_ADMIN dropped, by the kernel too) even as root
        assertThat(r.stdout()).isEqualTo("U 1\nm 1\nmount 1\n");
        assertThat(r.stderr()).contains("unshare: unshare(0x10000000): Operation not permitted",
                "unshare: unshare(0x20000): Operation not permitted", "Operation not permitted");
    }

    @Test
    void sysAdminUnlocksMountsAsTheProfileSays() {
        // The same profile, compiled for a capability set with CAP_SYS_ADMIN: mount is allowed.
        var r = TestRuns.run(box("/bin/sh", "-c", "mkdir -p /tmp/m && mount -t tmpfs x /tmp/m && echo mounted")
                .capAdd(Capability.SYS_ADMIN));
        assertThat(r.stdout()).isEqualTo("mounted\n");
    }

    @Test
    void whatTheDefaultProfileNeverAllows() {
        var r = probe(Seccomp.DEFAULT, "keyctl", "add_key", "request_key", "userfaultfd", "io_uring_setup", "bpf",
                "perf_event_open", "unshare_user", "pivot_root", "clone3", "clone_newuser", "clone_plain", "socket_alg",
                "socket_vsock", "socket_vsock_high", "socket_inet", "personality_query", "personality_bsd", "tiocsti",
                "newer_than_profile", "getpid");
        assertThat(r.stdout()).isEqualTo("""
                keyctl: EPERM
                add_key: EPERM
                request_key: EPERM
                userfaultfd: EPERM
                io_uring_setup: EPERM
                bpf: EPERM
                perf_event_open: EPERM
                unshare_user: EPERM
                pivot_root: EPERM
                clone3: ENOSYS
                clone_newuser: EPERM
                clone_plain: ok
                socket_alg: EPERM
                socket_vsock: EPERM
                socket_vsock_high: EPERM
                socket_inet: ok
                personality_query: ok
                personality_bsd: EPERM
                tiocsti: EPERM
                newer_than_profile: ENOSYS
                getpid: ok
                """);
        assertThat(r.code()).isZero();
    }

    @Test
    void withoutAFilterTheSameCallsReachTheKernel() {
        // Proof that the EPERMs above are the filter's: unconfined, keyctl finds the session keyring.
        var r = probe(Seccomp.UNCONFINED, "keyctl", "clone3", "socket_vsock", "newer_than_profile");
        assertThat(r.stdout()).doesNotContain("keyctl: EPERM", "clone3: ENOSYS", "socket_vsock: EPERM", "newer_than_profile: ENOSYS");
    }

    @Test
    void otherAbisAreKilled() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Arch.host() == Arch.X86_64, "x32 and int 0x80 exist on x86_64 only");
        for (String abi : List.of("x32", "int80")) {
            var r = probe(Seccomp.DEFAULT, "getpid", abi);
            assertThat(r.stdout()).isEqualTo("getpid: ok\n");
            assertThat(r.exit().signal()).as(abi).isEqualTo(SIGSYS);
        }
    }

    @Test
    void aCustomProfileDenyingMkdir() {
        Seccomp profile = Seccomp.json("""
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}""");
        var r = TestRuns.run(box("/bin/sh", "-c", "mkdir /tmp/nope; echo \"rc $?\"; touch /tmp/yes && echo touched")
                .seccomp(profile));
        assertThat(r.stdout()).isEqualTo("rc 1\ntouched\n");
        assertThat(r.stderr()).contains("Operation not permitted");
    }

    @Test
    void aProfileFileWithDockersSemantics() throws IOException {
        Path file = dir.resolve("docker-semantics.json");
        try (var in = SeccompContainerTest.class.getResourceAsStream("/seccomp/docker-semantics.json")) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        Seccomp profile = Seccomp.fromFile(file);
        var sh = TestRuns.run(box("/bin/sh", "-c", "ls / >/dev/null && cat /etc/passwd | wc -l && sleep 0.1 && echo ok; unshare -m true; echo \"m $?\"")
                .seccomp(profile));
        assertThat(sh.stdout()).isEqualTo("4\nok\nm 1\n");
        var r = probe(profile, "keyctl", "clone3", "clone_newuser", "clone_plain", "socket_vsock", "socket_inet", "newer_than_profile", "getpid");
        assertThat(r.stdout()).isEqualTo("""
                keyctl: EPERM
                clone3: ENOSYS
                clone_newuser: EPERM
                clone_plain: ok
                socket_vsock: EPERM
                socket_inet: ok
                newer_than_profile: ENOSYS
                getpid: ok
                """);
    }

    @Test
    void afterTheUidChangeWithNoNewPrivileges() {
        // no_new_privs: the filter is loaded last, by an unprivileged uid; the launcher's remaining
        // steps (close_range, execve) pass it.
        var r = TestRuns.run(box("/bin/sh", "-c", "id -u; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; /bin/seccomp-probe keyctl")
                .user("1000").noNewPrivileges(true));
        assertThat(r.stdout()).isEqualTo("1000\nNoNewPrivs:\t1\nSeccomp:\t2\nkeyctl: EPERM\n");
    }

    @Test
    void aProfileThatBreaksTheLauncherFailsTheStartClearly() {
        // The filter is loaded before the credential steps (no_new_privs off): a profile that
        // denies them breaks startup, as with runc. The failure names the step and errno.
        Seccomp noCapset = Seccomp.json("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["capset"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}""");
        assertThatThrownBy(() -> TestRuns.run(box("/bin/true").seccomp(noCapset)))
                .isInstanceOf(io.jcontainer.ContainerStartException.class)
                .hasMessageContaining("capset").hasMessageContaining("EACCES");
        // A filter that kills the launcher's child before exec: the launcher cannot tell that
        // from an exec'd payload dying at once (its error pipe closes empty), so the container
        // "starts" and ends killed by SIGSYS — no hang, no leak.
        Seccomp killAll = Seccomp.json("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\"}");
        assertThat(TestRuns.run(box("/bin/true").seccomp(killAll)).exit().signal()).isEqualTo(SIGSYS);
    }

    @Test
    void aMalformedProfileIsRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> TestRuns.run(box("/bin/true").seccomp(Seccomp.json("{\"defaultAction\": \"SCMP_ACT_MAYBE\"}"))))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("seccomp: defaultAction: unknown action \"SCMP_ACT_MAYBE\"");
    }
}
