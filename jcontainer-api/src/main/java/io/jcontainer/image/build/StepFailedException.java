package io.jcontainer.image.build;

import java.util.List;

/**
 * A {@code RUN} step that exited non-zero: its exit code and the last lines it printed are in the
 * message, as docker's "process … did not complete successfully: exit code: N" is.
 */
public class StepFailedException extends BuildException {
    private final int exitCode;
    private final List<String> lastLines;

    public StepFailedException(String step, int exitCode, List<String> lastLines) {
        super(step + ": did not complete successfully: exit code: " + exitCode
                + (lastLines.isEmpty() ? "" : "\n--- last output lines ---\n" + String.join("\n", lastLines)));
        this.exitCode = exitCode;
        this.lastLines = List.copyOf(lastLines);
    }

    public int exitCode() {
        return exitCode;
    }

    public List<String> lastLines() {
        return lastLines;
    }
}
