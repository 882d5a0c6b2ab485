package io.jcontainer.cli;

import io.jcontainer.server.ApiServer;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code jcontainer system service} (and {@code jcontainer serve}): the Docker Engine API for the
 * docker CLI, docker-compose and Testcontainers, until interrupted. The server itself is
 * {@link ApiServer}; this only reads docker's flags.
 */
public final class ServeCommand implements Command {
    private final boolean system;

    /** @param system {@code system service} (else {@code serve}) */
    public ServeCommand(boolean system) {
        this.system = system;
    }

    @Override
    public String name() {
        return system ? "system" : "serve";
    }

    @Override
    public String summary() {
        return system ? "Manage jcontainer (system service: serve the Docker Engine API; system df: disk use; system prune: remove what is unused)" : "Serve the Docker Engine API (short for system service)";
    }

    @Override
    public String usage() {
        return (system ? "system service|df|prune" : "serve") + " [OPTIONS] [URI]";
    }

    @Override
    public String description() {
        return """
                Serves the Docker Engine API until interrupted, so that the docker CLI, docker-compose and
                Testcontainers drive jcontainer: DOCKER_HOST=unix:///run/jcontainer/docker.sock (root) or
                unix://$XDG_RUNTIME_DIR/jcontainer/docker.sock (rootless), the default. URI and -H take
                unix:///PATH or tcp://HOST:PORT; plain TCP is only for loopback unless --insecure-tcp.""";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .value("host", 'H', "list", "Where to listen: unix:///PATH, tcp://HOST:PORT (repeatable)")
                .bool("tls", (char) 0, "Use TLS; implied by --tlsverify")
                .bool("tlsverify", (char) 0, "Use TLS and require client certificates signed by --tlscacert")
                .value("tlscacert", (char) 0, "string", "Trust certs signed only by this CA")
                .value("tlscert", (char) 0, "string", "Path to TLS certificate file")
                .value("tlskey", (char) 0, "string", "Path to TLS key file (PKCS#8 PEM)")
                .bool("insecure-tcp", (char) 0, "Allow plain TCP on an address other than loopback (anyone reaching it controls your containers)")
                .value("time", 't', "seconds", "Accepted for podman's compatibility; the service runs until interrupted (0)")
                .bool("verbose", 'v', "system df: show detailed information on space usage")
                .value("reap-sessions-after", (char) 0, "seconds",
                        "Remove a Testcontainers session's containers, networks and volumes once it has no connection and no request for this long (Ryuk's job; off)");
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        List<String> args = p.positionals();
        if (system) {
            if (!args.isEmpty() && args.getFirst().equals("df")) {
                return SystemDf.run(io, p.bool("verbose") | SystemDf.verbose(args.subList(1, args.size())));
            }
            if (args.isEmpty() || !args.getFirst().equals("service"))
                throw new UsageException("\"system\" requires a subcommand: service, df, prune");
            args = args.subList(1, args.size());
        }
        if (p.bool("verbose")) throw new UsageException("-v/--verbose is system df's flag, not the service's.");
        if (args.size() > 1) throw new UsageException("\"" + name() + "\" takes at most one URI.");
        ApiServer.Builder b = ApiServer.builder();
        for (String h : p.values("host")) b.listen(h);
        for (String h : args) b.listen(h);
        boolean tls = p.bool("tls") || p.bool("tlsverify");
        if (tls) {
            if (p.value("tlscert") == null || p.value("tlskey") == null) throw new UsageException("--tls needs --tlscert and --tlskey");
            if (p.bool("tlsverify") && p.value("tlscacert") == null) throw new UsageException("--tlsverify needs --tlscacert");
            b.tls(p.bool("tlsverify") ? Path.of(p.value("tlscacert")) : null, Path.of(p.value("tlscert")), Path.of(p.value("tlskey")));
        }
        b.allowPlainTcp(p.bool("insecure-tcp"));
        String reap = p.value("reap-sessions-after");
        if (reap != null) {
            long seconds;
            try {
                seconds = Long.parseLong(reap.endsWith("s") ? reap.substring(0, reap.length() - 1) : reap);
            } catch (NumberFormatException e) {
                throw new UsageException("--reap-sessions-after: a number of seconds, not '" + reap + "'");
            }
            if (seconds < 0) throw new UsageException("--reap-sessions-after: a number of seconds, not '" + reap + "'");
            b.reapSessionsAfter(java.time.Duration.ofSeconds(seconds));
        }
        ApiServer server = b.start();
        Thread hook = new Thread(server::close, "jcontainer-api-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        server.unixSocket().ifPresent(s -> io.err().println("jcontainer: API listening on unix://" + s));
        server.tcpAddress().ifPresent(a -> io.err().println("jcontainer: API listening on tcp://" + a.getAddress().getHostAddress() + ":" + a.getPort()
                + (tls ? " (TLS)" : "")));
        io.err().flush();
        server.awaitClose();
        return 0;
    }
}
