package io.jcontainer.cli;

import io.jcontainer.cli.docker.Inspect;

import java.util.ArrayList;
import java.util.List;

/** {@code jcontainer inspect CONTAINER...}: a JSON array, one object per sandbox. */
public final class InspectCommand implements Command {
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
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        if (p.positionals().isEmpty()) throw new UsageException("\"inspect\" requires at least 1 argument.");
        List<String> objects = new ArrayList<>();
        int rc = 0;
        for (String ref : p.positionals()) {
            try {
                objects.add(Inspect.json(Store.find(ref)));
            } catch (CliException e) {
                io.err().println(e.getMessage().replace("Error response from daemon: No such container", "Error: No such object"));
                rc = 1;
            }
        }
        io.out().println("[" + String.join(",\n", objects) + "]");
        return rc;
    }
}
