package io.jcontainer.runc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.Capability;
import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ExecSpec;
import io.jcontainer.Signal;
import io.jcontainer.Stdio;
import io.jcontainer.oci.runtime.OciConfig;
import io.jcontainer.oci.runtime.SpecConv;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.jcontainer.runc.Flags.Def.bool;
import static io.jcontainer.runc.Flags.Def.value;
import static io.jcontainer.runc.Flags.Def.values;

/**
 * {@code jcontainer-runc}: runc's command line over the jcontainer API and the config.json
 * mapping ({@link SpecConv}). Global flags, then a command; errors are runc's messages, logged
 * as runc logs them, with runc's exit status (1; 3 for an unknown command).
 *
 * <p>Two kinds of record: a foreground {@code run}'s container is kept by that process, which
 * answers {@code kill}, {@code pause}, {@code resume} and {@code update} from other runc processes
 * on a control socket in the container's record; a {@code create}d one (also {@code run
 * --detach}) is a recorded container of the lifecycle API ({@code Containers}), alive without
 * any runc process, which every other command reaches through that API.
 */
public final class Runc {
    static final String VERSION = "0.1.0-SNAPSHOT";
    /** In a holder: a mapper's first use costs a runc command more than {@code state}'s work, which needs none. */
    private static final class Json {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private static final List<Flags.Def> GLOBAL = List.of(bool("debug"), value("log"), value("log-format"), value("root"),
            value("criu"), bool("systemd-cgroup"), value("rootless"), bool("version", "v"), bool("help", "h"));

    private final PrintStream out, err;
    private final InputStream in;
    private Log log;
    private Flags global;

    Runc(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // The library logs through slf4j; runc's stderr is the engine's: warnings and worse only.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // Launchers as our own children, not a spawn server's: a container's or exec's monitor
        // that ends before we exit must stay unreaped until we are gone, so that an engine's
        // subreaper (conmon, containerd's shim) reaps it and reads its status; a spawn server
        // would reap it first. One command starts one launcher: the server saves nothing here.
        if (System.getProperty("jcontainer.spawn") == null) System.setProperty("jcontainer.spawn", "direct");
        int status = new Runc(System.in, System.out, System.err).run(List.of(args));
        System.out.flush();
        // the training run's AOT cache is written by the JVM's own exit; every other command ends at once
        if (List.of(args).contains("__cds-train")) System.exit(status); // also `__cds-train read`
        QuickExit.exit(status);
    }

