package io.jcontainer.cli;

import io.jcontainer.image.build.BuildListener;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The compact live view of a build on a terminal, as BuildKit's and buildah's tty output: a
 * header with the elapsed time and the steps done, one line per finished step
 * ({@code => CACHED [2/8] COPY …}, {@code => [3/8] RUN …  1.2s}), and under it the running steps
 * with the tail of their output ({@code => => # line}), redrawn in place. Finished lines scroll
 * up and stay; the live part is rewritten with cursor-up and clear-to-end. Lines are cut to the
 * terminal's width so a redraw never wraps. {@link #finish} stops the timer and leaves the last
 * state on the screen.
 */
final class TtyProgress implements BuildListener {
    private static final int TAIL = 6;
    private static final String DIM = "\033[2m", RED = "\033[31m", BLUE = "\033[34m", RESET = "\033[0m";

    private final PrintStream out;
    private final int width;
    private final long t0 = System.nanoTime();
    private final Map<Integer, Step> running = new LinkedHashMap<>();
    private final List<String> pendingDone = new ArrayList<>();
    private int total, done, liveLines;
    private boolean finished;
    private final Thread ticker;

    private static final class Step {
        final String name;
        final long started = System.nanoTime();
        final Deque<String> tail = new ArrayDeque<>();

        Step(String name) {
            this.name = name;
        }
    }

    TtyProgress(PrintStream out, int columns) {
        this.out = out;
        this.width = Math.max(20, columns);
        // the running steps' timers move even when they print nothing
        ticker = Thread.ofPlatform().daemon().name("jcontainer-build-progress").start(() -> {
            try {
                while (true) {
                    Thread.sleep(200);
                    synchronized (this) {
                        if (finished) return;
                        redraw();
                    }
                }
            } catch (InterruptedException e) {
                // finished
            }
        });
    }

    @Override
    public synchronized void stepStarted(int step, String name) {
        total++;
        running.put(step, new Step(name));
        redraw();
    }

    @Override
    public synchronized void stepCached(int step) {
        Step s = running.remove(step);
        if (s == null) return;
        done++;
        pendingDone.add(BLUE + "=> CACHED " + s.name + RESET);
        redraw();
    }

    @Override
    public synchronized void stepOutput(int step, String line) {
        Step s = running.get(step);
        if (s == null) return;
        if (s.tail.size() == TAIL) s.tail.removeFirst();
        s.tail.addLast(line);
        redraw();
    }

    @Override
    public synchronized void stepDone(int step, Duration took) {
        Step s = running.remove(step);
        if (s == null) return;
        done++;
        pendingDone.add(BLUE + timed("=> " + s.name, took.toNanos()) + RESET);
        redraw();
    }

    @Override
    public synchronized void stepFailed(int step, String message) {
        Step s = running.remove(step);
        if (s == null) return;
        pendingDone.add(RED + timed("=> ERROR " + s.name, System.nanoTime() - s.started) + RESET);
        for (String l : s.tail) pendingDone.add(RED + cut("=> => # " + l, width) + RESET);
        redraw();
    }

    @Override
    public synchronized void warning(String message) {
        pendingDone.add(cut("WARNING: " + message, width));
        redraw();
    }

    /** Stops the timer and draws the last state. */
    synchronized void finish() {
        if (finished) return;
        redraw();
        finished = true;
        ticker.interrupt();
    }

    private void redraw() {
        if (finished) return;
        StringBuilder b = new StringBuilder();
        if (liveLines > 0) b.append("\033[").append(liveLines).append("A");
        b.append("\r\033[J");
        for (String l : pendingDone) b.append(l).append('\n');
        pendingDone.clear();
        List<String> live = new ArrayList<>();
        live.add(cut(String.format(Locale.ROOT, "[+] Building %.1fs (%d/%d)", (System.nanoTime() - t0) / 1e9, done, total), width));
        long now = System.nanoTime();
        for (Step s : running.values()) {
            live.add(timed("=> " + s.name, now - s.started));
            for (String l : s.tail) live.add(DIM + cut("=> => # " + l, width) + RESET);
        }
        for (String l : live) b.append(l).append('\n');
        liveLines = live.size();
        out.print(b);
        out.flush();
    }

    /** {@code text} and the time at the right edge, the text cut to fit. */
    private String timed(String text, long nanos) {
        String t = String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
        String head = cut(text, width - t.length() - 2);
        return head + " ".repeat(Math.max(1, width - 1 - head.length() - t.length())) + t;
    }

    static String cut(String s, int max) {
        String clean = s.replace('\t', ' ').replaceAll("\\p{Cntrl}", "");
        return clean.length() <= max ? clean : clean.substring(0, Math.max(0, max - 1)) + "…";
    }
}
