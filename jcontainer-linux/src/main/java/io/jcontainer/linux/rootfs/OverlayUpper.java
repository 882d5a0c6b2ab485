package io.jcontainer.linux.rootfs;

import io.jcontainer.Root;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Removes the upper and work directories of an overlay root the runtime owns
 * ({@link Root.Overlay#removeWithContainer()}): when an attached container's handle closes, when
 * a recorded one is removed, when a first start fails. Plain file work on a tree nobody uses any
 * more (the container's mount namespace is gone or going), so java.nio, never following links.
 */
public final class OverlayUpper {
    private OverlayUpper() {
    }

    /**
     * Makes an owned upper and work directory when they are missing (an image root as
     * {@code Images.overlayRoot(image)} describes it): at the start, so that a spec never started
     * leaves nothing behind. The upper's root is the container's "/": 0755, as an image root.
     * One {@code mkdir} each with its mode (a {@code chmod} only when the umask cut it), and for
     * a throw-away upper an owner mark, {@code .owner-<pid>-<start>}, by which the next JVM
     * reaps what a killed one left ({@link #reap}).
     */
    public static void prepare(Root root) {
        prepare(root, false);
    }

    public static void prepare(Root root, boolean throwAway) {
        if (!(root instanceof Root.Overlay o) || !o.removeWithContainer()) return;
        Path parent = o.upper().getParent();
        Path containers = parent == null ? null : parent.getParent();
        reapOnce(containers);
        // A throw-away upper in the usual layout (<containers>/<id>/{upper,work}): take a pair
        // made ahead by the remover thread, one rename instead of three mkdirs and a mark on the
        // start's path (on a busy ext4, inode allocation is the costly part of an image root).
        if (throwAway && containers != null && parent.equals(o.work().getParent())
                && o.upper().getFileName().toString().equals("upper") && o.work().getFileName().toString().equals("work")) {
            Ready pool = READY.computeIfAbsent(containers, Ready::new);
            try {
                if (pool.take(parent)) return;
            } finally {
                pool.refill();
            }
        }
        try {
            boolean fresh = parent != null && parent.equals(o.work().getParent()) && mkdir(parent, 0700);
            boolean upperMade = mkdir(o.upper(), 0755);
            mkdir(o.work(), 0700);
            if (fresh && upperMade && throwAway) Files.createFile(parent.resolve(OWNER_MARK));
        } catch (IOException e) {
            throw new io.jcontainer.ContainerStartException("cannot make the overlay upper " + o.upper() + " and work " + o.work() + ": " + e, e);
        }
    }

    /** {@link #reap} once per directory of container uppers and JVM, at its first start there. */
    static void reapOnce(Path containers) {
        if (containers != null && REAPED.add(containers)) reap(containers);
    }

    /** Runs {@code work} on the remover thread; false when the JVM is exiting (nothing was queued). */
    static boolean background(Runnable work) {
        try {
            REMOVER.submit(work);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException exiting) {
            return false;
        }
    }

    static boolean exiting() {
        return REMOVER.isShutdown();
    }

    /** This JVM's owner mark's file name (see {@link #reap}). */
    static String ownerMark() {
        return OWNER_MARK;
    }

    /** Throw-away upper/work pairs made ahead, per directory of container uppers. */
    private static final Map<Path, Ready> READY = new java.util.concurrent.ConcurrentHashMap<>();
    /** How many pairs are kept ready: enough for starts back to back; a burst falls back to mkdir. */
    private static final int READY_PAIRS = 2;
    private static final String READY_PREFIX = ".ready-";
    private static final java.util.concurrent.atomic.AtomicLong READY_SEQ = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A few {@code .ready-<pid>-<n>} directories, each an upper (0755), a work directory (0700)
     * and this JVM's owner mark, as {@link #prepare} makes them: a start renames one to its own
     * name. They carry the owner mark, so a killed JVM's are reaped like its uppers; this JVM
     * removes its own at exit.
     */
    private static final class Ready {
        private final Path containers;
        private final java.util.concurrent.ConcurrentLinkedQueue<Path> pairs = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicBoolean filling = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.atomic.AtomicLong starts = new java.util.concurrent.atomic.AtomicLong();

        Ready(Path containers) {
            this.containers = containers;
        }

        /** Renames a ready pair to {@code dir}; false when none was ready (or the rename failed). */
        boolean take(Path dir) {
            for (Path p; (p = pairs.poll()) != null; ) {
                try {
                    // rename(2) would replace an empty directory of that name: only into a free name
                    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                        pairs.add(p);
                        return false;
                    }
                    Files.move(p, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    return true;
                } catch (IOException e) {
                    removeLater(p); // gone or not ours any more: make new ones
                }
            }
            return false;
        }

        /**
         * Tops the pairs up off the caller's thread (one task at a time) — from a second start
         * on: a JVM that starts one container (a CLI's {@code run}) would only make pairs to
         * delete them at its exit.
         */
        void refill() {
            if (starts.incrementAndGet() < 2 || pairs.size() >= READY_PAIRS || !filling.compareAndSet(false, true)) return;
            try {
                REMOVER.submit(this::fill);
            } catch (java.util.concurrent.RejectedExecutionException exiting) {
                filling.set(false);
            }
        }

        private void fill() {
            try {
                while (pairs.size() < READY_PAIRS && !REMOVER.isShutdown()) {
                    Path p = containers.resolve(READY_PREFIX + ProcessHandle.current().pid() + "-" + READY_SEQ.incrementAndGet());
                    // never the parents: a directory of uppers removed meanwhile stays removed
                    if (!mkdir(p, 0700, false)) throw new java.nio.file.FileAlreadyExistsException(p.toString());
                    try {
                        mkdir(p.resolve("upper"), 0755, false);
                        mkdir(p.resolve("work"), 0700, false);
                        Files.createFile(p.resolve(OWNER_MARK));
                    } catch (IOException half) {
                        deleteQuietly(p); // unmarked, a later reap would leave it
                        throw half;
                    }
                    pairs.add(p);
                }
            } catch (IOException e) {
                LoggerFactory.getLogger(OverlayUpper.class).debug("jcontainer: cannot make a ready overlay upper in {}: {}", containers, e.toString());
            } finally {
                filling.set(false);
            }
        }

        /** At exit: this JVM's ready pairs go with it. */
        void drain() {
            for (Path p; (p = pairs.poll()) != null; ) deleteQuietly(p);
        }
    }

    static void removeLater(Path dir) {
        try {
            REMOVER.submit(() -> deleteQuietly(dir));
        } catch (java.util.concurrent.RejectedExecutionException exiting) {
            deleteQuietly(dir);
        }
    }

    /** mkdir with the mode; false when it was there already (a directory, else an error). */
    private static boolean mkdir(Path dir, int mode) throws IOException {
        return mkdir(dir, mode, true);
    }

    static boolean mkdir(Path dir, int mode, boolean parents) throws IOException {
        try {
            Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(PERMS.get(mode)));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw e;
            return false;
        } catch (NoSuchFileException e) {
            if (!parents) throw e;
            Files.createDirectories(dir.getParent());
            return mkdir(dir, mode, false);
        }
        if (UMASK_CUTS.get(mode)) Files.setAttribute(dir, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        return true;
    }

    private static final Map<Integer, java.util.Set<java.nio.file.attribute.PosixFilePermission>> PERMS = Map.of(
            0755, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"),
            0700, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    /** Whether this process's umask removes bits of the mode (read once: the JVM does not change it). */
    private static final Map<Integer, Boolean> UMASK_CUTS = Map.of(0755, (umask() & 0755) != 0, 0700, (umask() & 0700) != 0);

    private static int umask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) return Integer.parseInt(line.substring(6).strip(), 8);
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: assume it cuts, and chmod
        }
        return 0777;
    }

    /** This JVM, as an owner mark: pid and start time (a reused pid has another). */
    private static final String OWNER_MARK = ".owner-" + ProcessHandle.current().pid() + "-"
            + ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    private static final java.util.Set<Path> REAPED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final String TRASH = ".trash-";

    /**
     * What earlier JVMs left in a directory of container uppers: trash whose removal did not
     * finish, and throw-away uppers whose owner mark names a process that is gone (a JVM killed
     * with attached containers). Once per directory and JVM, at its first start there; removed off
     * the caller's thread.
     */
    public static void reap(Path containers) {
        List<Path> dead = new ArrayList<>();
        try (var dirs = Files.newDirectoryStream(containers)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (name.startsWith(TRASH)) {
                    dead.add(d);
                    continue;
                }
                boolean marked = false;
                try (var marks = Files.newDirectoryStream(d, ".owner-*")) {
                    for (Path m : marks) {
                        marked = true;
                        if (!ownerAlive(m.getFileName().toString())) dead.add(d);
                        break;
                    }
                } catch (IOException notADir) {
                    // not an upper of ours
                }
                if (!marked && unmarkedReadyPairOfADeadJvm(name)) dead.add(d);
            }
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LoggerFactory.getLogger(OverlayUpper.class).debug("jcontainer: cannot look for leftover uppers in {}: {}", containers, e.toString());
            return;
        }
        for (Path d : dead) {
            // a fuse-overlayfs root of that JVM is still mounted (its daemon serving it): never delete through it
            if (!d.getFileName().toString().startsWith(TRASH) && !ImageRoots.unmountLeftover(d)) continue;
            Path trash = d.getFileName().toString().startsWith(TRASH) ? d : toTrash(d);
            if (trash != null) REMOVER.submit(() -> deleteQuietly(trash));
        }
    }

    private static final java.util.regex.Pattern READY_NAME = java.util.regex.Pattern.compile("\\.ready-(\\d+)-\\d+");

    /**
     * A ready pair ({@code .ready-<pid>-<n>}) gets its owner mark last, after its upper and work:
     * a JVM killed while it made one left it unmarked, which the marks alone would keep for good
     * (ReadyRootsTest's killed JVM did, once). Its name says whose it was: gone, it is ours to remove.
     * A live process of that pid keeps it (a reused pid only delays the removal).
     */
    static boolean unmarkedReadyPairOfADeadJvm(String name) {
        var m = READY_NAME.matcher(name);
        try {
            return m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty();
        } catch (NumberFormatException notAPid) {
            return false;
        }
    }

    static boolean ownerAlive(String mark) {
        String[] p = mark.split("-");
        try {
            long pid = Long.parseLong(p[1]), start = Long.parseLong(p[2]);
            return ProcessHandle.of(pid).map(h -> h.info().startInstant().map(i -> i.toEpochMilli()).orElse(start) == start).orElse(false);
        } catch (RuntimeException malformed) {
            return true; // not ours to judge
        }
    }

    /** Renames a container's directory out of the way (one syscall); null when that failed. */
    static Path toTrash(Path dir) {
        Path trash = dir.resolveSibling(TRASH + dir.getFileName());
        try {
            Files.move(dir, trash, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return trash;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * One daemon thread removes uppers after their containers: a tree removal on a busy disk
     * costs milliseconds the closing caller need not wait for. At the JVM's exit the queue is
     * finished (bounded); what a killed JVM leaves is trash the next {@link #reap} removes.
     */
    private static final java.util.concurrent.ExecutorService REMOVER = remover();

    private static java.util.concurrent.ExecutorService remover() {
        var ex = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jcontainer-upper-remover");
            t.setDaemon(true);
            return t;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ex.shutdown();
            try {
                ex.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            READY.values().forEach(Ready::drain);
            ReadyRoots.drainAll();
        }, "jcontainer-upper-remover-drain"));
        return ex;
    }

    /**
     * As {@link #removeIfOwned}, but the tree goes off the caller's thread: the container's
     * directory is renamed to {@code .trash-<name>} at once (its upper is gone from its path when
     * this returns) and deleted by the remover thread.
     */
    public static void removeIfOwnedLater(Root root) {
        if (!(root instanceof Root.Overlay o) || !o.removeWithContainer()) return;
        Path parent = o.upper().getParent();
        if (parent != null && parent.equals(o.work().getParent()) && parent.getParent() != null) {
            Path trash = toTrash(parent);
            if (trash != null) {
                try {
                    REMOVER.submit(() -> deleteQuietly(trash));
                    return;
                } catch (java.util.concurrent.RejectedExecutionException exiting) {
                    deleteQuietly(trash);
                    return;
                }
            }
        }
        removeIfOwned(root);
    }

    static void deleteQuietly(Path dir) {
        try {
            delete(dir);
        } catch (IOException e) {
            LoggerFactory.getLogger(OverlayUpper.class).warn("jcontainer: could not remove the overlay upper {}: {}", dir, e.toString());
        }
    }

    public static void removeIfOwned(Root root) {
        if (!(root instanceof Root.Overlay o) || !o.removeWithContainer()) return;
        try {
            Path parent = o.upper().getParent();
            boolean own = parent != null && parent.equals(o.work().getParent());
            // a recorded container's fuse-overlayfs root (ImageRoots): unmounted first, never deleted through
            if (own && !ImageRoots.unmountLeftover(parent)) {
                LoggerFactory.getLogger(OverlayUpper.class).warn("jcontainer: {} is still mounted: its container's directory stays", parent.resolve("merged"));
                return;
            }
            delete(o.upper());
            delete(o.work());
            if (own) {
                for (String fallback : List.of("merged", "rootfs", "fuse-overlayfs.log")) delete(parent.resolve(fallback));
                try (var marks = Files.newDirectoryStream(parent, ".owner-*")) {
                    for (Path m : marks) Files.deleteIfExists(m);
                } catch (NoSuchFileException gone) {
                    return;
                }
                try (var left = Files.list(parent)) {
                    if (left.findAny().isEmpty()) Files.deleteIfExists(parent);
                }
            }
        } catch (IOException e) {
            // the container is gone either way: say what was left behind
            LoggerFactory.getLogger(OverlayUpper.class).warn("jcontainer: could not remove the overlay upper {}: {}", o.upper(), e.toString());
        }
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) && !Files.isReadable(file)) {
                    // overlayfs leaves work/work at mode 0: an ordinary user opens it first (only
                    // then: a chmod per directory is an inode write the usual case does not need).
                    // Not the NOFOLLOW form: the JDK opens the file for that, which mode 0 refuses
                    // (EISDIR); it was lstat'ed a directory just now, in a tree of this user's own.
                    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                    delete(file);
                } else {
                    Files.deleteIfExists(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
