package io.jcontainer.linux.rootfs;

import io.jcontainer.Root;
import io.jcontainer.linux.Settings;
import io.jcontainer.linux.sys.Syscalls;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kernel overlay roots mounted ahead of their starts, for a root JVM's throw-away image roots.
 *
 * <p>Mounting an overlay is the costly part of an image root's start: {@code ovl_fill_super}
 * makes and probes inodes in the work directory (7 on this kernel), and on a busy or
 * journal-less ext4 every new inode costs far more than the rest of a start's mounts. For an
 * image this JVM has started twice, the remover thread keeps a few roots of it mounted in this
 * JVM's own mount namespace — {@code <containers>/.ready-root-<pid>-<n>/{upper,work,merged}},
 * the overlay of the image's layers under a fresh empty upper (volatile, as a throw-away upper is
 * mounted at a start) on {@code merged} — and a start takes one and binds {@code merged} as a
 * directory root, as docker's engines hand runc a mounted rootfs. Each root is used by one
 * container only, its upper made for it and removed after it: nothing carries over from one
 * container to the next.
 *
 * <p>Only where the container's own mount would be the same one: a root JVM (the overlay is
 * mounted in the initial user namespace with its credentials, as the child's would be) and a
 * container without a user namespace (that one mounts with {@code userxattr} in its namespace
 * itself, as every rootless start does). At most {@value #IMAGES} images have roots ready; the
 * least recently started gives its roots up.
 *
 * <p>Leaving nothing behind: a root carries this JVM's owner mark, so a killed JVM's roots are
 * unmounted and removed by the next start in the store ({@link OverlayUpper#reap}, which
 * unmounts a dead JVM's {@code merged} before the directory goes); at a normal exit the ready
 * ones are unmounted and removed, and those of still-open containers unmounted (their
 * directories follow at the next reap, as any open container's upper). A closed container's
 * root is unmounted (detached: its mount namespace may still be going) and removed off the
 * caller's thread. {@value Settings#IMAGE_ROOT_READY}{@code =0} turns it off.
 */
public final class ReadyRoots {
    private ReadyRoots() {
    }

    /** How many images keep roots ready: the most recently started ones. */
    static final int IMAGES = 4;
    static final String PREFIX = ".ready-root-";
    private static final long MS_NODEV = 4;
    private static final long MS_PRIVATE = 1 << 18;
    private static final AtomicLong SEQ = new AtomicLong();
    private static final List<String> ETC_FILES = List.of("hostname", "hosts", "resolv.conf");
    private static final java.nio.file.attribute.FileAttribute<?> FILE_MODE =
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    /** {@code etc}: the runtime binds its /etc files in the container (their mount points are made ahead, see {@link Pool#mount}). */
    private record Key(Path containers, List<Path> lowers, boolean etc) {
    }

    /** Per image (its layers) and directory of uppers, in access order. Guarded by itself. */
    private static final LinkedHashMap<Key, Pool> POOLS = new LinkedHashMap<>(8, 0.75f, true);
    /** Roots taken by a container that has not been closed yet: unmounted at the JVM's exit. */
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

    /**
     * A mounted root for {@code o} (an owned, throw-away overlay in the usual layout
     * {@code <containers>/<id>/{upper,work}}), or null when none is ready — the start then mounts
     * its own as before. Either way the image's roots are topped up off the caller's thread
     * from its second start on. The caller has checked that the JVM is root and the container
     * has no user namespace or one with the default maps; {@code etcFiles}: the start binds the
     * runtime's /etc files (their mount points are made in the roots ahead).
     */
    public static Taken take(Root.Overlay o, boolean etcFiles, Syscalls sys) {
        int target = Settings.imageRootReady();
        if (target == 0 || mounts == null || !o.removeWithContainer() || o.upper() == null) return null;
        Path parent = o.upper().getParent();
        Path containers = parent == null ? null : parent.getParent();
        if (containers == null || !parent.equals(o.work().getParent())) return null;
        OverlayUpper.reapOnce(containers); // a killed JVM's roots go before this one's are made
        if (SWEPT.add(containers)) sweepMounts();
        Key key = new Key(containers, List.copyOf(o.lowerDirs()), etcFiles);
        Pool pool;
        List<Pool> evicted = new ArrayList<>();
        synchronized (POOLS) {
            pool = POOLS.computeIfAbsent(key, Pool::new);
            for (var it = POOLS.entrySet().iterator(); POOLS.size() > IMAGES && it.hasNext(); ) {
                Map.Entry<Key, Pool> e = it.next();
                if (e.getValue() == pool) continue;
                evicted.add(e.getValue());
                it.remove();
            }
        }
        for (Pool p : evicted) p.retire(sys);
        Path dir = pool.poll(sys);
        pool.refill(target, sys);
        if (dir == null) return null;
        IN_USE.add(dir);
        return new Taken(pool, dir, o.readonly(), sys);
    }

    /**
     * A root taken by one container. At close it is unmounted and removed — or, when the caller
     * said the container has ended for good and the container left the root untouched, mounted
     * as it is back among the ready ones (see {@link #untouched}).
     */
    public static final class Taken implements ImageRoots.Prepared {
        private final Pool pool;
        private final Path dir;
        private final boolean readonly;
        private final Syscalls sys;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile java.util.function.BooleanSupplier ended = () -> false;

        private Taken(Pool pool, Path dir, boolean readonly, Syscalls sys) {
            this.pool = pool;
            this.dir = dir;
            this.readonly = readonly;
            this.sys = sys;
        }

        @Override
        public Root root() {
            return new Root.Directory(merged(dir), readonly);
        }

        /**
         * {@code ended}: true at close when no process of the container can be left (it had a PID
         * namespace of its own and its first process was seen to exit: the kernel ends every other
         * process of the namespace before that exit completes).
         */
        public void whenClosed(java.util.function.BooleanSupplier ended) {
            this.ended = ended;
        }

        /** Never asked: a ready root serves an attached container only (its handle's close ends it). */
        @Override
        public void adopt() {
            throw new IllegalStateException("a ready root belongs to an attached container");
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) return;
            IN_USE.remove(dir);
            if (ended.getAsBoolean() && pool.giveBack(dir)) return;
            pool.forgetBaseline(dir);
            release(dir, sys);
        }
    }

    /**
     * Whether a used root is exactly as it was made: every entry of its upper — normally only its
     * own directory, the container's "/"; with the /etc mount points made ahead, also {@code etc}
     * and those empty files — there with the change time it had then, nothing more (any write,
     * delete, chmod, touch, xattr or rename in the root copies something up, leaves a whiteout
     * or changes a directory it happens in), and overlayfs' work directory holding only what the
     * mount made. Such a root is its image's layers under the upper it was mounted with: it shows
     * the next container nothing of the last one.
     */
    static boolean untouched(Path dir, Map<String, Long> baseline) {
        try {
            if (baseline == null || !baseline.equals(snapshot(dir.resolve("upper")))) return false;
            // overlayfs' scratch space for copy-ups; "incompat" is volatile's mark, made at the mount
            try (var entries = Files.newDirectoryStream(dir.resolve("work").resolve("work"))) {
                for (Path e : entries) if (!e.getFileName().toString().equals("incompat")) return false;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Each entry of an upper (relative path; "" its own directory) with its change time. */
    static Map<String, Long> snapshot(Path upper) throws IOException {
        Map<String, Long> out = new java.util.HashMap<>();
        try (var walk = Files.walk(upper)) {
            for (Path p : (Iterable<Path>) walk::iterator) out.put(upper.relativize(p).toString(), changeTime(p));
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return out;
    }

    private static long changeTime(Path p) throws IOException {
        return ((java.nio.file.attribute.FileTime) Files.getAttribute(p, "unix:ctime", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Where ready roots are mounted: {@code <runtime dir>/ready-roots/<pid>-<start>-<n>} (root:
     * /run/jcontainer), outside the image store, so that removing a store (a test's temporary
     * one) never walks into a mounted root: it only unlinks the empty upper and work directories
     * under it, after which that root is never handed out ({@link Pool#poll}) and is unmounted.
     */
    private static volatile Path mounts;
    /** A ready root's directory of uppers → its mount point. */
    private static final Map<Path, Path> MERGED = new ConcurrentHashMap<>();
    private static final String OWNER = ProcessHandle.current().pid() + "-"
            + ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    private static final AtomicBoolean MOUNTS_REAPED = new AtomicBoolean();

    private static Path merged(Path dir) {
        return MERGED.getOrDefault(dir, dir.resolve("merged"));
    }

    private static Path mountPoint(Path dir) throws IOException {
        Path base = mounts;
        if (base == null) throw new IOException("no runtime directory for ready roots");
        Path mp = base.resolve(OWNER + "-" + SEQ.incrementAndGet());
        for (int i = 0; ; i++) {
            try {
                OverlayUpper.mkdir(mp, 0700, false);
                break;
            } catch (java.nio.file.NoSuchFileException none) { // the directory goes when its last root does (below)
                if (i == 3) throw none;
                Files.createDirectories(base);
            }
        }
        MERGED.put(dir, mp);
        return mp;
    }

    private static void forget(Path dir) {
        Path mp = MERGED.remove(dir);
        if (mp != null) {
            try {
                Files.deleteIfExists(mp);
                removeIfEmpty(mp.getParent());
            } catch (IOException busy) {
                // still mounted (a failed unmount was warned about): the next JVM's reap retries
            }
        }
    }

    /** The runtime directory keeps no empty ready-roots directory: nothing is left when no root is ready. */
    private static void removeIfEmpty(Path base) {
        try {
            Files.deleteIfExists(base);
        } catch (IOException notEmpty) {
            // another root is ready, or being made
        }
    }

    /** Unmounts a root (detached) and removes its mount point; true when nothing is mounted there any more. */
    private static boolean unmount(Path dir, Syscalls sys) {
        if (!ImageRoots.unmount(merged(dir), sys)) return false;
        forget(dir);
        return true;
    }

    /**
     * Once per JVM, at a root JVM's first image-root start, and again at the first start in each
     * directory of uppers (with that store's reap of a killed JVM's uppers): the mount points of ready roots
     * whose JVM is gone (killed: its exit would have unmounted them) are unmounted and removed.
     * Their uppers, in the store, carry the owner mark and go with the store's reap.
     */
    public static void reapMounts(Path runtimeDir) {
        mounts = runtimeDir.resolve("ready-roots");
        if (MOUNTS_REAPED.compareAndSet(false, true)) sweepMounts();
    }

    /** Directories of uppers whose first start in this JVM swept the dead JVMs' mounts (with the store's reap). */
    private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();

    private static void sweepMounts() {
        Path base = mounts;
        if (base == null || !Files.isDirectory(base)) return;
        Syscalls sys = io.jcontainer.linux.sys.NativeSyscalls.INSTANCE;
        try (var entries = Files.newDirectoryStream(base)) {
            for (Path mp : entries) {
                String[] f = mp.getFileName().toString().split("-");
                if (f.length != 3 || OverlayUpper.ownerAlive(".owner-" + f[0] + "-" + f[1])) continue;
                if (ImageRoots.unmount(mp, sys)) Files.deleteIfExists(mp);
            }
            removeIfEmpty(base);
        } catch (IOException e) {
            LoggerFactory.getLogger(ReadyRoots.class).debug("jcontainer: cannot sweep {}: {}", base, e.toString());
        }
    }

    /** Unmounts a root (detached) and removes its directory off the caller's thread; left for the reap when the unmount failed. */
    private static void release(Path dir, Syscalls sys) {
        if (!unmount(dir, sys)) return; // warned; the next JVM's reap retries
        Path trash = OverlayUpper.toTrash(dir);
        if (trash == null) OverlayUpper.deleteQuietly(dir);
        else OverlayUpper.removeLater(trash);
    }

    /** At the JVM's exit (after the remover thread finished): ready roots go, open containers' roots are unmounted. */
    static void drainAll() {
        List<Pool> all;
        synchronized (POOLS) {
            all = new ArrayList<>(POOLS.values());
            POOLS.clear();
        }
        Syscalls sys = io.jcontainer.linux.sys.NativeSyscalls.INSTANCE;
        for (Pool p : all) {
            p.retired = true;
            p.drain(sys);
        }
        for (Path dir : IN_USE) unmount(dir, sys);
    }

    /**
     * Unmounts and removes the roots this JVM keeps ready in {@code containers} (a directory of
     * uppers about to be removed — a test's or a benchmark's temporary store): a tree removal
     * must not walk into a mounted root. Roots of containers still running are left to their close.
     */
    public static void release(Path containers) {
        List<Pool> gone = new ArrayList<>();
        synchronized (POOLS) {
            for (var it = POOLS.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Key, Pool> e = it.next();
                if (!e.getKey().containers().equals(containers)) continue;
                gone.add(e.getValue());
                it.remove();
            }
        }
        Syscalls sys = io.jcontainer.linux.sys.NativeSyscalls.INSTANCE;
        for (Pool p : gone) {
            p.retired = true;
            // a fill under way stops at its next root: wait for it, so nothing is mounted after this returns
            long end = System.nanoTime() + 10_000_000_000L;
            while (p.filling.get() && System.nanoTime() < end) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            p.drain(sys);
        }
    }

    /** How many roots are mounted and waiting, over all images (tests). */
    static int readyCount() {
        synchronized (POOLS) {
            return POOLS.values().stream().mapToInt(p -> p.ready.size()).sum();
        }
    }

    private static final class Pool {
        private final Key key;
        private final ConcurrentLinkedQueue<Path> ready = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean filling = new AtomicBoolean();
        private final AtomicLong starts = new AtomicLong();
        /** Given up (evicted, or the JVM exits): no more roots, the ready ones go. */
        private volatile boolean retired;
        /** The JVM's mount was refused once: the starts mount their own (and say why if it fails there too). */
        private volatile boolean broken;
        /** Each root's upper change time as mounted ({@link #untouched}). */
        private final Map<Path, Map<String, Long>> baselines = new ConcurrentHashMap<>();
        /**
         * Each root's layer directories (their device and inode) as mounted: an image removed and
         * pulled again, or its layers unpacked anew, leaves a mounted overlay over directories that
         * are gone — such a root must never be handed out ({@link #poll}).
         */
        private final Map<Path, List<Object>> lowersAsMounted = new ConcurrentHashMap<>();

        private void forgetBaseline(Path dir) {
            baselines.remove(dir);
            lowersAsMounted.remove(dir);
        }

        /** The identity of each of the image's layer directories now; null when one is gone. */
        private List<Object> lowerIds() {
            List<Object> ids = new ArrayList<>(key.lowers().size());
            try {
                for (Path l : key.lowers())
                    ids.add(Files.readAttributes(l, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey());
            } catch (IOException | RuntimeException gone) {
                return null;
            }
            return ids;
        }
        private volatile int target = 2;

        /**
         * The next ready root whose upper still has the change time it was mounted with (one
         * stat: anything done through the overlay, or to the upper's "/" itself, changes it — a
         * tree removal that walked into {@code merged}, say); others are unmounted and removed.
         */
        Path poll(Syscalls sys) {
            List<Object> lowersNow = null;
            for (Path p; (p = ready.poll()) != null; ) {
                Map<String, Long> baseline = baselines.get(p);
                try {
                    if (lowersNow == null) lowersNow = lowerIds();
                    if (baseline != null && lowersNow != null && lowersNow.equals(lowersAsMounted.get(p))
                            && baseline.equals(snapshot(p.resolve("upper")))) return p;
                } catch (IOException | RuntimeException gone) {
                    // removed under us: unmount what is left
                }
                forgetBaseline(p);
                Path stale = p;
                if (!OverlayUpper.background(() -> release(stale, sys))) release(stale, sys);
            }
            return null;
        }

        /**
         * A root its container left untouched goes back to the ready ones: one more than the
         * target at most (the fill topped them up while it was in use; with it back, the next
         * start of the image mounts nothing, and neither does the fill).
         */
        boolean giveBack(Path dir) {
            Map<String, Long> baseline = baselines.get(dir);
            if (retired || baseline == null || ready.size() > target || !untouched(dir, baseline)) {
                forgetBaseline(dir);
                return false;
            }
            ready.add(dir);
            if (retired && ready.remove(dir)) { // retired meanwhile: its drain may have run already
                forgetBaseline(dir);
                return false;
            }
            return true;
        }

        Pool(Key key) {
            this.key = key;
        }

        /**
         * From the image's second start on (a JVM that runs it once — a CLI's {@code run} —
         * would only mount roots to unmount them at its exit), one fill at a time.
         */
        void refill(int target, Syscalls sys) {
            this.target = target;
            if (starts.incrementAndGet() < 2 || broken || retired || ready.size() >= target || !filling.compareAndSet(false, true)) return;
            if (!OverlayUpper.background(() -> fill(target, sys))) filling.set(false);
        }

        private void fill(int target, Syscalls sys) {
            try {
                while (ready.size() < target && !retired && !OverlayUpper.exiting()) ready.add(mount(sys));
            } catch (IOException | RuntimeException e) {
                broken = true;
                LoggerFactory.getLogger(ReadyRoots.class).debug("jcontainer: cannot mount an image root ahead in {} (starts mount their own): {}",
                        key.containers(), e.toString());
            } finally {
                filling.set(false);
            }
            if (retired) drain(sys); // retired while this filled
        }

        /** One root: its directories and owner mark, then the overlay on {@code merged}. */
        private Path mount(Syscalls sys) throws IOException {
            Path p = key.containers().resolve(PREFIX + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
            // never the parents: a directory of uppers removed meanwhile stays removed
            if (!OverlayUpper.mkdir(p, 0700, false)) throw new java.nio.file.FileAlreadyExistsException(p.toString());
            boolean mounted = false;
            try {
                OverlayUpper.mkdir(p.resolve("upper"), 0755, false);
                OverlayUpper.mkdir(p.resolve("work"), 0700, false);
                Path mp = mountPoint(p);
                Files.createFile(p.resolve(OverlayUpper.ownerMark()));
                List<Object> lowers = lowerIds(); // before the mount: a layer replaced after it is seen at the take
                if (lowers == null) throw new java.nio.file.NoSuchFileException(key.lowers().toString(), null, "a layer directory is gone");
                Root.Overlay o = new Root.Overlay(key.lowers(), p.resolve("upper"), p.resolve("work"), false, true);
                String options = io.jcontainer.linux.plan.PlanCompiler.overlayOptions(o, false, true);
                // mount(2) takes one page of options; longer layer lists stay with the launcher's fsconfig
                if (options.length() >= 4000) throw new IOException("the overlay's options are " + options.length() + " bytes, more than mount(2) takes");
                sys.mount("overlay", mp.toString(), "overlay", MS_NODEV, options);
                mounted = true;
                // private: where the host's "/" is shared, nothing mounted on it propagates (nor its unmount)
                sys.mount("", mp.toString(), "", MS_PRIVATE, null);
                if (key.etc()) etcMountPoints(mp);
                baselines.put(p, snapshot(p.resolve("upper")));
                lowersAsMounted.put(p, lowers);
                return p;
            } catch (IOException | RuntimeException e) {
                if (mounted && unmount(p, sys)) mounted = false;
                throw e;
            } finally {
                if (!mounted) { // unmarked or unmounted: nothing to reap
                    forget(p);
                    OverlayUpper.deleteQuietly(p);
                }
            }
        }

        /**
         * The mount points of the runtime's /etc files ({@code EtcFiles}: hostname, hosts,
         * resolv.conf), made as empty files where the image has none — what a start makes in its
         * root anyway (as docker's init layer holds them), made here so that a container that
         * writes nothing leaves its root untouched and the root can serve the next one. Only for
         * containers that get those files bound (the pool's key says so).
         */
        private static void etcMountPoints(Path merged) throws IOException {
            Path etc = merged.resolve("etc");
            if (!Files.exists(etc, java.nio.file.LinkOption.NOFOLLOW_LINKS)) OverlayUpper.mkdir(etc, 0755, false);
            if (!Files.isDirectory(etc, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return; // a symlink or a file: the start decides, as before
            for (String f : ETC_FILES) {
                Path t = etc.resolve(f);
                if (!Files.exists(t, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createFile(t, FILE_MODE);
            }
        }

        void retire(Syscalls sys) {
            retired = true;
            if (!OverlayUpper.background(() -> drain(sys))) drain(sys);
        }

        void drain(Syscalls sys) {
            for (Path p; (p = ready.poll()) != null; ) {
                forgetBaseline(p);
                if (unmount(p, sys)) OverlayUpper.deleteQuietly(p);
            }
        }
    }
}
