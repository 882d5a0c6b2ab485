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
 * podman driving ./jcontainer-runc as its OCI runtime ({@code --runtime}), unchanged: create,
 * start, state, kill, delete --force and exec -d as conmon calls them. Private storage (vfs),
 * run and tmp dirs (the runtime's records in its default --root, /run/jcontainer-runc: podman
 * does not pass --runtime-flag on to the cleanup process conmon starts), an image imported from the busybox bundle's
 * root (no registry), no network (no CNI/netavark state). What podman itself leaves (its
 * libpod_parent cgroups) is removed at the end where it was not there before.
 */
@RequiresRoot
class PodmanIT {
    static final Path RUNTIME = Path.of("..", "jcontainer-runc").toAbsolutePath().normalize();
    static final String IMAGE = "localhost/jcontainer-runc-it/busybox:1";

    @TempDir
    static Path dir;
    static boolean hadLibpodParent;

    record Result(int code, String out, String err) {
    }

    static List<String> podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", dir.resolve("storage").toString(), "--runroot", dir.resolve("run").toString(),
                "--tmpdir", dir.resolve("tmp").toString(), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none",
                "--runtime", RUNTIME.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Result run(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(podman(args));
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        var err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(pb.command() + " did not finish in 180 s");
        }
        return new Result(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }

    /**
     * This host's root lacks CAP_SYS_RESOURCE: podman's default nofile/nproc limits (above the
     * hard limits here) fail with runc and crun alike, so the containers ask for less.
     */
    static final List<String> RUN = List.of("--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");

