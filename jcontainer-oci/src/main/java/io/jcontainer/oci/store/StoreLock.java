package io.jcontainer.oci.store;

import io.jcontainer.image.ImageException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A reader/writer lock that holds across JVMs: an in-JVM {@link ReentrantReadWriteLock} plus an
 * {@code fcntl} lock on a file. The JDK allows one {@link FileLock} per file and JVM, so the
 * first in-JVM reader takes the shared file lock and the last one releases it. One instance per
 * lock file and JVM ({@link #of}).
 */
public final class StoreLock {
    private static final ConcurrentHashMap<Path, StoreLock> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock(true);
    private FileChannel channel;
    private FileLock fileLock;
    private int readers;

    private StoreLock(Path file) {
        this.file = file;
    }

    public static StoreLock of(Path file) {
        return LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), StoreLock::new);
    }

    /** Held while the caller adds content (pull, load, unpack): many at once, none during GC. */
    public Held shared() {
        rw.readLock().lock();
        try {
            synchronized (this) {
                if (readers == 0) fileLock = lock(true);
                readers++;
            }
        } catch (IOException | RuntimeException e) {
            rw.readLock().unlock();
            throw failure(e);
        }
        return () -> {
            synchronized (this) {
                if (--readers == 0) release();
            }
            rw.readLock().unlock();
        };
    }

    /** Held by whoever removes content, or rewrites a shared file. */
    public Held exclusive() {
        rw.writeLock().lock();
        try {
            synchronized (this) {
                fileLock = lock(false);
            }
        } catch (IOException | RuntimeException e) {
            rw.writeLock().unlock();
            throw failure(e);
        }
        return () -> {
            synchronized (this) {
                release();
            }
            rw.writeLock().unlock();
        };
    }

    /**
     * The file lock, waiting for it. fcntl(2) locks belong to processes, so the kernel's deadlock
     * check sees two JVMs each pulling two layers on two threads (A holds L1 and waits for L2, B
     * holds L2 and waits for L1) as a cycle and answers EDEADLK, although each of A's threads
     * releases its lock on its own. Back off and wait again: a real wait always ends.
     */
    private java.nio.channels.FileLock lock(boolean shared) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return channel().lock(0, Long.MAX_VALUE, shared);
            } catch (IOException e) {
                if (attempt >= 200 || !String.valueOf(e.getMessage()).contains("deadlock")) throw e;
                try {
                    Thread.sleep(5 + java.util.concurrent.ThreadLocalRandom.current().nextInt(20));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private FileChannel channel() throws IOException {
        if (channel == null || !channel.isOpen())
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return channel;
    }

    private void release() {
        try {
            if (fileLock != null) fileLock.release();
        } catch (IOException ignored) {
            // the channel stays open; the lock goes with it at the latest when the JVM exits
        }
        fileLock = null;
        // Closed between uses: GC may delete a lock file while nobody holds it, and a channel
        // kept open on the deleted inode would then lock nothing anyone else sees.
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // closing releases anyway
        }
        channel = null;
    }

    private ImageException failure(Exception e) {
        return new ImageException("cannot lock " + file + ": " + e.getMessage(), e);
    }

    /** A held lock; close releases it. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
