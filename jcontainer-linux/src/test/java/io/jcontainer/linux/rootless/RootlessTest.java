package io.jcontainer.linux.rootless;

import io.jcontainer.linux.security.Probe;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rootless mode, proven as a real unprivileged user: CI runs as root, so this test makes sure a
 * user {@code jcuser} exists with /etc/subuid and /etc/subgid ranges, copies the test classpath
 * where that user can read it, and runs {@link RootlessMain} as that user in a child JVM
 * ({@code setpriv --reuid --regid --init-groups}). The child's whole output is the failure message.
 */
@RequiresRoot
class RootlessTest {
    static final String USER = "jcuser";

    @Test
    void containersRunAsAnUnprivilegedUser() throws Exception {
        ensureUser();
        long[] sub = {firstRange("/etc/subuid"), firstRange("/etc/subgid")};
        int uid = Integer.parseInt(exec("id", "-u", USER).strip()), gid = Integer.parseInt(exec("id", "-g", USER).strip());
        Path tmp = Files.createTempDirectory("jc-rootless-");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path root = Probe.rootfs(tmp); // owned by host root: unmapped (nobody) inside
            Path volume = Files.createDirectories(tmp.resolve("volume"));
            Files.writeString(volume.resolve("in"), "from-host\n");
            Path home = Files.createDirectories(tmp.resolve("home"));
            for (Path p : List.of(volume, volume.resolve("in"), home)) Files.setOwner(p, owner(uid));
            List<String> cp = copyClasspath(tmp.resolve("cp"));
            List<String> cmd = new ArrayList<>(asUser(uid, gid, home));
            cmd.addAll(java(cp, home, RootlessMain.class, root.toString(), volume.toString(), Long.toString(sub[0]), Long.toString(sub[1])));
            String out = runChild(cmd);
            assertThat(out).contains("ALL PASSED");
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * Rootless networking through pasta, as an ordinary user: the child JVM runs in a private
     * network namespace made here (rule 9) — loopback and a veth pair of its own whose far end
     * goes nowhere, with a default route so pasta has an interface to copy — and publishes
     * busybox httpd's port 80 on that namespace's loopback. Needs pasta (Debian passt).
     */
    @Test
    void pastaPublishesAPortForAnOrdinaryUser() throws Exception {
        assertThat(io.jcontainer.linux.net.Pasta.find()).as("pasta (apt-get install passt)").isNotNull();
        servedThrough("bridge", "pasta", 18480);
    }

    /**
     * The same through slirp4netns, named by {@code --network slirp4netns} (where pasta is
     * missing it is what the default network uses): the port is forwarded by an add_hostfwd on
     * its API socket, and slirp4netns is ended (and reaped) with the container.
     */
    @Test
    void slirp4netnsPublishesAPortForAnOrdinaryUser() throws Exception {
        assertThat(io.jcontainer.linux.net.Slirp4netns.find()).as("slirp4netns (apt-get install slirp4netns)").isNotNull();
        servedThrough("slirp4netns", "slirp4netns", 18481);
    }

    private void servedThrough(String network, String helper, int port) throws Exception {
        ensureUser();
        int uid = Integer.parseInt(exec("id", "-u", USER).strip()), gid = Integer.parseInt(exec("id", "-g", USER).strip());
        Path tmp = Files.createTempDirectory("jc-rootless-net-");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path root = io.jcontainer.linux.testing.TestRootfs.fresh(tmp.resolve("root"));
            Files.createDirectories(root.resolve("www"));
            Files.writeString(root.resolve("www/index.html"), "served through " + helper + "\n");
            Path home = Files.createDirectories(tmp.resolve("home"));
            Files.setOwner(home, owner(uid));
            List<String> cp = copyClasspath(tmp.resolve("cp"));
            String outer = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            List<String> child = new ArrayList<>(asUser(uid, gid, home));
            List<String> jvm = java(cp, home, RootlessNetworkMain.class, root.toString(), Integer.toString(port), network);
            jvm.add(1, "-Djcontainer.test.outerNetns=" + outer);
            child.addAll(jvm);
            String setup = "set -e; ip link set lo up; ip link add jct0 type veth peer name jct1; ip link set jct1 up; "
                    + "ip addr add 10.250.0.1/24 dev jct0; ip link set jct0 up; ip route add default via 10.250.0.254; exec \"$@\"";
            List<String> cmd = new ArrayList<>(List.of("unshare", "--net", "--", "sh", "-c", setup, "sh"));
            cmd.addAll(child);
            String out = runChild(cmd);
            assertThat(out).contains("served through " + helper + " as uid " + uid).contains("ALL PASSED");
        } finally {
            // whatever failed, no helper of this test outlives it
            ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(tmp.toString())).forEach(ProcessHandle::destroyForcibly);
            deleteTree(tmp);
        }
    }

    /**
     * SECURITY.md row 35 as it happens: without XDG_RUNTIME_DIR the runtime directory is
     * {@code $TMPDIR/jcontainer-UID}, and another user (here nobody) made it first. The start is
     * refused with a message naming that owner, and nothing is mounted or made in it.
     */
    @Test
    void aSquattedRuntimeDirectoryIsRefusedNamingItsOwner() throws Exception {
        ensureUser();
        int uid = Integer.parseInt(exec("id", "-u", USER).strip()), gid = Integer.parseInt(exec("id", "-g", USER).strip());
        Path tmp = Files.createTempDirectory("jc-squat-");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path root = Probe.rootfs(tmp);
            Path home = Files.createDirectories(tmp.resolve("home"));
            Files.setOwner(home, owner(uid));
            Path squatted = Files.createDirectories(home.resolve("jcontainer-" + uid)); // java.io.tmpdir is home
            Files.setPosixFilePermissions(squatted, PosixFilePermissions.fromString("rwxrwxrwx"));
            var nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(squatted, nobody);
            int nobodyUid = (Integer) Files.getAttribute(squatted, "unix:uid");
            List<String> cp = copyClasspath(tmp.resolve("cp"));
            List<String> cmd = new ArrayList<>(asUser(uid, gid, home));
            cmd.addAll(java(cp, home, RefusedStartMain.class, root.toString(), squatted + " belongs to uid " + nobodyUid + " (nobody)"));
            assertThat(runChild(cmd)).contains("XDG_RUNTIME_DIR");
            try (Stream<Path> s = Files.list(squatted)) {
                assertThat(s.toList()).as("nothing made in the squatted directory").isEmpty();
            }
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * HostInfo.userNamespaceBlocker fires: the child JVM runs in a user namespace of its own
     * whose user.max_user_namespaces is 0 (per namespace: the host's setting is untouched).
     */
    @Test
    void blockedUserNamespacesAreNamed() throws Exception {
        ensureUser();
        int uid = Integer.parseInt(exec("id", "-u", USER).strip()), gid = Integer.parseInt(exec("id", "-g", USER).strip());
        new io.jcontainer.linux.LinuxContainerRuntime().host().prepare(); // root's runtime dir, seen by "root" inside
        Path tmp = Files.createTempDirectory("jc-userns-blocked-");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path root = Probe.rootfs(tmp);
            Path home = Files.createDirectories(tmp.resolve("home"));
            Files.setOwner(home, owner(uid));
            // inside the namespace the host's root is "nobody": the runtime directory's ancestors
            // must belong to the user (who is root there) or the runtime refuses them first
            Files.setOwner(tmp, owner(uid));
            List<String> cp = copyClasspath(tmp.resolve("cp"));
            List<String> cmd = new ArrayList<>(asUser(uid, gid, home));
            cmd.addAll(List.of("unshare", "--user", "--map-root-user", "sh", "-c",
                    "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"", "sh"));
            cmd.addAll(java(cp, home, BlockedUserNamespaceMain.class, root.toString()));
            assertThat(runChild(cmd)).contains("user.max_user_namespaces=0");
        } finally {
            deleteTree(tmp);
        }
    }

    private static List<String> asUser(int uid, int gid, Path home) {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups",
                "env", "-i", "HOME=" + home, "PATH=/usr/bin:/bin:/usr/sbin:/sbin", "USER=" + USER, "LOGNAME=" + USER);
    }

    private static List<String> java(List<String> cp, Path home, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",  "-Djava.io.tmpdir=" + home, "-cp", String.join(":", cp), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the child JVM; its whole output is the assertion message when it fails. */
    private static String runChild(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        System.out.println(out);
        assertThat(p.exitValue()).as("%s as %s:%n%s", cmd.getLast(), USER, out).isZero();
        return out;
    }

    /** useradd -m jcuser, plus subordinate ranges if useradd did not add them. */
    static synchronized void ensureUser() throws Exception {
        if (run("id", "-u", USER) != 0) assertThat(run("useradd", "-m", "-s", "/bin/sh", USER)).as("useradd").isZero();
        for (String f : List.of("/etc/subuid", "/etc/subgid")) {
            Path p = Path.of(f);
            String text = Files.exists(p) ? Files.readString(p) : "";
            if (text.lines().noneMatch(l -> l.startsWith(USER + ":")))
                Files.writeString(p, (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + USER + ":300000:65536\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    static long firstRange(String file) throws IOException {
        return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(USER + ":")).map(l -> Long.parseLong(l.split(":")[1]))
                .findFirst().orElseThrow();
    }

    /** Copies every entry of the test classpath to {@code dir} (world-readable); returns the new entries. */
    static List<String> copyClasspath(Path dir) throws IOException {
        String raw = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String e : raw.split(":")) {
            Path src = Path.of(e);
            if (!Files.exists(src)) continue;
            Path dst = dir.resolve((i++) + "-" + src.getFileName());
            copyTree(src, dst);
            out.add(dst.toString());
        }
        makeReadable(dir);
        return out;
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else {
                    Files.createDirectories(t.getParent());
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void makeReadable(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator)
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static java.nio.file.attribute.UserPrincipal owner(int uid) throws IOException {
        return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(USER);
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private static String exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new UncheckedIOException(new IOException(String.join(" ", cmd) + ": " + out));
        return out;
    }
}
