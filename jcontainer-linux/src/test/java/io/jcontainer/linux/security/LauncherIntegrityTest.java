package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.Namespace;
import io.jcontainer.Profile;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** SECURITY.md rows 4–7 and 19: the launcher, leaked descriptors, host processes, setuid binaries. */
@RequiresRoot
class LauncherIntegrityTest extends AttackTest {
    private static final Linker L = Linker.nativeLinker();

    private static MethodHandle libc(String name, FunctionDescriptor d) {
        return L.downcallHandle(L.defaultLookup().find(name).orElseThrow(), d);
    }

    /** Row 4: /proc/self/exe of the payload is busy; the launcher (visible without a PID namespace) is not writable. */
    @Test
    void launcherAndExeCannotBeOverwritten() {
        assertThat(run("open-exe", "self").verdict()).isIn("ETXTBSY", "EACCES");
        for (var b : List.of(probe(), probe().privileged())) {
            var o = TestRuns.run(b.removeNamespace(Namespace.PID).command("/bin/sh", "-c", "/bin/probe open-exe $PPID"));
            assertThat(o.stdout().strip()).as(o.toString()).isIn("EACCES", "EPERM", "ETXTBSY");
        }
    }

    /** Row 5: a descriptor the JVM leaks (no O_CLOEXEC) never reaches the container; cwd is inside the root. */
    @Test
    void onlyStdioReachesThePayload() throws Throwable {
        int leaked = (int) libc("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT))
                .invokeExact(java.lang.foreign.Arena.global().allocateFrom(canary.toString()), 0 /* O_RDONLY, no CLOEXEC */);
        assertThat(leaked).isPositive();
        try {
            var o = run("fds");
            List<String> lines = o.stdout().lines().toList();
            assertThat(lines).filteredOn(l -> l.startsWith("fd ")).extracting(l -> l.split(" ")[1]).containsExactly("0", "1", "2");
            assertThat(lines).contains("cwd /").noneMatch(l -> l.contains(canary.toString()));
            assertThat(run("read", "/proc/self/fd/" + leaked).verdict()).isEqualTo("ENOENT");
        } finally {
            int r = (int) libc("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)).invokeExact(leaked);
        }
    }

    /** Row 6: eight containers started at once each see exactly 0, 1, 2 — and only their own pipes. */
    @Test
    void concurrentStartsNeverShareDescriptors() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                List<Future<List<String>>> runs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String token = "container-" + round + "-" + i;
                    runs.add(pool.submit((Callable<List<String>>) () -> {
                        var o = TestRuns.run(probe().command("/bin/sh", "-c", "echo " + token + "; exec /bin/probe fds"));
                        List<String> lines = o.stdout().lines().toList();
                        assertThat(lines.getFirst()).isEqualTo(token);
                        return lines.stream().filter(l -> l.startsWith("fd ")).toList();
                    }));
                }
                Set<String> pipes = new HashSet<>();
                for (var f : runs) {
                    List<String> fds = f.get();
                    assertThat(fds).extracting(l -> l.split(" ")[1]).containsExactly("0", "1", "2");
                    assertThat(fds.get(0)).isEqualTo("fd 0 /dev/null");
                    String out = fds.get(1).split(" ")[2], err = fds.get(2).split(" ")[2];
                    assertThat(out).startsWith("pipe:").isNotEqualTo(err);
                    assertThat(pipes.add(out)).as("stdout pipe %s shared", out).isTrue();
                    assertThat(pipes.add(err)).as("stderr pipe %s shared", err).isTrue();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Row 7: host processes are invisible: kill -9 -1, kill and ptrace of a host pid all miss it. */
    @Test
    void hostProcessesUnreachable() throws Exception {
        Process host = new ProcessBuilder("sleep", "120").start();
        try {
            assertThat(run("kill-all").verdict()).isIn("OK", "ESRCH");
            assertThat(run("kill", Long.toString(host.pid())).verdict()).isEqualTo("ESRCH");
            assertThat(run("ptrace", Long.toString(host.pid())).verdict()).isIn("ESRCH", "EPERM");
            assertThat(run(probe("ptrace", Long.toString(host.pid())).privileged()).verdict()).isEqualTo("ESRCH");
            Thread.sleep(100);
            assertThat(host.isAlive()).isTrue();
        } finally {
            host.destroyForcibly().waitFor();
        }
    }

    /** Row 7: the environment is exactly what was set; nothing of the JVM's leaks in. */
    @Test
    void environmentIsExactlyWhatWasSet() {
        var o = TestRuns.run(probe().hostname("box").env("FOO", "bar").command("/bin/env"));
        assertThat(o.stdout().lines().sorted().toList()).containsExactly("FOO=bar", "HOME=/root", "HOSTNAME=box",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    /** Row 19: a setuid-root binary gains nothing under no_new_privs (one call away: Profile.UNTRUSTED). */
    @Test
    void setuidBinaryGainsNothingWithNoNewPrivs() throws Exception {
        Path suid = Probe.install(root, "bin/suid-probe");
        Files.setAttribute(suid, "unix:mode", 04755);
        var o = run(probe().user("user").noNewPrivileges(true).command("/bin/suid-probe", "ids"));
        assertThat(o.stdout()).as(o.toString()).contains("uid 1000 euid 1000 suid 1000").contains("CapEff:\t0000000000000000");
        // Profile.UNTRUSTED with a wide map: the suid bit would give container root at most; no_new_privs stops even that
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        var u = run(probe().profile(Profile.UNTRUSTED).resources(io.jcontainer.Resources.NONE).user("user")
                .uidMap(new io.jcontainer.IdMap(0, 100000, 65536)).gidMap(new io.jcontainer.IdMap(0, 100000, 65536)).command("/bin/suid-probe", "ids"));
        assertThat(u.stdout()).as(u.toString()).contains("euid 1000").contains("CapEff:\t0000000000000000");
    }

    /** Row 19: file capabilities (security.capability) give nothing under no_new_privs either. */
    @Test
    void fileCapabilityGainsNothingWithNoNewPrivs() throws Exception {
        Path capped = Probe.install(root, "bin/cap-probe");
        // capabilities inside the bounding set, so exec itself is allowed and only no_new_privs stands in the way
        Process p = new ProcessBuilder("setcap", "cap_net_raw,cap_dac_override+ep", capped.toString()).inheritIO().start();
        assertThat(p.waitFor()).as("setcap (libcap2-bin)").isZero();
        var o = run(probe().user("user").noNewPrivileges(true).command("/bin/cap-probe", "ids"));
        assertThat(o.stdout()).as(o.toString()).contains("CapEff:\t0000000000000000").contains("CapPrm:\t0000000000000000");
    }

    /**
     * The container dies with its launcher also when the payload runs as another uid: changing
     * credentials clears PR_SET_PDEATHSIG (prctl(2)), so the launcher must arm it again after.
     */
    @Test
    void payloadDiesWithItsLauncherAlsoAsAnotherUser() throws Exception {
        for (String user : List.of("root", "user")) {
            try (Container c = probe("sleep").user(user).start()) {
                assertThat(firstLine(c)).isEqualTo("OK");
                long launcher = Files.readAllLines(Path.of("/proc/" + c.pid() + "/status")).stream()
                        .filter(l -> l.startsWith("PPid:")).map(l -> Long.parseLong(l.substring(5).trim())).findFirst().orElseThrow();
                ProcessHandle payload = ProcessHandle.of(c.pid()).orElseThrow();
                try {
                    ProcessHandle.of(launcher).orElseThrow().destroyForcibly();
                    payload.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("payload as " + user + " outlived its killed launcher by 10 s", e);
                } finally {
                    payload.destroyForcibly(); // never leak it, even when the assertion fails
                }
            }
        }
    }

    static List<String> lines(String s) {
        return Arrays.asList(s.split("\n"));
    }
}
