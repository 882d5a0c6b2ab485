package io.jcontainer.linux.security;

import io.jcontainer.Capability;
import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Namespace;
import io.jcontainer.Profile;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container's posture as the host kernel sees it (gVisor's containerposture_test is the model):
 * for every task of a started container, read /proc/PID/status, ns/*, uid_map, limits, fd/, cwd and
 * root, and compare with what the spec asked for and with the JVM's own.
 */
@RequiresRoot
class ContainerPostureTest {
    @TempDir
    Path dir;

    /** Docker's default capability mask (the 14 kept). */
    static long mask(Set<Capability> caps) {
        long m = 0;
        for (Capability c : caps) m |= 1L << c.number();
        return m;
    }

    @Test
    void defaultProfile() throws Exception {
        Path root = Probe.rootfs(dir);
        ContainerSpec.Builder b = Probe.in(root).command("/bin/sh", "-c", "/bin/probe sleep & exec /bin/probe sleep");
        try (Container c = b.start()) {
            List<Long> tasks = tasks(c);
            assertThat(tasks).hasSizeGreaterThanOrEqualTo(2);
            long dflt = mask(Capability.dockerDefaults());
            for (long t : tasks) {
                Map<String, String> s = status(t);
                assertThat(hex(s.get("CapEff"))).as("CapEff of %d", t).isEqualTo(dflt);
                assertThat(hex(s.get("CapPrm"))).isEqualTo(dflt);
                assertThat(hex(s.get("CapBnd"))).isEqualTo(dflt);
                assertThat(hex(s.get("CapInh"))).isZero();
                assertThat(hex(s.get("CapAmb"))).isZero();
                assertThat(s.get("Uid")).isEqualTo("0\t0\t0\t0");
                assertThat(s.get("NoNewPrivs")).isEqualTo("0"); // docker's default; Profile.UNTRUSTED sets it
                if (Seccomp.landed()) assertThat(s.get("Seccomp")).isEqualTo("2");
                // no user namespace: the JVM's identity map
                assertThat(Files.readString(Path.of("/proc/" + t + "/uid_map"))).isEqualTo(Files.readString(Path.of("/proc/self/uid_map")));
                assertNamespaces(t, Set.of("mnt", "pid_for_children", "net", "uts", "ipc", "cgroup"), Set.of("user"));
                assertOnlyStdio(t);
                assertRootAndCwd(t, root);
                assertThat(Files.readString(Path.of("/proc/" + t + "/environ"))).doesNotContain("JAVA").doesNotContain("MAVEN");
            }
            // pid namespace: the first process is pid 1 inside
            assertThat(status(c.pid()).get("NSpid")).endsWith("\t1");
        }
    }

    @Test
    void untrustedProfile() throws Exception {
        Path root = Probe.rootfs(dir);
        ContainerSpec.Builder b = Probe.in(root).profile(Profile.UNTRUSTED)
                .command("/bin/sh", "-c", "/bin/probe sleep & exec /bin/probe sleep");
        try (Container c = startMaybeWithoutCgroups(b)) {
            for (long t : tasks(c)) {
                Map<String, String> s = status(t);
                for (String set : List.of("CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb"))
                    assertThat(hex(s.get(set))).as("%s of %d", set, t).isZero();
                assertThat(s.get("NoNewPrivs")).isEqualTo("1");
                if (Seccomp.landed()) assertThat(s.get("Seccomp")).isEqualTo("2");
                assertNamespaces(t, Set.of("mnt", "pid_for_children", "net", "uts", "ipc", "cgroup", "user"), Set.of());
                // from a root JVM container root is an unprivileged host range, never host root (row 45)
                long base = io.jcontainer.linux.userns.SubordinateIds.unprivileged().get(0).getFirst().hostId();
                assertThat(Files.readString(Path.of("/proc/" + t + "/uid_map")).trim().split("\\s+")).containsExactly("0", Long.toString(base), "65536");
                assertThat(limit(t, "Max open files")).containsExactly("1024", "1024");
                assertThat(limit(t, "Max core file size")).containsExactly("0", "0");
                assertOnlyStdio(t);
                assertRootAndCwd(t, root);
            }
        }
    }

