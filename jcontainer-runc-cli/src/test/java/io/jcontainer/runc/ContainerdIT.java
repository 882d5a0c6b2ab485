package io.jcontainer.runc;

import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's containerd 1.6 running ./jcontainer-runc through its {@code io.containerd.runc.v2}
 * shim ({@code ctr run --runc-binary}), unchanged. A private containerd: its own root, state,
 * sockets and config under a temp dir (no CRI plugin), stopped at the end; the image is the
 * busybox bundle's root, made an OCI archive by podman (private storage) and imported with
 * {@code ctr images import}. The runtime's records go to a private {@code --runc-root}.
 */
@RequiresRoot
class ContainerdIT {
    static final Path RUNTIME = Path.of("..", "jcontainer-runc").toAbsolutePath().normalize();
    static final String IMAGE = "localhost/jcontainer-runc-it/busybox:1";

    @TempDir
    static Path dir;
    static Process containerd;
    /** containerd 1.6 keeps its shims' sockets in /run/containerd/s whatever its state dir is */
    static final Path RUN_CONTAINERD = Path.of("/run/containerd");
    static boolean hadRunContainerd;
    static final List<Path> cgroupParentsBefore = new ArrayList<>();

    record Result(int code, String out, String err) {
    }

    static Result exec(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        var err = new CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                err.complete(e.toString());
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in 180 s");
        }
        return new Result(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }

    static List<String> ctr(String... args) {
        List<String> c = new ArrayList<>(List.of("ctr", "--address", dir.resolve("c.sock").toString()));
        c.addAll(List.of(args));
        return c;
    }

    /** {@code ctr run} with the runc v2 shim and our binary as its runc. */
    static List<String> ctrRun(String... args) {
        List<String> c = ctr("run", "--runtime", "io.containerd.runc.v2", "--runc-binary", RUNTIME.toString(),
                "--runc-root", dir.resolve("runc").toString(), "--fifo-dir", dir.resolve("fifo").toString());
        c.addAll(List.of(args));
        return c;
    }

