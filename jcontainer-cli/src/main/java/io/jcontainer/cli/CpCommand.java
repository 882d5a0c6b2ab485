package io.jcontainer.cli;

import io.jcontainer.linux.files.SandboxFiles;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.sys.NativeSyscalls;

import java.nio.file.Path;

/** {@code jcontainer cp CONTAINER:SRC DEST | SRC CONTAINER:DEST}: symlink-safe (see SandboxFiles). */
public final class CpCommand implements Command {
    @Override
    public String name() {
        return "cp";
    }

    @Override
    public String summary() {
        return "Copy files/folders between a container and the local filesystem";
    }

    @Override
    public String usage() {
        return "cp CONTAINER:SRC_PATH DEST_PATH | SRC_PATH CONTAINER:DEST_PATH";
    }

    @Override
    public Flags flags() {
        return new Flags();
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        var args = Command.exactly(p, "cp", 2);
        String a = args.get(0), b = args.get(1);
        boolean out = a.indexOf(':') > 0 && !a.startsWith("/") && !a.startsWith(".");
        boolean in = b.indexOf(':') > 0 && !b.startsWith("/") && !b.startsWith(".");
        if (out == in) throw new UsageException("copying between containers or between local paths is not supported: one of the paths must be CONTAINER:PATH");
        String spec = out ? a : b;
        ContainerStore.Entry e = Store.find(spec.substring(0, spec.indexOf(':')));
        if (!e.running()) throw new CliException(1, "Error response from daemon: container " + e.state().id() + " is not running");
        String inside = spec.substring(spec.indexOf(':') + 1);
        if (!inside.startsWith("/")) inside = "/" + inside;
        SandboxFiles files = new SandboxFiles(NativeSyscalls.INSTANCE);
        if (out) files.copyOut(e.state().pid(), inside, Path.of(b).toAbsolutePath());
        else files.copyIn(e.state().pid(), Path.of(a).toAbsolutePath(), inside);
        return 0;
    }
}
