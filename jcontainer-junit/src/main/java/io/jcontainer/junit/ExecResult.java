package io.jcontainer.junit;

/** What a command run in a test container left: its exit code and its whole output, as UTF-8. */
public record ExecResult(int exitCode, String stdout, String stderr) {
    public boolean succeeded() {
        return exitCode == 0;
    }
}
