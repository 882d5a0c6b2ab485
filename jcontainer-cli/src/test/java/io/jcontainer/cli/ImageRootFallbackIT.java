package io.jcontainer.cli;

import io.jcontainer.cli.CliProcess.Result;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.oci.MediaTypes;
import io.jcontainer.oci.testing.LocalRegistry;
import io.jcontainer.oci.testing.Tars;
import io.jcontainer.oci.testing.TestImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.jcontainer.cli.CliHarness.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image-root fallbacks (fuse-overlayfs, a copy; forced with {@code -Djcontainer.imageRoot})
 * for detached containers, as root and as an ordinary user ({@code jcuser}), one
 * {@code ./jcontainer} process per step so that nothing of a JVM holds them: the root stays
 * mounted while the container runs and the JVM that started it is gone; what the container
 * wrote survives {@code restart} (the same upper, or the same copy); its exit, once seen, unmounts
 * it and its fuse-overlayfs ends; a container killed with its monitor (a crash) is swept the
 * same way by the next command; {@code rm} leaves no mount, no process and no directory. And on
 * fuse-overlayfs an ordinary user's container shows the image's owners (1000, 65534) through its
 * subordinate ids.
 */
@RequiresRoot
class ImageRootFallbackIT {
    JcUser user;

    @TempDir
    Path tmp;
    Path xdg, home, store;
    LocalRegistry registry;
    String previous;
    String javaOpts = "";
    boolean asUser;