    @BeforeAll
    static void startContainerdAndImportBusybox() throws Exception {
        // ctr's default spec puts a container at cgroupsPath /default/ID: the parent stays, as with runc
        hadRunContainerd = Files.exists(RUN_CONTAINERD);
        for (Path h : hierarchies()) if (Files.isDirectory(h.resolve("default"))) cgroupParentsBefore.add(h.resolve("default"));
        Files.writeString(dir.resolve("config.toml"), """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
                  "io.containerd.internal.v1.tracing"]
                [grpc]
                  address = "%1$s/c.sock"
                [ttrpc]
                  address = "%1$s/c.sock.ttrpc"
                [debug]
                  address = "%1$s/debug.sock"
                [metrics]
                  address = ""
                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/opt"
                """.formatted(dir));
        containerd = new ProcessBuilder("containerd", "--config", dir.resolve("config.toml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (exec(ctr("version")).code() != 0) {
            assertThat(containerd.isAlive()).as("containerd: " + Files.readString(dir.resolve("containerd.log"))).isTrue();
            assertThat(System.nanoTime()).as("containerd answers within 60 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        // the image: the busybox bundle's root, as an OCI archive (podman, private storage)
        Path b = dir.resolve("bundle");
        Path script = Path.of("..", "..", "shared", "bench", "busybox-bundle.sh").toAbsolutePath().normalize();
        if (!Files.exists(script)) script = Path.of("/work/shared/bench/busybox-bundle.sh");
        assertThat(new ProcessBuilder("sh", script.toString(), b.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor()).isZero();
        Path tar = dir.resolve("rootfs.tar"), archive = dir.resolve("busybox-oci.tar");
        assertThat(new ProcessBuilder("tar", "-C", b.resolve("rootfs").toString(), "-cf", tar.toString(), ".").start().waitFor()).isZero();
        List<String> podman = List.of("podman", "--root", dir.resolve("podman").toString(), "--runroot", dir.resolve("podman-run").toString(),
                "--storage-driver", "vfs", "--events-backend", "none");
        List<String> imp = new ArrayList<>(podman);
        imp.addAll(List.of("import", tar.toString(), IMAGE));
        Result r = exec(imp);
        assertThat(r.code()).as(r.err()).isZero();
        List<String> save = new ArrayList<>(podman);
        save.addAll(List.of("save", "--format", "oci-archive", "-o", archive.toString(), IMAGE));
        r = exec(save);
        assertThat(r.code()).as(r.err()).isZero();
        List<String> rmi = new ArrayList<>(podman);
        rmi.addAll(List.of("rmi", "--all", "--force"));
        exec(rmi);
        r = exec(ctr("images", "import", "--base-name", IMAGE.substring(0, IMAGE.lastIndexOf(':')), archive.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(exec(ctr("images", "ls", "-q")).out()).contains(IMAGE);
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (containerd != null) {
            for (String id : exec(ctr("tasks", "ls", "-q")).out().split("\n"))
                if (!id.isBlank()) exec(ctr("tasks", "kill", "-s", "KILL", id.strip()));
            Thread.sleep(500);
            for (String id : exec(ctr("containers", "ls", "-q")).out().split("\n"))
                if (!id.isBlank()) {
                    exec(ctr("tasks", "rm", "-f", id.strip()));
                    exec(ctr("containers", "rm", id.strip()));
                }
            exec(ctr("images", "rm", IMAGE));
            containerd.destroy(); // SIGTERM: it unmounts its snapshots and stops
            assertThat(containerd.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        for (Path h : hierarchies()) {
            Path d = h.resolve("default");
            if (!Files.isDirectory(d) || cgroupParentsBefore.contains(d)) continue;
            try (Stream<Path> w = Files.walk(d)) {
                for (Path p : w.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        if (!hadRunContainerd && Files.isDirectory(RUN_CONTAINERD)) {
            try (Stream<Path> w = Files.walk(RUN_CONTAINERD)) {
                for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p); // empty by now: the shims are gone
            }
        }
        // no shim, container monitor or containerd of ours is left
        // (a shim exits on its own a moment after its last task is deleted: waited for, up to 30 s)
        List<ProcessHandle> left;
        long gone = System.nanoTime() + 30_000_000_000L;
        while (!(left = ours()).isEmpty() && System.nanoTime() < gone) Thread.sleep(100);
        assertThat(left).as("processes left behind").isEmpty();
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertThat(mounts.filter(l -> l.contains(dir.toString())).toList()).as("mounts left behind").isEmpty();
        }
    }

    /** Processes whose command line names this test's directory (containerd, its shims, the runtime's monitors). */
    static List<ProcessHandle> ours() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.toString())).toList();
    }

    static List<Path> hierarchies() throws java.io.IOException {
        Path base = Path.of("/sys/fs/cgroup");
        if (Files.exists(base.resolve("cgroup.controllers"))) return List.of(base);
        try (Stream<Path> s = Files.list(base)) {
            return s.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }

    @Test
    void ctrRunRmPrintsAndReturnsTheExitStatus() throws Exception {
        Result r = exec(ctrRun("--rm", IMAGE, "ctr1", "/bin/echo", "hi"));
        assertThat(r.out()).isEqualTo("hi\n");
        assertThat(r.code()).as(r.err()).isZero();
        r = exec(ctrRun("--rm", IMAGE, "ctr2", "sh", "-c", "echo out; echo err >&2; exit 3"));
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).contains("err");
        assertThat(r.code()).isEqualTo(3);
        assertThat(exec(ctr("containers", "ls", "-q")).out()).as("--rm removed them").doesNotContain("ctr1").doesNotContain("ctr2");
    }

    @Test
    void detachedTaskExecKillDelete() throws Exception {
        Result r = exec(ctrRun("-d", IMAGE, "ctr3", "sleep", "300"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(exec(ctr("tasks", "ls")).out()).containsPattern("ctr3\\s+\\d+\\s+RUNNING");
        r = exec(ctr("tasks", "exec", "--fifo-dir", dir.resolve("fifo").toString(), "--exec-id", "e1", "ctr3", "sh", "-c", "echo in exec; exit 7"));
        assertThat(r.out()).isEqualTo("in exec\n");
        assertThat(r.code()).as(r.err()).isEqualTo(7);
        assertThat(exec(ctr("tasks", "kill", "-s", "KILL", "ctr3")).code()).isZero();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!exec(ctr("tasks", "ls")).out().matches("(?s).*ctr3\\s+\\d+\\s+STOPPED.*") && System.nanoTime() < deadline) Thread.sleep(200);
        assertThat(exec(ctr("tasks", "ls")).out()).containsPattern("ctr3\\s+\\d+\\s+STOPPED");
        assertThat(exec(ctr("tasks", "rm", "ctr3")).code()).isZero();
        assertThat(exec(ctr("containers", "rm", "ctr3")).code()).isZero();
        assertThat(exec(List.of(RUNTIME.toString(), "--root", dir.resolve("runc").resolve("default").toString(), "list", "-q")).out())
                .as("the runtime's record went with the task").isBlank();
    }

    /** ctr run -t: the shim gets the container's terminal through --console-socket. */
    @Test
    void ctrRunWithATerminal() throws Exception {
        String cmd = String.join(" ", ctrRun("-t", "--rm", IMAGE, "ctr4", "sh", "-c", "tty; exit 4"));
        Result r = exec(List.of("script", "-qec", cmd, "/dev/null"));
        assertThat(r.out()).contains("/dev/pts/0");
        assertThat(r.code()).as(r.err()).isEqualTo(4);
    }
}
