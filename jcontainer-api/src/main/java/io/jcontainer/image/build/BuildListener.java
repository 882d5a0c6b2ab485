package io.jcontainer.image.build;

import java.time.Duration;

/**
 * Progress of a build, step by step, in BuildKit's terms: each step has a number unique in the
 * build ({@code #5}) and a name ({@code [build 2/4] RUN make}); it is either {@link #stepCached
 * cached} or runs, printing lines, until {@link #stepDone done} or {@link #stepFailed failed}.
 * Calls for one step come in that order; steps of independent stages may interleave. Called on
 * the build's threads: be quick. Every method does nothing by default.
 */
public interface BuildListener {
    BuildListener NONE = new BuildListener() {
    };

    default void stepStarted(int step, String name) {
    }

    default void stepCached(int step) {
    }

    default void stepOutput(int step, String line) {
    }

    default void stepDone(int step, Duration took) {
    }

    default void stepFailed(int step, String message) {
    }

    /** Something the user should know that does not stop the build (an unused build arg). */
    default void warning(String message) {
    }
}
