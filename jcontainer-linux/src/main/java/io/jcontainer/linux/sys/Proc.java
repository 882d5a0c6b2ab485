package io.jcontainer.linux.sys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The /proc files jcontainer reads, read through the syscall seam ({@link Syscalls#readFile},
 * {@link Syscalls#readlink}) and parsed in one place: a process's stat, status, cmdline and
 * id maps, the mount table, sysctls, namespace links. Every reader answers null (or the given
 * default) for what cannot be read — the process is gone, the file does not exist on this
 * kernel, no procfs — and callers say what that means for them. Tests hand it a recording fake
 * that serves the files they script.
 */
public final class Proc {
    /** The host's /proc, through the FFM seam. */
    public static final Proc HOST = new Proc(NativeSyscalls.INSTANCE);

    private final Syscalls sys;

    public Proc(Syscalls sys) {
        this.sys = sys;
    }

    /** A /proc (or /sys) file as text, or null when it cannot be read. */
    public String read(String path) {
        try {
            return new String(sys.readFile(path), StandardCharsets.UTF_8);
        } catch (SyscallException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Where a /proc link points ({@code /proc/PID/exe}, {@code ns/pid}...), or null. */
    public String link(String path) {
        try {
            return sys.readlink(path);
        } catch (SyscallException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * The fields of /proc/PID/stat after "(comm)" — f[0] is field 3 (state), f[1] the parent,
     * f[19] the start time — or null when the process is gone. The command name may hold spaces
     * and parentheses: the fields start after the last ')'.
     */
    public String[] stat(long pid) {
        String st = read("/proc/" + pid + "/stat");
        int close = st == null ? -1 : st.lastIndexOf(')');
        if (close < 0 || close + 2 > st.length()) return null;
        return st.substring(close + 2).strip().split(" ");
    }

    /** The effective uid of {@code pid} ("self" or a number: Uid: of its status), or -1. */
    public int effectiveUid(String pid) {
        return statusId(pid, "Uid:");
    }

    /** The effective gid of {@code pid} (Gid: of its status), or -1. */
    public int effectiveGid(String pid) {
        return statusId(pid, "Gid:");
    }

    private int statusId(String pid, String key) {
        String v = status(pid, key);
        try {
            return v == null ? -1 : Integer.parseInt(v.split("\\s+")[1]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The value of one line of /proc/PID/status ({@code "CapBnd:"} → its hex), or null. */
    public String status(String pid, String key) {
        String s = read("/proc/" + pid + "/status");
        if (s == null) return null;
        for (String l : s.split("\n")) if (l.startsWith(key)) return l.substring(key.length()).strip();
        return null;
    }

    /** argv of {@code pid} (/proc/PID/cmdline split at NULs; empty for a kernel thread), or null. */
    public List<String> cmdline(long pid) {
        try {
            byte[] b = sys.readFile("/proc/" + pid + "/cmdline");
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < b.length; i++)
                if (b[i] == 0) {
                    out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            if (start < b.length) out.add(new String(b, start, b.length - start, StandardCharsets.UTF_8));
            return out;
        } catch (SyscallException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * A user namespace's map ({@code which}: uid_map or gid_map of {@code pid}) as
     * {inside, outside, count} triples; null when unreadable.
     */
    public List<long[]> idMap(String pid, String which) {
        String s = read("/proc/" + pid + "/" + which);
        if (s == null) return null;
        List<long[]> out = new ArrayList<>();
        for (String l : s.split("\n")) {
            String[] f = l.strip().split("\\s+");
            if (f.length != 3) continue;
            try {
                out.add(new long[]{Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])});
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }

    /** A numeric sysctl ({@code "kernel/cap_last_cap"} is /proc/sys/kernel/cap_last_cap), or {@code dflt}. */
    public long sysctl(String key, long dflt) {
        String s = read("/proc/sys/" + key);
        try {
            return s == null ? dflt : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** /proc/self/mountinfo, or "" without procfs. */
    public String mountinfo() {
        String s = read("/proc/self/mountinfo");
        return s == null ? "" : s;
    }
}
