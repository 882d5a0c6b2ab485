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
