package io.jcontainer.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bytes from the client to a handler's thread: a streamed request body (an archive, an image
 * tar) or, once hijacked, a container's stdin. The channel does not read by itself meanwhile;
 * the reader asks for the next read when it has consumed what came, so a client sending faster
 * than the handler consumes fills its socket buffer, not our heap.
 */
final class BodyStream extends InputStream {
    private final Channel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private ByteBuf current;
    private boolean ended;
    private boolean waiting;
    private String failure;

    BodyStream(Channel channel) {
        this.channel = channel;
    }

    /** From the event loop: the next piece (ownership passes to this stream). */
    void offer(ByteBuf b) {
        lock.lock();
        try {
            if (ended || failure != null) {
                b.release();
                return;
            }
            queue.add(b);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** From the event loop: no more bytes will come (end of body, or the client shut its side). */
    void end() {
        lock.lock();
        try {
            ended = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** From the event loop: the connection went before the body ended. */
    void fail(String why) {
        lock.lock();
        try {
            if (!ended) failure = why;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The handler waits for the client: a stall here is the client's (for the idle timeout). */
    boolean waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        lock.lock();
        try {
            return ended && queue.isEmpty() && (current == null || !current.isReadable());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        lock.lock();
        try {
            while (current == null || !current.isReadable()) {
                if (current != null) {
                    current.release();
                    current = null;
                }
                if (!queue.isEmpty()) {
                    current = queue.poll();
                    continue;
                }
                if (ended) return -1;
                if (failure != null) throw new IOException(failure);
                channel.read();
                waiting = true;
                try {
                    arrived.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while reading the request body");
                } finally {
                    waiting = false;
                }
            }
            int n = Math.min(len, current.readableBytes());
            current.readBytes(b, off, n);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Frees what was read and not consumed. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (current != null) current.release();
            current = null;
            for (ByteBuf q : queue) q.release();
            queue.clear();
            if (!ended && failure == null) failure = "the request body was closed";
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
