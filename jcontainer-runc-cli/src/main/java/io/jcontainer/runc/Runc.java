package io.jcontainer.runc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.Capability;
import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
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
 * <p>What needs the container to outlive this process ({@code create}/{@code start},
 * {@code run --detach}, {@code exec}) is not wired onto the lifecycle API yet; those commands
 * say so. Everything else works on a foreground {@code run}: its
 * process keeps the container and answers {@code kill}, {@code pause} and {@code resume} from
 * other runc processes on a control socket in the container's record.
 */
public final class Runc {
    static final String VERSION = "0.1.0-SNAPSHOT";
    static final ObjectMapper JSON = new ObjectMapper();

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
        int status = new Runc(System.in, System.out, System.err).run(List.of(args));
        System.out.flush();
        System.exit(status);
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
                case "create", "start", "exec" -> throw new RuncException(command + " is not available yet: jcontainer-runc is not "
                        + "wired onto the lifecycle API's create/start (a container held before exec across JVM exits) yet; "
                        + "use `run` (foreground) meanwhile");
                case "update" -> update(rest);
                case "events", "checkpoint", "restore", "init" -> throw new RuncException(command + " is not supported by jcontainer-runc yet");
                case "__cds-train" -> train();
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
            return e.status;
        } catch (ContainerException e) {
            log.error(prefix(command, e.getMessage()));
            return 1;
        } catch (IOException e) {
            log.error(prefix(command, e.toString()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error(prefix(command, "interrupted"));
            return 1;
        }
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
        out.println("""
                jcontainer-runc: runc's command line over jcontainer

                USAGE: jcontainer-runc [global options] command [command options] [arguments...]

                COMMANDS:
                   spec      create a new specification file (config.json)
                   run       create and run a container (in the foreground)
                   state     output the state of a container
                   list      list containers started by jcontainer-runc with the given root
                   kill      send a signal to the container's init process
                   delete    delete a stopped container (or a running one with --force)
                   ps        list the processes running inside a container
                   pause     suspend all processes inside the container
                   resume    resume all processes that have been previously paused
                   update    update the resource limits of a running container
                   features  show the enabled features
                   create, start, exec: not yet (see docs/oci-runtime.md)

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

    private int runCommand(List<String> argv) {
        Flags f = Flags.parse(argv, List.of(value("bundle", "b"), value("console-socket"), bool("detach", "d"), bool("keep"),
                value("pid-file"), bool("no-subreaper"), bool("no-pivot"), bool("no-new-keyring"), value("preserve-fds")), false);
        String id = oneId(f, "run");
        Store.checkId(id);
        if (f.bool("detach"))
            throw new RuncException("--detach is not available yet: jcontainer-runc is not wired onto the lifecycle API's "
                    + "recorded, detached containers yet; run it in the foreground meanwhile");
        if (f.has("console-socket")) throw new RuncException("--console-socket is not supported yet");
        if (f.has("preserve-fds") && !f.value("preserve-fds", "0").equals("0")) throw new RuncException("--preserve-fds is not supported yet");
        if (f.bool("no-pivot")) throw new RuncException("--no-pivot is not supported: jcontainer always pivots into the root");
        Path bundle = Path.of(f.value("bundle", ".")).toAbsolutePath().normalize();
        Path cfgFile = bundle.resolve(OciConfig.FILE);
        if (!Files.isRegularFile(cfgFile)) throw new RuncException("JSON specification file " + OciConfig.FILE + " not found");
        OciConfig config = OciConfig.read(cfgFile);
        SpecConv.Imported imported = SpecConv.read(config, bundle, null);
        // What the conversion adapted goes to the log an engine keeps (--log), or to stderr with
        // --debug: an engine treats stray stderr output of a successful run as noise.
        for (String note : imported.notes()) {
            if (global.has("log")) log.warn(note);
            else log.debug(note);
        }
        ContainerSpec spec = imported.spec();
        boolean tty = spec.tty();
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
                    c.update(SpecConv.toResources(JSON.readTree(resourcesJson), "resources"));
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

    // ---- state, list ----

    private int state(List<String> argv) throws IOException {
        Flags f = Flags.parse(argv, List.of(), false);
        Store.Record r = store().load(oneId(f, "state"));
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.stateJson()));
        return 0;
    }

    private int list(List<String> argv) throws IOException {
        Flags f = Flags.parse(argv, List.of(value("format", "f"), bool("quiet", "q")), false);
        String format = f.value("format", "table");
        List<Store.Record> all = store().list();
        if (f.bool("quiet")) {
            for (Store.Record r : all) out.println(r.id());
            return 0;
        }
        switch (format) {
            case "json" -> {
                ArrayNode a = JSON.createArrayNode();
                for (Store.Record r : all) a.add(r.stateJson());
                out.println(JSON.writeValueAsString(a));
            }
            case "table" -> {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[]{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
                for (Store.Record r : all) {
                    ObjectNode s = r.stateJson();
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

    private int kill(List<String> argv) {
        Flags f = Flags.parse(argv, List.of(bool("all", "a")), false);
        if (f.args.isEmpty() || f.args.size() > 2) throw new RuncException("\"kill\" requires a minimum of 1 and a maximum of 2 argument(s)");
        String id = f.args.getFirst();
        Signal s;
        try {
            s = Signal.parse(f.args.size() == 2 ? f.args.get(1) : "SIGTERM");
        } catch (ContainerException e) {
            throw new RuncException("unknown signal \"" + f.args.get(1) + "\"");
        }
        Store store = store();
        Store.Record r = store.load(id);
        if (r.liveStatus().equals("stopped")) throw new RuncException("container not running");
        Control.request(store.dir(id), "kill " + s.number() + (f.bool("all") ? " all" : ""));
        return 0;
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
        String st = r.liveStatus();
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
        String st = r.liveStatus();
        if (pause && !st.equals("running")) throw new RuncException("container not running");
        if (!pause && !st.equals("paused")) throw new RuncException("container not paused");
        Control.request(store.dir(id), pause ? "pause" : "resume");
        return 0;
    }

    private int ps(List<String> argv) throws IOException {
        Flags f = Flags.parse(argv, List.of(value("format", "f")), false);
        if (f.args.isEmpty()) throw new RuncException("\"ps\" requires a minimum of 1 argument(s)");
        String id = f.args.getFirst();
        Store.Record r = store().load(id);
        if (r.liveStatus().equals("stopped")) throw new RuncException("container not running");
        List<Long> pids = Procfs.pidsInNamespaceOf(r.pid());
        String format = f.value("format", "table");
        if (format.equals("json")) {
            out.println(JSON.writeValueAsString(pids));
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
            JSON.writeValueAsString(store.load("train").stateJson());
            store.list();
            store.remove("train");
            new Log(new PrintStream(OutputStream.nullOutputStream()), null, false, true).debug("trained");
            Flags.parse(List.of("-b", "x", "--keep=false", "id"), List.of(value("bundle", "b"), bool("keep")), false);
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        return 0;
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
            var tree = JSON.readTree(json);
            if (tree == null || !tree.isObject()) throw new RuncException("update: --resources must hold a JSON object (linux.resources)");
            res = (ObjectNode) tree;
        } else {
            res = JSON.createObjectNode();
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
        if (!store.load(id).liveStatus().equals("running") && !store.load(id).liveStatus().equals("paused"))
            throw new RuncException("container not running");
        Control.request(store.dir(id), "update " + JSON.writeValueAsString(res));
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
        ObjectNode o = JSON.createObjectNode();
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
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
        return 0;
    }


}
