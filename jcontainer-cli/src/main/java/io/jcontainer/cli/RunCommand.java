package io.jcontainer.cli;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStartException;
import io.jcontainer.RestartPolicy;
import io.jcontainer.Stdio;
import io.jcontainer.spi.ContainerRuntime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jcontainer run}: start a container in the foreground, stream its output, exit with its
 * status.
 *
 * <p>The root filesystem is, in this order: {@code --rootfs DIR}; the IMAGE argument when it is
 * a directory path (it contains a {@code /}, or is {@code .}/{@code ..}); otherwise the embedded
 * default root (the host's /usr, /bin, /lib* read-only in a fresh tmpfs), and the first argument
 * is the command — provided the default root has it; an image reference ({@code busybox:1},
 * {@code host:5000/x}, or any stored image) runs that image, pulled when missing.
 */
public final class RunCommand implements Command {
    /** The default root's PATH (the runtime's default). */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "Run a command in a new container";
    }

    @Override
    public String usage() {
        return "run [OPTIONS] [--rootfs DIR | IMAGE] COMMAND [ARG...]";
    }

    @Override
    public String description() {
        return """
                Run a command in a new container, in the foreground, and exit with its status.

                The root filesystem is --rootfs DIR, or IMAGE when it is a directory path (./rootfs,
                /srv/root); without either, the embedded default root: the host's /usr, /bin and /lib*
                read-only in a fresh tmpfs. IMAGE may be an image reference (name:tag, host:port/name,
                name@sha256:…): it is pulled when missing and run read-only (docs/images.md).
                The container gets new PID, NET (loopback only), MNT, UTS, IPC and cgroup namespaces
                and docker's 14 capabilities. What is enforced today: docs/cli.md.

                Exit status: the command's; 128+N when killed by signal N; 125 when jcontainer
                itself fails; 126 when the command cannot be invoked; 127 when it is not found.""";
    }

    @Override
    public Flags flags() {
        Flags f = new Flags()
                .bool("rm", (char) 0, "Automatically remove the container when it exits (always so with -i and without -t or -d)")
                .bool("interactive", 'i', "Keep STDIN open: forward it to the container (otherwise it reads /dev/null)")
                .bool("tty", 't', "Allocate a pseudo-TTY (detach with ctrl-p ctrl-q: the container runs on)")
                .bool("detach", 'd', "Run container in background and print container ID")
                .value("detach-keys", (char) 0, "string", "Override the key sequence for detaching a container (default \"ctrl-p,ctrl-q\")")
                .bool("sig-proxy", (char) 0, "Proxy received signals to the process (default true)");
        return ContainerFlags.declare(f);
    }

    @Override
    public boolean interspersed() {
        return false; // docker run IMAGE ls -l: everything after IMAGE is the command's
    }

    @Override
    public int run(Flags.Parsed p, Io io) throws Exception {
        // The runtime's one-time work (its native calls linked, the launcher loaded, the default
        // seccomp profile compiled: a third of `run --rm true`) on a thread of its own, while this
        // one reads the arguments and builds the spec; the start waits for it where it must.
        Thread.ofPlatform().daemon().name("jcontainer-prepare").start(() -> ContainerRuntime.get().prepare());
        ContainerFlags.warnings(p, io);
        Cidfile cidfile = Cidfile.of(p); // docker refuses an existing file before creating anything
        ContainerSpec.Builder b = specOf(p);
        List<String> command = b.build().command();
        boolean interactive = p.bool("interactive");
        if (p.bool("detach")) {
            // Its monitor logs the output (jcontainer logs) and holds its terminal (-t) or stdin
            // (-i) for jcontainer attach; the container outlives this process.
            ContainerSpec spec = detachedSpec(b, p).build();
            boolean rm = p.bool("rm"); // docker run -d --rm: removed once it exits (by whoever looks next through the lifecycle API)
            if (rm && spec.restartPolicy().mode() != RestartPolicy.Mode.NO)
                throw new CliException(Cli.EXIT_ERROR, "Conflicting options: --restart and --rm");
            String id;
            try {
                id = Store.containers().run(spec, rm); // recorded with its spec: start, exec and inspect read it
            } catch (ContainerStartException e) {
                if ("execve".equals(e.syscall())) throw execFailure(command.getFirst(), e);
                throw e;
            }
            cidfile.write(id);
            HealthMonitor.spawn(id, spec);
            io.out().println(id);
            return 0;
        }
        if (p.bool("tty")) return TtyRun.run(b, p, command, AttachCommand.detachKeys(p.value("detach-keys")), io, cidfile);
        // docker keeps what `run` ran unless --rm: logs, start and ps -a work on it afterwards. So
        // it is started as run -d starts one (recorded, output logged by its monitor) and this
        // process attaches before the monitor reads any output. -i stays on the path below (its
        // stdin's end must close the payload's stdin, which a monitor-held stdin cannot do yet).
        if (!p.bool("rm") && !interactive) return TtyRun.kept(b, p, command, io, cidfile);
        if (io.inherited()) {
            b.stdin(interactive ? Stdio.INHERIT : Stdio.NULL).stdout(Stdio.INHERIT).stderr(Stdio.INHERIT);
        } else {
            b.stdin(interactive ? Stdio.PIPE : Stdio.NULL).stdout(Stdio.PIPE).stderr(Stdio.PIPE);
        }
        ContainerSpec spec = b.build();

        // Signals only when these are the process's own streams: in-process, the JVM is not ours.
        boolean proxy = io.inherited() && (!p.has("sig-proxy") || p.bool("sig-proxy"));
        try (SignalForwarder signals = SignalForwarder.install(proxy)) {
            Container c;
            try {
                c = spec.start();
            } catch (ContainerStartException e) {
                if ("execve".equals(e.syscall())) throw execFailure(command.getFirst(), e);
                throw e;
            }
            try (c) {
                cidfile.write(c.id());
                signals.attach(c);
                List<Thread> pumps = new ArrayList<>();
                if (!io.inherited()) {
                    pumps.add(pump(c.stdout(), io.out(), false));
                    pumps.add(pump(c.stderr(), io.err(), false));
                    if (interactive) pump(io.in(), c.stdin(), true);
                }
                ContainerExit exit = c.waitFor();
                // The pipes reach EOF once every process holding them is gone; with a PID namespace
                // that is at once. Processes left on the host (--pid host) cannot hold the CLI up long.
                for (Thread t : pumps) t.join(5_000);
                return exit.code();
            }
        }
    }

    /**
     * A detached container's streams: -t a terminal, -i a stdin its monitor holds, output logged —
     * or, with {@code --log-driver none}, discarded (docker keeps no log then).
     */
    static ContainerSpec.Builder detachedSpec(ContainerSpec.Builder b, Flags.Parsed p) {
        boolean none = "none".equals(p.value("log-driver"));
        if (none && p.bool("tty"))
            throw new CliException(Cli.EXIT_ERROR, "--log-driver none with -t is not supported: the terminal's output is read through the container's log");
        Stdio out = none ? Stdio.NULL : Stdio.PIPE;
        return b.detached(true).tty(p.bool("tty")).stdin(p.bool("interactive") ? Stdio.PIPE : Stdio.NULL)
                .stdout(out).stderr(out);
    }

    /** The spec a run command line describes. */
    static ContainerSpec.Builder specOf(Flags.Parsed p) {
        // docker's /etc/hostname, /etc/hosts, /etc/resolv.conf, bound in from the container's state directory
        ContainerSpec.Builder b = Container.builder().etcFiles(true);
        // first: build() refuses --restart without it
        if (p.bool("detach")) b.detached(true);
        ContainerFlags.apply(p, b, () -> imageExposedPorts(p));
        b.detached(p.bool("detach")); // before any build(): --restart is valid only with -d
        b.command(rootAndCommand(p, b));
        return b;
    }

    /** The ExposedPorts of the image the command line runs (for -P), none for a root directory. */
    private static java.util.Set<String> imageExposedPorts(Flags.Parsed p) {
        List<String> args = p.positionals();
        if (p.value("rootfs") != null || args.isEmpty() || isPathSpelling(args.getFirst()) && Files.isDirectory(Path.of(args.getFirst()))
                || !isImage(args.getFirst(), p)) return java.util.Set.of();
        return ImageCli.configOf(args.getFirst()).exposedPorts();
    }

    /**
     * Docker's reading of the arguments: what the root is, and the command. See the class
     * comment.
     */
    private static List<String> rootAndCommand(Flags.Parsed p, ContainerSpec.Builder b) {
        List<String> args = p.positionals();
        String rootfs = p.value("rootfs");
        if (rootfs != null) {
            b.rootfs(directory(rootfs, "--rootfs"));
        } else {
            if (args.isEmpty()) throw new UsageException("\"run\" requires at least 1 argument.");
            String first = args.getFirst();
            if (isPathSpelling(first) && Files.isDirectory(Path.of(first))) {
                b.rootfs(directory(first, "IMAGE"));
                args = args.subList(1, args.size());
            } else if (isImage(first, p)) {
                // docker run IMAGE [ARG...]: pulled when missing (--pull); ARGs replace Cmd, Entrypoint stays
                pull(first, p);
                b.image(first);
                // the image's User, Env and WorkingDir are defaults: -u, -e and -w win, as docker's
                // (b.image set them over the flags ContainerFlags.apply had set)
                ContainerFlags.imageDefaultsOverridden(p, b);
                var config = ImageCli.configOf(first);
                List<String> rest = args.subList(1, args.size());
                if (p.has("entrypoint")) {
                    // docker: --entrypoint replaces the image's and clears its Cmd; '' clears the entrypoint
                    args = new ArrayList<>(entrypoint(p));
                    args.addAll(rest);
                } else {
                    args = new ArrayList<>(rest.isEmpty() ? config.command() : config.entrypoint());
                    if (!rest.isEmpty()) args.addAll(rest);
                }
                if (args.isEmpty()) throw new CliException(Cli.EXIT_ERROR, "Error response from daemon: No command specified");
                return args;
            } else if (p.has("entrypoint")) {
                // no image: the entrypoint is the command, the arguments follow it (docker's exec form)
                if (!entrypoint(p).isEmpty() && !isPathSpelling(entrypoint(p).getFirst()) && !onDefaultPath(entrypoint(p).getFirst())
                        && !p.values("env").stream().anyMatch(e -> e.startsWith("PATH=")))
                    throw new CliException(Cli.EXIT_ERROR, "'" + entrypoint(p).getFirst() + "' (--entrypoint) is not a command of the default root");
            } else if (!isPathSpelling(first) && !p.values("env").stream().anyMatch(e -> e.startsWith("PATH="))
                    && !onDefaultPath(first)) {
                throw new CliException(Cli.EXIT_ERROR, "'" + first + "' is neither a command of the default root nor a directory, "
                        + "nor an image reference: give a root directory (--rootfs DIR, or ./DIR as IMAGE), an image "
                        + "or a command the host has in " + DEFAULT_PATH);
            }
        }
        if (p.has("entrypoint")) {
            List<String> withEntrypoint = new ArrayList<>(entrypoint(p));
            withEntrypoint.addAll(args);
            args = withEntrypoint;
        }
        if (args.isEmpty()) throw new CliException(Cli.EXIT_ERROR, "no command specified");
        return args;
    }

    /** {@code --entrypoint X}: one word, as docker takes it ({@code ''}: none). */
    private static List<String> entrypoint(Flags.Parsed p) {
        String e = p.value("entrypoint");
        return e == null || e.isEmpty() ? List.of() : List.of(e);
    }

    /**
     * {@code --platform} (this machine's only: jcontainer runs no emulator) and {@code --pull}
     * always|missing|never, before the image is resolved.
     */
    private static void pull(String image, Flags.Parsed p) {
        String mode = p.has("pull") ? p.value("pull") : "missing";
        if (!mode.equals("always") && !mode.equals("missing") && !mode.equals("never"))
            throw new UsageException("invalid pull option: '" + mode + "': must be one of \"always\", \"missing\" or \"never\"");
        try (var images = ImageCli.open()) {
            boolean stored = images.exists(image);
            if (mode.equals("never") && !stored)
                throw new CliException(Cli.EXIT_ERROR, "Error response from daemon: No such image: " + image + " (--pull never)");
            if (mode.equals("always") || !stored) images.pull(image, io.jcontainer.image.ProgressListener.NONE);
        }
    }

    /**
     * An image, not a command of the default root: stored already, or a reference that names a
     * tag, digest or registry path ({@code busybox:1}, {@code host:5000/x}, {@code a/b}) and is
     * not a directory. A bare word stays a default-root command when the host has it.
     */
    private static boolean isImage(String first, Flags.Parsed p) {
        if (!io.jcontainer.image.ImageReference.isValid(first) || Files.isDirectory(Path.of(first))) return false;
        boolean spelledAsImage = first.contains(":") || first.contains("@") || first.contains("/");
        if (spelledAsImage) return true;
        // a bare word: the default root's command when the host has it (no store is opened then)
        if (p.values("env").stream().anyMatch(e -> e.startsWith("PATH=")) || onDefaultPath(first)) return false;
        return ImageCli.stored(first);
    }

    private static Path directory(String spelled, String what) {
        Path dir = Path.of(spelled).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) throw new CliException(Cli.EXIT_ERROR, what + " " + spelled + ": not a directory");
        return dir;
    }

    private static boolean isPathSpelling(String s) {
        return s.contains("/") || s.equals(".") || s.equals("..");
    }

    /** The default root shows the host's /usr, /bin, /sbin: what is executable there is there. */
    private static boolean onDefaultPath(String name) {
        for (String dir : DEFAULT_PATH.split(":")) {
            Path f = Path.of(dir, name);
            if (Files.isRegularFile(f) && Files.isExecutable(f)) return true;
        }
        return false;
    }

    /** docker's 127 (not found) and 126 (found, but cannot be executed). */
    static CliException execFailure(String cmd, ContainerStartException e) {
        String errno = e.errno() == null ? "" : e.errno();
        boolean notFound = errno.equals("ENOENT") || errno.equals("ENOTDIR");
        String why = switch (errno) {
            case "ENOENT", "ENOTDIR" -> cmd.contains("/") ? "no such file or directory" : "executable file not found in $PATH";
            case "EACCES", "EPERM" -> "permission denied";
            case "ENOEXEC" -> "exec format error";
            default -> "cannot be executed";
        };
        return new CliException(notFound ? Cli.EXIT_NOT_FOUND : Cli.EXIT_CANNOT_INVOKE,
                "exec: \"" + cmd + "\": " + why + " (" + e.getMessage() + ")");
    }

    /** Copies {@code from} to {@code to} on a daemon thread until EOF (closing {@code to} if asked). */
    private static Thread pump(InputStream from, OutputStream to, boolean closeTo) {
        Thread t = new Thread(() -> {
            try {
                byte[] buf = new byte[16384];
                for (int n; (n = from.read(buf)) >= 0; ) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException | RuntimeException ignored) {
                // the other side went away: nothing more to copy
            } finally {
                if (closeTo) {
                    try {
                        to.close();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            }
        }, "jcontainer-cli-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
