package io.jcontainer.linux.rootfs;

import io.jcontainer.Root;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Owned uppers: made at the start, renamed away at close and removed off the caller's thread, reaped after a killed JVM. */
class OverlayUpperTest {
    @TempDir
    Path tmp;

    private Root.Overlay owned(Path dir) {
        return new Root.Overlay(List.of(tmp), dir.resolve("upper"), dir.resolve("work"), false, true);
    }

    @Test
    void aThrowAwayUpperIsMadeMarkedAndGoneFromItsPathAtClose() throws Exception {
        Path containers = tmp.resolve("containers");
        Root.Overlay root = owned(containers.resolve("a"));
        OverlayUpper.prepare(root, true);
        assertThat(Files.getPosixFilePermissions(root.upper())).hasSize(7);   // rwxr-xr-x: the container's "/"
        assertThat(Files.getPosixFilePermissions(root.work())).hasSize(3);    // rwx------
        try (var marks = Files.newDirectoryStream(containers.resolve("a"), ".owner-*")) {
            assertThat(marks).hasSize(1);
        }
        Files.writeString(root.upper().resolve("written"), "x");
        OverlayUpper.removeIfOwnedLater(root);
        assertThat(containers.resolve("a")).doesNotExist();
        awaitEmpty(containers);
    }

    @Test
    void laterStartsTakeAPairMadeAhead() throws Exception {
        Path containers = tmp.resolve("containers");
        OverlayUpper.prepare(owned(containers.resolve("first")), true);
        Thread.sleep(50);
        try (var none = Files.newDirectoryStream(containers, ".ready-*")) {
            assertThat(none).as("one start (a CLI's run) makes none").isEmpty();
        }
        OverlayUpper.prepare(owned(containers.resolve("zeroth")), true);
        java.util.Set<Object> ready = awaitReady(containers);
        Root.Overlay second = owned(containers.resolve("second"));
        OverlayUpper.prepare(second, true);
        // one of them renamed to the second's name (the same directory: its inode)
        assertThat(ready).contains(Files.readAttributes(containers.resolve("second"), java.nio.file.attribute.BasicFileAttributes.class).fileKey());
        assertThat(Files.getPosixFilePermissions(second.upper())).hasSize(7);
        assertThat(Files.getPosixFilePermissions(second.work())).hasSize(3);
        try (var marks = Files.newDirectoryStream(containers.resolve("second"), ".owner-*")) {
            assertThat(marks).hasSize(1);                                        // reaped like any upper after a killed JVM
        }
        // a name that is taken is never replaced (rename(2) would replace an empty directory)
        Files.createDirectories(containers.resolve("taken"));
        awaitReady(containers);
        Root.Overlay taken = owned(containers.resolve("taken"));
        OverlayUpper.prepare(taken, true);
        assertThat(taken.upper()).isDirectory();
        try (var marks = Files.newDirectoryStream(containers.resolve("taken"), ".owner-*")) {
            assertThat(marks).isEmpty();                                         // not ours: not marked, not a ready pair
        }
        OverlayUpper.removeIfOwned(taken);
        OverlayUpper.removeIfOwnedLater(second);
        OverlayUpper.removeIfOwnedLater(owned(containers.resolve("first")));
        OverlayUpper.removeIfOwnedLater(owned(containers.resolve("zeroth")));
        awaitEmpty(containers);
    }

