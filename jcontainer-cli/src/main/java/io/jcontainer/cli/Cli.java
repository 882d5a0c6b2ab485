package io.jcontainer.cli;

import io.jcontainer.ContainerException;
import io.jcontainer.InvalidSpecException;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code jcontainer}: a docker-like command line over the jcontainer API.
 *
 * <p>Exit statuses follow {@code docker run}: the command's own status; 128 + n when a signal n
 * ended it; {@value #EXIT_ERROR} when jcontainer itself failed (bad flag, bad value, start
 * failure); {@value #EXIT_CANNOT_INVOKE} when the command exists but cannot be executed;
 * {@value #EXIT_NOT_FOUND} when it does not exist.
 */
public final class Cli {
    public static final int EXIT_ERROR = 125;
    public static final int EXIT_CANNOT_INVOKE = 126;
    public static final int EXIT_NOT_FOUND = 127;

    /** Every verb. Adding one: write the class, add it here. */
    static final List<Command> COMMANDS = List.of(
            new RunCommand(),
            new CreateCommand(),
            new PsCommand(),
            new StartCommand(false),
            new StartCommand(true),
            new StopCommand(),
            new KillCommand(),
            new PauseCommand(false),
            new PauseCommand(true),
            new RmCommand(),
            new LogsCommand(),
            new ExecCommand(),
            new AttachCommand(),
            new InspectCommand(),
            new TopCommand(),
            new WaitCommand(),
            new CpCommand(),
            new DiffCommand(),
            new CommitCommand(),
            new ExportCommand(),
            new PullCommand(),
            new BuildCommand(),
            new ImagesCommand(),
            new RmiCommand(),
            new TagCommand(),
            new PushCommand(),
            new LoginCommand(),
            new LogoutCommand(),
            new SaveCommand(),
            new LoadCommand(),
            new HistoryCommand(),
            new ImportCommand(),
            new SearchCommand(),
            new ImageCommand(),
            new RenameCommand(),
            new StatsCommand(),
            new UpdateCommand(),
            new EventsCommand(),
            new ContainerCommand(),
            new VolumeCommand(),
            new NetworkCommand(),
            new PortCommand(),
            new InfoCommand(),
            new VersionCommand(),
            new ServeCommand(false), new ServeCommand(true));

    private final Io io;

    public Cli(Io io) {
        this.io = io;
    }

    public static void main(String[] args) {
        // The library logs through slf4j; a CLI's stderr is for the user: warnings and worse only.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // one start per process: endpoints made ready ahead would only be made and thrown away at
        // exit. The service (serve, system service) lives on and starts many: it keeps the default.
        if (System.getProperty("jcontainer.network.warm") == null && !servesApi(args)) System.setProperty("jcontainer.network.warm", "0");
        int code = new Cli(Io.system()).execute(args);
        System.out.flush();
        System.err.flush();
        if (code == 0 && onlyDaemonThreadsLeft()) return; // the JVM ends with 0 and runs the shutdown hooks, as System.exit would
        System.exit(code);
    }

    /** Whether the verb is the long-lived API service ({@code serve}, {@code system service}), global flags skipped. */
    static boolean servesApi(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("-")) continue;
            return args[i].equals("serve") || (args[i].equals("system") && i + 1 < args.length && args[i + 1].equals("service"));
        }
        return false;
    }

    /**
     * Whether returning from main ends the JVM now. Why not System.exit(0) always: it logs
     * Runtime.exit through a System.Logger, and finding the JDK's logger backend makes
     * ServiceLoader open every jar of the class path (twice: any other provider would be an
     * error) — 26 jars that the AOT cache had spared the JVM opening, ~25 ms of CPU at the end of
     * ps, inspect, every verb. The end of main (DestroyJavaVM) logs nothing.
     */
    static boolean onlyDaemonThreadsLeft() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] all = new Thread[root.activeCount() + 8];
        int n = root.enumerate(all, true);
        for (int i = 0; i < n; i++)
            if (all[i] != Thread.currentThread() && !all[i].isDaemon() && all[i].isAlive()) return false;
        return n < all.length; // a full array may have missed some
    }

    /**
     * Runs the CLI in this JVM with the given streams (the container's streams are piped through
     * them) and returns the exit status. For tests and for embedding.
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return new Cli(new Io(in, out, err, false)).execute(args);
    }

    public int execute(String[] argv) {
        List<String> args = Arrays.asList(argv);
        Command cmd = null;
        try {
            Flags.Parsed global = globalFlags().parse(args, false);
            if (global.bool("version")) return find("version").run(new Flags().parse(List.of(), true), io);
            List<String> rest = global.positionals();
            String remote = remoteHost(global, rest, System.getenv("DOCKER_HOST"));
            if (remote != null && !rest.isEmpty() && !rest.getFirst().equals("help") && !global.bool("help")) {
                try (EngineClient client = new EngineClient(EngineClient.Endpoint.parse(remote, tls(global)))) {
                    return new RemoteCli(client, io).run(rest);
                }
            }
            if (rest.isEmpty() || global.bool("help")) {
                io.out().print(help());
                return 0;
            }
            String verb = rest.getFirst();
            if (verb.equals("help")) {
                if (rest.size() == 1) {
                    io.out().print(help());
                    return 0;
                }
                cmd = find(rest.get(1));
                if (cmd == null) throw new UsageException("'" + rest.get(1) + "' is not a jcontainer command.");
                io.out().print(help(cmd));
                return 0;
            }
            cmd = find(verb);
            if (cmd == null) throw new UsageException("'" + verb + "' is not a jcontainer command.");
            // system prune has flags of its own (-a, -f), not the service's
            if (verb.equals("system") && rest.size() > 1 && rest.get(1).equals("prune")) return SystemPrune.run(rest.subList(2, rest.size()), io);
            Flags.Parsed p = cmd.flags().parse(rest.subList(1, rest.size()), cmd.interspersed());
            if (p.bool("help")) {
                io.out().print(help(cmd));
                return 0;
            }
            return cmd.run(p, io);
        } catch (UsageException e) {
            io.err().println("jcontainer: " + e.getMessage());
            io.err().println("See 'jcontainer " + (cmd == null ? "" : cmd.name() + " ") + "--help'.");
            return e.exitCode();
        } catch (CliException e) {
            io.err().println("jcontainer: " + e.getMessage());
            return e.exitCode();
        } catch (InvalidSpecException e) {
            io.err().println("jcontainer: invalid " + inCliTerms(e.getMessage()));
            io.err().println("See 'jcontainer " + (cmd == null ? "" : cmd.name() + " ") + "--help'.");
            return EXIT_ERROR;
        } catch (ContainerException e) {
            io.err().println("jcontainer: " + inCliTerms(e.getMessage()));
            return EXIT_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            io.err().println("jcontainer: interrupted");
            return EXIT_ERROR;
        } catch (Exception e) {
            io.err().println("jcontainer: internal error: " + e);
            if (System.getenv("JCONTAINER_DEBUG") != null) e.printStackTrace(io.err());
            return EXIT_ERROR;
        } finally {
            io.out().flush();
        }
    }

    /** The runtime's messages name the Java builder's setters; a CLI user types their flags. */
    static String inCliTerms(String message) {
        return message.replace("uidMap(...)", "--uidmap").replace("gidMap(...)", "--gidmap");
    }

    private static Flags globalFlags() {
        return new Flags().bool("version", 'v', "Print version information and quit")
                .value("host", 'H', "list", "Daemon socket to connect to (unix:///PATH, tcp://HOST:PORT; default: this host's store, no daemon)")
                .bool("tls", (char) 0, "Use TLS; implied by --tlsverify")
                .bool("tlsverify", (char) 0, "Use TLS and verify the remote")
                .value("tlscacert", (char) 0, "string", "Trust certs signed only by this CA (default \"~/.docker/ca.pem\")")
                .value("tlscert", (char) 0, "string", "Path to TLS certificate file (default \"~/.docker/cert.pem\")")
                .value("tlskey", (char) 0, "string", "Path to TLS key file (default \"~/.docker/key.pem\")");
    }

    /**
     * The daemon this invocation talks to, docker's way: -H, else DOCKER_HOST; null: this host's
     * store itself. The service verbs ({@code serve}, {@code system service}) always run here
     * (they are the daemon): DOCKER_HOST is left to their clients, and -H with them is refused.
     * The other {@code system} verbs ({@code df}, {@code prune}) are a daemon's like any verb.
     */
    static String remoteHost(Flags.Parsed global, List<String> rest, String dockerHost) {
        String flag = global.value("host");
        boolean service = !rest.isEmpty() && (rest.getFirst().equals("serve") || rest.getFirst().equals("system")
                && (rest.size() < 2 || !List.of("df", "prune", "info", "events").contains(rest.get(1))));
        if (service) {
            if (flag != null)
                throw new CliException(EXIT_ERROR, "-H/--host " + flag + " names a daemon to talk to; '" + rest.getFirst()
                        + "' runs one here: give its address as an argument (jcontainer system service unix:///PATH)");
            return null;
        }
        if (flag != null) return flag;
        return dockerHost == null || dockerHost.isEmpty() ? null : dockerHost;
    }

    /** docker's TLS settings: the flags, then DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (default ~/.docker). */
    static EngineClient.Tls tls(Flags.Parsed global) {
        String certPath = System.getenv("DOCKER_CERT_PATH");
        java.nio.file.Path dir = certPath != null && !certPath.isEmpty() ? java.nio.file.Path.of(certPath)
                : java.nio.file.Path.of(System.getProperty("user.home"), ".docker");
        String envVerify = System.getenv("DOCKER_TLS_VERIFY");
        boolean verify = global.bool("tlsverify") || (!global.has("tlsverify") && envVerify != null && !envVerify.isEmpty());
        java.util.function.BiFunction<String, String, java.nio.file.Path> file = (flag, name) ->
                global.value(flag) != null ? java.nio.file.Path.of(global.value(flag)) : dir.resolve(name);
        return new EngineClient.Tls(global.bool("tls") || global.has("tlscacert") && verify, verify,
                file.apply("tlscacert", "ca.pem"), file.apply("tlscert", "cert.pem"), file.apply("tlskey", "key.pem"));
    }

    static Command find(String name) {
        for (Command c : COMMANDS) if (c.name().equals(name)) return c;
        return null;
    }

    static String help() {
        StringBuilder b = new StringBuilder("""
                Usage:  jcontainer [OPTIONS] COMMAND

                Run commands in Linux containers (namespaces, cgroups, pivot_root, seccomp), docker-style.

                Commands:
                """);
        int w = COMMANDS.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Command c : COMMANDS) b.append("  ").append(c.name()).append(" ".repeat(w - c.name().length() + 3)).append(c.summary()).append('\n');
        b.append("\nOptions:\n").append(globalFlags().help());
        b.append("\nRun 'jcontainer COMMAND --help' for more information on a command.\n");
        return b.toString();
    }

    static String help(Command c) {
        StringBuilder b = new StringBuilder("Usage:  jcontainer ").append(c.usage()).append("\n\n");
        if (!c.description().isEmpty()) b.append(c.description().strip()).append("\n\n");
        b.append("Options:\n").append(c.flags().help());
        return b.toString();
    }
}
