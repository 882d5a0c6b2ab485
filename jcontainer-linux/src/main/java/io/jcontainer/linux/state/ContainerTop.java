package io.jcontainer.linux.state;

import io.jcontainer.linux.sys.Proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code docker top}: the processes of a container, from /proc, in {@code ps -ef}'s columns
 * (UID PID PPID C STIME TTY TIME CMD). A container with a PID namespace is every process in
 * it; one without is its first process and its descendants.
 */
public final class ContainerTop {
    public static final List<String> TITLES = List.of("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
    private static final long HZ = 100; // USER_HZ: 100 on every Linux ABI jcontainer supports

    private ContainerTop() {
    }

    /** One row per process, host pids, sorted by pid. */
    public static List<List<String>> rows(long pid, boolean pidNamespace) throws IOException {
        String ns = link("/proc/" + pid + "/ns/pid");
        List<Long> pids = new ArrayList<>();
        List<long[]> parents = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                long q = Long.parseLong(name);
                String[] f = ProcStat.fields(q);
                if (f == null) continue;
                if (pidNamespace) {
                    if (ns != null && ns.equals(link(p + "/ns/pid"))) pids.add(q);
                } else {
                    parents.add(new long[]{q, Long.parseLong(f[1])});
                }
            }
        }
        if (!pidNamespace) { // the first process and its descendants
            pids.add(pid);
            for (int i = 0; i < pids.size(); i++)
                for (long[] pp : parents) if (pp[1] == pids.get(i) && !pids.contains(pp[0])) pids.add(pp[0]);
        }
        pids.sort(null);
        long boot = bootTime();
        List<List<String>> rows = new ArrayList<>();
        for (long q : pids) {
            String[] f = ProcStat.fields(q);
            if (f == null) continue;
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long start = Long.parseLong(f[19]);
            String uid = Proc.HOST.status(Long.toString(q), "Uid:");
            List<String> argv = Proc.HOST.cmdline(q);
            if (uid == null || argv == null) continue; // gone meanwhile
            uid = uid.split("\\s+")[0];
            String cmd = String.join(" ", argv).trim();
            if (cmd.isEmpty()) cmd = "[" + comm(q) + "]";
            long secs = ticks / HZ;
            String time = String.format("%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
            String stime = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault())
                    .format(Instant.ofEpochSecond(boot + start / HZ));
            int tty = Integer.parseInt(f[4]);
            rows.add(List.of(uid, Long.toString(q), f[1], "0", stime, tty == 0 ? "?" : "pts/" + (tty & 0xff), time, cmd));
        }
        return rows;
    }

    private static String comm(long pid) {
        String comm = Proc.HOST.read("/proc/" + pid + "/comm");
        return comm == null ? "?" : comm.trim();
    }

    private static long bootTime() throws IOException {
        String stat = Proc.HOST.read("/proc/stat");
        if (stat == null) throw new IOException("cannot read /proc/stat");
        for (String l : stat.split("\n")) if (l.startsWith("btime ")) return Long.parseLong(l.substring(6).trim());
        return 0;
    }

    private static String link(String p) {
        return Proc.HOST.link(p);
    }
}
