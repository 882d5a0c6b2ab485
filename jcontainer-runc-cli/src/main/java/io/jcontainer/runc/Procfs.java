package io.jcontainer.runc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code ps}: the processes of a container, read from /proc (files, no system call of our own). */
final class Procfs {
    private Procfs() {
    }

    /** The host pids of the processes in {@code pid}'s PID namespace, ascending. */
    static List<Long> pidsInNamespaceOf(long pid) throws IOException {
        Path target = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid"));
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path p : ds) {
                try {
                    if (Files.readSymbolicLink(p.resolve("ns/pid")).equals(target)) out.add(Long.parseLong(p.getFileName().toString()));
                } catch (IOException gone) {
                    // exited meanwhile, or not ours to read
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** UID, PID, PPID and command line of one process. */
    static String[] row(long pid) {
        String uid = "?", ppid = "?", cmd = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Uid:")) uid = line.split("\\s+")[1];
                if (line.startsWith("PPid:")) ppid = line.split("\\s+")[1];
            }
            byte[] c = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            cmd = new String(c).replace('\0', ' ').trim();
        } catch (IOException gone) {
            // exited meanwhile
        }
        return new String[]{uid, Long.toString(pid), ppid, cmd};
    }
}
