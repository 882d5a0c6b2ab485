package io.jcontainer.cli;

import java.util.List;

/**
 * One verb of the CLI ({@code run}, {@code version}, ...). Adding a verb: a class implementing
 * this, plus one line in {@link Cli#COMMANDS}.
 */
public interface Command {
    /** The verb, e.g. {@code run}. */
    String name();

    /** One line for the top-level help. */
    String summary();

    /** The usage line after {@code jcontainer}, e.g. {@code run [OPTIONS] IMAGE [COMMAND] [ARG...]}. */
    String usage();

    /** The command's flags ({@code --help} is always there). */
    Flags flags();

    /** Text printed after the usage line in {@code --help}, before the flags; may be empty. */
    default String description() {
        return summary();
    }

    /**
     * Runs the command. Throw {@link UsageException} for a wrong command line,
     * {@link CliException} for other failures; return the exit status otherwise.
     */
    int run(Flags.Parsed args, Io io) throws Exception;

    /** Whether flags may follow arguments (false for verbs whose arguments end with a command line). */
    default boolean interspersed() {
        return true;
    }

    /** Helper for commands: the positionals, checked against a count. */
    static List<String> exactly(Flags.Parsed p, String verb, int n) {
        if (p.positionals().size() != n)
            throw new UsageException("\"" + verb + "\" requires exactly " + n + " argument" + (n == 1 ? "" : "s") + ".");
        return p.positionals();
    }
}
