package io.jcontainer.junit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * The last lines a container printed, bounded in characters so a chatty container cannot fill the
 * test JVM's heap. Lines are numbered from the first one ever added, so a waiter that started late
 * still examines every line that is still held, and learns when one it never saw was dropped.
 */
final class LogBuffer {
    private final int capacity;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private long firstLine; // number of the oldest line held
    private int chars;
    private boolean closed;

    LogBuffer(int capacityChars) {
        this.capacity = capacityChars;
    }

    synchronized void add(String line) {
        lines.addLast(line);
        chars += line.length() + 1;
        while (chars > capacity && lines.size() > 1) {
            chars -= lines.removeFirst().length() + 1;
            firstLine++;
        }
        notifyAll();
    }

    /** No line will come any more: the stream reached its end. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Everything held, each line ended by a newline. */
    synchronized String text() {
        StringBuilder sb = new StringBuilder(chars);
        for (String l : lines) sb.append(l).append('\n');
        return sb.toString();
    }

    /** The last {@code n} characters held, cut at a line start where possible. */
    synchronized String tail(int n) {
        String all = text();
        if (all.length() <= n) return all;
        int cut = all.indexOf('\n', all.length() - n);
        return "…" + (cut < 0 ? all.substring(all.length() - n) : all.substring(cut + 1));
    }

    /**
     * Waits until {@code times} lines matching {@code test} have been added (counting every line
     * ever added and still held), the buffer is closed, or {@code timeout} passes.
     *
     * @return whether enough lines matched
     */
    synchronized boolean awaitLines(Predicate<String> test, int times, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long next = 0; // number of the next line to examine
        int matched = 0;
        while (true) {
            next = Math.max(next, firstLine);
            long end = firstLine + lines.size();
            if (next < end) {
                int skip = (int) (next - firstLine);
                int i = 0;
                for (String l : lines) {
                    if (i++ < skip) continue;
                    if (test.test(l) && ++matched >= times) return true;
                }
                next = end;
            }
            if (closed) return false;
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
