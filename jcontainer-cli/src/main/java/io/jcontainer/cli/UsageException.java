package io.jcontainer.cli;

/**
 * The command line is wrong (unknown flag, bad value, missing argument): exit 125 with one line
 * and a pointer to the command's help, as docker does.
 */
public class UsageException extends CliException {
    public UsageException(String message) {
        super(Cli.EXIT_ERROR, message);
    }
}
