package io.jcontainer.cli;

import io.jcontainer.PortBinding;
import io.jcontainer.docker.DockerPorts;
import io.jcontainer.lifecycle.ContainerInfo;
import io.jcontainer.lifecycle.NetworkInfo;

import java.util.ArrayList;
import java.util.List;

/** {@code jcontainer port CONTAINER [PRIVATE_PORT[/PROTO]]}: its published ports, host ports as chosen at start. */
final class PortCommand implements Command {
    @Override
    public String name() {
        return "port";
    }

    @Override
    public String summary() {
        return "List port mappings or a specific mapping for the container";
    }

    @Override
    public String usage() {
        return "port CONTAINER [PRIVATE_PORT[/PROTO]]";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        if (p.positionals().isEmpty() || p.positionals().size() > 2)
            throw new UsageException("\"port\" requires at least 1 and at most 2 arguments.");
        ContainerInfo c = Store.find(p.positionals().getFirst());
        List<PortBinding> ports = new ArrayList<>();
        if (c.running()) for (NetworkInfo.Endpoint e : Store.containers().networks().endpoints(c.id())) ports.addAll(e.ports());
        if (p.positionals().size() == 1) {
            for (PortBinding b : ports) io.out().println(DockerPorts.portLine(b));
            return 0;
        }
        String want = p.positionals().get(1);
        List<String> keys = DockerPorts.exposed(want.contains("/") ? want : want + "/tcp");
        if (keys.size() != 1) throw new UsageException("invalid port '" + want + "': one port");
        boolean any = false;
        for (PortBinding b : ports)
            if ((b.containerPort() + "/" + b.protocol()).equals(keys.getFirst())) {
                io.out().println(DockerPorts.hostSide(b));
                any = true;
            }
        if (!any) throw new CliException(1, "Error: No public port '" + keys.getFirst() + "' published for " + p.positionals().getFirst());
        return 0;
    }
}
