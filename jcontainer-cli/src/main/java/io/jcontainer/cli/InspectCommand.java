package io.jcontainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainer.docker.Inspect;
import io.jcontainer.cli.format.Format;
import io.jcontainer.lifecycle.ContainerInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code jcontainer inspect CONTAINER...}: a JSON array, one object per container. */
public final class InspectCommand implements Command {
    /** In a holder: Jackson's databind costs tens of ms of class loading, and every verb's class is
     * initialised when the CLI starts (Cli.COMMANDS); only the verbs that print JSON pay for it. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "Return low-level information on containers";
    }

    @Override
    public String usage() {
        return "inspect CONTAINER [CONTAINER...]";
    }

    @Override
    public Flags flags() {
        return new Flags().value("format", 'f', "string", "Format output using a custom template: 'json' or a Go template")
                .bool("size", 's', "Display total file sizes (SizeRw, SizeRootFs)");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        if (p.positionals().isEmpty()) throw new UsageException("\"inspect\" requires at least 1 argument.");
        Format format = p.value("format") == null ? null : FormatOption.parse(p.value("format"), "");
        List<String> objects = new ArrayList<>();
        int rc = 0;
        for (String ref : p.positionals()) {
            try {
                ContainerInfo c = Store.find(ref);
                var endpoints = c.running() ? Store.containers().networks().endpoints(c.id()) : List.<io.jcontainer.lifecycle.NetworkInfo.Endpoint>of();
                var node = Inspect.node(c, endpoints);
                if (p.bool("size")) {
                    var size = Store.containers().size(c.id());
                    node.put("SizeRw", size.rw());
                    node.put("SizeRootFs", size.rootFs());
                }
                if (format != null) {
                    FormatOption.print(format, List.of(Json.JSON.convertValue(node, Map.class)), Map.of(), io);
                } else objects.add(Inspect.json(node));
            } catch (CliException e) {
                io.err().println(e.getMessage().replace("Error response from daemon: No such container", "Error: No such object"));
                rc = 1;
            }
        }
        if (format == null) io.out().println("[" + String.join(",\n", objects) + "]");
        return rc;
    }
}
