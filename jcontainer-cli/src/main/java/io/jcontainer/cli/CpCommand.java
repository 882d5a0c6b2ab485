package io.jcontainer.cli;

import io.jcontainer.lifecycle.ContainerInfo;


import java.nio.file.Path;

/**
 * {@code jcontainer cp [-a] [-L] CONTAINER:SRC DEST | SRC CONTAINER:DEST}: docker's rules for
 * where things land, modes and times kept, symlink-safe (see ContainerFiles).
 */
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
        return "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|- | SRC_PATH|- CONTAINER:DEST_PATH";
    }

    @Override
    public Flags flags() {
        return new Flags()
                .bool("archive", 'a', "Archive mode (copy all uid/gid information)")
                .bool("follow-link", 'L', "Always follow symbol link in SRC_PATH");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        var args = Command.exactly(p, "cp", 2);
        String a = args.get(0), b = args.get(1);
        if (a.equals("-") || b.equals("-")) return tar(a, b, io);
        boolean out = a.indexOf(':') > 0 && !a.startsWith("/") && !a.startsWith(".");
        boolean in = b.indexOf(':') > 0 && !b.startsWith("/") && !b.startsWith(".");
        if (out == in) throw new UsageException("copying between containers or between local paths is not supported: one of the paths must be CONTAINER:PATH");
        String spec = out ? a : b;
        ContainerInfo e = Store.find(spec.substring(0, spec.indexOf(':')));
        if (!e.running()) throw new CliException(1, "Error response from daemon: container " + e.id() + " is not running");
        String inside = spec.substring(spec.indexOf(':') + 1);
        if (!inside.startsWith("/")) inside = "/" + inside;
        if (out && b.endsWith("/") && !java.nio.file.Files.isDirectory(local(b)))
            throw new CliException(1, "Error response from daemon: destination directory " + b + " must exist");
        // a trailing "/" or "/." means something to docker's rules: kept, not normalised away
        try {
            if (out) Store.containers().copyOut(e.id(), inside, local(b), p.bool("archive"), p.bool("follow-link"));
            else Store.containers().copyIn(e.id(), local(a), inside, p.bool("archive"), p.bool("follow-link"));
        } catch (java.io.UncheckedIOException x) {
            throw new CliException(1, "Error response from daemon: " + x.getCause());
        } catch (io.jcontainer.ContainerException x) { // docker's cp fails with 1, not 125
            throw new CliException(1, "Error response from daemon: " + x.getMessage());
        }
        return 0;
    }

    /**
     * {@code cp CONTAINER:PATH -}: PATH as a tar stream on stdout; {@code cp - CONTAINER:DIR}: the
     * tar stream on stdin extracted into DIR (docker's archive endpoints).
     */
    private static int tar(String a, String b, Io io) {
        if (a.equals(b)) throw new UsageException("must specify at least one container source");
        String spec = a.equals("-") ? b : a;
        if (spec.indexOf(':') <= 0 || spec.startsWith("/") || spec.startsWith("."))
            throw new UsageException("copying between containers or between local paths is not supported: one of the paths must be CONTAINER:PATH");
        ContainerInfo e = Store.find(spec.substring(0, spec.indexOf(':')));
        if (!e.running()) throw new CliException(1, "Error response from daemon: container " + e.id() + " is not running");
        String inside = spec.substring(spec.indexOf(':') + 1);
        if (!inside.startsWith("/")) inside = "/" + inside;
        try {
            if (b.equals("-")) {
                Store.containers().copyOutArchive(e.id(), inside, io.out());
                io.out().flush();
            } else {
                Store.containers().copyInArchive(e.id(), inside, io.in());
            }
        } catch (java.io.UncheckedIOException x) {
            throw new CliException(1, "Error response from daemon: " + x.getCause());
        } catch (io.jcontainer.ContainerException x) {
            throw new CliException(1, "Error response from daemon: " + x.getMessage());
        }
        return 0;
    }

    /** A host path; "dir/." is kept as such (java.nio drops only a trailing "/"). */
    private static Path local(String path) {
        return Path.of(path).toAbsolutePath();
    }
}
