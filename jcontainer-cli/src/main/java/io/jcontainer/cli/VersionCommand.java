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
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        Command.exactly(p, name(), 0);
        io.out().println("jcontainer version " + version());
        io.out().println(" Java:        " + System.getProperty("java.vm.name") + " " + Runtime.version());
        io.out().println(" OS/Arch:     " + System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/" + System.getProperty("os.arch"));
        return 0;
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
