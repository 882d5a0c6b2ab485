package io.jcontainer.linux.security;

import io.jcontainer.Container;
import io.jcontainer.IdMap;
import io.jcontainer.Profile;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.userns.SubordinateIds;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Row 45 (docs/security-catalog.md): {@link Profile#UNTRUSTED} from a root JVM runs as an
 * unprivileged host uid, so a job that escapes its namespaces through a kernel bug is nobody on
 * the host; the job still writes its tmpfs and reads its root.
 */
@RequiresRoot
class UntrustedHostUidTest extends AttackTest {

    @Test
    void untrustedPayloadIsNotHostRootAndStillWorks() throws Exception {
        Landed.cgroups(); // UNTRUSTED has memory and pids limits
        long expected = SubordinateIds.unprivileged().get(0).getFirst().hostId();
        try (Container c = Container.builder().profile(Profile.UNTRUSTED).rootfs(root)
                .command("/bin/sh", "-c", "echo job > /tmp/out && cat /tmp/out && head -1 /etc/passwd && echo ready && exec sleep 1000").start()) {
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(c.stdout()));
            assertThat(in.readLine()).isEqualTo("job");
            assertThat(in.readLine()).startsWith("root:");
            assertThat(in.readLine()).isEqualTo("ready");
            for (long pid : List.of(c.pid())) {
                String uids = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                        .filter(l -> l.startsWith("Uid:") || l.startsWith("Gid:")).reduce("", (a, b) -> a + b + "\n");
                assertThat(uids).as("host view of the payload's ids").doesNotContain("\t0").contains("\t" + expected);
            }
            assertThat(Files.readString(Path.of("/proc/" + c.pid() + "/uid_map")).trim().split("\\s+"))
                    .containsExactly("0", Long.toString(expected), "65536");
        }
    }

    /**
     * The embedded default root (no rootfs) too: the child builds that root after it became its
     * namespace's root, so the unprivileged map applies there as well. Seen from the host: the
     * payload's ids are the range's, it is in its own memory and pids cgroups with the preset's
     * limits, and pause/unpause and stop still reach it.
     */
    @Test
    void untrustedOnTheDefaultRootIsNotHostRoot() throws Exception {
        Landed.cgroups();
        long expected = SubordinateIds.unprivileged().get(0).getFirst().hostId();
        try (Container c = Container.builder().profile(Profile.UNTRUSTED)
                .command("/bin/sh", "-c", "ls /usr >/dev/null && id -u && touch /tmp/x && echo ready && exec sleep 1000").start()) {
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(c.stdout()));
            assertThat(in.readLine()).as("uid inside").isEqualTo("0");
            assertThat(in.readLine()).isEqualTo("ready");
            assertThat(hostIds(c.pid())).as("host view of the payload's ids").doesNotContain("\t0").contains("\t" + expected);
            assertThat(Files.readString(Path.of("/proc/" + c.pid() + "/uid_map")).trim().split("\\s+"))
                    .containsExactly("0", Long.toString(expected), "65536");
            assertThat(hostCgroupFile(c.pid(), "memory", "memory.limit_in_bytes", "memory.max")).isEqualTo(Long.toString(512L << 20));
            assertThat(hostCgroupFile(c.pid(), "pids", "pids.max", "pids.max")).isEqualTo("256");
            c.pause();
            c.unpause();
            assertThat(c.isRunning()).isTrue();
            c.stop(java.time.Duration.ofSeconds(1));
            assertThat(c.waitFor(java.time.Duration.ofSeconds(10))).isPresent();
        }
    }

    /** Explicit maps on the default root: root inside is host uid 300000, and the root still works. */
    @Test
    void explicitMapsOnTheDefaultRoot() throws Exception {
        try (Container c = Container.builder().addNamespace(io.jcontainer.Namespace.USER)
                .uidMap(new IdMap(0, 300000, 65536)).gidMap(new IdMap(0, 300000, 65536))
                .command("/bin/sh", "-c", "ls /usr >/dev/null && touch /tmp/x && mkdir /work && id -u && echo ready && exec sleep 1000").start()) {
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(c.stdout()));
            assertThat(in.readLine()).isEqualTo("0");
            assertThat(in.readLine()).isEqualTo("ready");
            assertThat(hostIds(c.pid())).contains("Uid:\t300000\t300000\t300000").contains("Gid:\t300000\t300000\t300000");
        }
    }

    /** The Uid: and Gid: lines of /proc/PID/status, as the host sees them. */
    private static String hostIds(long pid) throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("Uid:") || l.startsWith("Gid:")).reduce("", (a, b) -> a + b + "\n");
    }

    /**
     * A file of the cgroup {@code pid} is in for {@code controller}, found from the host through
     * /proc/PID/cgroup (v1: that controller's hierarchy; v2: the unified one) — it must be one of
     * jcontainer's, not the JVM's.
     */
    private static String hostCgroupFile(long pid, String controller, String v1File, String v2File) throws java.io.IOException {
        boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            Path file = null;
            if (v2 && f[0].equals("0") && f[1].isEmpty()) file = Path.of("/sys/fs/cgroup" + f[2], v2File);
            else if (!v2 && List.of(f[1].split(",")).contains(controller)) file = Path.of("/sys/fs/cgroup/" + f[1] + f[2], v1File);
            if (file == null) continue;
            assertThat(f[2]).as("the payload's %s cgroup", controller).contains("jcontainer");
            return Files.readString(file).trim();
        }
        throw new AssertionError("pid " + pid + " has no " + controller + " cgroup: " + Files.readString(Path.of("/proc/" + pid + "/cgroup")));
    }

    /** Explicit maps still win; DEFAULT leaves a root JVM's container root as host root (docker's behaviour). */
    @Test
    void explicitMapsWin() throws Exception {
        try (Container c = probe("sleep").profile(Profile.UNTRUSTED).memoryLimit("512m")
                .uidMap(new IdMap(0, 200000, 65536)).gidMap(new IdMap(0, 200000, 65536)).start()) {
            assertThat(firstLine(c)).isEqualTo("OK");
            assertThat(Files.readString(Path.of("/proc/" + c.pid() + "/uid_map")).trim().split("\\s+")).containsExactly("0", "200000", "65536");
        }
    }
}
