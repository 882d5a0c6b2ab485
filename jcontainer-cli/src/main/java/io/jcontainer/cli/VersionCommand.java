package io.jcontainer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code jcontainer version}: what is running, on what. */
public final class VersionCommand implements Command {
    @Override
    public String name() {
        return "version";
    }

    @Override
    public String summary() {
        return "Show the jcontainer version information";
    }

    @Override
    public String usage() {
        return "version";
    }

    @Override
    public Flags flags() {
        return new Flags().value("format", 'f', "string", "Format output using a custom template: 'json' or a Go template ({{.Client.Version}})");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        Command.exactly(p, name(), 0);
        if (p.value("format") != null) {
            FormatOption.printOne(p.value("format"), fields(), io);
            return 0;
        }
        io.out().println("jcontainer version " + version());
        io.out().println(" Java:        " + System.getProperty("java.vm.name") + " " + Runtime.version());
        io.out().println(" OS/Arch:     " + System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/" + System.getProperty("os.arch"));
        return 0;
    }

    /**
     * docker version's object: Client and Server. The "server" is this host's runtime, which the
     * CLI drives itself (there is no daemon), so both describe the same jcontainer.
     */
    static java.util.Map<String, Object> fields() {
        var client = new java.util.LinkedHashMap<String, Object>();
        client.put("Platform", java.util.Map.of("Name", "jcontainer"));
        client.put("Version", version());
        client.put("JavaVersion", Runtime.version().toString());
        client.put("Os", System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT));
        client.put("Arch", goArch());
        var server = new java.util.LinkedHashMap<String, Object>(client);
        server.remove("JavaVersion");
        server.put("KernelVersion", System.getProperty("os.version"));
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("Client", client);
        m.put("Server", server);
        return m;
    }

    /** Go's GOARCH names, as docker prints them. */
    static String goArch() {
        return switch (System.getProperty("os.arch")) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    static String version() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
