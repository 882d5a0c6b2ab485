package io.jcontainer.image.build;



/**
 * A Dockerfile that cannot be built as written: a syntax error, an unknown instruction or flag,
 * a bad substitution, a missing stage. The message names the file, the line and the instruction:
 * {@code Dockerfile:12: COPY: unknown flag: --form}.
 */
public class DockerfileException extends BuildException {
    private final String file;
    private final int line;
    private final String instruction;

    public DockerfileException(String file, int line, String instruction, String message) {
        super(file + ":" + line + ": " + (instruction == null || instruction.isEmpty() ? "" : instruction + ": ") + message);
        this.file = file;
        this.line = line;
        this.instruction = instruction;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** The instruction keyword in upper case, or empty when the error is not in one (a directive). */
    public String instruction() {
        return instruction == null ? "" : instruction;
    }
}
