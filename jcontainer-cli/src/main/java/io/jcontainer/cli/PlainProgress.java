package io.jcontainer.cli;

import io.jcontainer.image.build.BuildListener;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * BuildKit's {@code --progress=plain} output: {@code #N name}, the step's output lines prefixed
 * with {@code #N}, then {@code #N CACHED}, {@code #N DONE 1.2s} or {@code #N ERROR: …}, each step
 * followed by a blank line. Lines of parallel stages interleave, as BuildKit's do.
 */
final class PlainProgress implements BuildListener {
    private final PrintStream out;

    public PlainProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void stepStarted(int step, String name) {
        out.println("#" + step + " " + name);
        out.flush();
    }

    @Override
    public synchronized void stepCached(int step) {
        out.println("#" + step + " CACHED");
        out.println();
        out.flush();
    }

    @Override
    public synchronized void stepOutput(int step, String line) {
        out.println("#" + step + " " + line);
        out.flush();
    }

    @Override
    public synchronized void stepDone(int step, Duration took) {
        out.println("#" + step + " DONE " + String.format(Locale.ROOT, "%.1fs", took.toNanos() / 1e9));
        out.println();
        out.flush();
    }

    @Override
    public synchronized void stepFailed(int step, String message) {
        out.println("#" + step + " ERROR: " + message);
        out.println();
        out.flush();
    }

    @Override
    public synchronized void warning(String message) {
        out.println("WARNING: " + message);
        out.flush();
    }
}
