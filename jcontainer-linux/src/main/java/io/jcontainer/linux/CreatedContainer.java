package io.jcontainer.linux;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.jcontainer.ContainerException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A container made by {@link LinuxContainerRuntime#create} that waits for its start: its id,
 * its first process (pid and start time, so a recycled pid is never mistaken for it), its
 * monitor's pid, and its state directory, where it is recorded as {@code created.json}.
 *
 * <p>The state directory's files: {@code exec.fifo} exists while the container waits (a byte
 * written to it starts the container: {@link LinuxContainerRuntime#startCreated}); {@code exit}
 * appears once it has ended ({@code "si_code si_status oom"}, CLD_* codes; oom 1 when the OOM killer ran); {@code log} holds its
 * piped output.
 */
public record CreatedContainer(String id, int pid, long pidStartTime, int monitorPid, Path stateDir) {
    /**
     * Four fields, written and read with the streaming API: a mapper's introspection of a record
     * cost a runc {@code create} (on an engine's clock) about 100 ms of class loading.
     */
    private static final JsonFactory JSON = new JsonFactory();

    public static Path fifo(Path stateDir) {
        return stateDir.resolve("exec.fifo");
    }

    public static Path exitFile(Path stateDir) {
        return stateDir.resolve("exit");
    }

    static Path file(Path stateDir) {
        return stateDir.resolve("created.json");
    }

    /** Whether it still waits for its start (its monitor holds the FIFO open). */
    public boolean waiting() {
        return Files.exists(fifo(stateDir)) && !Files.exists(exitFile(stateDir));
    }

    void write() {
        Path f = file(stateDir), tmp = stateDir.resolve("created.json.tmp");
        try {
            try (JsonGenerator g = JSON.createGenerator(Files.newOutputStream(tmp))) {
                g.writeStartObject();
                g.writeStringField("id", id);
                g.writeNumberField("pid", pid);
                g.writeNumberField("pidStartTime", pidStartTime);
                g.writeNumberField("monitorPid", monitorPid);
                g.writeEndObject();
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("recording the created container in " + f, e);
        }
    }

    public static CreatedContainer read(Path stateDir) {
        Path f = file(stateDir);
        try {
            String id = null;
            int pid = 0, monitorPid = 0;
            long pidStartTime = 0;
            try (JsonParser p = JSON.createParser(Files.readAllBytes(f))) {
                if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("not a JSON object");
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    switch (name) {
                        case "id" -> id = p.getValueAsString();
                        case "pid" -> pid = p.getIntValue();
                        case "pidStartTime" -> pidStartTime = p.getLongValue();
                        case "monitorPid" -> monitorPid = p.getIntValue();
                        default -> p.skipChildren();
                    }
                }
            }
            if (id == null) throw new IOException("no id");
            return new CreatedContainer(id, pid, pidStartTime, monitorPid, stateDir);
        } catch (IOException e) {
            throw new ContainerException("no created container recorded in " + stateDir + ": " + e.getMessage(), e);
        }
    }
}
