package io.jcontainer.linux.security;

import io.jcontainer.Capability;
import io.jcontainer.linux.TestRuns;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** SECURITY.md rows 15 and 16: device nodes, raw and packet sockets. */
@RequiresRoot
class DeviceAndNetworkTest extends AttackTest {

    /** Row 15: a block device made with the default CAP_MKNOD cannot be opened anywhere writable (all nodev). */
    @Test
    void mknodBlockDeviceUnusableOnEveryWritableMount() throws Exception {
        String[] disk = hostRootDevice();
        for (String p : new String[]{"/tmp/sda", "/sda", "/dev/sda", "/dev/shm/sda", "/data/sda", "/vol/sda"}) {
            var o = run(probe("mknod", p, disk[0], disk[1]).tmpfs("/data").bind(volume(), "/vol"));
            assertThat(o.verdict()).as(p + ": " + o).isIn("MKNOD_ONLY EACCES", "MKNOD_ONLY EPERM", "EPERM", "EROFS");
            // A device any process may open (1:3 is /dev/null's) proves the mount itself is nodev,
            // whatever else (a devices cgroup of an outer container) guards the disk on this host.
            var n = run(probe("mknod", p + "-null", "1", "3", "c").tmpfs("/data").bind(volume(), "/vol"));
            assertThat(n.verdict()).as(p + ": " + n).isIn("MKNOD_ONLY EACCES", "EPERM", "EROFS");
        }
    }

    /** major, minor of the block device holding the host's "/" (what an attacker would read raw). */
    static String[] hostRootDevice() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = l.split(" ");
            if (f[4].equals("/")) return f[2].split(":");
        }
        throw new AssertionError("no / in mountinfo");
    }

    /** Row 15: without CAP_MKNOD, mknod itself fails. */
    @Test
    void mknodRefusedWithoutCapability() {
        assertThat(run(probe("mknod", "/tmp/sda").capDrop(Capability.MKNOD)).verdict()).isEqualTo("EPERM");
    }

    /** Row 15: /dev holds only the safe devices; no /dev/mem, no disks. */
    @Test
    void devHasOnlySafeDevices() {
        var o = TestRuns.run(probe().command("/bin/sh", "-c", "ls /dev; /bin/probe read /dev/mem"));
        assertThat(o.stdout().split("\n")).doesNotContain("mem", "kmem", "sda", "vda", "port", "kmsg")
                .contains("null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "ptmx", "ENOENT");
    }

    /** Row 16: raw and packet sockets need CAP_NET_RAW. */
    @Test
    void rawSocketsRefusedWithoutNetRaw() {
        assertThat(run(probe("raw-socket").capDrop(Capability.NET_RAW)).verdict()).isEqualTo("EPERM");
        assertThat(run(probe("packet-socket").capDrop(Capability.NET_RAW)).verdict()).isEqualTo("EPERM");
        assertThat(run(probe("raw-socket").dropAllCapabilities()).verdict()).isEqualTo("EPERM");
    }

    /** Row 16: with NET_RAW (docker's default), the container's network namespace has only lo: nothing to spoof. */
    @Test
    void privateNetworkHasOnlyLoopback() {
        var o = TestRuns.run(probe().command("/bin/sh", "-c", "ls /sys/class/net; /bin/probe packet-socket"));
        assertThat(o.stdout().split("\n")).containsExactly("lo", "OK");
    }

    private Path volume() {
        try {
            return Files.createDirectories(dir.resolve("vol-src"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
