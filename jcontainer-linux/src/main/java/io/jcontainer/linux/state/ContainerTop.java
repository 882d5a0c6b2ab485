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
import java.util.Map;

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

    /**
     * {@code ps OPTIONS} over the same processes, read from /proc (no host ps): {@code -ef}/{@code -e}/
     * {@code -f} (ps -ef's columns), {@code aux} (BSD's), {@code -o}/{@code o FIELD,...} with
     * ps's field names (pid ppid user uid comm args cmd command stat tty time etime rss vsz %cpu
     * %mem stime start nlwp). Anything else: {@link IllegalArgumentException} naming it.
     */
    public static io.jcontainer.lifecycle.Containers.ProcessList ps(long pid, boolean pidNamespace, List<String> options) throws IOException {
        List<String> fields = null;
        boolean bsd = false;
        for (int i = 0; i < options.size(); i++) {
            String o = options.get(i);
            if (o.equals("-o") || o.equals("o") || o.equals("--format")) {
                if (i + 1 >= options.size()) throw new IllegalArgumentException("ps option " + o + " needs a list of fields");
                fields = addFields(fields, options.get(++i));
            } else if (o.startsWith("-o") && o.length() > 2) {
                fields = addFields(fields, o.substring(2));
            } else if (o.matches("-?[aux]+")) {
                bsd |= o.contains("u");
            } else if (!o.matches("-[efAFl]+")) {
                throw new IllegalArgumentException("ps option '" + o + "' is not supported: jcontainer reads /proc itself and knows -ef, aux and -o FIELD,...");
            }
        }
        if (fields == null && !bsd) return new io.jcontainer.lifecycle.Containers.ProcessList(TITLES, rows(pid, pidNamespace));
        if (fields == null) fields = List.of("user", "pid", "%cpu", "%mem", "vsz", "rss", "tty", "stat", "start", "time", "command");
        for (String f : fields) if (!FIELD_TITLES.containsKey(f)) throw new IllegalArgumentException("ps field '" + f + "' is not supported (known: "
                + String.join(" ", FIELD_TITLES.keySet()) + ")");
        List<String> titles = fields.stream().map(FIELD_TITLES::get).toList();
        List<List<String>> out = new ArrayList<>();
        long boot = bootTime(), now = System.currentTimeMillis() / 1000;
        long memTotal = memTotalKb();
        Map<String, String> users = users();
        for (List<String> r : rows(pid, pidNamespace)) {
            long q = Long.parseLong(r.get(1));
            String[] st = ProcStat.fields(q);
            if (st == null) continue;
            long ticks = Long.parseLong(st[11]) + Long.parseLong(st[12]);
            long started = boot + Long.parseLong(st[19]) / HZ, elapsed = Math.max(1, now - started);
            long rssKb = Long.parseLong(st[21]) * 4, vszKb = Long.parseLong(st[20]) / 1024;
            List<String> row = new ArrayList<>();
            for (String f : fields)
                row.add(switch (f) {
                    case "pid" -> r.get(1);
                    case "ppid" -> r.get(2);
                    case "uid" -> r.get(0);
                    case "user" -> users.getOrDefault(r.get(0), r.get(0));
                    case "comm" -> comm(q);
                    case "args", "cmd", "command" -> r.get(7);
                    case "stat", "s" -> st[0];
                    case "tty", "tt" -> r.get(5);
                    case "time" -> r.get(6);
                    case "etime" -> String.format("%02d:%02d", elapsed / 60, elapsed % 60);
                    case "rss" -> Long.toString(rssKb);
                    case "vsz" -> Long.toString(vszKb);
                    case "%cpu", "pcpu" -> String.format(java.util.Locale.ROOT, "%.1f", 100.0 * ticks / HZ / elapsed);
                    case "%mem", "pmem" -> String.format(java.util.Locale.ROOT, "%.1f", memTotal == 0 ? 0.0 : 100.0 * rssKb / memTotal);
                    case "stime", "start" -> r.get(4);
                    case "nlwp" -> st[17];
                    default -> "?";
                });
            out.add(row);
        }
        return new io.jcontainer.lifecycle.Containers.ProcessList(titles, out);
    }

    private static final Map<String, String> FIELD_TITLES = new java.util.LinkedHashMap<>();

    static {
        String[][] t = {{"pid", "PID"}, {"ppid", "PPID"}, {"user", "USER"}, {"uid", "UID"}, {"comm", "COMMAND"}, {"args", "COMMAND"},
                {"cmd", "CMD"}, {"command", "COMMAND"}, {"stat", "STAT"}, {"s", "S"}, {"tty", "TTY"}, {"tt", "TT"}, {"time", "TIME"},
                {"etime", "ELAPSED"}, {"rss", "RSS"}, {"vsz", "VSZ"}, {"%cpu", "%CPU"}, {"pcpu", "%CPU"}, {"%mem", "%MEM"}, {"pmem", "%MEM"},
                {"stime", "STIME"}, {"start", "START"}, {"nlwp", "NLWP"}};
        for (String[] e : t) FIELD_TITLES.put(e[0], e[1]);
    }

    private static List<String> addFields(List<String> fields, String list) {
        List<String> all = fields == null ? new ArrayList<>() : new ArrayList<>(fields);
        for (String f : list.split("[,\\s]+")) if (!f.isEmpty()) all.add(f.contains("=") ? f.substring(0, f.indexOf('=')) : f);
        return all;
    }

    /** uid → name from the host's /etc/passwd, as the host's ps would show them. */
    private static Map<String, String> users() {
        Map<String, String> m = new java.util.HashMap<>();
        try {
            for (String l : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = l.split(":");
                if (f.length > 2) m.putIfAbsent(f[2], f[0]);
            }
        } catch (IOException e) {
            // numeric ids then
        }
        return m;
    }

    private static long memTotalKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        } catch (IOException e) {
            // unknown
        }
        return 0;
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
