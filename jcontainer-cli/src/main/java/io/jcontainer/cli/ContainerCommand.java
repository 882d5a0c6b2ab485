package io.jcontainer.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code jcontainer container SUBCOMMAND}: docker's management command. {@code prune} is its
 * own; {@code ls}/{@code list} are {@code ps}; the others are the top-level verbs of that name.
 */
public final class ContainerCommand implements GroupCommand {
    @Override
    public String name() {
        return "container";
    }

    @Override
    public String summary() {
        return "Manage containers (container prune; container ls, rm, inspect, ... as the top-level verbs)";
    }

    @Override
    public String usage() {
        return "container COMMAND";
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().isEmpty()) throw new UsageException("\"container\" requires a subcommand (prune, ls, rm, inspect, ...).");
        String sub = p.positionals().getFirst();
        List<String> rest = p.positionals().subList(1, p.positionals().size());
        if (sub.equals("prune")) return prune(new Flags().bool("force", 'f', "Do not prompt for confirmation").parse(rest, true), io);
        String verb = sub.equals("ls") || sub.equals("list") ? "ps" : sub;
        if (verb.equals("container") || Cli.find(verb) == null) throw new UsageException("'" + sub + "' is not a jcontainer container command.");
        List<String> argv = new ArrayList<>();
        argv.add(verb);
        argv.addAll(rest);
        return new Cli(io).execute(argv.toArray(String[]::new));
    }

    /** docker container prune [-f]: every stopped container, after a confirmation unless -f. */
    private static int prune(Flags.Parsed p, Io io) throws Exception {
        if (p.bool("help")) {
            io.out().println("Usage:  jcontainer container prune [-f]\n\nRemove all stopped containers");
            return 0;
        }
        if (!p.positionals().isEmpty()) throw new UsageException("\"container prune\" accepts no arguments.");
        if (!p.bool("force")) {
            io.out().print("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ");
            io.out().flush();
            StringBuilder answer = new StringBuilder();
            for (int c; (c = io.in().read()) >= 0 && c != '\n'; ) answer.append((char) c);
            String a = answer.toString().trim().toLowerCase(java.util.Locale.ROOT);
            if (!a.equals("y") && !a.equals("yes")) return 0;
        }
        List<String> removed = Store.containers().prune();
        if (!removed.isEmpty()) {
            io.out().println("Deleted Containers:");
            removed.forEach(io.out()::println);
            io.out().println();
        }
        io.out().println("Total reclaimed space: 0B");
        return 0;
    }
}
