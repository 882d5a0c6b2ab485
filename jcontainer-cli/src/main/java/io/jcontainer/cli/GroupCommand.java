package io.jcontainer.cli;

/**
 * A verb that only groups others ({@code container}, {@code image}, {@code volume}): it takes no
 * flags of its own, and everything after it — the subcommand and its flags — is left for the
 * subcommand to parse.
 */
interface GroupCommand extends Command {
    @Override
    default Flags flags() {
        return new Flags();
    }

    @Override
    default boolean interspersed() {
        return false;
    }
}