    static int euid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self: " + e, e);
        }
    }

    int run(List<String> argv) {
        try {
            return dispatch(argv);
        } finally {
            out.flush();
        }
    }

    private int dispatch(List<String> argv) {
        log = new Log(err, null, false, false);
        String command = null;
        try {
            global = Flags.parse(argv, GLOBAL, true);
            String format = global.value("log-format", "text");
            if (!format.equals("text") && !format.equals("json")) throw new RuncException("invalid log-format: " + format);
            log = new Log(err, global.has("log") ? Path.of(global.value("log", null)) : null, format.equals("json"), global.bool("debug"));
            if (global.bool("version")) {
                version();
                return 0;
            }
            if (global.args.isEmpty() || global.bool("help")) {
                usage();
                return 0;
            }
            if (global.bool("systemd-cgroup"))
                throw new RuncException("--systemd-cgroup is not supported by jcontainer-runc: it manages cgroups itself (cgroupfs); "
                        + "configure the engine with cgroup_manager = \"cgroupfs\"");
            String rootless = global.value("rootless", "auto");
            if (!List.of("true", "false", "auto").contains(rootless)) throw new RuncException("invalid --rootless value: " + rootless);
            command = global.args.getFirst();
            List<String> rest = global.args.subList(1, global.args.size());
            log.debug("command " + command + " " + rest);
            if (wantsHelp(rest) && COMMANDS.containsKey(command)) {
                out.println("NAME:\n   jcontainer-runc " + command + " - " + COMMANDS.get(command) + "\n\nUSAGE:\n   jcontainer-runc "
                        + command + " [command options] [arguments...]\n\n(runc's options; see docs/oci-runtime.md for what jcontainer-runc honours)");
                return 0;
            }
            return switch (command) {
                case "spec" -> spec(rest);
                case "run" -> runCommand(rest);
                case "state" -> state(rest);
                case "list", "ls" -> list(rest);
                case "kill" -> kill(rest);
                case "delete", "rm" -> delete(rest);
                case "ps" -> ps(rest);
                case "pause" -> pauseResume(rest, true);
                case "resume" -> pauseResume(rest, false);
                case "features" -> features(rest);
                case "create" -> create(rest);
                case "start" -> start(rest);
                case "exec" -> exec(rest);
                case "update" -> update(rest);
                case "events", "checkpoint", "restore", "init" -> throw new RuncException(command + " is not supported by jcontainer-runc yet");
                case "__cds-train" -> rest.equals(List.of("read")) ? trainRead() : train();
                case "help" -> {
                    usage();
                    yield 0;
                }
                default -> throw new RuncException("No help topic for '" + command + "'", 3);
            };
        } catch (Flags.UsageException e) {
            log.error(e.getMessage());
            return 1;
        } catch (RuncException e) {
            log.error(prefix(command, e.getMessage()));
            return command.equals("exec") && e.status == 1 ? EXEC_FAILED : e.status;
        } catch (ContainerException e) {
            log.error(prefix(command, e.getMessage()));
            return command.equals("exec") ? EXEC_FAILED : 1;
        } catch (IOException e) {
            log.error(prefix(command, e.toString()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error(prefix(command, "interrupted"));
            return 1;
        }
    }

    /**
     * runc's exec exits 255 when the process could not be run at all (no such container or
     * binary, an unwritable pid file): 1 and the rest are the process's own statuses.
     */
    static final int EXEC_FAILED = 255;

    /** runc's commands and their one-line descriptions (for {@code COMMAND -h}). */
    private static final Map<String, String> COMMANDS = Map.ofEntries(Map.entry("checkpoint", "checkpoint a running container (not supported)"),
            Map.entry("create", "create a container"), Map.entry("delete", "delete any resources held by the container often used with detached container"),
            Map.entry("events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics (not supported)"),
            Map.entry("exec", "execute new process inside the container"), Map.entry("kill", "kill sends the specified signal (default: SIGTERM) to the container's init process"),
            Map.entry("list", "lists containers started by runc with the given root"), Map.entry("pause", "pause suspends all processes inside the container"),
            Map.entry("ps", "ps displays the processes running inside a container"), Map.entry("restore", "restore a container from a previous checkpoint (not supported)"),
            Map.entry("resume", "resumes all processes that have been previously paused"), Map.entry("run", "create and run a container"),
            Map.entry("spec", "create a new specification file"), Map.entry("start", "executes the user defined process in a created container"),
            Map.entry("state", "output the state of a container"), Map.entry("update", "update container resource constraints"),
            Map.entry("features", "show the enabled features"));

    /** {@code -h}/{@code --help} among a command's options (before its first argument, as urfave/cli reads them). */
    private static boolean wantsHelp(List<String> args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-help")) return true;
            if (a.equals("--") || !a.startsWith("-")) return false;
        }
        return false;
    }

    /** runc says "runc run failed: ..." for run and create, the bare error for the rest. */
    private static String prefix(String command, String msg) {
        return command != null && (command.equals("run") || command.equals("create")) ? "runc " + command + " failed: " + msg : msg;
    }

    private void version() {
        out.println("jcontainer-runc version " + VERSION);
        out.println("commit: " + System.getProperty("jcontainer.commit", "unknown"));
        out.println("spec: " + OciConfig.SPEC_VERSION);
        out.println("java: " + Runtime.version());
    }

    private void usage() {
        // urfave/cli's layout, as runc prints it (tools and runc's own tests read the NAME line)
        out.println("""
                NAME:
                   jcontainer-runc - Open Container Initiative runtime (runc's command line over jcontainer)

                USAGE: jcontainer-runc [global options] command [command options] [arguments...]

                COMMANDS:
                   spec      create a new specification file (config.json)
                   create    create a container: set up, its process waiting for start
                   start     start a created container
                   run       create and run a container (foreground, or --detach)
                   exec      run a new process inside a running container
                   state     output the state of a container
                   list      list containers started by jcontainer-runc with the given root
                   kill      send a signal to the container's init process
                   delete    delete a stopped container (or a running one with --force)
                   ps        list the processes running inside a container
                   pause     suspend all processes inside the container
                   resume    resume all processes that have been previously paused
                   update    update the resource limits of a running container
                   features  show the enabled features

                GLOBAL OPTIONS:
                   --debug                enable debug logging
                   --log value            log file path (default: stderr)
                   --log-format value     text or json (default: "text")
                   --root value           state directory (default: /run/jcontainer-runc, rootless $XDG_RUNTIME_DIR/jcontainer-runc)
                   --rootless value       true, false or auto (default: "auto")
                   --systemd-cgroup       refused: jcontainer-runc manages cgroups itself
                   --version, -v          print the version""");
    }

    private Store store() {
        String root = global.value("root", null);
        if (root == null) {
            String xdg = System.getenv("XDG_RUNTIME_DIR");
            root = euid() == 0 || xdg == null || xdg.isEmpty() ? "/run/jcontainer-runc" : xdg + "/jcontainer-runc";
        }
        return new Store(Path.of(root)).open();
    }

    private static String oneId(Flags f, String command) {
        if (f.args.size() != 1)
            throw new RuncException("\"" + command + "\" requires exactly 1 argument(s)" + (f.args.isEmpty() ? "" : ", got " + f.args.size()));
        return f.args.getFirst();
    }

    // ---- spec ----

    private int spec(List<String> argv) throws ContainerException {
        Flags f = Flags.parse(argv, List.of(value("bundle", "b"), bool("rootless")), false);
        Path bundle = Path.of(f.value("bundle", ".")).toAbsolutePath().normalize();
        Path file = bundle.resolve(OciConfig.FILE);
        if (Files.exists(file)) throw new RuncException("File " + OciConfig.FILE + " exists. Remove it first");
        if (!Files.isDirectory(bundle)) throw new RuncException("bundle " + bundle + " is not a directory");
        OciConfig.of(SpecTemplate.config(f.bool("rootless"))).write(file);
        return 0;
    }

    // ---- run ----

    private int runCommand(List<String> argv) throws IOException {
        Flags f = Flags.parse(argv, List.of(value("bundle", "b"), value("console-socket"), bool("detach", "d"), bool("keep"),
                value("pid-file"), bool("no-subreaper"), bool("no-pivot"), bool("no-new-keyring"), value("preserve-fds")), false);
        String id = oneId(f, "run");
        Store.checkId(id);
        if (f.bool("detach")) return runDetached(f, id);
        if (f.has("console-socket")) throw new RuncException("cannot use console socket if runc will not detach or allocate tty");
        if (f.has("preserve-fds") && !f.value("preserve-fds", "0").equals("0")) throw new RuncException("--preserve-fds is not supported yet");
        if (f.bool("no-pivot")) throw new RuncException("--no-pivot is not supported: jcontainer always pivots into the root");
        Path bundle = Path.of(f.value("bundle", ".")).toAbsolutePath().normalize();
        ContainerSpec spec = bundleSpec(bundle);
        if (spec.tty()) return runOnOurTerminal(f, id);
        boolean tty = false;
        ContainerSpec.Builder b = spec.toBuilder();
        if (tty) b.stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE);
        else b.stdin(Stdio.INHERIT).stdout(Stdio.INHERIT).stderr(Stdio.INHERIT);
        spec = b.build();

        Store store = store();
        Path dir = store.reserve(id);
        Container c;
        try {
            c = spec.start();
        } catch (RuntimeException e) {
            store.remove(id);
            throw e;
        }
        boolean keep = f.bool("keep");
        Long start = ProcessHandle.of(c.pid()).flatMap(h -> h.info().startInstant()).map(Instant::toEpochMilli).orElse(null);
        Store.Record rec = new Store.Record(id, c.pid(), start, bundle.toString(), spec.rootfs() == null ? "" : spec.rootfs().toString(),
                Instant.now(), owner(), "running", false, null, spec.annotations());
        Thread cleanup = new Thread(() -> {
            // SIGTERM/SIGINT to this process: the container goes with it, and so does its record unless --keep
            c.close();
            if (!keep) store.remove(id);
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        final Store.Record[] current = {rec};
        try (Control ctl = Control.serve(dir.resolve(Store.SOCKET), new Control.Handler() {
            public void kill(Signal s, boolean all) {
                if (all && s != Signal.KILL)
                    throw new RuncException("kill --all with " + Signal.name(s.number()) + " is not supported yet (only SIGKILL reaches every process)");
                if (s == Signal.KILL) c.kill();
                else c.signal(s);
            }

            public void pause() {
                c.pause();
                current[0] = current[0].with(c.pid(), start, "running", true, null);
                store.save(current[0]);
            }

            public void resume() {
                c.unpause();
                current[0] = current[0].with(c.pid(), start, "running", false, null);
                store.save(current[0]);
            }

            public void update(String resourcesJson) {
                try {
                    c.update(SpecConv.toResources(Json.JSON.readTree(resourcesJson), "resources"));
                } catch (IOException e) {
                    throw new RuncException("update: not JSON: " + e.getMessage());
                }
            }
        })) {
            store.save(rec);
            if (f.has("pid-file")) writePidFile(Path.of(f.value("pid-file", null)), c.pid());
            Thread output = tty ? pumpTerminal(c) : null;
            ContainerExit exit = c.waitFor();
            if (output != null) output.join(5_000); // what the terminal still holds, before we exit
            int code = c.exitCode();
            if (keep) store.save(current[0].with(0, null, "stopped", false, code));
            log.debug("container " + id + " exited: " + exit);
            return code;
        } catch (IOException e) {
            throw new RuncException("cannot serve the control socket of " + id + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuncException("interrupted");
        } finally {
            c.close();
            if (!keep) store.remove(id);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it does the same
            }
        }
    }

    /**
     * {@code run} with {@code process.terminal}, as runc does it: this process is the subreaper of
     * a container created without a monitor, whose terminal — a pty of its own devpts, so
     * {@code tty} inside names {@code /dev/pts/0} — comes back over a console socket we listen on
     * and is copied to and from our stdio; we start it, reap it and exit with its status. Other
     * commands reach it as any created container; without {@code --keep} it is deleted at its end.
     */
    private int runOnOurTerminal(Flags f, String id) throws IOException {
        if (!f.bool("no-subreaper")) Terminal.becomeSubreaper();
        Path dir = Files.createTempDirectory("jcontainer-runc-tty"); // 0700, and a short path for sun_path
        AutoCloseable raw = null;
        Store store = store();
        Store.Record r = null;
        try (Terminal t = new Terminal(dir.resolve("console.sock"))) {
            r = createContainer(f, id, new Stdio.Console(t.path()));
            var host = io.jcontainer.spi.ContainerRuntime.get().hostTerminal();
            int[] size = host.isTerminal(0) ? host.size(0) : null;
            t.receive(size == null ? 0 : size[0], size == null ? 0 : size[1]);
            if (host.isTerminal(0)) raw = host.raw(0);
            long pid = r.pid();
            Thread forward = new Thread(() -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
            Runtime.getRuntime().addShutdownHook(forward); // SIGTERM/SIGINT to us reach the container
            startContainer(store, r);
            t.pumpInput(in);
            t.copyOutput(out); // until the terminal's last writer has gone
            int code = -1;
            // ours once its launcher has gone (we are its subreaper); with --no-subreaper, not ours at all
            for (int i = 0; i < 500 && (code = Terminal.waitFor(pid)) < 0 && ProcessHandle.of(pid).isPresent(); i++) Thread.sleep(10);
            if (code < 0) ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
            try {
                Runtime.getRuntime().removeShutdownHook(forward);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
            log.debug("container " + id + " exited: " + code);
            return Math.max(code, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuncException("interrupted");
        } finally {
            if (raw != null) {
                try {
                    raw.close();
                } catch (Exception e) {
                    log.warn("cannot restore the terminal: " + e.getMessage());
                }
            }
            if (r != null && !f.bool("keep")) {
                try {
                    containers(store).remove(r.lifecycleId(), true, false);
                } catch (RuntimeException | InterruptedException e) {
                    log.warn("cannot remove container " + id + ": " + e.getMessage());
                }
                store.remove(id);
            }
            Files.deleteIfExists(dir.resolve("console.sock"));
            Files.deleteIfExists(dir);
        }
    }

    /** A terminal in the foreground: the container's pty copied to and from our own streams. */
    private Thread pumpTerminal(Container c) {
        Thread.ofVirtual().start(() -> copy(in, c.stdin(), true));
        return Thread.ofVirtual().start(() -> copy(c.stdout(), out, false));
    }

    private static void copy(InputStream from, OutputStream to, boolean closeTo) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = from.read(buf)) > 0; ) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // the other side went away: the container ended or our stdin closed
        } finally {
            if (closeTo) {
                try {
                    to.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    private static String owner() {
        int uid = euid();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] p = line.split(":");
                if (p.length > 2 && p[2].equals(String.valueOf(uid))) return p[0];
            }
        } catch (IOException e) {
            // no name: the number then
        }
        return String.valueOf(uid);
    }

    /** runc writes the pid file atomically: a temporary beside it, renamed. */
    static void writePidFile(Path file, long pid) {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, Long.toString(pid));
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RuncException("cannot write pid file " + file + ": " + e);
        }
    }


    // ---- create, start, run --detach, exec: containers of the lifecycle API ----

    /**
     * The lifecycle API's containers of this {@code --root}, kept in a directory no container id
     * can name (':' is not in runc's id alphabet).
     */
    private io.jcontainer.lifecycle.Containers containers(Store store) {
        return io.jcontainer.spi.ContainerRuntime.get().containers(store.root.resolve("jcontainer:lifecycle").resolve("containers"));
    }

    /** The bundle's config.json as a spec, its adaptations logged. */
    private ContainerSpec bundleSpec(Path bundle) {
        Path cfgFile = bundle.resolve(OciConfig.FILE);
        if (!Files.isRegularFile(cfgFile)) throw new RuncException("JSON specification file " + OciConfig.FILE + " not found");
        SpecConv.Imported imported = SpecConv.read(OciConfig.read(cfgFile), bundle, null);
        for (String note : imported.notes()) {
            if (global.has("log")) log.warn(note);
            else log.debug(note);
        }
        return imported.spec();
    }

    private static final List<Flags.Def> CREATE_FLAGS = List.of(value("bundle", "b"), value("console-socket"), value("pid-file"),
            bool("no-pivot"), bool("no-new-keyring"), value("preserve-fds"));

    /**
     * runc's {@code create}: the container set up completely, its first process waiting for
     * {@code start}; this process then exits. Without a terminal the container's stdio are ours
     * (an engine's pipes, conmon's fds), kept by the container after we are gone.
     */
    private int create(List<String> argv) {
        Flags f = Flags.parse(argv, CREATE_FLAGS, false);
        String id = oneId(f, "create");
        createContainer(f, id);
        return 0;
    }

    private Store.Record createContainer(Flags f, String id) {
        return createContainer(f, id, null);
    }

    /** @param console the terminal's socket when it is ours (run -t in the foreground), else null: --console-socket's */
    private Store.Record createContainer(Flags f, String id, Stdio.Console console) {
        Store.checkId(id);
        if (f.has("preserve-fds") && !f.value("preserve-fds", "0").equals("0")) throw new RuncException("--preserve-fds is not supported yet");
        // jcontainer never makes a session keyring (what --no-new-keyring turns off in runc) and
        // always pivots: pivot_root fails only on a ramfs root, which the error then names
        if (f.bool("no-pivot")) log.debug("--no-pivot: jcontainer pivots into the root anyway");
        Path bundle = Path.of(f.value("bundle", ".")).toAbsolutePath().normalize();
        ContainerSpec spec = bundleSpec(bundle);
        if (spec.tty() && !f.has("console-socket") && console == null)
            throw new RuncException("cannot allocate tty if runc will detach without setting console socket");
        if (!spec.tty() && f.has("console-socket"))
            throw new RuncException("cannot use console socket if runc will not detach or allocate tty");
        // with a terminal: its master goes to the engine's socket (conmon's, the shim's) while we create
        Stdio in = console != null ? console : spec.tty() ? consoleSocket(f) : Stdio.INHERIT;
        spec = spec.toBuilder().detached(true).stdin(in).stdout(Stdio.INHERIT).stderr(Stdio.INHERIT).build();
        Store store = store();
        store.reserve(id);
        boolean ok = false;
        try {
            // nothing of ours stays: the container's first process is our descendant, the child of
            // an engine's subreaper (conmon, containerd's shim) once we are gone, which reaps it
            var containers = containers(store);
            io.jcontainer.lifecycle.ContainerInfo c = containers.createWithoutMonitor(spec);
            Long start = ProcessHandle.of(c.pid()).flatMap(h -> h.info().startInstant()).map(Instant::toEpochMilli).orElse(null);
            Store.Record rec = new Store.Record(id, c.pid(), start, bundle.toString(), spec.rootfs() == null ? "" : spec.rootfs().toString(),
                    Instant.now(), owner(), "created", false, null, spec.annotations(), c.id(), c.monitorPid(),
                    containers.startFifo(c.id()).toString(), c.cgroupDirs(),
                    // what a later command would run (refused at create today): such a container's commands stay Java's
                    !spec.hooks().poststart().isEmpty() || !spec.hooks().poststop().isEmpty());
            try {
                ShortRecord.writeEventAttributes(store.dir(id), c.name(), c.image(), spec.annotations());
            } catch (IOException e) {
                throw new RuncException("cannot record the event attributes of " + id + ": " + e);
            }
            store.save(rec);
            // the container's first process, as runc's: what an engine's subreaper waits on and reaps
            if (f.has("pid-file")) writePidFile(Path.of(f.value("pid-file", null)), c.pid());
            ok = true;
            return rec;
        } finally {
            if (!ok) store.remove(id);
        }
    }

    /** {@code --console-socket PATH}: the socket, checked as runc checks it (a socket that exists). */
    private static Stdio consoleSocket(Flags f) {
        Path socket = Path.of(f.value("console-socket", "")).toAbsolutePath().normalize();
        if (!Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS))
            throw new RuncException("failed to connect to console socket " + socket + ": no such file or directory");
        return new Stdio.Console(socket);
    }

    /** runc's {@code start}: the created container execs its process. */
    private int start(List<String> argv) {
        Flags f = Flags.parse(argv, List.of(), false);
        String id = oneId(f, "start");
        Store store = store();
        startContainer(store, store.load(id));
        return 0;
    }

    private void startContainer(Store store, Store.Record r) {
        String st = status(store, r);
        switch (st) {
            case "created" -> { }
            case "stopped" -> throw new RuncException("cannot start a container that has stopped");
            case "running", "paused" -> throw new RuncException("cannot start an already running container");
            default -> throw new RuncException("cannot start a container in the " + st + " state");
        }
        if (r.monitorless()) {
            startByFifo(Path.of(r.startFifo()));
            return;
        }
        // nothing to record: a created container's status is the lifecycle API's, read by every command
        containers(store).start(r.lifecycleId());
    }

    /**
     * runc's start of a container without a monitor: a byte on its start FIFO, which its waiting
     * process reads and goes on to exec; the FIFO then goes, so the container reads as running. No
     * runtime library, no FFM: the open blocks only while nobody reads, which a live waiting
     * process does — one that ended meanwhile is told by the time-out.
     */
    private static void startByFifo(Path fifo) {
        IOException[] failed = {null};
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream o = Files.newOutputStream(fifo, java.nio.file.StandardOpenOption.WRITE)) {
                o.write(0);
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) throw new RuncException("cannot start the container: nothing reads its start FIFO " + fifo + " (it has ended)");
        if (failed[0] != null) throw new RuncException("cannot start the container: " + failed[0]);
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            throw new RuncException("cannot remove the start FIFO " + fifo + ": " + e);
        }
    }

    /** run --detach: create and start, then exit; the container lives on. */
    private int runDetached(Flags f, String id) {
        Store.Record r = createContainer(f, id);
        Store store = store();
        try {
            startContainer(store, r);
        } catch (RuntimeException e) {
            try {
                containers(store).remove(r.lifecycleId(), true, false);
            } catch (RuntimeException | InterruptedException ignored) {
                // the start's failure matters more
            }
            store.remove(id);
            throw e;
        }
        return 0;
    }

    /** The OCI status of a record now: a created one's from the lifecycle API, a foreground run's from its process. */
    private String status(Store store, Store.Record r) {
        if (!r.lifecycle()) return r.liveStatus();
        if (r.monitorless()) return r.monitorlessStatus();
        try {
            return switch (containers(store).find(r.lifecycleId()).status()) {
                case CREATED -> "created";
                case RUNNING, RESTARTING -> "running";
                case PAUSED -> "paused";
                case EXITED, DEAD -> "stopped";
            };
        } catch (io.jcontainer.lifecycle.Containers.NoSuchContainerException gone) {
            return "stopped";
        }
    }

    private ObjectNode stateJson(Store store, Store.Record r) {
        return r.stateJson(status(store, r));
    }

    /**
     * runc's {@code exec}: a new process in a running container's namespaces and cgroups, with its
     * security settings. {@code --process FILE} (an OCI process object) or the command and flags;
     * foreground: we wait and exit with its status; {@code --detach}: we exit at once, and
     * {@code --pid-file} gets the process's pid, which an engine's subreaper reaps (no monitor, as for create).
     */
    private int exec(List<String> argv) throws IOException, InterruptedException {
        Flags f = Flags.parse(argv, List.of(value("process", "p"), bool("detach", "d"), bool("tty", "t"), value("console-socket"),
                value("pid-file"), values("env", "e"), value("cwd"), value("user", "u"), values("cap", "c"),
                values("additional-gids", "g"), bool("no-new-privs"), value("apparmor"), value("process-label"),
                value("preserve-fds"), value("cgroup"), bool("ignore-paused")), true);
        if (f.args.isEmpty()) throw new RuncException("\"exec\" requires a minimum of 1 argument(s)");
        String id = f.args.getFirst();
        List<String> command = f.args.subList(1, f.args.size());
        if (f.has("preserve-fds") && !f.value("preserve-fds", "0").equals("0")) throw new RuncException("--preserve-fds is not supported yet");
        for (String unsupported : List.of("cap", "additional-gids", "apparmor", "process-label", "cgroup"))
            if (f.has(unsupported) && !f.value(unsupported, "").isEmpty())
                throw new RuncException("exec --" + unsupported + " is not supported by jcontainer-runc yet");
        ExecSpec exec;
        boolean tty;
        if (f.has("process")) {
            var p = Json.JSON.readTree(Files.readAllBytes(Path.of(f.value("process", null))));
            if (p == null || !p.isObject()) throw new RuncException("process: not a JSON object");
            List<String> args = new ArrayList<>();
            p.path("args").forEach(a -> args.add(a.asText()));
            if (args.isEmpty()) throw new RuncException("process.args: args must not be empty");
            Map<String, String> env = new java.util.LinkedHashMap<>();
            p.path("env").forEach(e -> {
                String kv = e.asText();
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            });
            String cwd = p.path("cwd").asText(null);
            String user = p.has("user") ? p.path("user").path("uid").asLong(0) + ":" + p.path("user").path("gid").asLong(0) : null;
            if (p.path("user").path("additionalGids").size() > 0) log.debug("process.user.additionalGids: the container's own apply");
            if (p.has("capabilities")) log.debug("process.capabilities: the container's own apply to the exec");
            if (p.path("apparmorProfile").asText("").length() > 0 || p.path("selinuxLabel").asText("").length() > 0)
                throw new RuncException("process.apparmorProfile/selinuxLabel: not supported by jcontainer");
            tty = p.path("terminal").asBoolean(false);
            exec = new ExecSpec(args, env, cwd == null || cwd.isEmpty() ? null : cwd, user, Stdio.INHERIT, Stdio.INHERIT, Stdio.INHERIT, false);
            // the terminal's size, set before the process can ask (runc's tty.bats "exec [tty consolesize]")
            var size = p.path("consoleSize");
            if (tty && size.isObject() && size.path("height").asInt(0) > 0 && size.path("width").asInt(0) > 0)
                exec = exec.withConsoleSize(new io.jcontainer.ProcessSpec.ConsoleSize(size.path("height").asInt(), size.path("width").asInt()));
        } else {
            if (command.isEmpty()) throw new RuncException("exec args cannot be empty");
            Map<String, String> env = new java.util.LinkedHashMap<>();
            for (String kv : f.all("env")) {
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
            tty = f.bool("tty");
            exec = new ExecSpec(command, env, f.value("cwd", null), f.value("user", null), Stdio.INHERIT, Stdio.INHERIT, Stdio.INHERIT, false);
        }
        // runc's checkTerminal: a console socket exactly when detached with a terminal
        boolean detach = f.bool("detach");
        if (detach && tty && !f.has("console-socket")) throw new RuncException("cannot allocate tty if runc will detach without setting console socket");
        if ((!detach || !tty) && f.has("console-socket")) throw new RuncException("cannot use console socket if runc will not detach or allocate tty");
        // a terminal in the foreground (runc exec -t on the caller's own terminal): a new pty in the
        // container, copied to and from our stdio; detached, its master goes to the console socket
        if (tty && detach) exec = exec.withTty(true).withStdio(consoleSocket(f), Stdio.NULL, Stdio.NULL);
        Store store = store();
        Store.Record r = store.load(id);
        String st = status(store, r);
        if (!r.lifecycle()) throw new RuncException("exec into a container run in the foreground (run without --detach) is not supported");
        if (st.equals("paused") && !f.bool("ignore-paused")) throw new RuncException("cannot exec in a paused container (use --ignore-paused to override)");
        // runc execs into a created container too: its namespaces and cgroup are complete
        if (!st.equals("running") && !st.equals("paused") && !st.equals("created")) throw new RuncException("cannot exec in a stopped container");
        var containers = containers(store);
        if (tty && !detach) return execOnOurTerminal(containers, r.lifecycleId(), exec, f);
        if (f.bool("detach")) {
            // as runc: no monitor, the process is ours until we exit and then our subreaper's
            // (conmon, containerd's shim), which waits on the pid the pid file names: the process's
            var d = containers.execWithoutMonitor(r.lifecycleId(), exec);
            if (f.has("pid-file")) writePidFile(Path.of(f.value("pid-file", null)), d.pid());
            return 0;
        }
        io.jcontainer.ContainerProcess p = containers.exec(r.lifecycleId(), exec);
        if (f.has("pid-file")) writePidFile(Path.of(f.value("pid-file", null)), p.pid());
        Thread forward = new Thread(() -> p.signal(Signal.TERM));
        Runtime.getRuntime().addShutdownHook(forward); // SIGTERM/SIGINT to us reach the exec'd process
        try {
            p.waitFor();
            return p.exitCode();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(forward);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
            p.close();
        }
    }

    /**
     * {@code exec -t} in the foreground, as runc does it: the process's terminal is a pty of the
     * container's own devpts (so {@code tty} inside names it), its master sent to a console socket
     * we listen on, then copied to and from our stdio — our terminal, when stdin is one, raw and of
     * the same size. We wait for the exec's monitor, which exits as the process did.
     */
    private int execOnOurTerminal(io.jcontainer.lifecycle.Containers containers, String lifecycleId, ExecSpec exec, Flags f)
            throws IOException {
        Path dir = Files.createTempDirectory("jcontainer-runc-tty"); // 0700, and a short path for sun_path
        AutoCloseable raw = null;
        try (Terminal t = new Terminal(dir.resolve("console.sock"))) {
            var d = containers.execDetachedProcess(lifecycleId, exec.withTty(true).withStdio(new Stdio.Console(t.path()), Stdio.NULL, Stdio.NULL));
            if (f.has("pid-file")) writePidFile(Path.of(f.value("pid-file", null)), d.pid());
            var host = io.jcontainer.spi.ContainerRuntime.get().hostTerminal();
            int[] size = host.isTerminal(0) ? host.size(0) : null;
            t.receive(size == null ? 0 : size[0], size == null ? 0 : size[1]);
            if (host.isTerminal(0)) raw = host.raw(0);
            Thread forward = new Thread(() -> ProcessHandle.of(d.pid()).ifPresent(ProcessHandle::destroy));
            Runtime.getRuntime().addShutdownHook(forward); // SIGTERM/SIGINT to us reach the exec'd process
            t.pumpInput(in);
            t.copyOutput(out); // until the terminal's last writer has gone
            int code = Terminal.waitFor(d.monitorPid());
            if (code < 0) throw new RuncException("cannot wait for the exec's monitor (pid " + d.monitorPid() + "): not our child");
            try {
                Runtime.getRuntime().removeShutdownHook(forward);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
            return code;
        } finally {
            if (raw != null) {
                try {
                    raw.close();
                } catch (Exception e) {
                    log.warn("cannot restore the terminal: " + e.getMessage());
                }
            }
            Files.deleteIfExists(dir.resolve("console.sock"));
            Files.deleteIfExists(dir);
        }
    }

    // ---- state, list ----

    private int state(List<String> argv) throws IOException {
        Flags f = Flags.parse(argv, List.of(), false);
        Store store = store();
        Store.Record r = store.load(oneId(f, "state"));
        out.println(io.jcontainer.oci.runtime.JsonTrees.pretty(stateJson(store, r)));
        return 0;
    }

    private int list(List<String> argv) throws IOException {
        Flags f = Flags.parse(argv, List.of(value("format", "f"), bool("quiet", "q")), false);
        String format = f.value("format", "table");
        Store store = store();
        List<Store.Record> all = store.list();
        if (f.bool("quiet")) {
            for (Store.Record r : all) out.println(r.id());
            return 0;
        }
        switch (format) {
            case "json" -> {
                ArrayNode a = Json.JSON.createArrayNode();
                for (Store.Record r : all) a.add(stateJson(store, r));
                out.println(Json.JSON.writeValueAsString(a));
            }
            case "table" -> {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[]{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
                for (Store.Record r : all) {
                    ObjectNode s = stateJson(store, r);
                    rows.add(new String[]{r.id(), s.get("pid").asText(), s.get("status").asText(), r.bundle(), r.created().toString(), r.owner()});
                }
                table(rows);
            }
            default -> throw new RuncException("invalid format option");
        }
        return 0;
    }

    /** Go's tabwriter as runc sets it up: columns padded to the widest cell plus 3 spaces. */
    private void table(List<String[]> rows) {
        int cols = rows.getFirst().length;
        int[] w = new int[cols];
        for (String[] r : rows) for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                b.append(r[i]);
                if (i < cols - 1) b.append(" ".repeat(Math.max(w[i], 9) - r[i].length() + 3));
            }
            out.println(b);
        }
    }

    // ---- kill, delete, pause, resume, ps ----

    private int kill(List<String> argv) throws InterruptedException {
        Flags f = Flags.parse(argv, List.of(bool("all", "a")), false);
        if (f.args.isEmpty() || f.args.size() > 2) throw new RuncException("\"kill\" requires a minimum of 1 and a maximum of 2 argument(s)");
        String id = f.args.getFirst();
        if (f.args.size() == 2 && f.args.get(1).equals("0")) { // signal 0: is it there (kill(2)'s check)
            Store store = store();
            // runc: --all of a stopped container signals nobody and succeeds
            if (status(store, store.load(id)).equals("stopped") && !f.bool("all")) throw new RuncException("container not running");
            return 0;
        }
        Signal s;
        try {
            s = Signal.parse(f.args.size() == 2 ? f.args.get(1) : "SIGTERM");
        } catch (ContainerException e) {
            throw new RuncException("unknown signal \"" + f.args.get(1) + "\"");
        }
        Store store = store();
        Store.Record r = store.load(id);
        String st = status(store, r);
        if (st.equals("stopped")) throw new RuncException("container not running");
        if (r.lifecycle()) {
            killCreated(store, r, st, s, f.bool("all"));
            return 0;
        }
        Control.request(store.dir(id), "kill " + s.number() + (f.bool("all") ? " all" : ""));
        return 0;
    }

    /**
     * kill of a created container: a running one through the lifecycle API (--all with SIGKILL:
     * everything of it, at once); one that still waits for its start has only its first
     * process, which SIGTERM and SIGKILL end (its monitor cleans up).
     */
    private void killCreated(Store store, Store.Record r, String st, Signal s, boolean all) throws InterruptedException {
        var containers = containers(store);
        if (st.equals("created")) {
            ProcessHandle h = ProcessHandle.of(r.pid()).filter(ProcessHandle::isAlive).orElse(null);
            if (h == null) return;
            if (s == Signal.KILL) h.destroyForcibly();
            else if (s == Signal.TERM) h.destroy();
            else throw new RuncException("kill of a created container with " + Signal.name(s.number())
                    + " is not supported yet (SIGTERM and SIGKILL are)");
            return;
        }
        if (all && s == Signal.KILL) containers.stop(r.lifecycleId(), java.time.Duration.ZERO);
        else if (all) throw new RuncException("kill --all with " + Signal.name(s.number()) + " is not supported yet (only SIGKILL reaches every process)");
        else containers.kill(r.lifecycleId(), s);
    }

    private int delete(List<String> argv) throws InterruptedException {
        Flags f = Flags.parse(argv, List.of(bool("force", "f")), false);
        String id = oneId(f, "delete");
        Store store = store();
        Store.Record r;
        try {
            r = store.load(id);
        } catch (RuncException e) {
            if (f.bool("force")) return 0; // runc: deleting a missing container with --force is not an error
            throw e;
        }
        String st = status(store, r);
        if (r.lifecycle()) {
            // runc deletes a created container without --force: it never ran
            if (!st.equals("stopped") && !st.equals("created") && !f.bool("force"))
                throw new RuncException("cannot delete container " + id + " that is not stopped: " + st);
            try {
                containers(store).remove(r.lifecycleId(), true, false);
            } catch (io.jcontainer.lifecycle.Containers.NoSuchContainerException gone) {
                // removed already (a delete that raced us, or a half-made create)
            }
            store.remove(id);
            return 0;
        }
        if (!st.equals("stopped")) {
            if (!f.bool("force")) throw new RuncException("cannot delete container " + id + " that is not stopped: " + st);
            Control.request(store.dir(id), "kill 9");
            // the process keeping it removes the record itself (unless --keep): gone counts as dead
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (r.alive() && System.nanoTime() < deadline) Thread.sleep(20);
            if (r.alive()) throw new RuncException("container " + id + " did not die within 10s of SIGKILL");
        }
        store.remove(id);
        return 0;
    }

    private int pauseResume(List<String> argv, boolean pause) {
        Flags f = Flags.parse(argv, List.of(), false);
        String id = oneId(f, pause ? "pause" : "resume");
        Store store = store();
        Store.Record r = store.load(id);
        String st = status(store, r);
        if (pause && !st.equals("running")) throw new RuncException("container not running");
        if (!pause && !st.equals("paused")) throw new RuncException("container not paused");
        if (r.lifecycle()) {
            if (pause) containers(store).pause(r.lifecycleId());
            else containers(store).unpause(r.lifecycleId());
            // what state reads of a container without a monitor (no runtime library there)
            if (r.monitorless()) store.save(r.with(r.pid(), r.pidStart(), r.status(), pause, null));
            return 0;
        }
        Control.request(store.dir(id), pause ? "pause" : "resume");
        return 0;
    }

    private int ps(List<String> argv) throws IOException {
        Flags f = Flags.parse(argv, List.of(value("format", "f")), false);
        if (f.args.isEmpty()) throw new RuncException("\"ps\" requires a minimum of 1 argument(s)");
        String id = f.args.getFirst();
        Store store = store();
        Store.Record r = store.load(id);
        if (status(store, r).equals("stopped")) throw new RuncException("container not running");
        List<Long> pids = Procfs.pidsInNamespaceOf(r.pid());
        String format = f.value("format", "table");
        if (format.equals("json")) {
            out.println(Json.JSON.writeValueAsString(pids));
        } else if (format.equals("table")) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"UID", "PID", "PPID", "CMD"});
            for (long p : pids) rows.add(Procfs.row(p));
            table(rows);
        } else {
            throw new RuncException("invalid format option");
        }
        return 0;
    }

    // ---- class-data training ----

    /**
     * What the launcher script runs once after a build, with {@code -XX:ArchiveClassesAtExit}:
     * the classes a {@code run} loads — the config mapping, the runtime's spec checks, a start of
     * {@code /bin/true} on the default root where the host allows one, the record and state JSON,
     * the log.
     */
    private int train() throws IOException {
        Path dir = Files.createTempDirectory("jcontainer-runc-train");
        try {
            Files.createDirectory(dir.resolve("rootfs"));
            OciConfig cfg = OciConfig.of(SpecTemplate.config(false));
            ContainerSpec spec = SpecConv.read(cfg, dir, null).spec().toBuilder()
                    .stdin(Stdio.INHERIT).stdout(Stdio.INHERIT).stderr(Stdio.INHERIT).build();
            SpecConv.toConfig(spec, dir, cfg).config().toJson();
            // The start path's classes: a container on the embedded default root running /bin/true,
            // where this host lets us (root, or user namespaces); else only what loads without one.
            try (Container c = Container.builder().command("/bin/true").stdin(Stdio.NULL).stdout(Stdio.NULL).stderr(Stdio.NULL).build().start()) {
                c.waitFor();
            } catch (ContainerException | InterruptedException e) {
                io.jcontainer.spi.ContainerRuntime.get();
            }
            Store store = new Store(dir.resolve("root")).open();
            store.reserve("train");
            Store.Record r = new Store.Record("train", 1, null, dir.toString(), "", Instant.now(), owner(), "running", false, null, Map.of());
            store.save(r);
            Json.JSON.writeValueAsString(store.load("train").stateJson());
            store.list();
            store.remove("train");
            new Log(new PrintStream(OutputStream.nullOutputStream()), null, false, true).debug("trained");
            trainCreate(dir);
            Flags.parse(List.of("-b", "x", "--keep=false", "id"), List.of(value("bundle", "b"), bool("keep")), false);
            QuickExit.link(); // linked, not called: the downcall's classes go into the cache
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        return 0;
    }

    /**
     * What an engine's {@code create} and {@code delete --force}, and a {@code run -b}, load:
     * runc's own commands in this JVM, so that their classes, lambdas and method handles (the
     * lifecycle store's records, the stored spec, the event journal, the config's mapping of a
     * bundle) are in the cache — the start of {@code /bin/true} above does not go through them.
     * The bundle's root is empty: the create's process waits before exec, and the run's exec fails
     * after everything a run does before it. Where the host cannot make a container, nothing more is
     * trained.
     */
    private static void trainCreate(Path dir) throws IOException {
        Path bundle = dir.resolve("bundle");
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve(OciConfig.FILE), "{\"ociVersion\":\"" + OciConfig.SPEC_VERSION + "\",\"root\":{\"path\":\"rootfs\"},"
                + "\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"env\":[\"PATH=/bin\"],"
                + "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],\"noNewPrivileges\":true,"
                + "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"]}},"
                + "\"hostname\":\"train\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                + "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]}],"
                + "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"network\"}],"
                + "\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"]}}");
        String root = dir.resolve("runc-root").toString();
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        Runc quiet = new Runc(InputStream.nullInputStream(), sink, sink);
        String pidFile = dir.resolve("pid").toString();
        try {
            if (quiet.run(List.of("--root", root, "create", "--bundle", bundle.toString(), "--pid-file", pidFile, "train-c")) == 0) {
                quiet.run(List.of("--root", root, "state", "train-c"));
                quiet.run(List.of("--root", root, "delete", "--force", "train-c"));
            }
            quiet.run(List.of("--root", root, "run", "--bundle", bundle.toString(), "train-r"));
        } finally {
            quiet.run(List.of("--root", root, "delete", "--force", "train-c"));
            quiet.run(List.of("--root", root, "delete", "--force", "train-r"));
        }
    }

    /**
     * The training of the read commands' cache ({@code __cds-train read}, made by ./jcontainer-runc
     * beside the full one): state, list and --version of a {@code create}d container (not
     * {@code list --format json}: its ObjectMapper would load with every state). The JVM
     * loads every class of a cache when it starts, so state with the full cache paid for the
     * start path's ~1,000 classes. The container is made and deleted by other JVMs (their classes
     * stay out of this cache); where this host cannot make one, the record path is trained alone.
     */
    private int trainRead() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jcontainer-runc-train");
        String root = dir.resolve("root").toString();
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        Runc quiet = new Runc(InputStream.nullInputStream(), sink, sink);
        try {
            Files.createDirectory(dir.resolve("rootfs"));
            // written as text: Jackson's serializers, loaded here, would be in the cache and load with every state
            Files.writeString(dir.resolve("config.json"), "{\"ociVersion\":\"" + OciConfig.SPEC_VERSION + "\",\"root\":{\"path\":\"rootfs\"},"
                    + "\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
                    + "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]}}");
            boolean made = otherJvm(dir, "--root", root, "create", "--bundle", dir.toString(), "train");
            try {
                quiet.run(List.of("--root", root, "state", "train"));
                quiet.run(List.of("--root", root, "list"));
                quiet.run(List.of("--root", root, "list", "-q"));
                quiet.run(List.of("--root", root, "start", "train"));
                quiet.run(List.of("--root", root, "state", "train"));
            } finally {
                if (made) otherJvm(dir, "--root", root, "delete", "-f", "train");
            }
            quiet.run(List.of("--root", root, "state", "no-such-container"));
            quiet.run(List.of("--version"));
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        return 0;
    }

    /** This jar's main in a JVM of its own, no cache: true when it exited 0. */
    private static boolean otherJvm(Path dir, String... argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Runc.class.getName()));
        cmd.addAll(List.of(argv));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return false;
        }
        return p.exitValue() == 0;
    }

    // ---- update ----

    /**
     * runc's {@code update}: {@code --resources FILE} (or {@code -} for stdin), a
     * {@code linux.resources} object, and the flags for single limits on top of it.
     */
    private int update(List<String> argv) throws IOException {
        Flags f = Flags.parse(argv, List.of(value("resources", "r"), value("memory"), value("memory-reservation"), value("memory-swap"),
                value("cpu-quota"), value("cpu-period"), value("cpu-share"), value("cpuset-cpus"), value("cpuset-mems"),
                value("pids-limit"), value("blkio-weight"), value("kernel-memory"), value("kernel-memory-tcp"),
                value("cpu-rt-period"), value("cpu-rt-runtime"), value("l3-cache-schema"), value("mem-bw-schema")), false);
        String id = oneId(f, "update");
        ObjectNode res;
        if (f.has("resources")) {
            String src = f.value("resources", null);
            byte[] json = src.equals("-") ? in.readAllBytes() : Files.readAllBytes(Path.of(src));
            var tree = Json.JSON.readTree(json);
            if (tree == null || !tree.isObject()) throw new RuncException("update: --resources must hold a JSON object (linux.resources)");
            res = (ObjectNode) tree;
        } else {
            res = Json.JSON.createObjectNode();
        }
        for (String unsupported : List.of("kernel-memory", "kernel-memory-tcp", "cpu-rt-period", "cpu-rt-runtime", "l3-cache-schema", "mem-bw-schema"))
            if (f.has(unsupported)) throw new RuncException("update --" + unsupported + " is not supported by jcontainer");
        if (f.has("memory")) obj(res, "memory").put("limit", bytes(f.value("memory", null)));
        if (f.has("memory-reservation")) obj(res, "memory").put("reservation", bytes(f.value("memory-reservation", null)));
        if (f.has("memory-swap")) obj(res, "memory").put("swap", bytes(f.value("memory-swap", null)));
        if (f.has("cpu-quota")) obj(res, "cpu").put("quota", number(f.value("cpu-quota", null)));
        if (f.has("cpu-period")) obj(res, "cpu").put("period", number(f.value("cpu-period", null)));
        if (f.has("cpu-share")) obj(res, "cpu").put("shares", number(f.value("cpu-share", null)));
        if (f.has("cpuset-cpus")) obj(res, "cpu").put("cpus", f.value("cpuset-cpus", null));
        if (f.has("cpuset-mems")) obj(res, "cpu").put("mems", f.value("cpuset-mems", null));
        if (f.has("pids-limit")) obj(res, "pids").put("limit", number(f.value("pids-limit", null)));
        if (f.has("blkio-weight")) obj(res, "blockIO").put("weight", number(f.value("blkio-weight", null)));
        SpecConv.toResources(res, "resources"); // refused here, naming the field, before the container is touched
        Store store = store();
        Store.Record r = store.load(id);
        String st = status(store, r);
        if (!st.equals("running") && !st.equals("paused")) throw new RuncException("container not running");
        if (r.lifecycle()) {
            containers(store).update(r.lifecycleId(), SpecConv.toResources(res, "resources"));
            return 0;
        }
        Control.request(store.dir(id), "update " + Json.JSON.writeValueAsString(res));
        return 0;
    }

    private static ObjectNode obj(ObjectNode o, String key) {
        return o.has(key) && o.get(key).isObject() ? (ObjectNode) o.get(key) : o.putObject(key);
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new RuncException("invalid value \"" + s + "\": not a number");
        }
    }

    /** runc's units: a plain number of bytes, or with a k/m/g suffix; -1 is unlimited. */
    private static long bytes(String s) {
        if (s.equals("-1")) return -1;
        try {
            return io.jcontainer.DataSize.parse(s).bytes();
        } catch (ContainerException e) {
            throw new RuncException("invalid value \"" + s + "\": " + e.getMessage());
        }
    }

    // ---- features ----

    private int features(List<String> argv) throws IOException {
        Flags.parse(argv, List.of(), false);
        ObjectNode o = Json.JSON.createObjectNode();
        o.put("ociVersionMin", "1.0.0");
        o.put("ociVersionMax", OciConfig.SPEC_VERSION);
        // the runtime runs these on its launch's hook points; createContainer and startContainer
        // (run inside the container's namespaces) are refused at start, naming them
        ArrayNode hooks = o.putArray("hooks");
        for (String h : List.of("prestart", "createRuntime", "poststart", "poststop")) hooks.add(h);
        ArrayNode mo = o.putArray("mountOptions");
        for (String m : List.of("async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "mand", "noatime",
                "nodev", "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private",
                "rbind", "relatime", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw", "shared", "slave",
                "strictatime", "suid", "sync", "unbindable")) mo.add(m);
        ObjectNode linux = o.putObject("linux");
        ArrayNode ns = linux.putArray("namespaces");
        for (String n : List.of("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts")) ns.add(n);
        ArrayNode caps = linux.putArray("capabilities");
        for (Capability c : Capability.values()) caps.add("CAP_" + c.name());
        ObjectNode cg = linux.putObject("cgroup");
        cg.put("v1", true).put("v2", true).put("systemd", false).put("systemdUser", false);
        ObjectNode sc = linux.putObject("seccomp");
        sc.put("enabled", true);
        ArrayNode act = sc.putArray("actions");
        for (String a : List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP")) act.add(a);
        ArrayNode ops = sc.putArray("operators");
        for (String a : List.of("SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE")) ops.add(a);
        ArrayNode arch = sc.putArray("archs");
        arch.add("SCMP_ARCH_AARCH64").add("SCMP_ARCH_X86_64");
        linux.putObject("apparmor").put("enabled", false);
        linux.putObject("selinux").put("enabled", false);
        o.putObject("annotations").put("io.jcontainer.runc.version", VERSION);
        out.println(Json.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
        return 0;
    }


}