    @BeforeEach
    void setUp() throws Exception {
        user = JcUser.ensure();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        xdg = Files.createDirectory(tmp.resolve("xdg"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        home = Files.createDirectory(tmp.resolve("home"));
        store = Files.createDirectory(tmp.resolve("store"));
        for (Path p : List.of(xdg, home, store)) assertThat(JcUser.sh("chown", user.uid() + ":" + user.gid(), p.toString()).code()).isZero();
        previous = System.getProperty("jcontainer.storage");
        System.setProperty("jcontainer.storage", tmp.resolve("root-store").toString());
        registry = LocalRegistry.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String id : jc("ps", "-a", "-q", "--no-trunc").out().split("\n")) if (!id.isBlank()) jc("rm", "-f", id);
        registry.close();
        if (previous == null) System.clearProperty("jcontainer.storage");
        else System.setProperty("jcontainer.storage", previous);
        JcUser.sh("chmod", "-R", "u+rwx", tmp.toString());
    }

    /** ./jcontainer as root or as jcuser, its own store and state, the mechanism forced by javaOpts. */
    Result jc(String... args) throws Exception {
        List<String> env = List.of("XDG_RUNTIME_DIR=" + xdg, "JCONTAINER_STORAGE=" + store, "JCONTAINER_JAVA_OPTS=" + javaOpts,
                "JCONTAINER_DEFAULT_NETWORK=none");
        if (asUser) return user.jcontainer(home, env, args);
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "HOME=" + home, "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
                "JCONTAINER_STATE_DIR=" + tmp.resolve("state")));
        cmd.addAll(env);
        cmd.addAll(List.of("JCONTAINER_NO_BUILD=1", "JAVA_HOME=" + System.getProperty("java.home"),
                Path.of("..", "jcontainer").toAbsolutePath().normalize().toString()));
        cmd.addAll(List.of(args));
        return JcUser.sh(cmd.toArray(String[]::new));
    }

    String push(TestImage image, String name) throws Exception {
        String ref = registry.host() + "/fallback/" + name + ":1";
        var load = cli("load", "-i", image.writeArchive(tmp.resolve(name + ".tar"), ref).toString());
        assertThat(load.code()).as(load.toString()).isZero();
        var push = cli("push", ref);
        assertThat(push.code()).as(push.toString()).isZero();
        return ref;
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"fuse-overlayfs, root", "copy, root", "fuse-overlayfs, user", "copy, user"})
    void aDetachedContainerOnAFallbackRootOutlivesItsJvmRestartsAndLeavesNothing(String mechanism, String who) throws Exception {
        asUser = who.equals("user");
        javaOpts = "-Djcontainer.imageRoot=" + mechanism;
        boolean fuse = mechanism.equals("fuse-overlayfs");
        String ref = push(TestImage.busybox("fallback"), "busybox");

        Result run = jc("run", "-d", "--name", "fb", ref, "-c", "echo ran >> /etc/runs; exec /bin/busybox sleep 1000");
        assertThat(run.code()).as(run.err()).isZero();
        // the JVM that started it is gone: the root is still there, and still the mechanism asked for
        assertThat(fsType()).isEqualTo(fuse ? "fuse.fuse-overlayfs" : "ext4-or-other");
        if (fuse) {
            assertThat(mounts()).hasSize(1);
            assertThat(fuseDaemons()).hasSize(1);
        }
        awaitRuns(1);
        assertThat(exec("cat /etc/runs; cat /etc/marker")).isEqualTo("ran\nfallback");

        Result restart = jc("restart", "-t", "0", "fb");
        assertThat(restart.code()).as(restart.err()).isZero();
        // the same upper (or copy): the first run's write is there, the second run's after it
        awaitRuns(2);
        assertThat(exec("cat /etc/runs")).isEqualTo("ran\nran");
        if (fuse) {
            assertThat(mounts()).hasSize(1);
            awaitDaemons(1);
        }

        // its exit unmounts the root (its monitor does, as it ends): the daemon ends with it
        assertThat(jc("stop", "-t", "0", "fb").code()).isZero();
        awaitMounts(0);
        awaitDaemons(0);
        assertThat(jc("ps", "-a").code()).isZero();
        assertThat(mounts()).isEmpty();

        // started again, then killed with its monitor (a crash: nobody recorded an exit): swept by the next command
        Result start = jc("start", "fb");
        assertThat(start.code()).as(start.err()).isZero();
        awaitRuns(3);
        assertThat(exec("cat /etc/runs")).isEqualTo("ran\nran\nran");
        if (fuse) assertThat(mounts()).hasSize(1);
        int pid = Integer.parseInt(jc("inspect", "-f", "{{.State.Pid}}", "fb").out().strip());
        long monitor = ProcessHandle.of(pid).orElseThrow().parent().orElseThrow().pid();
        JcUser.sh("kill", "-9", String.valueOf(monitor), String.valueOf(pid));
        long end = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.of(pid).isPresent() && System.nanoTime() < end) Thread.sleep(20);
        Result ps = jc("ps", "-a");
        assertThat(ps.code()).as(ps.err()).isZero();
        assertThat(mounts()).isEmpty();
        awaitDaemons(0);

        Result rm = jc("rm", "-f", "fb");
        assertThat(rm.code()).as(rm.err()).isZero();
        assertThat(mounts()).isEmpty();
        awaitDaemons(0);
        try (Stream<Path> left = Files.list(store.resolve("containers"))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    /**
     * A detached container whose process ends by itself (killed from the host here, its monitor
     * alive): its monitor unmounts the fuse-overlayfs root as the container ends — no later
     * command is needed — and fuse-overlayfs ends with the mount. The record says it exited, and
     * {@code start} mounts it again on the same upper.
     */
    @ParameterizedTest(name = "as {0}")
    @CsvSource({"root", "user"})
    void aDetachedContainersFuseRootIsUnmountedByItsMonitorWhenItExits(String who) throws Exception {
        asUser = who.equals("user");
        javaOpts = "-Djcontainer.imageRoot=fuse-overlayfs";
        String ref = push(TestImage.busybox("fallback"), "busybox");

        Result run = jc("run", "-d", "--name", "fb", ref, "-c", "echo ran >> /etc/runs; exec /bin/busybox sleep 1000");
        assertThat(run.code()).as(run.err()).isZero();
        awaitRuns(1);
        assertThat(mounts()).hasSize(1);
        assertThat(fuseDaemons()).hasSize(1);
        int pid = Integer.parseInt(jc("inspect", "-f", "{{.State.Pid}}", "fb").out().strip());
        long monitor = ProcessHandle.of(pid).orElseThrow().parent().orElseThrow().pid();

        JcUser.sh("kill", "-9", String.valueOf(pid));
        ProcessHandle.of(monitor).ifPresent(m -> m.onExit().join());
        awaitMounts(0);                       // no jcontainer command ran since the kill
        awaitDaemons(0);

        assertThat(jc("inspect", "-f", "{{.State.Status}}", "fb").out().strip()).isEqualTo("exited");
        Result start = jc("start", "fb");
        assertThat(start.code()).as(start.err()).isZero();
        awaitRuns(2);
        assertThat(exec("cat /etc/runs")).isEqualTo("ran\nran");
        assertThat(mounts()).hasSize(1);
        assertThat(jc("rm", "-f", "fb").code()).isZero();
        assertThat(mounts()).isEmpty();
        awaitDaemons(0);
    }

    /**
     * An ordinary user's fuse-overlayfs root lets only that user's own host id in unless
     * /etc/fuse.conf has user_allow_other: a container whose USER is not its root (a subordinate
     * host id) is refused before it starts, naming the file — with fuse-overlayfs forced; in auto
     * mode (the kernel overlay refused) the copy serves it instead. With user_allow_other on the
     * host, fuse-overlayfs serves it.
     */
    @Test
    void anOrdinaryUsersNonRootUserOnFuseNeedsUserAllowOtherElseTheCopyServesIt() throws Exception {
        asUser = true;
        boolean allowOther = Files.readAllLines(Path.of("/etc/fuse.conf")).stream().anyMatch(l -> l.strip().equals("user_allow_other"));
        String ref = push(TestImage.busybox("fallback"), "busybox");

        javaOpts = "-Djcontainer.imageRoot=fuse-overlayfs";
        Result forced = jc("run", "--rm", "--user", "1000:1000", ref, "-c", "/bin/busybox id -u; cat /etc/marker");
        if (allowOther) {
            assertThat(forced.code()).as(forced.err()).isZero();
            assertThat(forced.out()).isEqualTo("1000\nfallback");
        } else {
            assertThat(forced.code()).as(forced.out()).isNotZero();
            assertThat(forced.err()).contains("/etc/fuse.conf").contains("user_allow_other").contains("fuse-overlayfs");
        }
        assertThat(mounts()).isEmpty();
        awaitDaemons(0);

        javaOpts = "-Djcontainer.imageRoot.refuseKernelOverlay=true";
        Result auto = jc("run", "--rm", "--user", "1000:1000", ref, "-c", "/bin/busybox id -u; cat /etc/marker");
        assertThat(auto.code()).as(auto.err()).isZero();
        assertThat(auto.out()).isEqualTo("1000\nfallback");
        assertThat(mounts()).isEmpty();
        awaitDaemons(0);
        try (Stream<Path> left = Files.list(store.resolve("containers"))) {
            assertThat(left.filter(p -> !p.getFileName().toString().startsWith(".")).toList()).isEmpty();
        }
    }

    /**
     * An ordinary user's container on fuse-overlayfs: files the image gives to 1000 and 65534
     * (which that user could not chown in its store) show as theirs inside — through the
     * container's subordinate ids, as podman's storage does — root's stay root's, and what the
     * container's root writes is root's.
     */
    @Test
    void anOrdinaryUsersContainerOnFuseOverlayfsSeesTheImagesOwners() throws Exception {
        asUser = true;
        javaOpts = "-Djcontainer.imageRoot=fuse-overlayfs";
        TestImage image = TestImage.busybox("owners");
        image.layers.removeLast();
        image.diffIds.removeLast();
        image.layer(MediaTypes.OCI_LAYER_GZIP, new Tars()
                .dir("home", 0755)
                .file("home/app", "x".getBytes(StandardCharsets.UTF_8), 0640, 1000, 1000)
                .file("home/nobody", "y".getBytes(StandardCharsets.UTF_8), 04755, 65534, 65534)
                .tar());
        image.finish();
        String ref = push(image, "owners");

        Result run = jc("run", "--rm", ref, "-c", "b=/bin/busybox; $b stat -c '%n %u:%g %a' /home/app /home/nobody /bin/busybox /data/owned /;"
                + " echo w > /home/new; $b stat -c '%n %u:%g' /home/new; $b cat /home/app; echo");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("""
                /home/app 1000:1000 640
                /home/nobody 65534:65534 4755
                /bin/busybox 0:0 755
                /data/owned 1000:1000 600
                / 0:0 755
                /home/new 0:0
                x
                """);
        // on disk, the store is the user's own files
        try (Stream<Path> layers = Files.list(store.resolve("layers"))) {
            for (Path l : layers.filter(Files::isDirectory).toList()) assertThat(Files.getAttribute(l, "unix:uid")).isEqualTo(user.uid());
        }
        assertThat(mounts()).isEmpty();
        awaitDaemons(0);
    }

    /** Until the container's shell has written its line (a start returns once the command runs, not once it wrote). */
    void awaitRuns(int n) throws Exception {
        exec("i=0; while [ \"$(/bin/busybox wc -l < /etc/runs 2>/dev/null)\" -lt " + n + " ] && [ $i -lt 100 ]; do /bin/busybox sleep 0.1; i=$((i+1)); done");
    }

    String exec(String script) throws Exception {
        Result r = jc("exec", "fb", "/bin/sh", "-c", script);
        assertThat(r.code()).as(r.err()).isZero();
        return r.out().strip();
    }

    /** The root's file system type, seen from inside; a copy is whatever the store's disk is. */
    String fsType() throws Exception {
        String t = exec("/bin/busybox awk '$5==\"/\" {for (i = 7; i <= NF; i++) if ($i == \"-\") print $(i+1)}' /proc/self/mountinfo");
        return t.equals("fuse.fuse-overlayfs") || t.equals("overlay") ? t : "ext4-or-other";
    }

    List<String> mounts() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(store.toString())).toList();
    }

    List<ProcessHandle> fuseDaemons() {
        return ProcessHandle.allProcesses().filter(p -> {
            String cmd = p.info().commandLine().orElse("");
            return cmd.contains("fuse-overlayfs") && cmd.contains(store.toString());
        }).toList();
    }

    /** The monitor unmounts as it ends, after the exit is recorded: waited for, bounded. */
    void awaitMounts(int n) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (mounts().size() != n && System.nanoTime() < end) Thread.sleep(50);
        assertThat(mounts()).hasSize(n);
    }

    /** A daemon ends shortly after its unmount (it reads the FUSE device's end): waited for, bounded. */
    void awaitDaemons(int n) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (fuseDaemons().size() != n && System.nanoTime() < end) Thread.sleep(50);
        assertThat(fuseDaemons()).hasSize(n);
    }
}
