package io.jcontainer.linux.rootfs;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Namespace;
import io.jcontainer.Root;
import io.jcontainer.linux.testing.RequiresRoot;
import io.jcontainer.linux.testing.TestRootfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image roots mounted ahead ({@link ReadyRoots}): a later start runs on one; nothing written by one
 * container is seen by the next (an untouched root is used again, a written one never); a JVM
 * killed while it holds ready roots leaves mounts and directories that the next start in the
 * store unmounts and removes; a JVM that exits leaves none.
 */
@RequiresRoot
class ReadyRootsTest {
    @TempDir
    Path tmp;

    @org.junit.jupiter.api.AfterEach
    void letGo() throws Exception {
        // this JVM's ready roots in the temporary stores: unmounted before @TempDir removes the tree
        List<Path> stores = new ArrayList<>();
        try (var dirs = Files.list(tmp)) {
            for (Path d : dirs.toList()) stores.add(d.getFileName().toString().startsWith("containers") ? d : d.resolve("containers"));
        }
        for (Path d : stores) {
            if (!Files.isDirectory(d)) continue;
            ReadyRoots.release(d);
            long end = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < end) { // the remover thread's last removals
                try (var left = Files.list(d)) {
                    if (left.findAny().isEmpty()) break;
                }
                Thread.sleep(10);
            }
        }
    }

    /** An owned, throw-away overlay of the busybox root, as {@code Images.overlayRoot} describes one. */
    static ContainerSpec spec(Path containers, String name, boolean userns, String script) {
        return spec(containers, name, userns, false, script);
    }

    static ContainerSpec spec(Path containers, String name, boolean userns, boolean etcFiles, String script) {
        Path dir = containers.resolve(name);
        var b = Container.builder().rootfs(TestRootfs.busybox())
                .namespaces(userns ? new Namespace[]{Namespace.PID, Namespace.MNT, Namespace.NET, Namespace.UTS, Namespace.IPC, Namespace.USER}
                        : new Namespace[]{Namespace.PID, Namespace.MNT, Namespace.NET, Namespace.UTS, Namespace.IPC})
                // the upper the root is on (a ready root's is .ready-root-<pid>-<n>/upper), then the script
                .command("/bin/sh", "-c", "head -1 /proc/self/mountinfo | grep -o 'upperdir=[^,]*'; " + script)
                .etcFiles(etcFiles);
        return b.root(new Root.Overlay(List.of(TestRootfs.busybox()), dir.resolve("upper"), dir.resolve("work"), false, true)).build();
    }

    /** Runs the container; its output (first line: its upper). */
    static List<String> run(ContainerSpec spec) throws Exception {
        try (Container c = spec.start()) {
            String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(c.waitFor().code()).as(out).isZero();
            return out.lines().toList();
        }
    }

    @Test
    void noContainerSeesWhatAnotherWroteAndAnUntouchedRootIsUsedAgain() throws Exception {
        // plain; in a user namespace; with the runtime's /etc files (their mount points made ahead in the root)
        for (int mode = 0; mode < 3; mode++) {
            boolean userns = mode == 1, etc = mode == 2;
            Path containers = Files.createDirectories(tmp.resolve("containers-" + mode));
            int n = 0;
            run(spec(containers, "c" + n++, userns, etc, "true"));
            run(spec(containers, "c" + n++, userns, etc, "true")); // the second start of the image: roots are mounted ahead
            awaitReady(containers);
            List<String> uppers = new ArrayList<>();
            // each script writes something different; each next container checks none of it is there
            String[] writes = {"echo x > /written", "mkdir /tmp/d", "rm /bin/true", "chmod 700 /", "touch /made; rm /made",
                    "echo intruder:x:7:7::/:/bin/sh >> /etc/passwd", "true"};
            String check = "test ! -e /written && test ! -e /tmp/d && test -e /bin/true && test ! -e /made"
                    + " && ls -ld / | grep -q '^drwxr-xr-x' && ! grep -q intruder /etc/passwd"
                    + (etc ? " && test \"$(cat /etc/hostname)\" = \"$(hostname)\"" : "");
            for (String w : writes) {
                List<String> out = run(spec(containers, "c" + n++, userns, etc, check + " && " + w));
                assertThat(out.getFirst()).as("a root mounted ahead").contains("/.ready-root-" + ProcessHandle.current().pid() + "-");
                uppers.add(out.getFirst());
                awaitReady(containers);
            }
            List<String> after = run(spec(containers, "c" + n++, userns, etc, check)); // the last write ("true") left it untouched
            uppers.add(after.getFirst());
            assertThat(uppers.subList(0, 6)).as("a written root is never used again").doesNotHaveDuplicates();
            for (int i = 0; i < 6; i++) assertThat(uppers.subList(i + 1, uppers.size())).doesNotContain(uppers.get(i));
            List<String> again = new ArrayList<>();
            for (int i = 0; i < 4; i++) again.add(run(spec(containers, "c" + n++, userns, etc, check)).getFirst());
            assertThat(again).as("untouched roots go back to the ready ones").hasSizeGreaterThan(new java.util.HashSet<>(again).size());
        }
    }

    @Test
    void aKilledJvmsReadyRootsAreUnmountedAndRemovedByTheNextStart() throws Exception {
        Path containers = Files.createDirectories(tmp.resolve("containers"));
        Process jvm = childJvm(containers, "hold");
        try {
            String line = new BufferedReader(new InputStreamReader(jvm.getInputStream())).readLine();
            assertThat(line).as("the child JVM's ready roots").isEqualTo("ready");
            long pid = jvm.pid();
            assertThat(mountsUnder(containers)).as("its ready roots are mounted").isNotEmpty();
            jvm.destroyForcibly(); // SIGKILL: no shutdown hook
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(mountsUnder(containers)).as("a killed JVM leaves them mounted").isNotEmpty();

            run(spec(containers, "next", false, "true")); // the next start in the store reaps them
            long end = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < end && (!mountsUnder(containers).isEmpty() || !leftOf(containers, pid).isEmpty())) Thread.sleep(20);
            assertThat(mountsUnder(containers)).as("unmounted").isEmpty();
            assertThat(leftOf(containers, pid)).as("removed").isEmpty();
        } finally {
            if (jvm.isAlive()) jvm.destroyForcibly().waitFor();
        }
    }

    @Test
    void aStoreRemovedUnderReadyRootsIsRemovedAndItsRootsAreNeverUsed() throws Exception {
        Path containers = Files.createDirectories(tmp.resolve("removed/containers"));
        run(spec(containers, "a", false, "true"));
        run(spec(containers, "b", false, "true"));
        awaitReady(containers);
        // the remover thread's removal of a's and b's uppers first: the walk below must not race it
        long settle = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < settle) {
            try (var left = Files.list(containers)) {
                if (left.allMatch(p -> p.getFileName().toString().startsWith(".ready-"))) break;
            }
            Thread.sleep(10);
        }
        // what a test's @TempDir does with a temporary store: the mounts are elsewhere, so this works
        try (var walk = Files.walk(tmp.resolve("removed"))) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isReadable(p)) p.toFile().setReadable(true);
                Files.deleteIfExists(p);
            }
        }
        assertThat(tmp.resolve("removed")).doesNotExist();
        Files.createDirectories(containers);
        List<String> out = run(spec(containers, "c", false, "test ! -e /written"));
        assertThat(out.getFirst()).as("no root of the removed store").doesNotContain(".ready-root-");
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && mountsUnder(containers).size() > 2) Thread.sleep(10);
    }

    /**
     * An image removed and pulled again (its layer directory gone and made anew at the same path):
     * the roots mounted over the old one are never handed out — the start mounts its own over the
     * new layer (ImageVerbsTest's {@code rmi} then {@code run --pull always} in one JVM found it).
     */
    @Test
    void rootsOverALayerThatWasReplacedAreNeverUsed() throws Exception {
        Path layer = tmp.resolve("layer");
        copyTree(TestRootfs.busybox(), layer);
        Path containers = Files.createDirectories(tmp.resolve("containers-replaced"));
        run(onLayer(layer, containers, "a", "true"));
        run(onLayer(layer, containers, "b", "true"));
        awaitReady(containers);
        Path old = tmp.resolve("layer.removed");
        Files.move(layer, old); // rmi: the layer goes (moved, not deleted, so the mounted roots stay valid mounts)
        copyTree(TestRootfs.busybox(), layer); // pulled again: the same path, a new directory
        List<String> out = run(onLayer(layer, containers, "c", "test -x /bin/sh && test -e /bin/true"));
        assertThat(out.getFirst()).as("no root mounted over the replaced layer").doesNotContain(".ready-root-");
    }

    private static ContainerSpec onLayer(Path layer, Path containers, String name, String script) {
        Path dir = containers.resolve(name);
        return Container.builder().rootfs(layer)
                .namespaces(Namespace.PID, Namespace.MNT, Namespace.NET, Namespace.UTS, Namespace.IPC)
                .command("/bin/sh", "-c", "head -1 /proc/self/mountinfo | grep -o 'upperdir=[^,]*'; " + script)
                .root(new Root.Overlay(List.of(layer), dir.resolve("upper"), dir.resolve("work"), false, true)).build();
    }

    private static void copyTree(Path from, Path to) throws Exception {
        Process cp = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
        assertThat(cp.waitFor()).as("cp -a " + from + " " + to).isZero();
    }

    @Test
    void aJvmThatExitsLeavesNoReadyRoot() throws Exception {
        Path containers = Files.createDirectories(tmp.resolve("containers"));
        Process jvm = childJvm(containers, "exit");
        String line = new BufferedReader(new InputStreamReader(jvm.getInputStream())).readLine();
        assertThat(line).isEqualTo("ready");
        assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mountsUnder(containers)).isEmpty();
        assertThat(leftOf(containers, jvm.pid())).isEmpty();
    }

    private static Process childJvm(Path containers, String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ReadyRootsTest.class.getName(), containers.toString(), mode)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The child JVM: two starts of the image, its ready roots mounted, then "ready"; holds them ("hold") or exits ("exit"). */
    public static void main(String[] args) throws Exception {
        Path containers = Path.of(args[0]);
        run(spec(containers, "a", false, "true"));
        run(spec(containers, "b", false, "true"));
        awaitReady(containers);
        System.out.println("ready");
        System.out.flush();
        if (args[1].equals("hold")) Thread.sleep(600_000);
    }

    private static void awaitReady(Path containers) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && mountsUnder(containers).size() < 2) Thread.sleep(5);
        assertThat(mountsUnder(containers)).as("two roots mounted ahead").hasSizeGreaterThanOrEqualTo(2);
    }

    /** This namespace's mounts of ready roots whose uppers are below {@code dir} (mounted in the runtime directory). */
    static List<String> mountsUnder(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (l.contains("upperdir=" + dir + "/") || l.split(" ")[4].startsWith(dir + "/")) out.add(l.split(" ")[4]);
        }
        return out;
    }

    /** What a JVM left in the store's directory of uppers (its ready roots, its uppers and their trash). */
    static List<String> leftOf(Path containers, long pid) throws Exception {
        try (var l = Files.list(containers)) {
            return l.map(p -> p.getFileName().toString()).filter(n -> n.contains("-" + pid + "-") || n.equals("a") || n.equals("b")).toList();
        }
    }
}
