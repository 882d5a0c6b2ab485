package io.jcontainer.linux.security;

import io.jcontainer.ContainerException;
import io.jcontainer.Signal;
import io.jcontainer.linux.state.ContainerState;
import io.jcontainer.linux.state.ContainerStore;
import io.jcontainer.linux.state.ProcStat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * Run by {@link StateRecordTest} inside a container with a PID namespace, whose PID 1 is a decoy
 * shell that prints SIGNALLED when a signal reaches it: never the machine's own PID 1. It writes
 * a tampered record naming pid 1 with pid 1's real start time, then tries kill, stop and rm -f
 * through {@link ContainerStore} and prints what each did.
 */
public final class TamperedRecordMain {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ContainerStore store = new ContainerStore(dir);
        String id = "1".repeat(64);
        long start = ProcStat.startTime(1);
        for (long launcher : new long[]{0, 1}) {
            ContainerState s = new ContainerState(id, "tampered", null, List.of("sh"), false, false, "TERM", 1, start, launcher,
                    "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", true, null, List.of(), "no");
            store.create(s);
            ContainerStore.Entry e = store.find("tampered");
            System.out.println("launcher " + launcher + " status " + e.status());
            try {
                store.signal(e, Signal.TERM);
                System.out.println("kill: SENT");
            } catch (ContainerException x) {
                System.out.println("kill: refused: " + x.getMessage());
            }
            try {
                store.stop(e, Duration.ofMillis(200));
                System.out.println("stop: returned");
            } catch (ContainerException x) {
                System.out.println("stop: refused: " + x.getMessage());
            }
            store.remove(store.find("tampered"), true);
            System.out.println("rm -f: removed the record");
        }
        System.out.println("DONE");
    }
}
