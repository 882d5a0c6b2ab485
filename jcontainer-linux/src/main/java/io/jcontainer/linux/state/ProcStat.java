package io.jcontainer.linux.state;

import io.jcontainer.linux.sys.Proc;

/** /proc/PID/stat, read the way a pid-reuse-safe liveness check needs it. */
public final class ProcStat {
    private ProcStat() {
    }

    /** Field 22 (starttime, clock ticks after boot), or -1 if the process is gone. */
    public static long startTime(long pid) {
        String[] f = fields(pid);
        return f == null ? -1 : Long.parseLong(f[19]);
    }

    /** Whether {@code pid} runs (not a zombie) and, if {@code startTime >= 0}, started then. */
    public static boolean alive(long pid, long startTime) {
        if (pid <= 0) return false;
        String[] f = fields(pid);
        if (f == null || f[0].equals("Z") || f[0].equals("X")) return false;
        return startTime < 0 || Long.parseLong(f[19]) == startTime;
    }

    /** The fields after "(comm)": f[0] is field 3 (state). */
    static String[] fields(long pid) {
        return Proc.HOST.stat(pid);
    }
}