    static String[] runArgs(String... rest) {
        List<String> a = new ArrayList<>(List.of("run"));
        a.addAll(RUN);
        a.addAll(List.of(rest));
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void importBusybox() throws Exception {
        hadLibpodParent = Files.exists(Path.of("/sys/fs/cgroup/pids/libpod_parent")) || Files.exists(Path.of("/sys/fs/cgroup/libpod_parent"));
        hadNetnsMount = netnsMounted();
        Path b = dir.resolve("bundle");
        Path script = Path.of("..", "..", "shared", "bench", "busybox-bundle.sh").toAbsolutePath().normalize();
        if (!Files.exists(script)) script = Path.of("/work/shared/bench/busybox-bundle.sh");
        assertThat(new ProcessBuilder("sh", script.toString(), b.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor()).isZero();
        Path tar = dir.resolve("rootfs.tar");
        assertThat(new ProcessBuilder("tar", "-C", b.resolve("rootfs").toString(), "-cf", tar.toString(), ".").start().waitFor()).isZero();
        Result r = run("import", tar.toString(), IMAGE);
        assertThat(r.code()).as(r.err()).isZero();
    }

    static boolean hadNetnsMount;

    static boolean netnsMounted() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.split(" ")[4].equals("/run/netns"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        run("rm", "--all", "--force");
        run("rmi", "--all", "--force");
        // vfs layers and podman's run state are under dir (removed by @TempDir); podman's own cgroups are not
        if (!hadLibpodParent) {
            for (Path base : List.of(Path.of("/sys/fs/cgroup"))) {
                if (!Files.isDirectory(base)) continue;
                try (Stream<Path> s = Files.list(base)) {
                    for (Path h : s.toList()) {
                        Path lp = Files.isDirectory(h.resolve("libpod_parent")) ? h.resolve("libpod_parent") : null;
                        if (h.getFileName().toString().equals("libpod_parent")) lp = h;
                        if (lp == null) continue;
                        // conmon also writes a "tasks" file under controllers this host has no
                        // hierarchy for (plain tmpfs directories): files first, where they can go
                        try (Stream<Path> w = Files.walk(lp)) {
                            for (Path f : w.filter(Files::isRegularFile).toList()) {
                                try {
                                    Files.deleteIfExists(f);
                                } catch (java.io.IOException controlFile) {
                                    // a real cgroup's file: it goes with its directory
                                }
                            }
                        }
                        try (Stream<Path> w = Files.walk(lp)) {
                            for (Path d : w.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(d);
                        } catch (java.io.IOException busy) {
                            // another podman's container still there: not ours to remove
                        }
                    }
                }
            }
        }
        // podman makes /run/netns a shared bind mount of itself for the containers' network
        // namespaces (--network none is a namespace with loopback): undone when it was not there before
        if (!hadNetnsMount && netnsMounted())
            assertThat(new ProcessBuilder("umount", "/run/netns").inheritIO().start().waitFor()).as("umount /run/netns").isZero();
        // nothing of ours keeps running: conmon and the containers' monitors end with the containers
        var left = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.toString())).toList();
        assertThat(left).as("processes left behind").isEmpty();
    }

    @Test
    void runRmPrintsAndReturnsTheContainersExitStatus() throws Exception {
        Result r = run(runArgs("--rm", IMAGE, "sh", "-c", "echo hi from $(hostname); exit 7"));
        assertThat(r.code()).as(r.err()).isEqualTo(7);
        assertThat(r.out()).startsWith("hi from ");
        assertThat(run("ps", "-aq").out()).isBlank();
    }

    @Test
    void detachedExecStopAndRemove() throws Exception {
        Result r = run(runArgs("-d", "--name", "pit1", IMAGE, "sh", "-c", "echo started; trap 'echo stopping; exit 5' TERM; while :; do sleep 1; done"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(run("inspect", "-f", "{{.State.Status}}", "pit1").out().strip()).isEqualTo("running");
        // the pid conmon waits on and podman records is the container's first process (runc's
        // pid file), not a monitor of ours: what podman top and --pid container:ID join
        long pid = Long.parseLong(run("inspect", "-f", "{{.State.Pid}}", "pit1").out().strip());
        assertThat(Files.readString(Path.of("/proc/" + pid + "/cmdline"))).startsWith("sh\0-c\0echo started");
        Result ex = run("exec", "pit1", "sh", "-c", "echo in exec; exit 3");
        assertThat(ex.code()).as(ex.err()).isEqualTo(3);
        assertThat(ex.out()).isEqualTo("in exec\n");
        assertThat(run("exec", "pit1", "true").code()).as("a quick exec's status reaches conmon too").isZero();
        String id = run("inspect", "-f", "{{.Id}}", "pit1").out().strip();
        Result stop = run("stop", "-t", "20", "pit1");
        assertThat(stop.code()).as(stop.err()).isZero();
        assertThat(run("inspect", "-f", "{{.State.ExitCode}}", "pit1").out().strip()).isEqualTo("5");
        assertThat(run("logs", "pit1").out()).isEqualTo("started\nstopping\n");
        Result rm = run("rm", "pit1");
        assertThat(rm.code()).as(rm.err()).isZero();
        // every container's runtime record goes with it: podman deletes it from the cleanup process
        // conmon starts at the exit (for --rm too), which may still run when podman itself returns
        // (its default --root: podman does not pass --runtime-flag on to that cleanup process)
        Path record = Path.of("/run/jcontainer-runc", id);
        for (long end = System.nanoTime() + 60_000_000_000L; Files.exists(record) && System.nanoTime() < end; ) Thread.sleep(200);
        assertThat(record).as("the runtime's record").doesNotExist();
    }

    /**
     * podman with a terminal on its side, as a user at a shell: util-linux's script(1) gives it
     * one, our input is typed into it. {@code steps} alternate: text to wait for on the terminal,
     * then a line to type once it showed (the shell must be there to read it; a fixed settling time
     * was too short once under load).
     */
    static Result onATerminal(List<String> podmanArgs, String... steps) throws Exception {
        String cmd = String.join(" ", podman(podmanArgs.toArray(String[]::new)).stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        ProcessBuilder pb = new ProcessBuilder("script", "-qec", cmd, "/dev/null").redirectErrorStream(true);
        pb.environment().put("JCONTAINER_NO_BUILD", "1");
        Process p = pb.start();
        StringBuilder seen = new StringBuilder();
        var out = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try (var in = p.getInputStream()) {
                byte[] buf = new byte[4096];
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (seen) {
                        seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (java.io.IOException e) {
                synchronized (seen) {
                    seen.append(e);
                }
            }
            synchronized (seen) {
                out.complete(seen.toString());
            }
        });
        for (int i = 0; i + 1 < steps.length; i += 2) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                String now;
                synchronized (seen) {
                    now = seen.toString();
                }
                if (now.contains(steps[i])) break;
                if (System.nanoTime() > end || !p.isAlive() && out.isDone()) {
                    p.destroyForcibly();
                    throw new AssertionError("no '" + steps[i] + "' on podman's terminal (" + cmd + "): " + now);
                }
                Thread.sleep(50);
            }
            p.getOutputStream().write((steps[i + 1] + "\n").getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in 180 s");
        }
        p.getOutputStream().close();
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), "");
    }

    /** run -it and exec -it: conmon gets the container's terminal through --console-socket. */
    @Test
    void interactiveRunAndExecOnATerminal() throws Exception {
        List<String> a = new ArrayList<>(List.of("run", "--rm", "-it"));
        a.addAll(RUN);
        a.addAll(List.of(IMAGE, "sh", "-c", "tty; read x; echo typed-$x; exit 5"));
        Result r = onATerminal(a, "/dev/pts/0", "abc");
        assertThat(r.out()).contains("/dev/pts/0").contains("typed-abc");
        assertThat(r.code()).as(r.out()).isEqualTo(5);

        List<String> d = new ArrayList<>(List.of("run", "-d", "--name", "pit-tty"));
        d.addAll(RUN);
        d.addAll(List.of(IMAGE, "sleep", "300"));
        Result started = run(d.toArray(String[]::new));
        assertThat(started.code()).as(started.err()).isZero();
        Result ex = onATerminal(List.of("exec", "-it", "pit-tty", "sh"), "# ", "tty", "/dev/pts/", "echo sum-$((2+3))", "sum-5", "exit 6");
        assertThat(ex.out()).contains("/dev/pts/").contains("sum-5");
        assertThat(ex.code()).as(ex.out()).isEqualTo(6);
        assertThat(run("rm", "-f", "-t", "0", "pit-tty").code()).isZero();
    }

    @Test
    void forceRemoveOfARunningContainer() throws Exception {
        Result r = run(runArgs("-d", "--name", "pit2", IMAGE, "sleep", "300"));
        assertThat(r.code()).as(r.err()).isZero();
        Result rm = run("rm", "-f", "-t", "0", "pit2");
        assertThat(rm.code()).as(rm.err()).isZero();
        assertThat(run("ps", "-aq").out()).isBlank();
    }
}
