package io.jcontainer.linux;

import com.fasterxml.jackson.databind.ObjectMapper;
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
    private static final ObjectMapper JSON = new ObjectMapper();

    record Json(String id, int pid, long pidStartTime, int monitorPid) {
    }

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
            JSON.writeValue(tmp.toFile(), new Json(id, pid, pidStartTime, monitorPid));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("recording the created container in " + f, e);
        }
    }

    public static CreatedContainer read(Path stateDir) {
        Path f = file(stateDir);
        try {
            Json j = JSON.readValue(f.toFile(), Json.class);
            return new CreatedContainer(j.id(), j.pid(), j.pidStartTime(), j.monitorPid(), stateDir);
        } catch (IOException e) {
            throw new ContainerException("no created container recorded in " + stateDir + ": " + e.getMessage(), e);
        }
    }
}
