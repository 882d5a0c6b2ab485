package io.jcontainer.cli;

import io.jcontainer.image.Images;
import io.jcontainer.image.build.BuildException;
import io.jcontainer.image.build.BuildListener;
import io.jcontainer.image.build.BuildOptions;
import io.jcontainer.image.build.BuildResult;
import io.jcontainer.image.build.ImageBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code jcontainer build}: a Dockerfile into an image in the local store, daemonless. Progress
 * goes to stderr in BuildKit's plain form ({@code #N [stage i/n] RUN …}, {@code CACHED},
 * {@code DONE 0.4s}); {@code -q} prints only the image id on stdout.
 */
public final class BuildCommand implements Command {
    @Override
    public String name() {
        return "build";
    }

    @Override
    public String summary() {
        return "Build an image from a Dockerfile";
    }

    @Override
    public String usage() {
        return "build [OPTIONS] PATH | -";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("tag", 't', "name", "Name and optionally a tag (format: \"name:tag\"); repeatable")
                .value("file", 'f', "string", "Name of the Dockerfile (default: \"PATH/Dockerfile\")")
                .value("build-arg", (char) 0, "list", "Set build-time variables (KEY=VALUE, or KEY to take it from the environment)")
                .value("label", (char) 0, "list", "Set metadata for an image (KEY=VALUE)")
                .value("target", (char) 0, "string", "Set the target build stage to build")
                .bool("no-cache", (char) 0, "Do not use cache when building the image")
                .bool("pull", (char) 0, "Always attempt to pull a newer version of the base images")
                .bool("quiet", 'q', "Suppress the build output and print image ID on success")
                .value("iidfile", (char) 0, "string", "Write the image ID to the file")
                .value("network", (char) 0, "string", "Set the networking mode for the RUN instructions during build: default (the default bridge as root,"
                        + " pasta as an ordinary user), none, host, or a network's name (default: JCONTAINER_DEFAULT_NETWORK's choice, else default)")
                .value("allow", (char) 0, "stringArray", "Allow extra privileged entitlement: network.host (RUN --network=host)")
                .value("secret", (char) 0, "stringArray", "Secret to expose to the build (format: \"id=mysecret,src=/local/secret\")")
                .value("progress", (char) 0, "string", "Set type of progress output (\"auto\", \"plain\", \"tty\"): auto is the live view on a terminal, plain elsewhere");
    }

    /**
     * The compact live view when the progress goes to a terminal ({@code --progress} auto or tty;
     * tty on something else is plain, as there is nothing to redraw), else null: plain output.
     */
    static TtyProgress tty(String progress, Io io) {
        String mode = progress == null || progress.isEmpty() ? "auto" : progress;
        if (!mode.equals("auto") && !mode.equals("tty") && !mode.equals("plain"))
            throw new UsageException("invalid --progress " + progress + ": auto, plain or tty");
        if (mode.equals("plain") || !io.inherited() || System.getenv("NO_COLOR") != null && mode.equals("auto")) return null;
        var terminal = Store.terminal();
        if (!terminal.isTerminal(2)) return null;
        int[] size = terminal.size(2);
        return new TtyProgress(io.err(), size != null && size[1] > 0 ? size[1] : 80);
    }

    /**
     * The RUN steps' network: {@code --network} as given; without it docker's default (the
     * bridge as root, pasta as an ordinary user, loopback only where neither exists), unless
     * {@code JCONTAINER_DEFAULT_NETWORK} — {@code run}'s knob, read the same way — says
     * {@code none} (the test harness's setting: nothing it builds touches the machine's network)
     * or {@code bridge} ({@code -Djcontainer.defaultNetwork} says it for a CLI run inside a JVM,
     * as the in-JVM test harness does). Unlike {@code run}'s, this default is docker's: a
     * Dockerfile's RUN steps fetch packages, a plain {@code run} is more often a job.
     */
    static String network(String flag, String setting) {
        if (flag != null && !flag.isEmpty()) {
            if (flag.startsWith("container:")) throw new UsageException("invalid --network " + flag + ": RUN steps cannot join a container's network");
            return flag;
        }
        String s = setting == null || setting.isBlank() ? "auto" : setting.strip();
        return switch (s) {
            case "auto" -> BuildOptions.NETWORK_DEFAULT;
            case "none" -> BuildOptions.NETWORK_NONE;
            case "bridge" -> "bridge";
            default -> throw new CliException(Cli.EXIT_ERROR, "JCONTAINER_DEFAULT_NETWORK=" + s + ": none, bridge or auto");
        };
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        String context = Command.exactly(p, name(), 1).getFirst();
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : p.values("build-arg")) {
            int eq = a.indexOf('=');
            if (eq > 0) args.put(a.substring(0, eq), a.substring(eq + 1));
            else if (System.getenv(a) != null) args.put(a, System.getenv(a)); // docker: KEY alone takes the environment's value
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (String l : p.values("label")) {
            int eq = l.indexOf('=');
            // docker: a label without a value is the empty string
            labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        Map<String, Path> secrets = new LinkedHashMap<>();
        for (String s : p.values("secret")) {
            String id = null, src = null;
            for (String field : s.split(",")) {
                int eq = field.indexOf('=');
                if (eq < 0) throw new UsageException("invalid --secret " + s + ": fields are key=value");
                String k = field.substring(0, eq), v = field.substring(eq + 1);
                if (k.equals("id")) id = v;
                else if (k.equals("src") || k.equals("source")) src = v;
                else if (!k.equals("type")) throw new UsageException("invalid --secret " + s + ": unknown field " + k);
            }
            if (id == null || src == null) throw new UsageException("invalid --secret " + s + ": needs id= and src=");
            secrets.put(id, Path.of(src));
        }
        String file = p.value("file");
        Path dir = context.equals("-") ? null : Path.of(context);
        if (dir != null && file != null && !file.equals("-")) {
            // docker: -f is relative to the current directory; the build reads it relative to the context
            Path f = Path.of(file).toAbsolutePath().normalize();
            Path ctx = dir.toAbsolutePath().normalize();
            file = f.startsWith(ctx) ? ctx.relativize(f).toString() : f.toString();
        }
        boolean allowHost = false;
        for (String a : p.values("allow")) {
            if (!a.equals("network.host")) throw new UsageException("invalid --allow " + a + ": network.host is the only entitlement");
            allowHost = true;
        }
        BuildOptions options = BuildOptions.defaults().withNetwork(network(p.value("network"), System.getProperty("jcontainer.defaultNetwork", System.getenv("JCONTAINER_DEFAULT_NETWORK"))))
                .withAllowHostNetwork(allowHost).withDockerfile(file).withTags(p.values("tag")).withBuildArgs(args)
                .withTarget(p.value("target")).withNoCache(p.bool("no-cache")).withPull(p.bool("pull")).withSecrets(secrets).withLabels(labels);
        boolean quiet = p.bool("quiet");
        TtyProgress live = quiet ? null : tty(p.value("progress"), io);
        BuildListener listener = quiet ? BuildListener.NONE : live != null ? live : new PlainProgress(io.err());
        BuildResult r;
        try (Images images = ImageCli.open()) {
            ImageBuilder builder = ImageBuilder.of(images);
            r = dir == null ? builder.build(io.in(), options, listener) : builder.build(dir, options, listener);
        } catch (BuildException e) {
            throw new CliException(1, "ERROR: failed to build: " + e.getMessage());
        } finally {
            if (live != null) live.finish();
        }
        if (p.value("iidfile") != null) Files.writeString(Path.of(p.value("iidfile")), r.imageId());
        if (quiet) io.out().println(r.imageId());
        return 0;
    }
}
