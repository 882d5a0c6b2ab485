package io.jcontainer.linux.state;

import io.jcontainer.linux.sys.Proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code state.json} is checked against the kernel before anything acts on it (SECURITY.md
 * row 36): whoever rewrote it could otherwise make {@code kill}, {@code stop} and {@code rm -f}
 * signal any process (pid 1, with pid 1's start time) and remove or freeze any directory.
 *
 * <p>A process is the container's when it runs with the recorded start time and its parent is the
 * recorded monitor, which must be a jcontainer launcher (argv[0] {@value #LAUNCHER}, and, where
 * this user may read it, executed from the launcher's sealed memfd) running as this user. Only
 * this user's launchers can be forged that way, so at worst a record names another container of
 * the same user. Cgroup directories count only when they are jcontainer's names for this id
 * ({@code jcontainer-detached-<id12>}, {@code jcontainer-<pid>.<start>-<id12>}) at a real
 * path inside a mounted cgroup hierarchy.
 */
public final class RecordCheck {
    /** argv[0] of every launcher: the direct spawn's and the spawn server's (inherited by its forks). */
    static final String LAUNCHER = "jcontainer-launcher";
    private static final Pattern OWN_NAME = Pattern.compile("jcontainer-(detached|\\d+\\.\\d+)-[0-9a-f]{12}");

    private RecordCheck() {
    }

    /**
     * A container created without a monitor (runc's create, {@code Containers.createWithoutMonitor}):
     * no monitor pid, a process. Its process's parent is whoever reaps it (an engine's subreaper),
     * so it is trusted as runc trusts its state: by pid and start time, recorded in a state
     * directory only its user may write (runc's {@code --root}, 0700).
     */
    public static boolean monitorless(ContainerState s) {
        return s.launcherPid() == 0 && s.pid() > 0 && s.pidStartTime() > 0 && s.detached();
    }

    /** Whether {@code pid} (started at {@code startTime}) is the container process of record {@code s}. */
    public static boolean isContainerProcess(ContainerState s, long pid, long startTime) {
        if (pid <= 1 || pid == ProcessHandle.current().pid() || !ProcStat.alive(pid, startTime)) return false;
        if (monitorless(s)) return pid == s.pid() && ProcStat.alive(pid, s.pidStartTime());
        String[] f = ProcStat.fields(pid);
        return f != null && Long.parseLong(f[1]) == s.launcherPid() && isLauncher(s.launcherPid());
    }

    /** Whether {@code pid} is a jcontainer launcher (a container's monitor) of this user. */
    static boolean isLauncher(long pid) {
        if (pid <= 1 || !ProcStat.alive(pid, -1)) return false;
        List<String> argv = Proc.HOST.cmdline(pid);
        if (argv == null || argv.isEmpty() || !argv.getFirst().equals(LAUNCHER)) return false;
        int uid = Proc.HOST.effectiveUid(Long.toString(pid));
        if (uid < 0 || uid != Proc.HOST.effectiveUid("self")) return false;
        // readable only to root (a launcher is not dumpable): where it is, it must be the sealed memfd
        String exe = Proc.HOST.link("/proc/" + pid + "/exe");
        return exe == null || exe.startsWith("/memfd:" + LAUNCHER);
    }

    /**
     * The record's cgroup directories that are jcontainer's own for its id, inside a cgroup mount;
     * the rest are ignored. A monitorless record's may have any name (an engine's
     * {@code cgroupsPath}): they are trusted as its pid is ({@link #monitorless}).
     */
    public static List<String> ownCgroupDirs(ContainerState s) {
        if (s.cgroupDirs().isEmpty()) return List.of();
        List<Path> mounts = cgroupMounts();
        String id12 = s.id() == null || s.id().length() < 12 ? null : s.id().substring(0, 12);
        List<String> out = new ArrayList<>();
        for (String d : s.cgroupDirs()) {
            if (id12 == null || d == null || !d.startsWith("/")) continue;
            Path p = Path.of(d);
            if (!p.normalize().equals(p) || p.getFileName() == null) continue;
            String name = p.getFileName().toString();
            if (!monitorless(s) && (!OWN_NAME.matcher(name).matches() || !name.endsWith("-" + id12))) continue;
            if (mounts.stream().noneMatch(m -> p.startsWith(m) && !p.equals(m))) continue;
            try {
                // no symlink on the way (cgroupfs has none; a path through one leads elsewhere)
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !p.toRealPath().equals(p)) continue;
            } catch (IOException e) {
                continue;
            }
            out.add(d);
        }
        return out;
    }

    /** Mount points of cgroup and cgroup2 file systems, from /proc/self/mountinfo. */
    static List<Path> cgroupMounts() {
        List<Path> out = new ArrayList<>();
        // no procfs: no cgroup directory is accepted
        for (String line : Proc.HOST.mountinfo().split("\n")) {
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (dash < 0 || dash + 1 >= f.length || f.length < 5) continue;
            if (f[dash + 1].equals("cgroup") || f[dash + 1].equals("cgroup2")) out.add(Path.of(unescape(f[4])));
        }
        return out;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else b.append(s.charAt(i));
        }
        return b.toString();
    }
}
