package io.jcontainer.oci;

import io.jcontainer.oci.registry.RegistryClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands a layer's bytes from the thread that downloads it to the thread that unpacks it, so a
 * layer is unpacked while it arrives instead of being read back from the store afterwards.
 * Bounded (the download waits for a slow unpack rather than buffering a whole layer), and never
 * a reason for the download to fail or hang: when the unpacking side has given up (closed its
 * end), writes are dropped; when the download restarts or fails, {@link #abort} makes the
 * unpacking side fail, and the layer is then unpacked from the verified blob instead.
 */
final class LayerPipe implements RegistryClient.Tap {
    private static final int CHUNKS = 128;                 // × up to 64 KiB: at most 8 MiB in flight
    private static final byte[] END = new byte[0];
    private static final byte[] ABORT = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CHUNKS);
    private volatile boolean readerGone;
    private volatile String abortReason;

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > 0) put(java.util.Arrays.copyOfRange(b, off, off + len));
    }

    @Override
    public void end() throws IOException {
        put(END);
    }

    final InputStream source = new InputStream() {
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (pos == current.length) {
                if (ended) return -1;
                byte[] next;
                try {
                    next = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("layer stream interrupted");
                }
                if (next == ABORT) throw new IOException("the download stopped streaming: " + abortReason);
                if (next == END) {
                    ended = true;
                    return -1;
                }
                current = next;
                pos = 0;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public void close() {
            readerGone = true;
            queue.clear();
        }
    };

    /** The download will not deliver the whole layer from its first byte: the unpack must fail. */
    @Override
    public void abort(String reason) {
        abortReason = reason;
        readerGone = true;                                   // drop anything still written
        queue.clear();
        queue.offer(ABORT);
    }

    private void put(byte[] chunk) throws IOException {
        try {
            while (!readerGone) {
                if (queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("layer download interrupted");
        }
    }
}