    /** A wide map (root JVM): the payload runs as 1000 inside = 101000 outside, with its groups. */
    @Test
    void untrustedWithWideMapAndUser() throws Exception {
        // the namespace's root is host uid 100000: like docker's userns-remap, it must be able to reach the rootfs
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path root = Probe.rootfs(dir);
        ContainerSpec.Builder b = Probe.in(root).profile(Profile.UNTRUSTED).user("user")
                .uidMap(new io.jcontainer.IdMap(0, 100000, 65536)).gidMap(new io.jcontainer.IdMap(0, 100000, 65536))
                .command("/bin/probe", "sleep");
        try (Container c = startMaybeWithoutCgroups(b)) {
            for (long t : tasks(c)) {
                Map<String, String> s = status(t);
                assertThat(s.get("Uid")).isEqualTo("101000\t101000\t101000\t101000");
                assertThat(s.get("Gid")).isEqualTo("101000\t101000\t101000\t101000");
                assertThat(s.get("Groups")).isEqualTo("100029 100044 101000"); // audio, video and the primary group, as docker
                assertThat(hex(s.get("CapEff"))).isZero();
                assertThat(Files.readString(Path.of("/proc/" + t + "/uid_map")).trim().split("\\s+")).containsExactly("0", "100000", "65536");
            }
        }
    }

    /** An unmapped payload user is refused up front, naming the map (not a bare EINVAL from setresuid). */
    @Test
    void unmappedUserIsAClearError() {
        Path root = Probe.rootfs(dir);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Probe.in(root, "ids").addNamespace(Namespace.USER).user("user").start())
                .isInstanceOf(io.jcontainer.InvalidSpecException.class).hasMessageContaining("uid 1000 is not mapped");
    }

    private static Container startMaybeWithoutCgroups(ContainerSpec.Builder b) {
        try {
            return b.start();
        } catch (io.jcontainer.HostUnsupportedException e) {
            // limits need branch 'cgroup'; the posture is still checked without them
            return b.resources(io.jcontainer.Resources.NONE).start();
        }
    }

    /** The container's tasks: its first process, its descendants, and all their threads. */
    static List<Long> tasks(Container c) throws Exception {
        List<Long> pids = new ArrayList<>();
        pids.add(c.pid());
        for (int i = 0; i < 100 && ProcessHandle.of(c.pid()).orElseThrow().descendants().findAny().isEmpty(); i++) Thread.sleep(20);
        ProcessHandle.of(c.pid()).orElseThrow().descendants().forEach(p -> pids.add(p.pid()));
        List<Long> tasks = new ArrayList<>();
        for (long p : pids)
            try (Stream<Path> s = Files.list(Path.of("/proc/" + p + "/task"))) {
                s.forEach(t -> tasks.add(Long.parseLong(t.getFileName().toString())));
            }
        return tasks;
    }

    static Map<String, String> status(long pid) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int i = l.indexOf(':');
            if (i > 0) m.put(l.substring(0, i), l.substring(i + 1).strip());
        }
        return m;
    }

    static long hex(String s) {
        return Long.parseUnsignedLong(s, 16);
    }

    static void assertNamespaces(long pid, Set<String> differ, Set<String> same) throws IOException {
        for (String ns : differ)
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)))
                    .as("%s namespace of %d", ns, pid).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)));
        for (String ns : same)
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)))
                    .as("%s namespace of %d", ns, pid).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)));
    }

    static void assertOnlyStdio(long pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted()).as("fds of %d", pid).containsExactly("0", "1", "2");
        }
    }

    /** The task's root and cwd are the container's root directory (same inode as the rootfs on the host). */
    static void assertRootAndCwd(long pid, Path rootfs) throws IOException {
        Object ino = Files.getAttribute(rootfs, "unix:ino"), dev = Files.getAttribute(rootfs, "unix:dev");
        Path procRoot = Path.of("/proc/" + pid + "/root");
        assertThat(Files.getAttribute(procRoot, "unix:ino")).isEqualTo(ino);
        assertThat(Files.getAttribute(procRoot, "unix:dev")).isEqualTo(dev);
        assertThat(Files.getAttribute(Path.of("/proc/" + pid + "/cwd"), "unix:ino")).isEqualTo(ino);
        assertThat(Files.readString(procRoot.resolve("etc/passwd"))).isEqualTo(Files.readString(rootfs.resolve("etc/passwd")));
    }

    static List<String> limit(long pid, String name) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/limits")))
            if (l.startsWith(name)) return List.of(l.substring(26).trim().split("\\s+")).subList(0, 2);
        throw new AssertionError("no " + name + " in /proc/" + pid + "/limits");
    }

    /** Whether the seccomp compiler has landed (branch 'seccomp'). */
    static final class Seccomp {
        static boolean landed() {
            return io.jcontainer.linux.seccomp.SeccompFilters.compile(io.jcontainer.Seccomp.DEFAULT, io.jcontainer.Capability.dockerDefaults()) != null;
        }
    }
}
