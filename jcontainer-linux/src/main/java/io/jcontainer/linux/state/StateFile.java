package io.jcontainer.linux.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.ContainerException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code state.json} as an OCI runtime-spec state: {@code ociVersion}, {@code id},
 * {@code status}, {@code pid}, {@code bundle} (the record's directory, where its
 * {@code config.json} is) and {@code annotations}, valid against the spec's state schema; what
 * only jcontainer needs (the pid's start time and monitor that {@link RecordCheck} verifies,
 * cgroup directories, times, docker's name and streams...) is in its {@code "jcontainer"}
 * object, which the schema leaves free.
 *
 * <p>The status is the last step of the OCI lifecycle jcontainer wrote: {@code creating} (the
 * record reserves the name, nothing runs yet), {@code created} (its process waits for start),
 * {@code running}. That a container stopped, or is paused, is read from the kernel when asked
 * ({@link ContainerStore#entry}, as {@code runc state} does): the monitor that sees the exit is
 * C and writes only the {@code exit} file, and a reader that rewrote the record could race a
 * start in another process.
 *
 * <p>Records of the format before (jcontainer's fields at the top, no {@code ociVersion}) are
 * read as they are, so containers that run across an upgrade can still be listed, stopped and
 * removed. A {@code "jcontainer"} object of another format is refused naming it.
 */
public final class StateFile {
    public static final String FORMAT = "jcontainer-state/1", OCI_VERSION = "1.2.0", EXTRAS = "jcontainer";

    private StateFile() {
    }

    /** The OCI status a record is at, from what it holds. */
    static String status(ContainerState s) {
        if (s.pid() <= 0) return "creating";
        return s.started() == null ? "created" : "running";
    }

    static ObjectNode toJson(ObjectMapper json, ContainerState s, Path bundle) {
        ObjectNode o = json.createObjectNode();
        o.put("ociVersion", OCI_VERSION);
        o.put("id", s.id());
        o.put("status", status(s));
        if (s.pid() > 0) o.put("pid", s.pid());
        o.put("bundle", bundle.toAbsolutePath().toString());
        if (!s.annotations().isEmpty()) {
            ObjectNode a = o.putObject("annotations");
            s.annotations().forEach(a::put);
        }
        ObjectNode x = o.putObject(EXTRAS);
        x.put("format", FORMAT);
        x.put("name", s.name());
        x.put("image", s.image());
        strings(x.putArray("command"), s.command());
        x.put("init", s.init());
        x.put("pidNamespace", s.pidNamespace());
        x.put("stopSignal", s.stopSignal());
        x.put("pidStartTime", s.pidStartTime());
        x.put("launcherPid", s.launcherPid());
        x.put("created", s.created());
        x.put("started", s.started());
        x.put("detached", s.detached());
        x.put("logPath", s.logPath());
        strings(x.putArray("cgroupDirs"), s.cgroupDirs());
        x.put("restartPolicy", s.restartPolicy());
        if (s.streams() != null) {
            ContainerState.Streams io = s.streams();
            x.putObject("streams").put("tty", io.tty()).put("openStdin", io.openStdin()).put("attachStdin", io.attachStdin())
                    .put("attachStdout", io.attachStdout()).put("attachStderr", io.attachStderr());
        }
        x.put("autoRemove", s.autoRemove());
        return o;
    }

    /** The record a state.json holds, in this format or the one before; {@code file} names it in errors. */
    static ContainerState fromJson(JsonNode n, Path file) {
        if (n == null || !n.isObject()) throw new ContainerException(file + ": not a JSON object");
        JsonNode x;
        if (n.has("ociVersion")) {
            x = n.path(EXTRAS);
            if (!FORMAT.equals(x.path("format").asText()))
                throw new ContainerException(file + ": its \"" + EXTRAS + "\" part has format \"" + x.path("format").asText() + "\", not "
                        + FORMAT + " (written by another jcontainer version): remove the container's directory "
                        + file.getParent() + " once its processes are gone");
        } else {
            x = n; // the format before: jcontainer's fields at the top
        }
        if (!n.path("id").isTextual() || n.path("id").asText().length() < 12) throw new ContainerException(file + ": no container id");
        Map<String, String> annotations = new LinkedHashMap<>();
        n.path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
        JsonNode io = x.path("streams");
        ContainerState.Streams streams = io.isObject() ? new ContainerState.Streams(io.path("tty").asBoolean(), io.path("openStdin").asBoolean(),
                io.path("attachStdin").asBoolean(), io.path("attachStdout").asBoolean(), io.path("attachStderr").asBoolean()) : null;
        return new ContainerState(n.get("id").asText(), text(x, "name"), text(x, "image"), strings(x.path("command")),
                x.path("init").asBoolean(), x.path("pidNamespace").asBoolean(), text(x, "stopSignal"), n.path("pid").asLong(),
                x.path("pidStartTime").asLong(), x.path("launcherPid").asLong(), text(x, "created"), text(x, "started"),
                x.path("detached").asBoolean(), text(x, "logPath"), strings(x.path("cgroupDirs")), text(x, "restartPolicy"), streams,
                x.path("autoRemove").asBoolean(), annotations);
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : a) out.add(e.asText());
        return out;
    }

    private static void strings(ArrayNode a, List<String> l) {
        l.forEach(a::add);
    }
}
