package io.jcontainer.runc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The containers of one {@code --root}: a directory per id holding {@code state.json} (what
 * {@code runc state} prints, plus the pid's start time so a reused pid is never taken for the
 * container) and, while the container runs, the control socket of the process that keeps it.
 */
final class Store {
    /** runc's rule for ids (libcontainer's validateID). */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_+.-]+");
    static final String STATE = "state.json", SOCKET = "ctl.sock";
    final Path root;

    Store(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** Creates the root (0700) if missing; refuses one others can write (they could plant records or sockets). */
    Store open() {
        try {
            if (!Files.isDirectory(root)) {
                Files.createDirectories(root.getParent());
                try {
                    Files.createDirectory(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException raced) {
                    // another runc made it: checked below like any existing root
                }
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(root);
            int uid = (Integer) Files.getAttribute(root, "unix:uid");
            int me = Runc.euid();
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE))
                throw new RuncException("root " + root + " is writable by others (" + PosixFilePermissions.toString(perms)
                        + "): refusing it, as another user could plant containers there; chmod go-w it or choose another --root");
            if (uid != me)
                throw new RuncException("root " + root + " belongs to uid " + uid + ", not to us (uid " + me + "): choose another --root");
        } catch (IOException e) {
            throw new RuncException("cannot use root " + root + ": " + e);
        }
        return this;
    }

    static void checkId(String id) {
        if (id == null || id.isEmpty()) throw new RuncException("container id cannot be empty");
        if (!ID.matcher(id).matches() || id.equals(".") || id.equals(".."))
            throw new RuncException("invalid container ID format");
    }

    Path dir(String id) {
        return root.resolve(id);
    }

    /** Reserves the id atomically: the directory exists or we made it. */
    Path reserve(String id) {
        checkId(id);
        try {
            return Files.createDirectory(dir(id), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        } catch (FileAlreadyExistsException e) {
            throw new RuncException("container with given ID already exists");
        } catch (IOException e) {
            throw new RuncException("cannot record container " + id + " under " + root + ": " + e);
        }
    }

    /** One container's record as stored. */
    record Record(String id, long pid, Long pidStart, String bundle, String rootfs, Instant created, String owner,
                  String status, boolean paused, Integer exitCode, Map<String, String> annotations, String lifecycleId, long monitorPid,
                  String startFifo, List<String> cgroupDirs, boolean hooks) {

        Record {
            cgroupDirs = cgroupDirs == null ? List.of() : List.copyOf(cgroupDirs);
        }

        /**
         * A foreground {@code run}'s container, kept by that process; {@code lifecycleId} and
         * {@code monitorPid} are null and 0 for it. A {@code create}d one is a recorded container
         * of the lifecycle API (its {@code lifecycleId}), alive without any runc process.
         */
        Record(String id, long pid, Long pidStart, String bundle, String rootfs, Instant created, String owner,
               String status, boolean paused, Integer exitCode, Map<String, String> annotations) {
            this(id, pid, pidStart, bundle, rootfs, created, owner, status, paused, exitCode, annotations, null, 0, null, List.of(), false);
        }

        Record with(long newPid, Long start, String newStatus, boolean newPaused, Integer exit) {
            return new Record(id, newPid, start, bundle, rootfs, created, owner, newStatus, newPaused, exit, annotations, lifecycleId, monitorPid,
                    startFifo, cgroupDirs, hooks);
        }

        boolean lifecycle() {
            return lifecycleId != null;
        }

        /**
         * A container created without a monitor ({@code Containers.createWithoutMonitor}): its
         * status is derived here as runc derives its own — from its process and its start FIFO
         * ({@link #monitorlessStatus}) — so that {@code state} and {@code start}, which an engine
         * runs for every container, need nothing of the runtime library.
         */
        boolean monitorless() {
            return lifecycleId != null && startFifo != null;
        }

        String monitorlessStatus() {
            if (!alive()) return "stopped";
            if (Files.exists(Path.of(startFifo))) return "created";
            return paused ? "paused" : "running";
        }

        /** Whether the container's first process is still the one we started (pid and start time; a zombie has ended). */
        boolean alive() {
            if (pid <= 0) return false;
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isEmpty() || !h.get().isAlive()) return false;
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                int close = stat.lastIndexOf(')');
                if (close > 0 && close + 2 < stat.length() && (stat.charAt(close + 2) == 'Z' || stat.charAt(close + 2) == 'X')) return false;
            } catch (IOException gone) {
                return false;
            }
            if (pidStart == null) return true;
            return h.get().info().startInstant().map(i -> i.toEpochMilli() == pidStart).orElse(true);
        }

        /** The OCI status now: what was recorded, corrected by whether the process still lives. */
        String liveStatus() {
            if (status.equals("running") || status.equals("created")) return alive() ? (paused ? "paused" : status) : "stopped";
            return status;
        }

        /** The OCI state, runc's fields and order. */
        ObjectNode stateJson() {
            return stateJson(liveStatus());
        }

        ObjectNode stateJson(String st) {
            ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            o.put("ociVersion", io.jcontainer.oci.runtime.OciConfig.SPEC_VERSION);
            o.put("id", id);
            o.put("pid", st.equals("stopped") ? 0 : pid);
            o.put("status", st);
            o.put("bundle", bundle);
            o.put("rootfs", rootfs);
            o.put("created", created.toString());
            o.put("owner", owner);
            if (!annotations.isEmpty()) {
                ObjectNode a = o.putObject("annotations");
                annotations.forEach(a::put);
            }
            return o;
        }

        ObjectNode toJson() {
            ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("id", id).put("pid", pid).put("bundle", bundle).put("rootfs", rootfs)
                    .put("created", created.toString()).put("owner", owner).put("status", status).put("paused", paused);
            if (pidStart != null) o.put("pidStart", pidStart);
            if (exitCode != null) o.put("exitCode", exitCode);
            if (lifecycleId != null) o.put("lifecycleId", lifecycleId).put("monitorPid", monitorPid);
            if (startFifo != null) o.put("startFifo", startFifo);
            if (!cgroupDirs.isEmpty()) {
                var c = o.putArray("cgroupDirs");
                cgroupDirs.forEach(c::add);
            }
            if (hooks) o.put("hooks", true);
            ObjectNode a = o.putObject("annotations");
            annotations.forEach(a::put);
            return o;
        }

        static Record fromJson(JsonNode n) {
            Map<String, String> a = new LinkedHashMap<>();
            n.path("annotations").fields().forEachRemaining(e -> a.put(e.getKey(), e.getValue().asText()));
            return new Record(n.get("id").asText(), n.path("pid").asLong(), n.has("pidStart") ? n.get("pidStart").asLong() : null,
                    n.path("bundle").asText(), n.path("rootfs").asText(), Instant.parse(n.get("created").asText()),
                    n.path("owner").asText(), n.path("status").asText(), n.path("paused").asBoolean(),
                    n.has("exitCode") ? n.get("exitCode").asInt() : null, a,
                    n.has("lifecycleId") ? n.get("lifecycleId").asText() : null, n.path("monitorPid").asLong(),
                    n.has("startFifo") ? n.get("startFifo").asText() : null, strings(n.path("cgroupDirs")), n.path("hooks").asBoolean());
        }

        private static List<String> strings(JsonNode a) {
            List<String> out = new ArrayList<>();
            a.forEach(x -> out.add(x.asText()));
            return out;
        }
    }

    void save(Record r) {
        Path d = dir(r.id()), tmp = d.resolve(STATE + ".tmp");
        try {
            if (r.monitorless()) ShortRecord.write(d, r);
            // the streaming generator, not a mapper: create and start are on an engine's clock
            Files.writeString(tmp, io.jcontainer.oci.runtime.JsonTrees.pretty(r.toJson()));
            Files.move(tmp, d.resolve(STATE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RuncException("cannot record the state of " + r.id() + ": " + e);
        }
    }

    Record load(String id) {
        checkId(id);
        Path f = dir(id).resolve(STATE);
        try {
            return Record.fromJson(io.jcontainer.oci.runtime.JsonTrees.read(f));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new RuncException("container does not exist");
        } catch (IOException | RuntimeException e) {
            throw new RuncException("the record of container " + id + " (" + f + ") is unreadable: " + e.getMessage());
        }
    }

    List<Record> list() {
        List<Record> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path d : ds) {
                if (!Files.isRegularFile(d.resolve(STATE))) continue; // being created, or not ours
                try {
                    out.add(load(d.getFileName().toString()));
                } catch (RuncException e) {
                    // a record half written or removed meanwhile: not listed
                }
            }
        } catch (IOException e) {
            throw new RuncException("cannot list " + root + ": " + e);
        }
        out.sort(Comparator.comparing(Record::created));
        return out;
    }

    void remove(String id) {
        Path d = dir(id);
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (NoSuchFileException | java.io.UncheckedIOException raced) {
            // the process keeping the container removed it at the same time
        } catch (IOException e) {
            throw new RuncException("cannot remove the record of " + id + ": " + e);
        }
    }
}
