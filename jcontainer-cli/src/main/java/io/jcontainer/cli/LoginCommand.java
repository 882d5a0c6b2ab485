package io.jcontainer.cli;

import io.jcontainer.image.ImageReference;
import io.jcontainer.image.ImagesOptions;
import io.jcontainer.image.Images;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** {@code jcontainer login}: checks credentials against the registry, then stores them in ~/.docker/config.json (0600). */
public final class LoginCommand implements Command {
    @Override
    public String name() {
        return "login";
    }

    @Override
    public String summary() {
        return "Log in to a registry";
    }

    /**
     * The user and password as docker's login takes them (--username, and --password or
     * --password-stdin, warned about on the command line), the password stripped; shared with
     * the login against a daemon.
     */
    static String[] userAndPassword(Flags.Parsed p, Io io) throws java.io.IOException {
        String user = p.value("username");
        String password = p.value("password");
        if (p.bool("password-stdin")) {
            if (password != null) throw new UsageException("--password and --password-stdin are mutually exclusive");
            if (user == null) throw new UsageException("Must provide --username with --password-stdin");
            password = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8)).readLine();
        } else if (password != null) {
            io.err().println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        }
        if (user == null || password == null)
            throw new UsageException("interactive login is not supported yet: give --username and --password-stdin");
        return new String[]{user, password.strip()};
    }

    @Override
    public String usage() {
        return "login [OPTIONS] [SERVER]";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("username", 'u', "string", "Username")
                .value("password", 'p', "string", "Password")
                .bool("password-stdin", (char) 0, "Take the password from stdin");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        if (p.positionals().size() > 1) throw new UsageException("\"login\" requires at most 1 argument.");
        String server = p.positionals().isEmpty() ? ImageReference.DOCKER_HUB : registryOf(p.positionals().getFirst());
        String[] login = userAndPassword(p, io);
        try (Images images = ImageCli.open()) {
            images.login(server, login[0], login[1]);
        }
        io.out().println("Login Succeeded (credentials stored in " + ImagesOptions.defaultDockerConfig() + ")");
        return 0;
    }

    /** docker accepts {@code https://host/...} too: only the host matters. */
    static String registryOf(String server) {
        String s = server.replaceFirst("^https?://", "");
        int slash = s.indexOf('/');
        s = slash < 0 ? s : s.substring(0, slash);
        return s.equals("index.docker.io") || s.equals("registry-1.docker.io") ? ImageReference.DOCKER_HUB : s;
    }
}