    /** The inodes of the ready pairs once both are complete (the owner mark is made last). */
    private static java.util.Set<Object> awaitReady(Path containers) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            java.util.Set<Object> keys = new java.util.HashSet<>();
            try (var ready = Files.newDirectoryStream(containers, ".ready-*")) {
                for (Path p : ready) {
                    try (var marks = Files.newDirectoryStream(p, ".owner-*")) {
                        if (marks.iterator().hasNext())
                            keys.add(Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
                    }
                }
            }
            if (keys.size() >= 2) return keys;
            Thread.sleep(10);
        }
        throw new AssertionError("no ready pairs in " + containers);
    }

    @Test
    void theNextStartReapsWhatAKilledJvmLeft() throws Exception {
        Path containers = Files.createDirectories(tmp.resolve("containers"));
        // a JVM killed with an attached container: its mark names a process that is gone
        Path dead = Files.createDirectories(containers.resolve("dead/upper/etc"));
        Files.createDirectories(containers.resolve("dead/work/work"));
        Files.createFile(containers.resolve("dead/.owner-2147483646-1"));
        // a JVM killed while its remover worked
        Files.createDirectories(containers.resolve(".trash-old/upper/x"));
        // a detached container's upper (no mark: its record removes it) and a live JVM's
        Files.createDirectories(containers.resolve("detached/upper"));
        Root.Overlay live = owned(containers.resolve("live"));
        OverlayUpper.prepare(live, true);
        OverlayUpper.reap(containers);
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && (Files.exists(containers.resolve("dead")) || Files.exists(containers.resolve(".trash-old"))
                || Files.exists(containers.resolve(".trash-dead")))) Thread.sleep(10);
        try (var left = Files.list(containers)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".ready-")).sorted().toList())
                    .containsExactly("detached", "live");
        }
        OverlayUpper.removeIfOwned(live);
        assertThat(containers.resolve("live")).doesNotExist();
    }

    /**
     * A ready pair gets its owner mark last: a JVM killed while it made one left it unmarked
     * (ReadyRootsTest's SIGKILLed JVM did once in a full run). The pid in its name decides.
     */
    @Test
    void anUnmarkedReadyPairOfAGoneJvmIsReapedALiveOnesIsNot() throws Exception {
        Path containers = Files.createDirectories(tmp.resolve("containers"));
        Process p = new ProcessBuilder("/bin/true").start();
        long gone = p.pid();
        p.waitFor();
        Path half = Files.createDirectories(containers.resolve(".ready-" + gone + "-7/upper"));
        Path mine = Files.createDirectories(containers.resolve(".ready-" + ProcessHandle.current().pid() + "-9999/upper"));
        Path readyRoot = Files.createDirectories(containers.resolve(".ready-root-" + gone + "-1")); // ReadyRoots' own: its sweep's
        OverlayUpper.reap(containers);
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && Files.exists(half.getParent())) Thread.sleep(10);
        assertThat(half.getParent()).doesNotExist();
        assertThat(mine).exists();
        assertThat(readyRoot).exists();
        assertThat(OverlayUpper.unmarkedReadyPairOfADeadJvm(".ready-99999999999999999999999-1")).isFalse();
    }

    /**
     * A JVM killed while a container ran on a fuse-overlayfs image root (ImageRoots) leaves the
     * mount and its daemon: the next reap unmounts it (the daemon ends with its mount) before the
     * directory goes, and never deletes through the mount into the layers.
     */
    @Test
    @io.jcontainer.linux.testing.RequiresRoot
    void theReapUnmountsAKilledJvmsFuseOverlayfsRoot() throws Exception {
        Path bin = ImageRoots.findFuseOverlayfs();
        assertThat(bin).as("fuse-overlayfs (bin/test-deps.sh installs it)").isNotNull();
        Path layer = Files.createDirectories(tmp.resolve("layer"));
        Files.writeString(layer.resolve("kept"), "layer");
        Path containers = Files.createDirectories(tmp.resolve("containers"));
        Path dead = containers.resolve("dead");
        for (String d : List.of("upper", "work", "merged")) Files.createDirectories(dead.resolve(d));
        Files.createFile(dead.resolve(".owner-2147483646-1"));
        Process daemon = new ProcessBuilder(bin.toString(), "-f", "-o", "lowerdir=" + layer + ",upperdir=" + dead.resolve("upper")
                + ",workdir=" + dead.resolve("work"), dead.resolve("merged").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long end = System.nanoTime() + 10_000_000_000L;
            while (!ImageRoots.mounted(dead.resolve("merged"))) {
                assertThat(daemon.isAlive()).isTrue();
                assertThat(System.nanoTime()).as("mounted within 10 s").isLessThan(end);
                Thread.sleep(5);
            }
            OverlayUpper.reap(containers);
            assertThat(daemon.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).as("the daemon ends with its mount").isTrue();
            awaitEmpty(containers);
            assertThat(Files.readString(layer.resolve("kept"))).isEqualTo("layer");
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(dead.toString());
        } finally {
            daemon.destroyForcibly();
        }
    }

    private static void awaitEmpty(Path dir) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (var left = Files.list(dir)) {
                // pairs made ahead for the next starts (removed at this JVM's exit) are not leftovers
                List<Path> l = left.filter(p -> !p.getFileName().toString().startsWith(".ready-")).toList();
                if (l.isEmpty()) return;
                if (System.nanoTime() > end) assertThat(l).as("removed by the remover thread").isEmpty();
            }
            Thread.sleep(10);
        }
    }
}
