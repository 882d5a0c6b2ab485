package io.jcontainer.oci.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.image.build.BuildException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The step cache: one small JSON record per cache key ({@code keys/<hex>.json}: the layer the
 * step produced, if any, and what it did to the config), shared by concurrent builds in this JVM
 * and others.
 *
 * <pre>
 * cache/
 *   keys/&lt;hex&gt;.json    written to a temporary name, then renamed: readers see a whole record or none
 *   locks/&lt;hex&gt;.lock   held (flock, plus a JVM-local lock since flock is per process) while a step
 *                       runs, so a second build of the same step waits and reuses the first one's result
 *   mounts/&lt;id&gt;/       RUN --mount=type=cache directories
 *   tmp/                temporary files
 * </pre>
 */
public final class BuildCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong SEQ = new AtomicLong();
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final Path root;
    private final Path keys;
    private final Path locks;
    private final Path tmp;

    public BuildCache(Path root) {
        this.root = root;
        this.keys = root.resolve("keys");
        this.locks = root.resolve("locks");
        this.tmp = root.resolve("tmp");
        try {
            for (Path p : new Path[]{root, keys, locks, tmp, root.resolve("mounts")}) Files.createDirectories(p);
        } catch (IOException e) {
            throw new BuildException("cannot create the build cache at " + root + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /** The directory of a {@code RUN --mount=type=cache} with this id (made on first use). */
    public Path mountDir(String id) {
        Path p = root.resolve("mounts").resolve(CacheKey.of("mount").add(id).done().substring(7));
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new BuildException("cannot create the cache mount " + id + ": " + e.getMessage(), e);
        }
        return p;
    }

    /** A fresh temporary path (not created) under the cache root, unique across threads and JVMs. */
    public Path tempPath(String prefix) {
        return tmp.resolve(prefix + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
    }

    public Optional<ObjectNode> get(String key) {
        Path p = keys.resolve(hex(key) + ".json");
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(p));
            return n instanceof ObjectNode o ? Optional.of(o) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // a record that cannot be read is a miss; the step runs again and rewrites it
            return Optional.empty();
        }
    }

    public void put(String key, ObjectNode record) {
        Path target = keys.resolve(hex(key) + ".json");
        Path t = tempPath("key-");
        try {
            Files.write(t, JSON.writeValueAsBytes(record), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new BuildException("the build cache at " + root + " is on a filesystem without atomic rename", e);
            }
        } catch (IOException e) {
            throw new BuildException("cannot write the build cache record " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(t);
            } catch (IOException ignored) {
                // best effort: tmp/ is only ours
            }
        }
    }

    public void remove(String key) {
        try {
            Files.deleteIfExists(keys.resolve(hex(key) + ".json"));
        } catch (IOException e) {
            throw new BuildException("cannot remove the build cache record " + key + ": " + e.getMessage(), e);
        }
    }

    /** An exclusive lock on {@code name} across threads and JVMs; close it to release. */
    public Lock lock(String name) {
        Path p = locks.resolve(hex(name) + ".lock");
        ReentrantLock local = LOCAL.computeIfAbsent(p.toAbsolutePath(), k -> new ReentrantLock());
        local.lock();
        FileChannel ch = null;
        try {
            ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fl = ch.lock();
            return new Lock(local, ch, fl);
        } catch (IOException | OverlappingFileLockException e) {
            local.unlock();
            if (ch != null) try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new BuildException("cannot lock " + p + ": " + e.getMessage(), e);
        }
    }

    public static final class Lock implements AutoCloseable {
        private final ReentrantLock local;
        private final FileChannel channel;
        private final FileLock lock;

        private Lock(ReentrantLock local, FileChannel channel, FileLock lock) {
            this.local = local;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException ignored) {
                // closing the channel releases the lock anyway
            } finally {
                local.unlock();
            }
        }
    }

    private static String hex(String key) {
        String h = key.startsWith("sha256:") ? key.substring(7) : CacheKey.of("name").add(key).done().substring(7);
        if (!h.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("not a cache key: " + key);
        return h;
    }
}
