package io.jcontainer.linux;

import io.jcontainer.Capability;
import io.jcontainer.CapabilitySets;
import io.jcontainer.Container;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.Hooks;
import io.jcontainer.Namespace;
import io.jcontainer.Propagation;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OCI parts of the model against the real kernel: each one does what config.json would mean. */
@RequiresRoot
class OciSpecTest {

    @Test
    void namespacedSysctlsAreSetInsideAndNotOnTheHost() throws Exception {
        String hostForward = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
        String hostShmmni = Files.readString(Path.of("/proc/sys/kernel/shmmni")).trim();
        String want = hostForward.equals("1") ? "0" : "1";
        var r = TestRuns.run(TestRuns.busybox().sysctl("net.ipv4.ip_forward", want).sysctl("kernel.shmmni", "1234")
                .command("sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni; echo 1 > /proc/sys/kernel/shmmni"));
        assertThat(r.stdout()).isEqualTo(want + "\n1234\n");
        assertThat(r.stderr()).contains("Read-only file system"); // /proc/sys is read-only again after
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim()).isEqualTo(hostForward);
        assertThat(Files.readString(Path.of("/proc/sys/kernel/shmmni")).trim()).isEqualTo(hostShmmni);
    }

    @Test
    void aHostWideSysctlIsRefusedByName() {
        assertThatThrownBy(() -> TestRuns.run(TestRuns.busybox().sysctl("kernel.panic", "1").command("true")))
                .hasMessageContaining("kernel.panic").hasMessageContaining("not namespaced");
    }

    @Test
    void umaskAndAdditionalGids() {
        var r = TestRuns.run(TestRuns.busybox().user("user").umask(027).additionalGids(4242)
                .command("sh", "-c", "umask; id -G"));
        assertThat(r.stdout()).isEqualTo("0027\n1000 29 44 4242\n");
    }

    @Test
    void ambientCapabilitiesReachANonRootPayload() {
        Set<Capability> nbs = Set.of(Capability.NET_BIND_SERVICE);
        var r = TestRuns.run(TestRuns.busybox().user("1000:1000")
                .capabilitySets(new CapabilitySets(Capability.dockerDefaults(), nbs, nbs, nbs, nbs))
                .command("grep", "-E", "^Cap(Inh|Prm|Eff|Amb)", "/proc/self/status"));
        assertThat(r.stdout().lines().map(l -> l.replaceAll("\\s+", " ")).toList())
                .containsExactly("CapInh: 0000000000000400", "CapPrm: 0000000000000400", "CapEff: 0000000000000400", "CapAmb: 0000000000000400");
        // docker's model: the same user gets nothing
        var plain = TestRuns.run(TestRuns.busybox().user("1000:1000").command("grep", "^CapEff", "/proc/self/status"));
        assertThat(plain.stdout().replaceAll("\\s+", " ").trim()).isEqualTo("CapEff: 0000000000000000");
    }

    @Test
    void anOverlayRootKeepsTheLowerDirectoryUntouched(@TempDir Path tmp) throws Exception {
        Path lower = TestRootfs.busybox();
        for (boolean userns : List.of(false, true)) {
            Path upper = Files.createDirectories(tmp.resolve("upper-" + userns)), work = Files.createDirectories(tmp.resolve("work-" + userns));
            var b = TestRuns.busybox().rootOverlay(List.of(lower), upper, work)
                    .command("sh", "-c", "echo new > /etc/added && rm /etc/group && cat /etc/added && ls /etc/group 2>&1");
            if (userns) b.addNamespace(Namespace.USER);
            var r = TestRuns.run(b);
            assertThat(r.stdout()).as("user namespace: " + userns + "; " + r.stderr()).startsWith("new\n").contains("No such file");
            assertThat(Files.readString(upper.resolve("etc/added"))).isEqualTo("new\n");
            assertThat(lower.resolve("etc/added")).doesNotExist();
            assertThat(lower.resolve("etc/group")).exists();
        }
    }

    @Test
    void aNetworkNamespaceIsJoinedByPath() throws Exception {
        try (Container first = TestRuns.busybox().command("sleep", "30").start()) {
            String ns = Files.readSymbolicLink(Path.of("/proc/" + first.pid() + "/ns/net")).toString();
            var r = TestRuns.run(TestRuns.busybox().joinNamespace(Namespace.NET, "/proc/" + first.pid() + "/ns/net")
                    .command("readlink", "/proc/self/ns/net"));
            assertThat(r.stdout().trim()).isEqualTo(ns);
            first.kill();
        }
    }

    @Test
    void genericMountsHonourFlagsDataAndPropagation(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("f"), "x");
        var r = TestRuns.run(TestRuns.busybox().mount("tmpfs", "tmpfs", "/scratch", "size=1m", "noexec", "mode=700")
                .volume(tmp + ":/data:ro,rslave")
                .command("sh", "-c", "grep -E ' /(scratch|data) ' /proc/mounts | cut -d' ' -f2,4; stat -c %a /scratch; cat /data/f"));
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines.getFirst()).startsWith("/scratch rw,").contains("noexec").contains("size=1024k");
        assertThat(lines.get(1)).startsWith("/data ro,");
        assertThat(lines.subList(2, 4)).containsExactly("700", "x");
        var slave = TestRuns.run(TestRuns.busybox().volume(tmp + ":/data:rslave").command("sh", "-c", "grep ' /data ' /proc/self/mountinfo"));
        assertThat(slave.code()).isZero();
    }

    @Test
    void aDeviceIsBoundFromTheHost() {
        var r = TestRuns.run(TestRuns.busybox().device("/dev/full:/dev/myfull").memoryLimit("64m")
                .command("sh", "-c", "stat -c '%t:%T' /dev/myfull; echo x > /dev/myfull"));
        assertThat(r.stdout()).isEqualTo("1:7\n");
        assertThat(r.stderr()).contains("No space left on device");
    }

    @Test
    void theRootCanBeASlaveOfTheHost() {
        var r = TestRuns.run(TestRuns.busybox().rootfsPropagation(Propagation.RSLAVE).command("grep", "-c", "master:", "/proc/self/mountinfo"));
        // the start succeeded; on a host whose / is shared the root's mounts are slaves ("master:N")
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout().trim()).matches("\\d+");
    }

    @Test
    void aConsoleSizeIsSetBeforeThePayloadRuns() throws Exception {
        try (Container c = TestRuns.busybox().tty(true).consoleSize(33, 111).command("stty", "size").start()) {
            String out = new String(c.stdout().readAllBytes());
            assertThat(out.trim()).isEqualTo("33 111");
        } catch (java.io.IOException eio) {
            throw new AssertionError(eio);
        }
    }

    @Test
    void anEnvironmentJustWithinTheCheckedLimitRuns() {
        var b = TestRuns.busybox().command("sh", "-c", "env | wc -c");
        String chunk = "v".repeat(120_000);
        for (int i = 0; i < 16; i++) b.env("V" + i, chunk); // 1.9 MB: more than the size issue 19 saw fail at start
        var r = TestRuns.run(b);
        assertThat(r.stderr()).isEmpty();
        assertThat(Long.parseLong(r.stdout().trim())).isGreaterThan(1_800_000);
    }

    @Test
    void whatTheRuntimeCannotDoYetIsRefusedByName() {
        // OCI runs these in the container's namespaces: not yet (prestart, createRuntime, poststart and poststop run: OciHookTest)
        assertThatThrownBy(() -> TestRuns.busybox().hook(Hooks.Stage.CREATE_CONTAINER, Hooks.Hook.of(Path.of("/bin/true"))).command("true").start())
                .isInstanceOf(HostUnsupportedException.class).hasMessageContaining("hooks.createContainer");
        // named networks are supported now (docs/networking.md): an unknown one is refused by name, before anything is made
        assertThatThrownBy(() -> TestRuns.busybox().network("mynet").command("true").start())
                .isInstanceOf(io.jcontainer.linux.net.NetworkException.NotFound.class).hasMessageContaining("mynet");
        // cgroupsPath is honoured now (CgroupsPathTest); systemd's form is refused by name
        assertThatThrownBy(() -> TestRuns.busybox().cgroupsPath("system.slice:libpod:x").command("true").start())
                .isInstanceOf(HostUnsupportedException.class).hasMessageContaining("cgroupsPath");
    }
}
